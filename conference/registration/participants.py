"""The participant list: the confirmed delegates who ticked "show my name, organisation and
country in the participant list", with just that.

Rules:
- Only confirmed registrations that consented are ever listed: a delegate who did not
  consent, or whose registration is pending, waitlisted, rejected or cancelled, is in no
  page, search, count or export of it.
- The event says who sees it (``Event.participant_list``): nobody (off, the default), the
  confirmed delegates through their private link, or everyone. Organisers always see it,
  and export it as CSV.
- A name shows in the person's own order (conference/names.py), with the name in their
  own script beside when it is another name; the list is sorted by family name (or the
  one name of someone who has no other), then given name.
- A search matches names and organisations, never an e-mail address (the search text
  holds the address, which is taken out before matching).

Pages are read from the database a page at a time, so a list of 100,000 costs what a list
of 100 does (on PostgreSQL an index holds the list in its order).
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_

from conference.errors import NotFound, ValidationError
from conference.events.models import ParticipantList
from conference.extensions import db
from conference.formatting import country_name
from conference.names import full_name, name_and_native
from conference.registration.exports import safe_cell
from conference.registration.models import SORT_NAME, Registration, RegistrationStatus
from conference.registration.search import matches_word, search_words

PER_PAGE = 50
VISIBILITY_LABELS = {
    ParticipantList.OFF: "Nobody but the organisers",
    ParticipantList.DELEGATES: "Confirmed delegates, through their private link",
    ParticipantList.PUBLIC: "Everyone, on the event's public page",
}
CSV_COLUMNS = ("name", "name_in_own_script", "organisation", "country", "country_code")
CHUNK = 2000  # rows read at a time for an export

_COLUMNS = (
    Registration.id,
    Registration.given_name,
    Registration.family_name,
    Registration.name_order,
    Registration.native_name,
    Registration.organisation,
    Registration.country,
)


@dataclass(frozen=True)
class Participant:
    """One line of the list: what the person agreed to show, and nothing else."""

    name: str  # in the person's own order
    native_name: str  # in their own script, "" when it only writes the same name again
    organisation: str
    country: str  # its name
    country_code: str


@dataclass
class ParticipantPage:
    items: list[Participant]
    total: int
    page: int
    pages: int


def _participant(row) -> Participant:
    name, native = name_and_native(
        full_name(row.given_name, row.family_name, row.name_order), row.native_name
    )
    return Participant(name, native, row.organisation, country_name(row.country), row.country)


def listed(event):
    """The conditions of the list: this event's confirmed registrations that consented."""
    return (
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.list_consent.is_(True),
    )


def _searched(words: list[str]):
    """Each word in a name or the organisation: in the search text (which its index
    finds) and in that text with the address taken out."""
    public_text = func.replace(Registration.search_text, func.coalesce(Registration.email, ""), "")
    for word in words:
        yield matches_word(word)
        yield matches_word(word, public_text)


def participants_query(event, q: str = "", country: str = ""):
    """The select() of the list's rows (plain columns), in name order, filtered by a search
    (names, organisation) and a country code."""
    query = select(*_COLUMNS).where(*listed(event))
    if country:
        query = query.where(Registration.country == country)
    query = query.where(*_searched(search_words(q[:100])))
    return query.order_by(SORT_NAME, Registration.given_name, Registration.id)


def participants_page(event, *, q: str = "", country: str = "", page: int = 1) -> ParticipantPage:
    """One page of the list; the page kept in range."""
    query = participants_query(event, q, country)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(page, 1), pages)
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE))
    return ParticipantPage([_participant(r) for r in rows], total, page, pages)


def all_participants(event) -> Iterator[Participant]:
    """Everyone on the list, in its order, read a chunk at a time (for the export): each
    chunk starts after the last one's last person, so the 100,000th costs the first's."""
    order = (SORT_NAME, Registration.given_name, Registration.id)
    query = participants_query(event).add_columns(SORT_NAME.label("sort_name")).limit(CHUNK)
    after = None
    while True:
        chunk = query if after is None else query.where(tuple_(*order) > tuple_(*after))
        rows = db.session.execute(chunk).all()
        yield from (_participant(r) for r in rows)
        if len(rows) < CHUNK:
            return
        last = rows[-1]
        after = (last.sort_name, last.given_name, last.id)


def participants_csv(event) -> Iterator[str]:
    """The list as CSV (UTF-8 text with a byte order mark, for spreadsheets), a line at a
    time: the header, then each participant."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(c) for c in cells])
        return buffer.getvalue()

    yield "\ufeff" + line(CSV_COLUMNS)
    for p in all_participants(event):
        yield line((p.name, p.native_name, p.organisation, p.country, p.country_code))


def may_see(event, *, organiser: bool = False, registration=None) -> bool:
    """Whether this viewer sees the list: an organiser always; a delegate (their
    registration, through their link) when it is open to delegates or everyone and they
    are confirmed; anyone when it is public."""
    if organiser or event.participant_list == ParticipantList.PUBLIC:
        return True
    return (
        event.participant_list == ParticipantList.DELEGATES
        and registration is not None
        and registration.status == RegistrationStatus.CONFIRMED
    )


def require_visible(event, *, registration=None) -> None:
    """NotFound unless the list is open to this viewer (a page that does not exist for them:
    a closed list is not announced)."""
    if not may_see(event, registration=registration):
        if registration is not None and event.participant_list == ParticipantList.DELEGATES:
            raise NotFound(
                "The participant list is for confirmed delegates; it opens to you once your "
                "registration is confirmed."
            )
        raise NotFound("This event has no participant list.")


def set_visibility(event, value: str) -> None:
    """Say who sees the list (a ParticipantList value)."""
    try:
        event.participant_list = ParticipantList(value)
    except ValueError:
        raise ValidationError(
            "Choose who sees the participant list.", field="participant_list"
        ) from None
    db.session.flush()


def listed_count(event) -> tuple[int, int]:
    """(how many are listed, how many confirmed registrations there are)."""
    confirmed = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    listed_total = db.session.scalar(
        select(func.count()).select_from(Registration).where(*listed(event))
    )
    return listed_total, confirmed
