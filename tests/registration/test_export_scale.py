"""Exports of more rows than PostgreSQL's 65,535 bound parameters or an old Excel sheet
hold, read from the database in chunks and written as they are read."""

import csv
import io
import tracemalloc

from openpyxl import load_workbook

from conference.registration import exports
from conference.registration.exports import BASE_COLUMNS, write_export
from conference.registration.search import Filters
from conference.registration.settings import hide_or_show_question, save_question
from tests.factories import bulk_answers, bulk_registrations, make_category, make_event

ABOVE_THE_LIMIT = 70_000


def _big_event(db):
    """70,000 registrations; every 7th answered a question, the last three another, the
    first one a question since hidden (its answers are still exported)."""
    event = make_event()
    ids = bulk_registrations(event, make_category(event, "Delegate"), ABOVE_THE_LIMIT)
    city = save_question(event, None, label="Your city", type="short_text")
    topics = save_question(
        event, None, label="Topics", type="multiple_choice", choices=["Literacy", "Health"]
    )
    hidden = save_question(event, None, label="Old question", type="checkbox")
    hide_or_show_question(hidden)
    db.session.commit()
    bulk_answers(city, ids[::7], lambda rid: f"=City {rid}")  # a formula, made text
    bulk_answers(topics, ids[-3:], ["Literacy", "Health"])
    bulk_answers(hidden, ids[:1], True)
    return event, ids


def _check(rows, ids):
    header = list(BASE_COLUMNS) + ["Your city", "Topics", "Old question"]
    assert list(rows[0]) == header
    data = rows[1:]
    assert len(data) == ABOVE_THE_LIMIT
    column = {name: i for i, name in enumerate(header)}

    def cell(row, name):
        return "" if row[column[name]] is None else str(row[column[name]])

    assert [cell(data[n], "id") for n in (0, 7, 65_536, -1)] == [
        str(ids[n]) for n in (0, 7, 65_536, -1)
    ]
    assert cell(data[65_536], "family_name") == "Bulk065536"
    assert cell(data[-1], "category") == "Delegate"
    assert cell(data[-1], "country_name") == "Thailand"
    assert cell(data[7], "Your city") == f"'=City {ids[7]}"
    assert cell(data[8], "Your city") == ""
    assert cell(data[-1], "Topics") == "Literacy; Health"
    assert cell(data[-4], "Topics") == ""
    assert cell(data[0], "Old question") == "yes"
    assert cell(data[1], "Old question") == ""
    assert sum(1 for row in data if cell(row, "Your city")) == len(ids[::7])


def test_exports_of_70000_registrations_hold_every_row_and_answer(db, tmp_path):
    event, ids = _big_event(db)

    path = tmp_path / "registrations.csv"
    with path.open("wb") as out:
        assert write_export(event, "csv", out) == ABOVE_THE_LIMIT
    with path.open(encoding="utf-8-sig", newline="") as text:
        _check(list(csv.reader(text)), ids)

    path = tmp_path / "registrations.xlsx"
    with path.open("wb") as out:
        assert write_export(event, "xlsx", out) == ABOVE_THE_LIMIT
    workbook = load_workbook(path, read_only=True)
    try:
        _check(list(workbook.active.iter_rows(values_only=True)), ids)
    finally:
        workbook.close()


def test_an_export_holds_what_the_filtered_list_shows_with_its_answers(db):
    event = make_event()
    delegates = bulk_registrations(event, make_category(event, "Delegate"), 5)
    press = make_category(event, "Press")
    city = save_question(event, None, label="Your city", type="short_text")
    db.session.commit()
    journalists = bulk_registrations(event, press, 5, first=5)[5:]
    bulk_answers(city, delegates + journalists, lambda rid: f"City {rid}")
    out = io.BytesIO()
    assert write_export(event, "csv", out, Filters(category_id=press.id)) == 5
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [str(rid) for rid in journalists]
    assert [row[-1] for row in rows[1:]] == [f"City {rid}" for rid in journalists]
    assert {row[2] for row in rows[1:]} == {"Press"}


def _peak(event, fmt, tmp_path) -> int:
    tracemalloc.start()
    try:
        with (tmp_path / f"peak.{fmt}").open("wb") as out:
            write_export(event, fmt, out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_export_of_ten_times_the_rows_takes_about_the_same_memory(db, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)  # many chunks, in little time
    small, large = make_event(), make_event()
    bulk_registrations(small, make_category(small, "Delegate"), 500)
    bulk_registrations(large, make_category(large, "Delegate"), 5_000)
    for fmt in ("csv", "xlsx"):
        _peak(small, fmt, tmp_path)  # caches filled (compiled SQL, country names)
        peaks = _peak(small, fmt, tmp_path), _peak(large, fmt, tmp_path)
        # Rows kept would take ten times as much; one chunk at a time, the same.
        assert peaks[1] < 1.5 * peaks[0], (fmt, peaks)
