"""Registrations as CSV and XLSX for organisers, and read back from them for imports."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from conference.formatting import country_name
from conference.registration.fields import EXPORTED, REQUIRED_FIELDS
from conference.text import strip_controls

# Column headers, in order; imports accept the same headers (extra columns are ignored).
BASE_COLUMNS = tuple(f.name for f in EXPORTED)
# What an import's header must name: the category and what a registration must have.
IMPORT_COLUMNS = ("category", *REQUIRED_FIELDS)
MAX_IMPORT_ROWS = 10_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(ValueError):
    """The file cannot be read as a table of registrations."""


def safe_cell(value):
    """Text fit for a spreadsheet cell, header or row.

    No control characters (openpyxl refuses them; rows stored before input was cleaned
    may hold some), and text that a spreadsheet would run as a formula gets a leading
    apostrophe."""
    if not isinstance(value, str):
        return value
    value = strip_controls(value, multiline=True)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def _answer_text(value) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "" if value is None else str(value)


def _yes_no(value) -> str:
    return "yes" if value else "no"


# Cells the export works out; every other column is the registration's attribute.
MADE_CELLS = {
    "category": lambda r, event: r.category.name,
    "country_name": lambda r, event: country_name(r.country),
    "delegation": lambda r, event: r.delegation.name if r.delegation else "",
    "head_of_delegation": lambda r, event: "yes" if r.is_head else "",
    "email_verified": lambda r, event: _yes_no(r.email_verified_at),
    "registered_at": lambda r, event: event.local(r.created_at).strftime("%Y-%m-%d %H:%M"),
}


def _cell(field):
    """How the field's cell is read from a registration (and its event)."""
    if field.name in MADE_CELLS:
        return MADE_CELLS[field.name]
    if field.kind == "yes_no":
        return lambda r, event: _yes_no(getattr(r, field.name))
    return lambda r, event: getattr(r, field.name)


def export_rows(event, registrations: Iterable, questions) -> Iterator[list]:
    """The header row, then one row per registration (answers after the base columns)."""
    yield [*BASE_COLUMNS, *(q.label for q in questions)]
    cells = [_cell(field) for field in EXPORTED]
    for r in registrations:
        answers = {a.question_id: a.value for a in r.answers}
        yield [
            *(cell(r, event) for cell in cells),
            *(_answer_text(answers.get(q.id)) for q in questions),
        ]


def to_csv(rows: Iterable[list]) -> Iterator[str]:
    """CSV text in chunks: UTF-8 with a byte-order mark, so Excel reads every script."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def to_xlsx(rows: Iterable[list], title: str = "Registrations") -> bytes:
    """An .xlsx workbook with one sheet, the header row in bold and frozen.

    The header is made safe as the rows are: it holds the organisers' question labels."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for index, row in enumerate(rows):
        if index == 0:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=safe_cell(value))
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class ImportRow:
    number: int  # the line or row number in the file, as the organiser sees it
    values: dict


def _normalise_header(name) -> str:
    return str(name or "").strip().lower().replace(" ", "_")


def _rows_from_table(table: Iterable[list]) -> list[ImportRow]:
    iterator = iter(table)
    try:
        header = [_normalise_header(h) for h in next(iterator)]
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise ImportFileError(
            "The first row must name the columns; missing: " + ", ".join(missing) + "."
        )
    rows = []
    for number, raw in enumerate(iterator, start=2):
        values = {
            header[i]: ("" if v is None else str(v).strip())
            for i, v in enumerate(raw)
            if i < len(header) and header[i]
        }
        if not any(values.values()):
            continue
        rows.append(ImportRow(number, values))
        if len(rows) > MAX_IMPORT_ROWS:
            raise ImportFileError(f"At most {MAX_IMPORT_ROWS} rows per import.")
    if not rows:
        raise ImportFileError("The file has a header row but no registrations.")
    return rows


def read_table(filename: str, content: bytes) -> list[ImportRow]:
    """Rows of a .csv or .xlsx file, decided by content, not only by the name."""
    if not content:
        raise ImportFileError("The file is empty.")
    if content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError("This is not a valid Excel (.xlsx) file.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, or upload the .xlsx."
        ) from None
    if "\x00" in text:
        raise ImportFileError("This does not look like a CSV file.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _rows_from_table(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file is malformed: {exc}.") from None


def _read_xlsx(content: bytes) -> list[ImportRow]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"This is not a valid Excel (.xlsx) file ({exc}).") from None
    try:
        sheet = workbook.worksheets[0]
        return _rows_from_table(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
