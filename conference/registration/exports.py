"""Registrations as CSV and XLSX for organisers, and read back from them for imports.

Exports read the database in chunks of plain columns and write as they read (CSV a row at
a time, XLSX through xlsxwriter's constant-memory mode), so memory stays the same from a
hundred registrations to a hundred thousand."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from conference.errors import ValidationError
from conference.extensions import db
from conference.formatting import country_name
from conference.localtime import to_local
from conference.names import full_name
from conference.registration.fields import EXPORTED, REQUIRED_FIELDS
from conference.registration.models import Answer, Category, Delegation, Registration
from conference.registration.search import Filters, filtered_query
from conference.registration.settings import questions_for
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
    if not isinstance(value, str) or not value:
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


@dataclass(frozen=True)
class Names:
    """What cells read besides their row: the event's clock and names by id."""

    tz: ZoneInfo
    categories: dict[int, str]
    delegations: dict[int, str]


_country_name = lru_cache(maxsize=512)(country_name)

# Cells the export works out from a row of plain columns (``_COLUMNS``) and the ``Names``;
# every other column is the registration's column of the same name.
MADE_CELLS = {
    "single_name": lambda r, names: _yes_no(not r.family_name),
    "full_name": lambda r, names: full_name(r.given_name, r.family_name, r.name_order),
    "category": lambda r, names: names.categories.get(r.category_id, ""),
    "country_name": lambda r, names: _country_name(r.country),
    "delegation": lambda r, names: names.delegations.get(r.delegation_id, ""),
    # Registration.is_head, on the row's columns.
    "head_of_delegation": lambda r, names: (
        "yes" if r.delegation_id is not None and r.is_delegation_head else ""
    ),
    "email_verified": lambda r, names: _yes_no(r.email_verified_at),
    "registered_at": lambda r, names: to_local(r.created_at, names.tz).strftime("%Y-%m-%d %H:%M"),
}
# The registration's columns an export reads: the plain cells' and what MADE_CELLS read.
_MADE_READS = ("category_id", "delegation_id", "is_delegation_head", "email_verified_at")
_COLUMNS = tuple(
    dict.fromkeys(
        [
            "id",
            *(f.name for f in EXPORTED if f.name not in MADE_CELLS),
            *_MADE_READS,
            "created_at",
        ]
    )
)
CHUNK_SIZE = 2000  # registrations read (and their answers) per query


def _cell(field):
    """How the field's cell is read from a row (and the export's names)."""
    if field.name in MADE_CELLS:
        return MADE_CELLS[field.name]
    if field.kind == "yes_no":
        return lambda r, names: _yes_no(getattr(r, field.name))
    return lambda r, names: getattr(r, field.name)


def _where(event, filters: Filters | None):
    """The organiser's list's conditions: an export holds what the list shows."""
    return filtered_query(event, filters or Filters()).whereclause


def count_rows(event, filters: Filters | None = None) -> int:
    """How many registrations an export with these filters holds."""
    query = select(func.count()).select_from(Registration).where(_where(event, filters))
    return db.session.scalar(query)


def _names(event) -> Names:
    categories = select(Category.id, Category.name).where(Category.event_id == event.id)
    delegations = select(Delegation.id, Delegation.name).where(Delegation.event_id == event.id)
    return Names(
        tz=event.tz,
        categories=dict(db.session.execute(categories).all()),
        delegations=dict(db.session.execute(delegations).all()),
    )


def registration_chunks(event, filters: Filters | None = None, chunk_size: int | None = None):
    """The registrations as rows of plain columns, ``chunk_size`` at a time in id order,
    each chunk with its answers ({registration id: {question id: value}}).

    Keyset pages (``id > last``), one query for a chunk's rows and one for its answers:
    memory holds one chunk whatever the event's size, and nothing depends on a cursor
    staying open, so the caller may commit between chunks (a job reporting progress)."""
    chunk_size = chunk_size or CHUNK_SIZE
    where = _where(event, filters)
    columns = [getattr(Registration, name) for name in _COLUMNS]
    last = None
    while True:
        query = select(*columns).where(where).order_by(Registration.id).limit(chunk_size)
        if last is not None:
            query = query.where(Registration.id > last)
        rows = db.session.execute(query).all()
        if not rows:
            return
        # The chunk's answers by id range, not by a list of ids: no bound parameter each.
        answers_query = (
            select(Answer.registration_id, Answer.question_id, Answer.value)
            .join(Registration, Registration.id == Answer.registration_id)
            .where(where, Registration.id >= rows[0].id, Registration.id <= rows[-1].id)
        )
        answers: dict[int, dict] = {}
        for registration_id, question_id, value in db.session.execute(answers_query):
            answers.setdefault(registration_id, {})[question_id] = value
        yield rows, answers
        if len(rows) < chunk_size:
            return
        last = rows[-1].id
        del rows, answers  # not held while the next chunk is read


def export_rows(
    event,
    questions,
    filters: Filters | None = None,
    *,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list]:
    """The header row, then one row per registration (answers after the base columns),
    read from the database in chunks; ``progress(rows so far)`` after each chunk."""
    questions = [(q.id, q.label) for q in questions]  # plain values: a commit expires objects
    yield [*BASE_COLUMNS, *(label for _, label in questions)]
    names = _names(event)
    cells = [_cell(field) for field in EXPORTED]
    done = 0
    for rows, answers in registration_chunks(event, filters, chunk_size):
        for r in rows:
            given = answers.get(r.id, {})
            yield [
                *(cell(r, names) for cell in cells),
                *(_answer_text(given.get(question_id)) for question_id, _ in questions),
            ]
        done += len(rows)
        del rows, answers  # not held while the next chunk is read
        if progress is not None:
            progress(done)


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


def write_csv(rows: Iterable[list], out: BinaryIO) -> None:
    """Write the CSV (``to_csv``) to a binary file, a row at a time."""
    for text in to_csv(rows):
        out.write(text.encode("utf-8"))


# Cells are written as what they are: text that looks like a formula, a number or a
# link stays text (and xlsxwriter's limit of 65,530 links a sheet never bites).
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def write_xlsx(rows: Iterable[list], out: BinaryIO | str, title: str = "Registrations") -> None:
    """An .xlsx workbook with one sheet, the header row in bold and frozen, to a file.

    Constant memory: xlsxwriter writes each row to a temporary file as it comes, with
    its text inline (no shared-strings table held until the end), then zips the parts.
    The header is made safe as the rows are: it holds the organisers' question labels."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(out, XLSX_OPTIONS)
    try:
        sheet = workbook.add_worksheet(title[:31])
        sheet.freeze_panes(1, 0)
        bold = workbook.add_format({"bold": True})
        style = bold
        for index, row in enumerate(rows):
            for column, value in enumerate(row):
                value = safe_cell(value)
                if value is None or value == "":
                    continue  # an empty cell is no cell: a quarter of the file, unwritten
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(index, column, value, style)
                else:
                    sheet.write_string(index, column, str(value), style)
            style = None
    finally:
        workbook.close()


def to_xlsx(rows: Iterable[list], title: str = "Registrations") -> bytes:
    """The workbook of ``write_xlsx`` as bytes (small tables)."""
    out = io.BytesIO()
    write_xlsx(rows, out, title)
    return out.getvalue()


EXPORT_FORMATS = {"csv": write_csv, "xlsx": write_xlsx}
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_export(
    event, fmt: str, out: BinaryIO, filters: Filters | None = None, progress=None
) -> int:
    """Write the event's registrations (as the filtered list shows them) as CSV or XLSX
    to ``out``; returns how many. ``progress(done, total)`` follows the rows written."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError("Exports are CSV or XLSX.")
    total = count_rows(event, filters) if progress is not None else None
    counted = [0]

    def report(done: int) -> None:
        counted[0] = done
        if progress is not None:
            progress(done, total)

    questions = questions_for(event, include_inactive=True)
    EXPORT_FORMATS[fmt](export_rows(event, questions, filters, progress=report), out)
    return counted[0]


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
