"""Change stamps: what changed since a device last fetched its copy of an event.

A device that keeps a copy (the door scanner) holds a *cursor*: "you have every change
stamped below this". Rows it copies carry ``sync_stamp``, set by every write that changes
what the device shows, and its next delta is the rows stamped at or above its cursor. That
only works if a row can never become visible with a stamp below a cursor already handed out:

- PostgreSQL: the stamp is the writing transaction's id (``pg_current_xact_id``), and a
  reader's cursor is its snapshot: every transaction below the snapshot's ``xmax`` has
  ended, so the reader saw what it wrote, except those still running then (the snapshot's
  in-progress list), which may commit later. The next delta is what is stamped at or
  above ``xmax`` or by one of those. Writers never wait on each other for it, and a long
  transaction elsewhere (an import; another database on the server) delays nothing but
  its own rows.
- SQLite: writers take turns (the write lock is held until commit), so a counter in a one-row
  table, advanced by each stamped write, follows commit order.

Reads for a device go through ``snapshot()``: the cursor and the rows come from one instant.
"""

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import BigInteger, Integer, Text, cast, event, func, inspect, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from conference.extensions import db


class SyncClock(db.Model):
    """SQLite's change counter: one row. (PostgreSQL stamps with transaction ids instead.)"""

    __tablename__ = "sync_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


@event.listens_for(SyncClock.__table__, "after_create")
def _first_tick(table, connection, **kw):
    connection.execute(table.insert().values(id=1, value=0))


def _number(xid8):
    """A PostgreSQL transaction id (xid8) as a plain 64-bit number."""
    return cast(cast(xid8, Text), BigInteger)


_TRANSACTION_ID = _number(func.pg_current_xact_id())
_SNAPSHOT = cast(func.pg_current_snapshot(), Text)
_SNAPSHOT_XMAX = _number(func.pg_snapshot_xmax(func.pg_current_snapshot()))
MAX_PENDING = 200  # more transactions running at once: the cursor keeps only the oldest
_CLOCK_VALUE = select(SyncClock.value).where(SyncClock.id == 1)
_CLOCK = _CLOCK_VALUE.scalar_subquery()


def _is_postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def stamp(connection: Connection | None = None):
    """The stamp for a row written now, as a SQL expression for the INSERT or UPDATE.

    On SQLite this advances the clock, so call it once per stamped write, just before it."""
    connection = connection if connection is not None else db.session.connection()
    if _is_postgresql(connection):
        return _TRANSACTION_ID
    connection.execute(update(SyncClock).where(SyncClock.id == 1).values(value=SyncClock.value + 1))
    return _CLOCK


def stamp_on_change(model, attributes: Iterable[str]) -> None:
    """Stamp ``model``'s rows when they are inserted, or updated in any of ``attributes``
    through the ORM. (Bulk UPDATE statements that change one of them must stamp as well.)"""
    watched = tuple(attributes)

    @event.listens_for(model, "before_insert")
    def _stamp_new(mapper, connection, target):
        target.sync_stamp = stamp(connection)

    @event.listens_for(model, "before_update")
    def _stamp_changed(mapper, connection, target):
        state = inspect(target)
        if any(state.attrs[name].history.has_changes() for name in watched):
            target.sync_stamp = stamp(connection)


@dataclass(frozen=True)
class Cursor:
    """What a copy holds: every change stamped below ``below``, except those stamped by
    ``pending`` (transactions still running when it was read). Written ``below-p1-p2``."""

    below: int
    pending: tuple[int, ...] = ()

    def __str__(self) -> str:
        return "-".join(map(str, (self.below, *self.pending)))

    @classmethod
    def parse(cls, text: str | None) -> "Cursor | None":
        """A cursor from an earlier answer, or None for what cannot be one."""
        if not text or not _CURSOR.fullmatch(text):
            return None
        below, *pending = (int(part) for part in text.split("-"))
        if any(p >= below for p in pending):
            return None
        return cls(below, tuple(pending))

    @classmethod
    def of_snapshot(cls, text: str) -> "Cursor":
        """From PostgreSQL's ``xmin:xmax:xip,...``."""
        xmin, xmax, running = text.split(":")
        pending = tuple(sorted(int(x) for x in running.split(",") if x))
        if len(pending) > MAX_PENDING:
            return cls(int(xmin))
        return cls(int(xmax), pending)

    def changed(self, stamp_column):
        """The condition for rows changed after this cursor."""
        if not self.pending:
            return stamp_column >= self.below
        return or_(stamp_column >= self.below, stamp_column.in_(self.pending))


_CURSOR = re.compile(rf"[0-9]{{1,19}}(-[0-9]{{1,19}}){{0,{MAX_PENDING}}}")


@contextmanager
def snapshot() -> Iterator[tuple[Connection, Cursor]]:
    """(connection, cursor) for reading a device's data as of one instant, read-only.

    What is read now holds every change the cursor says; the changes after it may or may
    not be there. The connection is the app's engine's own, not the request's session."""
    with db.engine.connect() as connection:
        if _is_postgresql(connection):
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            # The first statement takes the transaction's snapshot: the cursor is its own.
            cursor = Cursor.of_snapshot(connection.execute(select(_SNAPSHOT)).scalar_one())
        else:
            # One snapshot to the end (pysqlite begins no transaction for reads); an
            # in-memory database's one connection may already be in one.
            if not connection.connection.dbapi_connection.in_transaction:
                connection.exec_driver_sql("BEGIN")
            cursor = Cursor(connection.execute(_CLOCK_VALUE).scalar_one() + 1)
        try:
            yield connection, cursor
        finally:
            connection.rollback()


def issued(connection: Connection, cursor: Cursor) -> bool:
    """Whether this database could have handed out ``cursor`` (one from the future means
    the database was restored or replaced: the device must start again)."""
    if _is_postgresql(connection):
        newest = connection.execute(select(_SNAPSHOT_XMAX)).scalar_one()
    else:
        newest = connection.execute(_CLOCK_VALUE).scalar_one() + 1
    return cursor.below <= newest
