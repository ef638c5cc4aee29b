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

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.extensions import db
from conference.ids import in_chunks
from conference.registration.models import Registration, RegistrationStatus
from conference.registration.search import Filters, filtered_query


def printing_order(registration: Registration) -> tuple[str, str, int]:
    """The sort key of a badge in a printed stack: family name, given name, id."""
    return (
        (registration.family_name or "").casefold(),
        (registration.given_name or "").casefold(),
        registration.id,
    )


def badge_selection(
    event, *, ids: list[int] | None = None, filters: Filters | None = None
) -> list[Registration]:
    """The event's registrations to print, in printing order: those with these ``ids``
    (other events' ids are ignored), else the confirmed ones matching ``filters`` (all of
    them without filters)."""
    if ids is None:
        return sorted(db.session.scalars(_confirmed(event, filters)), key=printing_order)
    chosen = []
    for chunk in in_chunks(ids):  # any number of ids, a few thousand per statement
        query = (
            select(Registration)
            .where(Registration.event_id == event.id, Registration.id.in_(chunk))
            .options(selectinload(Registration.category), selectinload(Registration.delegation))
        )
        chosen.extend(db.session.scalars(query))
    return sorted(chosen, key=printing_order)


def count_selection(event, *, filters: Filters | None = None) -> int:
    """How many badges :func:`badge_selection` would choose with these filters."""
    query = _confirmed(event, filters).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(query))


def _confirmed(event, filters: Filters | None):
    return filtered_query(event, replace(filters or Filters(), status=RegistrationStatus.CONFIRMED))
