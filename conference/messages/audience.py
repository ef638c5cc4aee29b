"""Who a message to delegates goes to: the organiser's filter, as one database query.

The filter selects registrations (status, category, country, delegation, signed up for a
session, arrived or not). Of those, a message goes to each who has an address (a
delegation member without one is managed by their head and receives no e-mail) and, for
news, only to those who consented (``list_consent``); the others are counted, not sent.
Nothing here loads the selection: counts are one aggregate query, and the sending job
reads the recipients in chunks of ids (``recipients_query``).
"""

from dataclasses import asdict, dataclass

from sqlalchemy import and_, case, exists, func, not_, or_, select

from conference.agenda.models import AgendaSession, AgendaSignup
from conference.checkin.models import CheckIn
from conference.errors import ValidationError
from conference.extensions import db
from conference.formatting import country_name
from conference.ids import read_id
from conference.localtime import to_local
from conference.messages.models import MessageKind
from conference.names import formal_name, name_and_native
from conference.registration.models import STATUS_LABELS, Category, Delegation, Registration
from conference.registration.search import matches_word, search_words

ARRIVED_LABELS = {"": "Arrived or not", "yes": "Arrived (checked in)", "no": "Not arrived yet"}


@dataclass(frozen=True)
class Audience:
    """An organiser's filter of an event's registrations; empty values filter nothing."""

    status: str = ""
    category_id: int | None = None
    country: str = ""
    delegation_id: int | None = None
    session_id: int | None = None
    arrived: str = ""  # "yes", "no", or "" for either

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AudienceCount:
    """How many a filter selects, how many of them a message goes to, and why not the rest."""

    selected: int
    recipients: int
    no_address: int
    no_consent: int


def read_audience(event, values) -> Audience:
    """The filter a form or a stored message gives, each part checked against this event
    (a category, delegation or session of another event is refused, naming the field)."""
    status = values.get("status") or ""
    if status and status not in STATUS_LABELS:
        raise ValidationError("Choose a status from the list.", field="status")
    country = (values.get("country") or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationError("Choose a country from the list.", field="country")
    arrived = values.get("arrived") or ""
    if arrived not in ARRIVED_LABELS:
        raise ValidationError("Choose arrived, not arrived, or either.", field="arrived")
    audience = Audience(
        status=status,
        category_id=read_id(values.get("category_id"), "category_id", "The category"),
        country=country,
        delegation_id=read_id(values.get("delegation_id"), "delegation_id", "The delegation"),
        session_id=read_id(values.get("session_id"), "session_id", "The session"),
        arrived=arrived,
    )
    for model, value, field, what in (
        (Category, audience.category_id, "category_id", "category"),
        (Delegation, audience.delegation_id, "delegation_id", "delegation"),
        (AgendaSession, audience.session_id, "session_id", "session"),
    ):
        if value is not None:
            found = db.session.get(model, value)
            if found is None or found.event_id != event.id:
                raise ValidationError(f"This event has no such {what}.", field=field)
    return audience


def _selection(event, audience: Audience) -> list:
    """The conditions of the filter on Registration."""
    conditions = [Registration.event_id == event.id]
    if audience.status:
        conditions.append(Registration.status == audience.status)
    if audience.category_id:
        conditions.append(Registration.category_id == audience.category_id)
    if audience.country:
        conditions.append(Registration.country == audience.country)
    if audience.delegation_id:
        conditions.append(Registration.delegation_id == audience.delegation_id)
    if audience.session_id:
        conditions.append(
            exists().where(
                AgendaSignup.registration_id == Registration.id,
                AgendaSignup.session_id == audience.session_id,
            )
        )
    if audience.arrived:
        checked_in = exists().where(CheckIn.registration_id == Registration.id)
        conditions.append(checked_in if audience.arrived == "yes" else not_(checked_in))
    return conditions


HAS_ADDRESS = and_(Registration.email.is_not(None), Registration.email != "")


def receives(kind: str):
    """The condition on a selected registration for receiving a message of this kind: an
    address, and consent for news (a message not about their own registration)."""
    if kind == MessageKind.NEWS:
        return and_(HAS_ADDRESS, Registration.list_consent.is_(True))
    return HAS_ADDRESS


def count_audience(event, audience: Audience, kind: str) -> AudienceCount:
    """How many the filter selects and how many a message of this kind reaches (one query)."""
    no_address = or_(Registration.email.is_(None), Registration.email == "")
    no_consent = and_(HAS_ADDRESS, Registration.list_consent.is_not(True))
    row = db.session.execute(
        select(
            func.count(Registration.id),
            func.coalesce(func.sum(case((receives(kind), 1), else_=0)), 0),
            func.coalesce(func.sum(case((no_address, 1), else_=0)), 0),
            func.coalesce(func.sum(case((no_consent, 1), else_=0)), 0),
        ).where(*_selection(event, audience))
    ).one()
    return AudienceCount(
        selected=row[0],
        recipients=row[1],
        no_address=row[2],
        no_consent=row[3] if kind == MessageKind.NEWS else 0,
    )


def recipients_query(event, audience: Audience, kind: str):
    """The select() of the registrations a message goes to, by id (the sending job adds
    ``id > last`` and a limit to read them a chunk at a time)."""
    return (
        select(Registration)
        .where(*_selection(event, audience), receives(kind))
        .order_by(Registration.id)
    )


def preview_choices(
    event, audience: Audience, kind: str, search: str = "", limit: int = 100
) -> list[tuple]:
    """(id, "name · address") of the first recipients (whose names, address or
    organisation hold the words of ``search``, if given), for choosing whose preview to see."""
    query = recipients_query(event, audience, kind)
    for word in search_words(search[:100]):
        query = query.where(matches_word(word))
    rows = db.session.execute(
        query.with_only_columns(
            Registration.id,
            Registration.title,
            Registration.given_name,
            Registration.family_name,
            Registration.name_order,
            Registration.native_name,
            Registration.email,
        ).limit(limit)
    )
    choices = []
    for rid, title, given, family, order, native, email in rows:
        name, _ = name_and_native(formal_name(title, given, family, order), native)
        choices.append((rid, f"{name} · {email}"))
    return choices


@dataclass(frozen=True)
class FilterChoices:
    """What each filter offers for an event: (value, label) pairs."""

    statuses: list[tuple]
    categories: list[tuple]
    countries: list[tuple]
    delegations: list[tuple]
    sessions: list[tuple]
    arrived: list[tuple]


def session_label(session: AgendaSession, tz) -> str:
    """'Tue 3 Nov 11:00 · Parallel session 1'."""
    start = to_local(session.starts_at, tz)
    return f"{start:%a} {start.day} {start:%b %H:%M} · {session.title}"


def filter_choices(event) -> FilterChoices:
    """The choices of each filter: the event's categories, the countries its delegates
    come from, its delegations, its sessions (by start), the statuses."""
    categories = db.session.execute(
        select(Category.id, Category.name)
        .where(Category.event_id == event.id)
        .order_by(Category.position, Category.id)
    ).all()
    codes = db.session.scalars(
        select(Registration.country).where(Registration.event_id == event.id).distinct()
    ).all()
    countries = sorted(((c, country_name(c)) for c in codes if c), key=lambda pair: pair[1])
    delegations = db.session.execute(
        select(Delegation.id, Delegation.name)
        .where(Delegation.event_id == event.id)
        .order_by(Delegation.country, Delegation.name)
    ).all()
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id)
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
    return FilterChoices(
        statuses=[("", "Any status"), *STATUS_LABELS.items()],
        categories=[("", "Any category"), *((str(i), n) for i, n in categories)],
        countries=[("", "Any country"), *countries],
        delegations=[("", "Any delegation"), *((str(i), n) for i, n in delegations)],
        sessions=[
            ("", "Anyone (sign-ups not considered)"),
            *((str(s.id), session_label(s, event.tz)) for s in sessions),
        ],
        arrived=list(ARRIVED_LABELS.items()),
    )


def describe(event, audience: Audience) -> str:
    """The filter in words: "Confirmed · category Delegate · from Viet Nam · arrived"."""
    parts = [STATUS_LABELS[audience.status] if audience.status else "Any status"]
    if audience.category_id:
        category = db.session.get(Category, audience.category_id)
        parts.append(f"category {category.name}" if category else "a deleted category")
    if audience.country:
        parts.append(f"from {country_name(audience.country)}")
    if audience.delegation_id:
        delegation = db.session.get(Delegation, audience.delegation_id)
        parts.append(f"delegation {delegation.name}" if delegation else "a deleted delegation")
    if audience.session_id:
        session = db.session.get(AgendaSession, audience.session_id)
        parts.append(
            f"signed up for “{session_label(session, event.tz)}”"
            if session
            else "signed up for a deleted session"
        )
    if audience.arrived:
        parts.append(ARRIVED_LABELS[audience.arrived].lower())
    return " · ".join(parts)
