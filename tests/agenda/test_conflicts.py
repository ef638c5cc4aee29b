"""Conflict detection on plain data: no app, no database."""

from datetime import UTC, datetime, timedelta

from conference.agenda.conflicts import (
    Agenda,
    SessionSlot,
    TalkSlot,
    find_conflicts,
    over_capacity,
    overlaps,
)

DAY = datetime(2024, 10, 29, 1, 0, tzinfo=UTC)  # 08:00 in Bangkok


def at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def agenda(**kwargs) -> Agenda:
    return Agenda(event_start=at(0), event_end=at(34), **kwargs)


def kinds(conflicts):
    return [c.kind for c in conflicts]


def test_touching_intervals_do_not_overlap():
    assert not overlaps(at(1), at(2), at(2), at(3))
    assert overlaps(at(1), at(2.5), at(2), at(3))


def test_a_clean_agenda_has_no_conflicts():
    sessions = [
        SessionSlot(1, "Opening plenary", at(1), at(2), room_id=1, room_name="Grand Hall"),
        SessionSlot(2, "Parallel A", at(2), at(3.5), room_id=2, room_name="Room 2"),
        SessionSlot(3, "Parallel B", at(2), at(3.5), room_id=3, room_name="Room 3"),
    ]
    talks = [
        TalkSlot(10, "Son La: no one left behind", 2, at(2), at(2.5), presenters=(7,)),
        TalkSlot(11, "Nanjing", 3, at(2), at(2.5), presenters=(8,)),
    ]
    people = {7: ("Hà Trung Chiến", "confirmed"), 8: ("Wang Xiaoming", "confirmed")}
    assert find_conflicts(agenda(sessions=sessions, talks=talks, people=people)) == []


def test_a_room_booked_twice_is_hard_and_names_both_sessions():
    sessions = [
        SessionSlot(1, "Parallel A", at(2), at(3.5), room_id=2, room_name="Room 2"),
        SessionSlot(2, "Cultural programme", at(3), at(4), room_id=2, room_name="Room 2"),
    ]
    [conflict] = find_conflicts(agenda(sessions=sessions))
    assert conflict.kind == "room_double_booked" and conflict.hard
    assert "Parallel A" in conflict.message and "Cultural programme" in conflict.message
    assert conflict.sessions == (1, 2)


def test_a_presenter_in_two_rooms_at_once_is_found():
    sessions = [
        SessionSlot(1, "Parallel A", at(2), at(3.5), room_id=2, room_name="Room 2"),
        SessionSlot(2, "Parallel B", at(2), at(3.5), room_id=3, room_name="Room 3"),
    ]
    talks = [
        TalkSlot(10, "Son La", 1, at(2), at(2.5), presenters=(7,)),
        TalkSlot(11, "Learning cities in Viet Nam", 2, at(2.25), at(2.75), presenters=(7,)),
    ]
    people = {7: ("Hà Trung Chiến", "confirmed")}
    [conflict] = find_conflicts(agenda(sessions=sessions, talks=talks, people=people))
    assert conflict.kind == "person_overlap" and conflict.people == (7,)
    assert "Hà Trung Chiến is in two places" in conflict.message
    assert "Room 2" in conflict.message and "Room 3" in conflict.message


def test_chairing_a_session_while_presenting_in_it_is_fine():
    sessions = [SessionSlot(1, "Parallel A", at(2), at(3.5), room_id=2, chairs=(7,))]
    talks = [TalkSlot(10, "Son La", 1, at(2), at(2.5), presenters=(7,))]
    people = {7: ("Hà Trung Chiến", "confirmed")}
    assert find_conflicts(agenda(sessions=sessions, talks=talks, people=people)) == []


def test_talks_outside_or_overlapping_in_their_session():
    sessions = [SessionSlot(1, "Parallel A", at(2), at(3), room_id=2)]
    talks = [
        TalkSlot(10, "First", 1, at(2), at(2.5)),
        TalkSlot(11, "Second", 1, at(2.25), at(2.75)),
        TalkSlot(12, "Overflowing", 1, at(2.75), at(3.25)),
    ]
    found = kinds(find_conflicts(agenda(sessions=sessions, talks=talks)))
    assert found.count("talk_outside_session") == 1
    assert found.count("talks_overlap") == 1  # First/Second; Second ends as Overflowing starts


def test_session_outside_the_event_and_soft_warnings():
    sessions = [
        SessionSlot(1, "Too early", at(-3), at(-2), room_id=1),
        SessionSlot(
            2, "Popular", at(2), at(3), room_id=2, room_name="Room 2", capacity=40, signups=55
        ),
    ]
    talks = [TalkSlot(10, "Gone", 2, at(2), at(2.5), presenters=(9, 99))]
    people = {9: ("Aung Kyaw Oo", "cancelled")}
    conflicts = find_conflicts(agenda(sessions=sessions, talks=talks, people=people))
    assert [(c.kind, c.hard) for c in conflicts] == [
        ("session_outside_event", True),
        ("over_capacity", False),
        ("presenter_unavailable", False),
        ("presenter_unavailable", False),
    ]
    assert "55 sign-ups for 40 places in Room 2" in conflicts[1].message
    messages = " ".join(c.message for c in conflicts[2:])
    assert "Aung Kyaw Oo, presenting “Gone”, is cancelled" in messages
    assert "Registration 99, presenting “Gone”, has no registration" in messages


def test_a_session_is_over_capacity_only_with_more_sign_ups_than_places():
    assert not over_capacity(None, 500)  # places not limited
    assert not over_capacity(40, 40)
    assert over_capacity(40, 41)
    full = SessionSlot(1, "Full", at(1), at(2), capacity=40, signups=40)
    crowded = SessionSlot(2, "Crowded", at(1), at(2), capacity=40, signups=41)
    assert (full.over_capacity, crowded.over_capacity) == (False, True)
