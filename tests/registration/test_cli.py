"""``flask registrations export``: the organisers' export from the command line, written
whole or not at all."""

import csv

import pytest
from openpyxl import load_workbook

from conference.registration import exports
from tests.factories import make_category, make_event, make_registration


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "exports"
    path.mkdir()
    return path


@pytest.fixture
def event(db):
    event = make_event()
    make_registration(event, make_category(event, "Delegate"), native_name="王晓明")
    return event


def _export(runner, slug, fmt, out):
    args = ["registrations", "export", "--event", slug, "--format", fmt, "--out", str(out)]
    return runner.invoke(args=args)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_writes_every_registration(runner, event, folder, fmt):
    out = folder / f"registrations.{fmt}"
    result = _export(runner, event.slug, fmt, out)
    assert result.exit_code == 0, result.output
    assert f"1 registration written to {out}" in result.output
    if fmt == "csv":
        with out.open(encoding="utf-8-sig", newline="") as text:
            rows = [tuple(row) for row in csv.reader(text)]
    else:
        workbook = load_workbook(out, read_only=True)
        rows = list(workbook.active.iter_rows(values_only=True))
        workbook.close()
    assert rows[0][:3] == ("id", "status", "category")
    assert "王晓明" in rows[1] and len(rows) == 2
    assert list(folder.iterdir()) == [out]


def test_an_unknown_event_is_named_and_nothing_is_written(runner, db, folder):
    result = _export(runner, "nope", "csv", folder / "out.csv")
    assert result.exit_code == 1
    assert "(nope)" in result.output and "Traceback" not in result.output
    assert list(folder.iterdir()) == []


def test_an_unknown_format_is_refused_and_nothing_is_written(runner, event, folder):
    result = _export(runner, event.slug, "pdf", folder / "out.pdf")
    assert result.exit_code != 0
    assert "'pdf' is not one of 'csv', 'xlsx'" in result.output
    assert list(folder.iterdir()) == []


def test_a_missing_folder_is_named(runner, event, folder):
    out = folder / "nodir" / "out.csv"
    result = _export(runner, event.slug, "csv", out)
    assert result.exit_code == 1
    assert f"There is no folder '{out.parent}'" in result.output
    assert not out.parent.exists()


def test_a_failure_halfway_leaves_the_previous_file(runner, event, folder, monkeypatch):
    out = folder / "registrations.csv"
    out.write_bytes(b"the previous export")

    def broken(rows, stream):
        stream.write(b"half an export")
        raise OSError("disk full")

    monkeypatch.setitem(exports.EXPORT_FORMATS, "csv", broken)
    result = _export(runner, event.slug, "csv", out)
    assert result.exit_code != 0
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in folder.iterdir()] == ["registrations.csv"]
