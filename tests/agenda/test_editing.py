"""The editor's domain operations, without HTTP: moves, talks and their order, rooms."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from conference.agenda import rooms, sessions, talks
from conference.agenda.draft import agenda_conflicts
from conference.agenda.grid import build_grid
from conference.agenda.models import AgendaSession, Room, Talk, Track
from conference.agenda.sessions import SessionDetails
from conference.errors import ValidationError
from tests.factories import (
    accepted_paper,
    make_category,
    make_event,
    make_registration,
    make_session,
)


def at(event, day: date, hour: int, minute: int = 0) -> datetime:
    """An event-local wall-clock time (naive, as organisers type it)."""
    return datetime(day.year, day.month, day.day, hour, minute)


def clock(event, moment: datetime) -> str:
    return f"{moment.astimezone(event.tz):%H:%M}"


def make_room(event, name="Lotus Room", capacity=80) -> Room:
    from conference.extensions import db

    room = Room(event_id=event.id, name=name, capacity=capacity)
    db.session.add(room)
    db.session.flush()
    return room


def add_talk(event, session, minutes=20, title=None, presenters=()):
    return talks.save_talk(
        event,
        None,
        talks.TalkDetails(
            title=title or f"Talk of {minutes} minutes",
            duration_minutes=minutes,
            presenter_ids=tuple(p.id for p in presenters),
            session_id=session.id if session else None,
        ),
    )


def snapshot_of(session):
    return (
        session.room_id,
        session.starts_at,
        session.ends_at,
        [(t.id, t.starts_at) for t in session.talks],
    )


# Moving sessions ---------------------------------------------------------------------


def test_moving_a_session_keeps_its_length_and_its_talks_offsets(db):
    event = make_event()
    lotus, orchid = make_room(event), make_room(event, "Orchid Room")
    session = make_session(event, lotus, (13, 30), (15, 0))
    first = add_talk(event, session, 25)
    second = add_talk(event, session, 25)
    talks.save_talk(
        event,
        second,
        talks.TalkDetails(
            title=second.title, duration_minutes=25, session_id=session.id, starts=time(14, 5)
        ),
    )
    db.session.commit()

    day2 = event.end_date
    sessions.move_session(event, session, orchid.id, at(event, day2, 9, 0))
    db.session.commit()
    db.session.expire_all()

    assert session.room_id == orchid.id
    assert session.starts_at.astimezone(event.tz).date() == day2
    assert (clock(event, session.starts_at), clock(event, session.ends_at)) == ("09:00", "10:30")
    assert clock(event, first.starts_at) == "09:00"
    assert clock(event, second.starts_at) == "09:35"  # still 35 minutes after the start


@pytest.mark.parametrize(
    ("where", "field", "message"),
    [
        ("other_room", "room_id", "room of this event"),
        ("before_event", "starts", "not a day of the event"),
        ("after_event", "starts", "not a day of the event"),
        ("off_step", "starts", "5-minute step"),
        ("past_midnight", "starts", "after the last day"),
    ],
)
def test_a_move_to_an_impossible_slot_is_refused_and_changes_nothing(db, where, field, message):
    event = make_event()
    other = make_event()
    room = make_room(event)
    foreign = make_room(other, "Elsewhere")
    session = make_session(event, room)
    talk = add_talk(event, session, 30)
    db.session.commit()
    before = snapshot_of(session)
    first, last = event.start_date, event.end_date
    room_id, starts = room.id, at(event, first, 14)
    if where == "other_room":
        room_id = foreign.id
    elif where == "before_event":
        starts = at(event, first - timedelta(days=1), 10)
    elif where == "after_event":
        starts = at(event, last + timedelta(days=1), 10)
    elif where == "off_step":
        starts = at(event, first, 14, 7)
    elif where == "past_midnight":
        starts = at(event, last, 23, 0)

    with pytest.raises(ValidationError, match=message) as caught:
        sessions.move_session(event, session, room_id, starts)
    assert caught.value.field == field
    db.session.rollback()
    db.session.expire_all()
    assert snapshot_of(session) == before
    assert talk.session_id == session.id


def test_a_move_into_the_hour_skipped_by_daylight_saving_is_refused(db):
    event = make_event(
        timezone="Europe/Berlin", start_date=date(2026, 3, 28), end_date=date(2026, 3, 29)
    )
    session = make_session(event, make_room(event), (10, 0), (11, 0))
    db.session.commit()
    with pytest.raises(ValidationError, match="does not exist in Europe/Berlin"):
        sessions.move_session(event, session, session.room_id, datetime(2026, 3, 29, 2, 30))
    db.session.rollback()
    assert clock(event, session.starts_at) == "10:00"


def test_a_move_onto_a_busy_room_is_allowed_and_reported_as_a_conflict(db):
    event = make_event()
    room = make_room(event)
    plenary = make_session(event, room, (9, 0), (10, 30), title="Opening plenary")
    parallel = make_session(event, make_room(event, "Orchid Room"), (13, 0), (14, 0))
    db.session.commit()
    assert agenda_conflicts(event) == []

    sessions.move_session(event, parallel, room.id, at(event, event.start_date, 10, 0))
    db.session.commit()
    [conflict] = agenda_conflicts(event)
    assert conflict.kind == "room_double_booked" and conflict.hard
    assert set(conflict.sessions) == {plenary.id, parallel.id}

    sessions.move_session(event, parallel, room.id, at(event, event.start_date, 10, 30))
    db.session.commit()
    assert agenda_conflicts(event) == []  # back to back is fine


def test_changing_a_sessions_time_in_its_form_takes_its_talks_along(db):
    event = make_event()
    room = make_room(event)
    session = make_session(event, room, (13, 30), (15, 0))
    talk = add_talk(event, session, 25)
    db.session.commit()
    day = event.start_date
    sessions.update_session(
        event,
        session,
        SessionDetails(
            kind="parallel",
            title=session.title,
            starts=at(event, day, 15, 30),
            ends=at(event, day, 17, 0),
            room_id=room.id,
        ),
        signed_up_only=True,
    )
    db.session.commit()
    assert clock(event, talk.starts_at) == "15:30"
    assert session.signed_up_only is True


# Talks -------------------------------------------------------------------------------


def test_talks_run_in_order_from_the_session_start(db):
    event = make_event()
    session = make_session(event, make_room(event), (13, 30), (15, 0))
    a, b, c = (add_talk(event, session, m, title=t) for m, t in ((20, "A"), (25, "B"), (15, "C")))
    db.session.commit()
    assert [clock(event, t.starts_at) for t in (a, b, c)] == ["13:30", "13:50", "14:15"]
    assert [t.position for t in (a, b, c)] == [0, 1, 2]


def test_reordering_talks_moves_their_times_and_keeps_the_changeovers(db):
    event = make_event()
    session = make_session(event, make_room(event), (13, 30), (15, 0))
    running = []
    for n, title in enumerate(("Son La", "Yala", "Legazpi")):
        talk = Talk(
            event_id=event.id,
            session=session,
            title=title,
            position=n,
            duration_minutes=25,
            starts_at=session.starts_at + timedelta(minutes=5 + 30 * n),  # as the demo
        )
        db.session.add(talk)
        running.append(talk)
    db.session.commit()
    son_la, yala, legazpi = running

    talks.reorder_talk(event, legazpi, 0)
    db.session.commit()
    db.session.expire_all()
    order = sorted(running, key=lambda t: t.position)
    assert [t.title for t in order] == ["Legazpi", "Son La", "Yala"]
    assert [clock(event, t.starts_at) for t in order] == ["13:35", "14:05", "14:35"]

    talks.reorder_talk(event, legazpi, 5)  # past the end: last
    db.session.commit()
    assert [t.title for t in sorted(running, key=lambda t: t.position)] == [
        "Son La",
        "Yala",
        "Legazpi",
    ]


def test_a_longer_talk_pushes_the_ones_after_it_and_overflow_is_a_hard_conflict(db):
    event = make_event()
    session = make_session(event, make_room(event), (10, 0), (11, 0))
    first = add_talk(event, session, 20, title="First")
    second = add_talk(event, session, 20, title="Second")
    db.session.commit()
    talks.save_talk(
        event,
        first,
        talks.TalkDetails(title="First", duration_minutes=50, session_id=session.id),
    )
    db.session.commit()
    assert clock(event, second.starts_at) == "10:50"
    kinds = [(c.kind, c.hard, c.talks) for c in agenda_conflicts(event)]
    assert kinds == [("talk_outside_session", True, (second.id,))]


def test_a_talk_started_over_the_one_before_it_is_refused(db):
    event = make_event()
    session = make_session(event, make_room(event), (10, 0), (11, 30))
    add_talk(event, session, 30, title="Opening remarks")
    second = add_talk(event, session, 20, title="Son La")
    db.session.commit()
    with pytest.raises(ValidationError, match="overlaps “Opening remarks” \\(10:00–10:30\\)"):
        talks.save_talk(
            event,
            second,
            talks.TalkDetails(
                title="Son La", duration_minutes=20, session_id=session.id, starts=time(10, 15)
            ),
        )
    db.session.rollback()
    assert clock(event, second.starts_at) == "10:30"

    with pytest.raises(ValidationError, match="within its session"):
        talks.save_talk(
            event,
            second,
            talks.TalkDetails(
                title="Son La", duration_minutes=20, session_id=session.id, starts=time(12, 0)
            ),
        )
    db.session.rollback()

    talks.save_talk(
        event,
        second,
        talks.TalkDetails(
            title="Son La", duration_minutes=20, session_id=session.id, starts=time(10, 40)
        ),
    )
    db.session.commit()
    assert clock(event, second.starts_at) == "10:40"


def test_presenters_from_another_event_are_refused(db):
    event = make_event()
    other = make_event()
    ours = make_registration(event, make_category(event, "Speaker"))
    stranger = make_registration(other, make_category(other, "Speaker"))
    with pytest.raises(ValidationError, match="registered for this event") as caught:
        talks.save_talk(
            event,
            None,
            talks.TalkDetails(
                title="Son La", duration_minutes=20, presenter_ids=(ours.id, stranger.id)
            ),
        )
    assert caught.value.field == "presenter_ids"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Talk.id))) == 0

    talk = talks.save_talk(
        event,
        None,
        talks.TalkDetails(title="Son La", duration_minutes=20, presenter_ids=(ours.id,)),
    )
    db.session.commit()
    assert [p.id for p in talk.presenters] == [ours.id]


def test_a_talk_cannot_be_placed_in_another_events_session(db):
    event = make_event()
    other = make_event()
    theirs = make_session(other, make_room(other))
    talk = add_talk(event, None, 20)
    db.session.commit()
    with pytest.raises(ValidationError, match="session of this event"):
        talks.place_talk(event, talk, theirs.id)
    db.session.rollback()
    assert talk.session_id is None


def test_placing_and_unplacing_talks_closes_the_gap(db):
    event = make_event()
    session = make_session(event, make_room(event), (10, 0), (11, 30))
    a = add_talk(event, session, 20, title="A")
    b = add_talk(event, session, 20, title="B")
    waiting = add_talk(event, None, 15, title="Late proposal")
    db.session.commit()
    assert waiting in talks.unplaced_talks(event)

    talks.place_talk(event, waiting, session.id)
    db.session.commit()
    assert (waiting.position, clock(event, waiting.starts_at)) == (2, "10:40")
    assert waiting not in talks.unplaced_talks(event)

    talks.place_talk(event, a, None)
    db.session.commit()
    assert a.session_id is None and a.starts_at is None
    assert [clock(event, t.starts_at) for t in (b, waiting)] == ["10:00", "10:20"]
    assert [t.position for t in (b, waiting)] == [0, 1]


def test_deleting_a_session_puts_its_talks_back_beside_the_grid(db):
    event = make_event()
    session = make_session(event, make_room(event))
    talk = add_talk(event, session, 20)
    db.session.commit()
    assert sessions.delete_session(event, session) == 1
    db.session.commit()
    assert db.session.get(AgendaSession, session.id) is None
    assert talk.session_id is None and talk.starts_at is None


def test_the_talk_of_an_accepted_paper_is_not_deleted(db):
    event = make_event()
    session = make_session(event, make_room(event))
    talk = add_talk(event, session, 20, title="Son La")
    db.session.commit()
    paper = accepted_paper(event, talk)
    with pytest.raises(ValidationError) as refused:
        talks.delete_talk(event, talk)
    assert refused.value.message == (
        "This talk is the accepted paper “Son La: a learning city where no one is left "
        "behind”: take it out of its session instead, or change the paper's decision."
    )
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Talk, talk.id).session_id == session.id
    assert (paper.talk_id, paper.status) == (talk.id, "accepted")

    other = add_talk(event, session, 10, title="A talk of no paper")
    db.session.commit()
    talks.delete_talk(event, other)  # talks of no paper are deleted as before
    db.session.commit()
    assert db.session.get(Talk, other.id) is None


@pytest.mark.parametrize(
    "bad",
    [
        lambda row_id: 10**20,
        lambda row_id: 2**31,
        lambda row_id: 0,
        lambda row_id: -row_id,
        lambda row_id: float(row_id),  # once cut to the id silently
        lambda row_id: str(row_id),
        lambda row_id: row_id == 1,  # true, which is 1 to Python
        lambda row_id: None,
    ],
)
def test_lookups_by_an_impossible_id_find_nothing(db, bad):
    event = make_event()
    room = make_room(event)
    track = rooms.save_track(event, None, "Inclusion", "#7b2d8b")
    session = make_session(event, room)
    talk = add_talk(event, session)
    db.session.commit()
    assert sessions.get_session(event, bad(session.id)) is None
    assert talks.get_talk(event, bad(talk.id)) is None
    assert rooms.get_room(event, bad(room.id)) is None
    assert rooms.get_track(event, bad(track.id)) is None
    assert sessions.get_session(event, session.id) is session  # the id itself finds it
    with pytest.raises(ValidationError, match="Choose a session of this event"):
        talks.place_talk(event, talk, bad(session.id) or 10**20)


# Rooms and tracks --------------------------------------------------------------------


def test_a_room_with_sessions_cannot_be_deleted(db):
    event = make_event()
    room = rooms.save_room(event, None, "Grand Ballroom", 600)
    make_session(event, room)
    db.session.commit()
    with pytest.raises(ValidationError, match="still holds 1 session"):
        rooms.delete_room(event, room)
    db.session.rollback()
    assert db.session.get(Room, room.id) is not None

    with pytest.raises(ValidationError, match="already a room called"):
        rooms.save_room(event, None, "grand ballroom", 10)
    db.session.rollback()


def test_deleting_a_track_keeps_its_sessions(db):
    event = make_event()
    track = rooms.save_track(event, None, "Inclusion and equity", "#7B2D8B")
    session = make_session(event, track_id=track.id)
    db.session.commit()
    assert track.colour == "#7b2d8b"
    with pytest.raises(ValidationError, match="#rrggbb"):
        rooms.save_track(event, None, "Green", "green")
    db.session.rollback()
    assert rooms.delete_track(event, track) == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AgendaSession, session.id).track_id is None
    assert db.session.scalar(select(func.count(Track.id))) == 0


# The grid ----------------------------------------------------------------------------


class Block:
    def __init__(self, id, room_id, starts_at, ends_at):
        self.id, self.room_id, self.starts_at, self.ends_at = id, room_id, starts_at, ends_at


def test_the_grid_puts_sessions_in_their_room_spanning_their_time():
    tz = ZoneInfo("Asia/Bangkok")
    day = date(2024, 10, 29)

    def local(h, m=0):
        return datetime(2024, 10, 29, h, m, tzinfo=tz).astimezone(UTC)

    sessions = [
        Block(1, 10, local(9), local(10, 30)),
        Block(2, 20, local(13, 30), local(15)),
        Block(3, 20, local(14), local(14, 30)),  # overlaps 2: same cell
        Block(4, None, local(19), local(21, 30)),  # no room: its own column, a longer day
    ]
    grid = build_grid(day, tz, [(10, "Ballroom", 600), (20, "Lotus", 80)], sessions)

    assert [c[1] for c in grid.columns] == ["Ballroom", "Lotus", "No room"]
    assert grid.rows[0].starts == "2024-10-29T08:00" and grid.rows[0].label == "08:00"
    assert grid.rows[-1].starts == "2024-10-29T21:55"
    cells = {
        (cell.room_id, cell.starts): cell
        for row in grid.rows
        for cell in row.cells
        if cell.sessions
    }
    assert cells[(10, "2024-10-29T09:00")].rowspan == 18
    assert [s.id for s in cells[(20, "2024-10-29T13:30")].sessions] == [2, 3]
    assert cells[(None, "2024-10-29T19:00")].rowspan == 30
    # Every row has one cell per column, counting those a session above spans.
    spans = {room_id: 0 for room_id, _, _ in grid.columns}
    for row in grid.rows:
        seen = {cell.room_id for cell in row.cells}
        for room_id in spans:
            assert (room_id in seen) == (spans[room_id] == 0)
            spans[room_id] = (
                next(c.rowspan for c in row.cells if c.room_id == room_id) - 1
                if room_id in seen
                else spans[room_id] - 1
            )
