"""Finding registrations: one by id or address, and the organisers' filtered lists.

What a name search matches is written here too (``search_text``), beside the query that
reads it. A word of three characters or more matches anywhere in the text, which
PostgreSQL answers from a trigram index (``ix_registration_search_text_trgm``); a shorter
word matches the start of a word ("le" finds "Lê" and "Lee", not every "example.org"),
which the index serves too. Chinese and Japanese are written without spaces, so each Han
character and kana is a word of its own: "明" finds "王晓明".
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from conference.countries import find_country
from conference.errors import NotFound, ValidationError
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


TRIGRAM = 3  # a trigram index serves LIKE '%word%' only for words this long or longer
# Scripts written without spaces between words, whose characters each stand alone.
STANDALONE = (
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x31F0, 0x31FF),  # katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK unified ideographs extensions B and later
)


def _stands_alone(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in STANDALONE)


def search_words(text: str) -> list[str]:
    """Folded words: "Nguyễn Văn" -> ["nguyen", "van"], "王晓明" -> ["王", "晓", "明"]."""
    return "".join(f" {c} " if _stands_alone(c) else c for c in fold(text)).split()


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
    return " ".join(search_words(" ".join(p for p in parts if p)))


def matches_word(word: str, column=Registration.search_text):
    """The condition for one folded search word (see the module's docstring), in the
    search text or an expression made of it."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if len(word) >= TRIGRAM:
        return column.like(f"%{escaped}%", escape="\\")
    return or_(column.like(f"{escaped}%", escape="\\"), column.like(f"% {escaped}%", escape="\\"))


@dataclass
class Filters:
    """An organiser's list filters; empty values filter nothing."""

    status: str = ""
    category_id: int | None = None
    country: str = ""
    delegation_id: int | None = None
    q: str = ""


def country_filter(text: str | None) -> str:
    """The code of the country a filter names (by name or code; "" for none), or a
    ValidationError that says the name is unknown."""
    text = (text or "").strip()[:100]
    if not text:
        return ""
    code = find_country(text)
    if code is None:
        raise ValidationError(
            f"No country is called “{text}”: choose one from the list, or give its "
            "two-letter code (TH).",
            field="country",
        )
    return code


def filters_from_args(args: Mapping[str, str]) -> Filters:
    """The filters a list's query string asks for; unknown statuses filter nothing, an
    unknown country is refused (ValidationError)."""
    status = args.get("status", "")
    return Filters(
        status=status if status in STATUS_LABELS else "",
        category_id=read_id(args.get("category"), "category", "The category filter"),
        country=country_filter(args.get("country")),
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
    for word in search_words(filters.q):
        query = query.where(matches_word(word))
    # Lists show each row's category and delegation: load them in two queries, not per row.
    return query.order_by(Registration.id).options(
        selectinload(Registration.category), selectinload(Registration.delegation)
    )


# A filter that leaves this many rows or fewer: its page is taken from those rows.
FEW = 2_000


def paginate(query, page: int, per_page: int, total: int | None = None):
    """(items, total, pages, page) for one page of filtered_query(); the page is kept in
    range. ``total`` when the caller knows it already (status_counts()) saves a count.

    The page's ids are found first, and only those rows are loaded. When the filters leave
    many rows, the ids come from the (event_id, id) index, in order: a deep page skips
    index entries, not rows. When they leave few (a name searched for, a delegation), the
    ids come from the filters' own indexes (the trigram index for a name) and are sorted:
    walking the event in id order until a page is full would read every registration
    between two matches (PostgreSQL takes that walk when it expects more matches than
    there are: 13,000 rows read, each matched against the search, for the first page of a
    name 370 of 100,000 people share)."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    ids = query.with_only_columns(Registration.id)
    if total <= FEW:
        # MATERIALIZED: planned on its own, as the count just was, not as a walk in order.
        found = ids.order_by(None).cte("found").prefix_with("MATERIALIZED", dialect="postgresql")
        ids = select(found.c.id).order_by(found.c.id)
    window = ids.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(query.where(Registration.id.in_(window.scalar_subquery()))))
    return items, total, pages, page


def page_after(query, after: int, per_page: int) -> tuple[list[Registration], bool]:
    """The ``per_page`` rows of filtered_query() whose ids follow ``after``, and whether
    more follow: the API's cursor, as cheap at the 100,000th row as at the first."""
    rows = list(db.session.scalars(query.where(Registration.id > after).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def known_total(filters: Filters, counts: dict[str, int]) -> int | None:
    """The list's length read from status_counts() when only a status filters it, else None."""
    if filters.category_id or filters.country or filters.delegation_id or search_words(filters.q):
        return None
    return counts[filters.status] if filters.status else sum(counts.values())


def status_counts(event) -> dict[str, int]:
    """How many registrations are in each status (from the (event_id, status) index)."""
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    )
    counts = dict.fromkeys(STATUS_LABELS, 0)
    counts.update(dict(rows.all()))
    return counts
