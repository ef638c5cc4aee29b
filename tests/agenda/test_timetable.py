"""The published snapshot shaped for the public pages: no database, no Flask."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from conference.agenda.timetable import (
    Filters,
    build_timetable,
    choose_day,
    day_grid,
    day_list,
    paragraphs,
    read_filters,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
DAY1, DAY2 = date(2024, 10, 29), date(2024, 10, 30)

SOMCHAI = {
    "id": 12,
    "name": "Dr Somchai Jaidee",
    "native_name": "สมชาย ใจดี",
    "organisation": "Chulalongkorn University",
    "country": "TH",
}
LI = {"id": 13, "name": "Li Wei", "native_name": "李伟", "organisation": "", "country": "CN"}


def utc(day: date, hour: int, minute: int = 0) -> str:
    """A Bangkok wall-clock time as the snapshot stores it (ISO 8601, UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK).isoformat()


def session(id, kind, title, room, room_id, day, start, end, track="", talks=(), **extra):
    return {
        "id": id,
        "kind": kind,
        "title": title,
        "description": "",
        "room": room,
        "room_id": room_id,
        "track": track,
        "track_colour": "#7b2d8e" if track else "",
        "starts_at": utc(day, *start),
        "ends_at": utc(day, *end),
        "capacity": 80,
        "chairs": [],
        "talks": list(talks),
        **extra,
    }


def talk(id, title, start=None, minutes=20, presenters=()):
    return {
        "id": id,
        "title": title,
        "abstract": "",
        "starts_at": start,
        "duration_minutes": minutes,
        "presenters": list(presenters),
    }


def programme() -> dict:
    """A day like the ASEAN+3 one: plenary, break, parallel rooms, then a dinner."""
    return {
        "timezone": "Asia/Bangkok",
        "sessions": [
            session(1, "plenary", "Opening plenary", "Grand Ballroom", 1, DAY1, (9, 0), (10, 30)),
            session(2, "break", "Coffee break", "", None, DAY1, (10, 30), (11, 0)),
            session(
                3,
                "parallel",
                "Parallel A",
                "Lotus Room",
                2,
                DAY1,
                (11, 0),
                (12, 30),
                track="Inclusion",
                talks=[
                    talk(30, "Son La: no one left behind", utc(DAY1, 11, 5), 25, [SOMCHAI]),
                    talk(31, "Follows the first", None, 20, [LI]),
                ],
            ),
            session(4, "parallel", "Parallel B", "Orchid Room", 3, DAY1, (11, 0), (12, 0)),
            session(5, "parallel", "Parallel C", "Grand Ballroom", 1, DAY1, (11, 30), (12, 30)),
            session(6, "cultural", "Welcome dinner", "Garden", 4, DAY1, (19, 0), (21, 30)),
            session(7, "keynote", "Keynote", "Grand Ballroom", 1, DAY2, (9, 0), (10, 0)),
        ],
    }


def expand(grid) -> list[list]:
    """The grid as a matrix of session ids (None: an empty cell), checking that every
    row is filled exactly, no cell overlapping another."""
    width = len(grid.columns) or 1
    matrix = [[...] * width for _ in grid.rows]
    for r, row in enumerate(grid.rows):
        column = 0
        for cell in row.cells:
            while column < width and matrix[r][column] is not ...:
                column += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    assert matrix[r + dr][column + dc] is ..., "cells overlap"
                    matrix[r + dr][column + dc] = cell.session.id if cell.session else None
            column += cell.colspan
    assert all(value is not ... for line in matrix for value in line), "a hole in the grid"
    return matrix


def test_times_are_shown_in_the_events_zone_and_untimed_talks_follow_the_one_before():
    timetable = build_timetable(programme())
    opening = timetable.sessions_by_id[1]
    assert (opening.start.hour, opening.start.tzinfo) == (9, BANGKOK)
    assert opening.times == "09:00–10:30"
    first, second = timetable.sessions_by_id[3].talks
    assert first.times == "11:05–11:30"
    assert second.times == "11:30–11:50"
    assert timetable.talks_by_id[31].session.title == "Parallel A"
    assert timetable.zone_label == "Asia/Bangkok"
    assert timetable.utc_offset(DAY1) == "UTC+07:00"


def test_the_utc_offset_follows_daylight_saving_time():
    timetable = build_timetable({"timezone": "Europe/Berlin", "sessions": []})
    assert timetable.utc_offset(date(2026, 3, 28)) == "UTC+01:00"
    assert timetable.utc_offset(date(2026, 3, 30)) == "UTC+02:00"


def test_rooms_keep_their_order_and_days_are_the_days_with_sessions():
    timetable = build_timetable(programme())
    assert [r.name for r in timetable.rooms] == [
        "Grand Ballroom",
        "Lotus Room",
        "Orchid Room",
        "Garden",
    ]
    assert timetable.days == [DAY1, DAY2]
    assert [t.name for t in timetable.tracks] == ["Inclusion"]


def test_rooms_follow_their_position_when_the_snapshot_gives_it():
    snap = programme()
    for s in snap["sessions"]:
        s["room_position"] = {"Garden": 0}.get(s["room"], 1)
    assert build_timetable(snap).rooms[0].name == "Garden"


def test_parallel_rooms_stand_side_by_side_and_a_lone_plenary_spans_them_all():
    grid = day_grid(build_timetable(programme()), DAY1)
    assert [c.room.name for c in grid.columns] == ["Grand Ballroom", "Lotus Room", "Orchid Room"]
    assert [row.start.strftime("%H:%M") for row in grid.rows] == [
        "09:00",
        "10:30",
        "11:00",
        "11:30",
        "12:00",
        "19:00",
    ]
    assert expand(grid) == [
        [1, 1, 1],  # the plenary, nothing beside it
        [2, 2, 2],  # the break has no room
        [None, 3, 4],
        [5, 3, 4],
        [5, 3, None],
        [6, 6, 6],  # the dinner, after a gap
    ]
    assert [row.after_gap for row in grid.rows] == [False, False, False, False, False, True]
    first_row = grid.rows[0].cells
    assert len(first_row) == 1 and first_row[0].shared and first_row[0].colspan == 3
    parallel_a = next(c for c in grid.rows[2].cells if c.session and c.session.id == 3)
    assert (parallel_a.rowspan, parallel_a.shared) == (3, False)


def test_a_plenary_beside_another_session_stays_in_its_room():
    snap = programme()
    snap["sessions"].append(
        session(8, "poster", "Posters", "Orchid Room", 3, DAY1, (9, 30), (10, 0))
    )
    grid = day_grid(build_timetable(snap), DAY1)
    matrix = expand(grid)
    assert [c.room.name for c in grid.columns] == ["Grand Ballroom", "Lotus Room", "Orchid Room"]
    assert matrix[0] == [1, None, None]  # 09:00–09:30: the plenary in its own room
    assert matrix[1] == [1, None, 8]
    assert matrix[3] == [2, 2, 2]  # the break still spans every room


def test_sessions_without_a_room_that_overlap_get_columns_of_their_own():
    snap = {
        "timezone": "Asia/Bangkok",
        "sessions": [
            session(1, "cultural", "Temple visit", "", None, DAY1, (14, 0), (16, 0)),
            session(2, "cultural", "River cruise", "", None, DAY1, (15, 0), (17, 0)),
            session(3, "parallel", "Parallel A", "Lotus Room", 2, DAY1, (14, 0), (15, 0)),
        ],
    }
    grid = day_grid(build_timetable(snap), DAY1)
    assert [c.room.name if c.room else None for c in grid.columns] == ["Lotus Room", None, None]
    assert expand(grid) == [[3, 1, None], [None, 1, 2], [None, None, 2]]


def test_a_large_day_lays_out_every_session_once():
    sessions = []
    for room in range(12):
        for block in range(4):
            start = (9 + 2 * block, 15 * (room % 3))
            end = (10 + 2 * block, 30 + 10 * (room % 2))
            sessions.append(
                session(len(sessions) + 1, "parallel", "S", f"R{room}", room + 1, DAY1, start, end)
            )
    grid = day_grid(build_timetable({"timezone": "Asia/Bangkok", "sessions": sessions}), DAY1)
    placed = [v for line in expand(grid) for v in line if v is not None]
    assert len(grid.columns) == 12
    assert set(placed) == {s["id"] for s in sessions}


def test_filters_keep_one_track_or_one_room_and_unknown_values_are_explained():
    timetable = build_timetable(programme())
    filters, messages = read_filters(timetable, None, "Inclusion")
    assert (filters, messages) == (Filters(track="Inclusion"), [])
    assert [s.title for s in day_list(timetable, DAY1, filters)] == ["Parallel A"]

    filters, _ = read_filters(timetable, "1", None)
    assert [s.title for s in day_list(timetable, DAY1, filters)] == [
        "Opening plenary",
        "Parallel C",
    ]
    assert filters.query_args == {"room": 1}

    filters, messages = read_filters(timetable, "99", "Nonsense")
    assert filters == Filters()
    assert messages == [
        "There is no such room in this agenda; showing every room.",
        "There is no track “Nonsense” in this agenda; showing every track.",
    ]
    assert read_filters(timetable, "²", None)[0] == Filters()  # a digit, but not a number


def test_a_filtered_grid_only_has_the_rooms_in_use():
    timetable = build_timetable(programme())
    grid = day_grid(timetable, DAY1, Filters(track="Inclusion"))
    assert [c.room.name for c in grid.columns] == ["Lotus Room"]
    assert expand(grid) == [[3]]
    assert day_grid(timetable, DAY2, Filters(track="Inclusion")).empty


def test_the_phone_list_is_in_time_then_room_order():
    timetable = build_timetable(programme())
    assert [s.id for s in day_list(timetable, DAY1)] == [1, 2, 3, 4, 5, 6]
    snap = programme()
    snap["sessions"][3]["starts_at"] = snap["sessions"][2]["starts_at"]  # both at 11:00
    snap["sessions"][3]["ends_at"] = snap["sessions"][2]["ends_at"]
    assert [s.title for s in day_list(build_timetable(snap), DAY1)][2:4] == [
        "Parallel A",  # Lotus Room comes before Orchid Room
        "Parallel B",
    ]


def test_the_day_shown_is_the_one_asked_for_or_today_or_the_first():
    timetable = build_timetable(programme())
    assert choose_day(timetable, None, DAY2) == (DAY2, "")
    assert choose_day(timetable, None, DAY2 + timedelta(days=30)) == (DAY1, "")
    assert choose_day(timetable, "2024-10-30", DAY1) == (DAY2, "")
    day, message = choose_day(timetable, "30/10/2024", DAY1)
    assert day == DAY1
    assert message == "“30/10/2024” is not a date (YYYY-MM-DD); showing Tuesday 29 October 2024."
    day, message = choose_day(timetable, "2024-11-02", DAY1)
    assert day == DAY1 and message.startswith("Nothing is on the agenda on Saturday 2 November")
    assert choose_day(build_timetable({"sessions": []}), None, DAY1) == (None, "")


def test_native_names_are_shown_when_they_add_something_with_their_language():
    timetable = build_timetable(programme())
    somchai = timetable.talks_by_id[30].presenters[0]
    assert (somchai.native, somchai.native_lang) == ("สมชาย ใจดี", "th")
    assert timetable.talks_by_id[31].presenters[0].native_lang == "zh-Hans"
    plain = build_timetable(
        {
            "sessions": [
                session(
                    1,
                    "plenary",
                    "P",
                    "",
                    None,
                    DAY1,
                    (9, 0),
                    (10, 0),
                    chairs=[{"id": 1, "name": "Anna Schmidt", "native_name": "Anna Schmidt"}],
                )
            ]
        }
    )
    assert plain.sessions[0].chairs[0].native == ""


def test_plain_text_is_cut_into_paragraphs_at_blank_lines():
    assert paragraphs("One\r\nline two\r\n\r\n  Two  \n \n\n") == ["One\nline two", "Two"]
    assert paragraphs("") == []
