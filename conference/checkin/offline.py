"""The door scanners' copy of an event: a snapshot of the whole of it once, deltas after.

A scanner downloads the snapshot when it has nothing (a gzip file built beforehand and sent
as it is, so a download costs a worker the same at 100 delegates or 100,000), then asks
every half minute for what changed since the cursor it holds (conference/sync.py): new and
changed registrations, new check-ins, undone ones. Only what a door needs travels:
registrations as rows of ``FIELDS``, categories and delegations once, no contact details.

The snapshot is built the first time it is asked for, and again in the background when it
is older than ``OFFLINE_SNAPSHOT_SECONDS`` (it needs not be fresh: the scanner's first delta
brings it up to date). One process builds it at a time (a lock file beside it).

Both answers have one shape (``kind`` "full" or "delta"): see static/js/checkin/offline.js,
which applies them on the device.
"""

import fcntl
import gzip
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select, union
from sqlalchemy.engine import Connection

from conference.agenda.models import AgendaSignup, Talk, session_chair, talk_presenter
from conference.badges.services import public_keys_json
from conference.checkin.models import CheckIn, ScanLog
from conference.checkin.services import session_item, sessions_of_day
from conference.dbtypes import utcnow
from conference.extensions import db
from conference.files import atomic_write
from conference.formatting import country_name
from conference.jobs.services import dispatch
from conference.registration.models import (
    Category,
    Delegation,
    Registration,
    RegistrationStatus,
)
from conference.sync import Cursor, issued, snapshot

FORMAT = 2
# A registration as the scanner keeps it: one row of these, in this order.
FIELDS = (
    "id",
    "title",
    "given_name",
    "family_name",
    "native_name",
    "badge_name",
    "category_id",
    "delegation_id",
    "country",
    "organisation",
    "status",
    "reissue",
    "name_order",
)
_ROWS = (
    Registration.id,
    Registration.title,
    Registration.given_name,
    Registration.family_name,
    Registration.native_name,
    Registration.badge_name,
    Registration.category_id,
    Registration.delegation_id,
    Registration.country,
    Registration.organisation,
    Registration.status,
    Registration.badge_reissue,
    Registration.name_order,
)
_COUNTRY = FIELDS.index("country")
CHUNK = 5000  # rows fetched from the database at a time


class Snapshot:
    """Where an event's snapshot is kept, and the lock that lets one process build it."""

    def __init__(self, event_id: int):
        folder = Path(current_app.instance_path) / "offline"
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"event-{event_id}.json.gz"
        self.lock_path = folder / f"event-{event_id}.lock"

    def age(self) -> float | None:
        """Seconds since it was built, or None when there is none."""
        try:
            return time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return None

    def cursor(self) -> Cursor | None:
        """The cursor it was built at (read from its first bytes), or None."""
        try:
            with gzip.open(self.path, "rb") as stream:
                found = re.search(rb'"cursor":"([0-9-]+)"', stream.read(4096))
        except (FileNotFoundError, OSError, EOFError):
            return None
        return Cursor.parse(found.group(1).decode()) if found else None

    @contextmanager
    def locked(self, wait: bool) -> Iterator[bool]:
        """Hold the build lock (True), or, without ``wait``, False when another holds it."""
        with self.lock_path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _lists(event) -> dict:
    """What travels whole with every answer: small, and changed without stamps."""
    today = utcnow().astimezone(event.tz).date()  # never kept: the day decides the check-ins
    return {
        "format": FORMAT,
        "event_id": event.id,
        "event": event.slug,
        "timezone": event.timezone,
        "day": today.isoformat(),
        "generated_at": utcnow().isoformat(),
        **_unstamped(event, today),
        "fields": list(FIELDS),
    }


def _unstamped(event, day) -> dict:
    """Keys, categories, delegations and the day's sessions, kept for
    OFFLINE_LISTS_SECONDS by each process: ten phones reloading at once read them once."""
    kept = current_app.extensions.setdefault("offline_lists", {})
    key = (event.id, day)
    now = time.monotonic()
    found = kept.get(key)
    if found is not None and now - found[0] < current_app.config["OFFLINE_LISTS_SECONDS"]:
        return found[1]
    categories = db.session.scalars(
        select(Category).where(Category.event_id == event.id).order_by(Category.id)
    )
    delegations = db.session.execute(
        select(Delegation.id, Delegation.name)
        .where(Delegation.event_id == event.id)
        .order_by(Delegation.id)
    )
    lists = {
        "keys": public_keys_json(event),
        "categories": [
            {
                "id": c.id,
                "name": c.name,
                "colour": c.badge_colour,
                "warning": "VIP" if c.name.casefold() == "vip" else "",
            }
            for c in categories
        ],
        "delegations": [{"id": d_id, "name": name} for d_id, name in delegations],
        "sessions": _sessions(event, day),
    }
    if len(kept) > 100:  # events and days gone by
        kept.clear()
    kept[key] = (now, lists)
    return lists


def _sessions(event, day) -> list[dict]:
    """Today's sessions, with who signed up where only sign-ups may enter (confirmed
    registrations only, as the sign-up counts)."""
    sessions = sessions_of_day(event, day)
    listed = [s.id for s in sessions if s.signed_up_only]
    on_list = union(
        select(AgendaSignup.session_id, AgendaSignup.registration_id).where(
            AgendaSignup.session_id.in_(listed)
        ),
        select(session_chair.c.session_id, session_chair.c.registration_id).where(
            session_chair.c.session_id.in_(listed)
        ),
        select(Talk.session_id, talk_presenter.c.registration_id)
        .join(talk_presenter, talk_presenter.c.talk_id == Talk.id)
        .where(Talk.session_id.in_(listed)),
    ).subquery()
    signed_up: dict[int, list[int]] = {}
    for session_id, registration_id in db.session.execute(
        select(on_list.c.session_id, on_list.c.registration_id)
        .join(Registration, Registration.id == on_list.c.registration_id)
        .where(Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(on_list.c.session_id, on_list.c.registration_id)
    ):
        signed_up.setdefault(session_id, []).append(registration_id)
    return [
        {
            **session_item(event, s),
            **({"signed_up": signed_up.get(s.id, [])} if s.signed_up_only else {}),
        }
        for s in sessions
    ]


def _driver_rows(connection: Connection, statement) -> list[tuple]:
    """A statement's rows as the database driver's own tuples, in the snapshot's transaction.

    The whole list is 100,000 rows and more: SQLAlchemy's row objects (and a list made of
    each for json) cost about as much again as reading them. The statement's values (ids,
    stamps, a day) are written into it by SQLAlchemy: nothing here comes from a request.
    """
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _people(connection: Connection, event, since: Cursor | None = None, limit: int | None = None):
    """Registrations as rows of FIELDS, by id, in chunks: all (CHUNK at a time, each chunk
    one short query from where the last ended), or those changed since a cursor (few: read
    at once)."""
    query = select(*_ROWS).where(Registration.event_id == event.id).order_by(Registration.id)
    if since is not None:
        yield _driver_rows(
            connection, query.where(since.changed(Registration.sync_stamp)).limit(limit)
        )
        return
    after = 0
    while True:
        rows = _driver_rows(connection, query.where(Registration.id > after).limit(CHUNK))
        if rows:
            yield rows
        if len(rows) < CHUNK:
            return
        after = rows[-1][0]


def _utc_text(stored) -> str:
    """A stored time (naive UTC; SQLite's driver gives it as text) as an aware one's
    isoformat(): what the API writes."""
    if isinstance(stored, str):
        stored = datetime.fromisoformat(stored)
    return stored.isoformat() + "+00:00"


def _door_check_ins(connection: Connection, event, day, since=None, limit=None) -> list[tuple]:
    """(registration id, when, station, check-in id) of the day's entrance check-ins."""
    query = select(CheckIn.registration_id, CheckIn.scanned_at, CheckIn.station, CheckIn.id).where(
        CheckIn.event_id == event.id, CheckIn.day == day, CheckIn.session_id.is_(None)
    )
    if since is not None:
        query = query.where(since.changed(CheckIn.sync_stamp))
    rows = _driver_rows(connection, query.order_by(CheckIn.id).limit(limit))
    return [(rid, _utc_text(at), station, check_in_id) for rid, at, station, check_in_id in rows]


def _room_check_ins(connection: Connection, event, session_ids, since=None, limit=None):
    """[session id, registration id, check-in id] of check-ins into these sessions."""
    query = select(CheckIn.session_id, CheckIn.registration_id, CheckIn.id).where(
        CheckIn.event_id == event.id, CheckIn.session_id.in_(session_ids)
    )
    if since is not None:
        query = query.where(since.changed(CheckIn.sync_stamp))
    return [list(row) for row in connection.execute(query.order_by(CheckIn.id).limit(limit))]


def _countries(codes: Iterable[str]) -> dict[str, str]:
    return {code: country_name(code) for code in sorted(set(codes))}


def _json_item(key: str, value) -> bytes:
    return f',"{key}":'.encode() + _dumps(value)


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@contextmanager
def _gzip_writer(raw) -> Iterator[Callable[[bytes], None]]:
    """A write(bytes) into a gzip stream that a thread of its own compresses: zlib lets go
    of the interpreter's lock, so the next rows are read and encoded meanwhile (the two
    took about as long). A few chunks at most wait between them."""
    waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
    failed: list[BaseException] = []

    def compress() -> None:
        try:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as out:
                while (data := waiting.get()) is not None:
                    out.write(data)
        except BaseException as exc:  # given to the builder below
            failed.append(exc)
            while waiting.get() is not None:  # the builder never waits on a dead thread
                pass

    thread = threading.Thread(target=compress, name="offline-gzip", daemon=True)
    thread.start()
    try:
        yield waiting.put
    finally:
        waiting.put(None)
        thread.join()
    if failed:
        raise failed[0]


def build_snapshot(event) -> Path:
    """Write the event's snapshot (gzip'd JSON), streamed from the database chunk by chunk."""
    target = Snapshot(event.id).path
    with snapshot() as (connection, cursor), atomic_write(target) as raw:
        lists = _lists(event)
        day = datetime.fromisoformat(lists["day"]).date()
        with _gzip_writer(raw) as write:
            head = {"format": FORMAT, "kind": "full", "cursor": str(cursor), **lists}
            write(_dumps(head)[:-1] + b',"registrations":[')  # left open: the long lists
            countries: set[str] = set()
            first = True
            for rows in _people(connection, event):
                countries.update(row[_COUNTRY] for row in rows)
                write(_dumps(rows)[1:-1] if first else b"," + _dumps(rows)[1:-1])
                first = False
            write(b"]" + _json_item("countries", _countries(countries)))
            write(_json_item("checked_in_today", _door_check_ins(connection, event, day)))
            session_ids = [s["id"] for s in lists["sessions"]]
            rooms = _room_check_ins(connection, event, session_ids)
            write(_json_item("room_check_ins", rooms) + b"}")
    return target


def current_snapshot(event) -> Snapshot:
    """The snapshot to send: built now if there is none (once: others wait for it), and
    rebuilt in the background when it is older than OFFLINE_SNAPSHOT_SECONDS."""
    found = Snapshot(event.id)
    age = found.age()
    if age is None:
        with found.locked(wait=True):
            if found.age() is None:  # not built while this one waited
                build_snapshot(event)
    elif age > current_app.config["OFFLINE_SNAPSHOT_SECONDS"]:
        _refresh_soon(found, event.id)
    return found


_ASKED: dict[Path, float] = {}  # snapshot -> when this process last asked for a rebuild


def _refresh_soon(found: Snapshot, event_id: int) -> None:
    """Ask for a rebuild, at most every few seconds from one process (ten phones reloading
    at once ask once)."""
    now = time.monotonic()
    if now - _ASKED.get(found.path, -60.0) < 5:
        return
    _ASKED[found.path] = now
    dispatch("conference.checkin.offline:refresh_snapshot", event_id)


def refresh_snapshot(event_id: int) -> None:
    """Rebuild a stale snapshot (background task); nothing when another process is at it."""
    from conference.events.models import Event

    event = db.session.get(Event, event_id)
    if event is None:
        return
    found = Snapshot(event_id)
    with found.locked(wait=False) as holding:
        age = found.age()
        fresh = age is not None and age <= current_app.config["OFFLINE_SNAPSHOT_SECONDS"]
        if holding and not fresh:
            build_snapshot(event)


def delta(event, since: Cursor) -> dict | None:
    """What changed since ``since``; None when the scanner had better take the snapshot
    (its cursor is not this database's, or so much changed that the snapshot is smaller)."""
    limit = current_app.config["OFFLINE_DELTA_LIMIT"]
    with snapshot() as (connection, cursor):
        if not issued(connection, since):
            return None
        lists = _lists(event)
        day = datetime.fromisoformat(lists["day"]).date()
        people = [row for rows in _people(connection, event, since, limit + 1) for row in rows]
        arrived = _door_check_ins(connection, event, day, since, limit + 1)
        if len(people) > limit or len(arrived) > limit:
            known = Snapshot(event.id).cursor()
            if known is not None and known.below > since.below:
                return None
            people = [row for rows in _people(connection, event, since) for row in rows]
            arrived = _door_check_ins(connection, event, day, since)
        session_ids = [s["id"] for s in lists["sessions"]]
        undone = connection.scalars(
            select(ScanLog.check_in_id)
            .where(
                ScanLog.event_id == event.id,
                ScanLog.action == "undo",
                since.changed(ScanLog.sync_stamp),
            )
            .order_by(ScanLog.id)
        )
        return {
            "format": FORMAT,
            "kind": "delta",
            "since": str(since),
            "cursor": str(cursor),
            **lists,
            "registrations": people,
            "countries": _countries(row[_COUNTRY] for row in people),
            "checked_in_today": arrived,
            "room_check_ins": _room_check_ins(connection, event, session_ids, since),
            # Check-ins taken away; a scanner drops exactly these (not a later one of the
            # same person and scope, which may have reached it first).
            "undone": [check_in_id for check_in_id in undone if check_in_id is not None],
        }
