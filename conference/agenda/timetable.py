"""The published agenda shaped for its public pages: data in, data out (no Flask, no database).

The input is a published snapshot (``publishing.snapshot``): plain JSON, times in UTC. It is
parsed once into a ``Timetable`` (times local to the event, people and talks as objects, rooms
and tracks in order); ``day_grid`` then lays one day out as a table, rooms across and time
down, with the rowspans and colspans the page needs, and ``day_list`` gives the same day as
a chronological list for phones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from conference.agenda.kinds import SESSION_KINDS
from conference.localtime import to_local
from conference.names import name_and_native

# Kinds that read as "everybody together": laid across every room when nothing else runs.
SHARED_KINDS = frozenset(
    {"plenary", "ceremony", "keynote", "break", "meal", "cultural", "networking"}
)

# The language of a native-script name, from the person's country, so that browsers pick the
# right glyphs (Chinese and Japanese share code points but not letter shapes).
NATIVE_LANG = {
    "CN": "zh-Hans",
    "HK": "zh-Hant",
    "JP": "ja",
    "KH": "km",
    "KR": "ko",
    "LA": "lo",
    "MM": "my",
    "MO": "zh-Hant",
    "TH": "th",
    "TW": "zh-Hant",
    "VN": "vi",
}

_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    native_name: str = ""
    organisation: str = ""
    country: str = ""

    @property
    def native(self) -> str:
        """The native-script name when it is not the display name again."""
        return name_and_native(self.name, self.native_name)[1]

    @property
    def native_lang(self) -> str:
        return NATIVE_LANG.get((self.country or "").upper(), "")

    @property
    def name_lang(self) -> str:
        """The native language when the name is written in its native spelling."""
        native = self.native_name.strip()
        return self.native_lang if native and not self.native and native in self.name else ""


def paragraphs(text: str) -> list[str]:
    """Plain text cut into paragraphs at blank lines."""
    return [
        p.strip() for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if p.strip()
    ]


def day_name(day: date) -> str:
    """'Tuesday 29 October 2024'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_day(day: date) -> str:
    """'Tue 29 Oct'."""
    return f"{day:%a} {day.day} {day:%b}"


def time_range(start: datetime, end: datetime) -> str:
    """'09:00–10:30' (with the end's day when it ends on another day)."""
    if end.date() != start.date():
        return f"{start:%H:%M}–{end.day} {end:%b %H:%M}"
    return f"{start:%H:%M}–{end:%H:%M}"


@dataclass
class Talk:
    id: int
    title: str
    abstract: str
    start: datetime  # local to the event
    end: datetime
    presenters: list[Person]
    session: Session | None = None

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def times(self) -> str:
        """'13:35–14:00'."""
        return time_range(self.start, self.end)

    @property
    def abstract_paragraphs(self) -> list[str]:
        return paragraphs(self.abstract)


@dataclass
class Session:
    id: int
    kind: str
    title: str
    description: str
    room: str
    room_id: int | None
    track: str
    track_colour: str  # "#rrggbb" or ""
    start: datetime  # local to the event
    end: datetime
    capacity: int | None
    chairs: list[Person]
    kind_label: str = ""
    talks: list[Talk] = field(default_factory=list)

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def times(self) -> str:
        """'09:00–10:30'."""
        return time_range(self.start, self.end)

    @property
    def description_paragraphs(self) -> list[str]:
        return paragraphs(self.description)


@dataclass(frozen=True)
class Room:
    id: int | None
    name: str


@dataclass(frozen=True)
class Track:
    name: str
    colour: str


@dataclass
class Timetable:
    """A published agenda, parsed: sessions in time order, days, rooms, tracks."""

    tz: ZoneInfo
    sessions: list[Session]
    rooms: list[Room]
    tracks: list[Track]
    days: list[date]
    sessions_by_id: dict[int, Session]
    talks_by_id: dict[int, Talk]

    @property
    def zone_label(self) -> str:
        """'Asia/Bangkok', as the rest of the site labels times."""
        return self.tz.key.replace("_", " ")

    def utc_offset(self, day: date) -> str:
        """'UTC+07:00' on that day (it changes with daylight saving time)."""
        return utc_offset(day, self.tz)

    def room_by_id(self, room_id: int | None) -> Room | None:
        return next((r for r in self.rooms if r.id == room_id), None)

    def track_named(self, name: str) -> Track | None:
        return next((t for t in self.tracks if t.name == name), None)


def utc_offset(day: date, tz: ZoneInfo) -> str:
    """'UTC+07:00': the zone's offset at noon on that day (it changes with daylight saving)."""
    offset = datetime(day.year, day.month, day.day, 12, tzinfo=tz).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def _parse(value: str, tz: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # the snapshot promises UTC
        moment = moment.replace(tzinfo=UTC)
    return to_local(moment, tz)


def _person(data: dict) -> Person:
    # A native name that writes the same name lends it its spelling: "Mr Hà Trung Chiến".
    name, _ = name_and_native(data.get("name") or "", data.get("native_name") or "")
    return Person(
        id=data.get("id") or 0,
        name=name,
        native_name=data.get("native_name") or "",
        organisation=data.get("organisation") or "",
        country=data.get("country") or "",
    )


def build_timetable(snapshot: dict, timezone: str | None = None) -> Timetable:
    """Parse a published snapshot; times in ``timezone`` (default: the snapshot's)."""
    tz = ZoneInfo(timezone or snapshot.get("timezone") or "UTC")
    sessions: list[Session] = []
    talks_by_id: dict[int, Talk] = {}
    rooms: dict[tuple, Room] = {}
    tracks: dict[str, Track] = {}
    for data in snapshot.get("sessions", []):
        colour = data.get("track_colour") or ""
        session = Session(
            id=data["id"],
            kind=data["kind"],
            title=data["title"],
            description=data.get("description") or "",
            room=data.get("room") or "",
            room_id=data.get("room_id"),
            track=data.get("track") or "",
            track_colour=colour.lower() if _COLOUR_RE.match(colour) else "",
            start=_parse(data["starts_at"], tz),
            end=_parse(data["ends_at"], tz),
            capacity=data.get("capacity"),
            chairs=[_person(p) for p in data.get("chairs") or []],
            kind_label=SESSION_KINDS.get(data["kind"]) or data["kind"].capitalize(),
        )
        cursor = session.start  # a talk without its own time follows the one before it
        for item in data.get("talks") or []:
            start = _parse(item["starts_at"], tz) if item.get("starts_at") else cursor
            end = start + timedelta(minutes=int(item.get("duration_minutes") or 0))
            talk = Talk(
                id=item["id"],
                title=item["title"],
                abstract=item.get("abstract") or "",
                start=start,
                end=end,
                presenters=[_person(p) for p in item.get("presenters") or []],
                session=session,
            )
            session.talks.append(talk)
            talks_by_id[talk.id] = talk
            cursor = end
        sessions.append(session)
        if session.room:
            key = (data.get("room_position") or 0, session.room_id or 0, session.room)
            rooms.setdefault(key, Room(session.room_id, session.room))
        if session.track and session.track not in tracks:
            tracks[session.track] = Track(session.track, session.track_colour)
    sessions.sort(key=lambda s: (s.start, s.end, s.id))
    ordered_rooms = list(dict.fromkeys(rooms[key] for key in sorted(rooms)))
    return Timetable(
        tz=tz,
        sessions=sessions,
        rooms=ordered_rooms,
        tracks=sorted(tracks.values(), key=lambda t: t.name.casefold()),
        days=sorted({s.day for s in sessions}),
        sessions_by_id={s.id: s for s in sessions},
        talks_by_id=talks_by_id,
    )


# One day --------------------------------------------------------------------------------


def choose_day(timetable: Timetable, requested: str | None, today: date) -> tuple[date | None, str]:
    """The day to show and, when the request could not be followed, why.

    ``requested`` is the ?day=YYYY-MM-DD parameter; without it: today if the agenda has
    sessions today, else its first day.
    """
    days = timetable.days
    if not days:
        return None, ""
    fallback = today if today in days else days[0]
    if not requested:
        return fallback, ""
    try:
        wanted = date.fromisoformat(requested)
    except ValueError:
        shown = requested[:20]
        return fallback, f"“{shown}” is not a date (YYYY-MM-DD); showing {day_name(fallback)}."
    if wanted not in days:
        return (
            fallback,
            f"Nothing is on the agenda on {day_name(wanted)}; showing {day_name(fallback)}.",
        )
    return wanted, ""


@dataclass(frozen=True)
class Filters:
    """Which sessions to show: one room (by id) and/or one track (by name); None: all."""

    room_id: int | None = None
    track: str | None = None

    @property
    def query_args(self) -> dict:
        """The filters as query-string arguments, to keep them in links."""
        args: dict = {}
        if self.room_id is not None:
            args["room"] = self.room_id
        if self.track is not None:
            args["track"] = self.track
        return args

    def keeps(self, session: Session) -> bool:
        if self.room_id is not None and session.room_id != self.room_id:
            return False
        return self.track is None or session.track == self.track


def read_filters(
    timetable: Timetable, room: str | None, track: str | None
) -> tuple[Filters, list[str]]:
    """Filters from the query string; unknown values are dropped, each with a message."""
    messages = []
    room_id = None
    if room:
        found = timetable.room_by_id(int(room)) if room.isascii() and room.isdigit() else None
        if found is None:
            messages.append("There is no such room in this agenda; showing every room.")
        else:
            room_id = found.id
    if track and timetable.track_named(track) is None:
        messages.append(f"There is no track “{track[:60]}” in this agenda; showing every track.")
        track = None
    return Filters(room_id=room_id, track=track or None), messages


def day_list(timetable: Timetable, day: date, filters: Filters = Filters()) -> list[Session]:
    """The day's sessions for a phone: by start time, then room order, then title."""
    order = {room.id: index for index, room in enumerate(timetable.rooms)}
    return sorted(
        (s for s in timetable.sessions if s.day == day and filters.keeps(s)),
        key=lambda s: (s.start, order.get(s.room_id, len(order)), s.end, s.title),
    )


@dataclass(frozen=True)
class Column:
    room: Room | None  # None: sessions given no room


@dataclass(frozen=True)
class Cell:
    session: Session | None  # None: nothing in this room at this time
    rowspan: int = 1
    colspan: int = 1

    @property
    def shared(self) -> bool:
        """A session laid across every room."""
        return self.colspan > 1


@dataclass(frozen=True)
class Row:
    start: datetime
    cells: list[Cell]  # only the cells that begin in this row
    after_gap: bool = False  # nothing runs between the row before and this one


@dataclass(frozen=True)
class DayGrid:
    day: date
    columns: list[Column]
    rows: list[Row]

    @property
    def empty(self) -> bool:
        return not self.rows


def _overlaps(a: Session, b: Session) -> bool:
    return a.start < b.end and b.start < a.end


def day_grid(timetable: Timetable, day: date, filters: Filters = Filters()) -> DayGrid:
    """One day as a table: a column per room in use, a row per span of time between any
    session's start or end; each session a cell spanning its rows. A plenary, ceremony,
    break... with nothing beside it (or a session without a room with nothing beside it)
    spans every column."""
    sessions = day_list(timetable, day, filters)
    shared = {
        s.id
        for s in sessions
        if (s.kind in SHARED_KINDS or (s.room_id is None and not s.room))
        and not any(o is not s and _overlaps(s, o) for o in sessions)
    }

    # Columns: the rooms in their order; a room gets a second lane only if two of its
    # sessions overlap (never in a published agenda, but sessions without a room may).
    lanes: dict[tuple, list[list[Session]]] = {}
    room_order = {room.id: index for index, room in enumerate(timetable.rooms)}
    for s in sessions:
        if s.id in shared:
            continue
        key = (s.room_id, s.room) if s.room else (None, "")
        room_lanes = lanes.setdefault(key, [])
        for lane in room_lanes:
            if lane[-1].end <= s.start:
                lane.append(s)
                break
        else:
            room_lanes.append([s])
    keys = sorted(lanes, key=lambda k: (not k[1], room_order.get(k[0], len(room_order)), k[1]))
    columns: list[Column] = []
    lane_of: dict[int, int] = {}
    for key in keys:
        room = Room(key[0], key[1]) if key[1] else None
        for lane in lanes[key]:
            for s in lane:
                lane_of[s.id] = len(columns)
            columns.append(Column(room))
    width = max(len(columns), 1)

    # Rows: the spans between consecutive times at which something starts or ends, leaving
    # out the spans in which nothing runs.
    times = sorted({t for s in sessions for t in (s.start, s.end)})
    spans = [
        (a, b)
        for a, b in zip(times, times[1:], strict=False)
        if any(s.start < b and a < s.end for s in sessions)
    ]
    row_of = {start: index for index, (start, _) in enumerate(spans)}
    starting: dict[int, list[Session]] = {}
    for s in sessions:
        starting.setdefault(row_of[s.start], []).append(s)

    rows: list[Row] = []
    busy_until = [0] * width  # per column, the first row not covered by a cell above
    for index, (start, _) in enumerate(spans):
        cells: list[Cell] = []
        here = {lane_of.get(s.id): s for s in starting.get(index, []) if s.id not in shared}
        shared_here = [s for s in starting.get(index, []) if s.id in shared]
        rowspan_of = {
            s.id: sum(1 for a, b in spans if s.start <= a and b <= s.end)
            for s in (*here.values(), *shared_here)
        }
        if shared_here:
            s = shared_here[0]
            cells.append(Cell(s, rowspan_of[s.id], width))
            busy_until = [index + rowspan_of[s.id]] * width
        else:
            for column in range(width):
                if busy_until[column] > index:
                    continue
                s = here.get(column)
                if s is None:
                    cells.append(Cell(None))
                else:
                    cells.append(Cell(s, rowspan_of[s.id]))
                    busy_until[column] = index + rowspan_of[s.id]
        after_gap = index > 0 and spans[index - 1][1] != start
        rows.append(Row(start, cells, after_gap))
    return DayGrid(day, columns, rows)
