"""Finding registrations: one by id or address, and the organisers' filtered lists.

What a name search matches is written here too (``search_text``), beside the query that
reads it.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.errors import NotFound
from conference.extensions import db
from conference.ids import is_id, read_id
from conference.registration.models import STATUS_LABELS, Registration
from conference.registration.validation import fold


def get_registration(event, registration_id) -> Registration:
    """One registration of this event, or NotFound (also for what cannot be an id)."""
    found = db.session.get(Registration, registration_id) if is_id(registration_id) else None
    if found is None or found.event_id != event.id:
        raise NotFound("There is no such registration.")
    return found


def find_by_email(event, email: str) -> Registration | None:
    """The event's registration for this address, if any."""
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.email == email.strip().lower()
        )
    )


def search_text(registration: Registration) -> str:
    """The folded text a name search looks in: every name, the address, the organisation."""
    parts = (
        registration.given_name,
        registration.family_name,
        registration.native_name,
        registration.badge_name,
        registration.email,
        registration.organisation,
    )
    return fold(" ".join(p for p in parts if p))


@dataclass
class Filters:
    """An organiser's list filters; empty values filter nothing."""

    status: str = ""
    category_id: int | None = None
    country: str = ""
    delegation_id: int | None = None
    q: str = ""


def filters_from_args(args: Mapping[str, str]) -> Filters:
    """The filters a list's query string asks for; unknown statuses filter nothing."""
    status = args.get("status", "")
    return Filters(
        status=status if status in STATUS_LABELS else "",
        category_id=read_id(args.get("category"), "category", "The category filter"),
        country=(args.get("country") or "")[:2],
        delegation_id=read_id(args.get("delegation"), "delegation", "The delegation filter"),
        q=(args.get("q") or "")[:100],
    )


def filtered_query(event, filters: Filters):
    """The select() for an organiser's filtered list, newest last."""
    query = select(Registration).where(Registration.event_id == event.id)
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.category_id:
        query = query.where(Registration.category_id == filters.category_id)
    if filters.country:
        query = query.where(Registration.country == filters.country.upper())
    if filters.delegation_id:
        query = query.where(Registration.delegation_id == filters.delegation_id)
    for word in fold(filters.q).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Registration.search_text.like(f"%{escaped}%", escape="\\"))
    # Lists show each row's category and delegation: load them in two queries, not per row.
    return query.order_by(Registration.id).options(
        selectinload(Registration.category), selectinload(Registration.delegation)
    )


def paginate(query, page: int, per_page: int):
    """(items, total, pages, page) for one page of a query; the page is kept in range."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return items, total, pages, page


def status_counts(event) -> dict[str, int]:
    """How many registrations are in each status."""
    rows = db.session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    )
    counts = dict.fromkeys(STATUS_LABELS, 0)
    counts.update(dict(rows.all()))
    return counts
