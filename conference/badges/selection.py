"""Which registrations get a badge, and in which order: one rule for every way to print.

The organisers' page (ticked rows or the list's filters), the background batch and the
``badges pdf`` command all choose through :func:`badge_selection`, so the same people come
out in the same order whichever way the badges are printed.

The order is the printers': by family name, then given name, then registration id (which
only separates namesakes), compared case-insensitively in Python so that every database
gives the same stacks. The status rule (confirmed only) is applied when printing, by
``services.printable``: ticked rows are taken as ticked, so that an organiser who ticks a
pending delegate is told why nothing printed.
"""

import itertools
from array import array
from collections.abc import Iterator
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.ids import in_chunks
from conference.names import sort_key
from conference.registration.models import Registration, RegistrationStatus
from conference.registration.search import Filters, filtered_query

LOADED_AT_ONCE = 500  # registrations read from the database at a time while printing


def printing_order(family_name: str, given_name: str, registration_id: int):
    """The sort key of a badge in a printed stack: family name (the name of someone who
    has one only), given name, id."""
    return (*sort_key(given_name, family_name), registration_id)


class Selection:
    """Registrations in printing order, read from the database a few hundred at a time as
    they are printed: a run of 100,000 badges never holds 100,000 registrations, only their
    ids and whether each was confirmed (nine bytes a badge)."""

    def __init__(self, ids: array, confirmed: bytes):
        self._ids = ids  # in printing order
        self._confirmed = confirmed  # 1 for each id whose registration was confirmed

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[Registration]:
        for start in range(0, len(self._ids), LOADED_AT_ONCE):
            chunk = self._ids[start : start + LOADED_AT_ONCE].tolist()
            found = {
                r.id: r
                for r in db.session.scalars(
                    select(Registration)
                    .where(Registration.id.in_(chunk))
                    .options(
                        selectinload(Registration.category), selectinload(Registration.delegation)
                    )
                )
            }
            yield from (found[rid] for rid in chunk if rid in found)

    @property
    def ids(self) -> list[int]:
        return self._ids.tolist()

    def confirmed(self) -> "Selection":
        """Those confirmed (at the time of choosing): badges are printed for them only."""
        ids = array("q", itertools.compress(self._ids, self._confirmed))
        return Selection(ids, b"\x01" * len(ids))


_ORDER_COLUMNS = (
    Registration.id,
    Registration.family_name,
    Registration.given_name,
    Registration.status,
)


def _in_order(rows) -> Selection:
    # The rows one at a time into their sort keys: never all of them as rows at once.
    keyed = sorted(
        (printing_order(family, given, rid), status == RegistrationStatus.CONFIRMED)
        for rid, family, given, status in rows
    )
    ids = array("q", (key[2] for key, _ in keyed))
    return Selection(ids, bytes(confirmed for _, confirmed in keyed))


def badge_selection(
    event, *, ids: list[int] | None = None, filters: Filters | None = None
) -> Selection:
    """The event's registrations to print, in printing order: those with these ``ids``
    (other events' ids are ignored), else the confirmed ones matching ``filters`` (all of
    them without filters)."""
    if ids is None:
        query = _confirmed(event, filters).with_only_columns(*_ORDER_COLUMNS).order_by(None)
        # Streamed (a server-side cursor on PostgreSQL): the driver would otherwise hand over
        # every row at once, 30 MB for 100,000.
        return _in_order(db.session.execute(query.execution_options(yield_per=2000)))
    chunks = (  # any number of ids, a few thousand per statement
        db.session.execute(
            select(*_ORDER_COLUMNS).where(
                Registration.event_id == event.id, Registration.id.in_(chunk)
            )
        )
        for chunk in in_chunks(ids)
    )
    return _in_order(itertools.chain.from_iterable(chunks))


def count_selection(event, *, filters: Filters | None = None) -> int:
    """How many badges :func:`badge_selection` would choose with these filters."""
    query = _confirmed(event, filters).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(query))


def _confirmed(event, filters: Filters | None):
    return filtered_query(event, replace(filters or Filters(), status=RegistrationStatus.CONFIRMED))
