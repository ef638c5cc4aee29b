"""``flask papers book`` and ``flask papers zip``: files that open, and no half file on failure."""

import subprocess
import zipfile

import pytest

from conference.papers import downloads
from conference.papers.cli import papers_cli
from tests.factories import (
    accept,
    open_call_setting,
    stored_paper,
)
from tests.papers.samples import docx_bytes


@pytest.fixture
def papers_runner(app):
    """The app's CLI runner: the papers commands are registered with the others."""
    assert app.cli.commands["papers"] is papers_cli
    return app.test_cli_runner()


def test_book_writes_a_pdf_that_opens(db, papers_runner, tmp_path):
    event, category, track, call, chien = open_call_setting()
    accept(stored_paper(event, chien, "Building a learning city where no one is left behind"))
    out = tmp_path / "book.pdf"

    result = papers_runner.invoke(args=["papers", "book", "--event", event.slug, "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "1 accepted papers" in result.output
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert "Pages:" in info.stdout
    assert not (tmp_path / "book.pdf.part").exists()


def test_zip_writes_the_latest_versions_of_the_chosen_papers(db, papers_runner, tmp_path):
    event, category, track, call, chien = open_call_setting()
    accepted = stored_paper(event, chien, "Learning parks and streets")
    accept(accepted)
    stored_paper(event, chien, "Under review", content=docx_bytes(), filename="review.docx")
    everything, only_accepted = tmp_path / "all.zip", tmp_path / "accepted.zip"

    first = papers_runner.invoke(
        args=["papers", "zip", "--event", event.slug, "--out", str(everything)]
    )
    second = papers_runner.invoke(
        args=["papers", "zip", "--event", event.slug, "--out", str(only_accepted)]
        + ["--status", "accepted"]
    )

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    with zipfile.ZipFile(everything) as archive:
        assert archive.testzip() is None
        assert [n.rsplit(".", 1)[1] for n in archive.namelist()] == ["pdf", "docx"]
    with zipfile.ZipFile(only_accepted) as archive:
        assert archive.namelist() == [
            f"{accepted.id:03d} - Hà Trung Chiến - Learning parks and streets.pdf"
        ]


@pytest.mark.parametrize("command", ["book", "zip"])
def test_an_unknown_event_is_named_and_nothing_is_written(db, papers_runner, tmp_path, command):
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "out.file"

    result = papers_runner.invoke(args=["papers", command, "--event", "nope", "--out", str(out)])

    assert result.exit_code != 0
    assert "(nope)" in result.output
    assert list(folder.iterdir()) == []


def test_a_failure_halfway_leaves_no_half_file(db, papers_runner, tmp_path, monkeypatch):
    event, category, track, call, chien = open_call_setting()
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "book.pdf"
    out.write_bytes(b"the previous book")

    def broken(event, stream):
        stream.write(b"%PDF-1.4 half a book")
        raise OSError("disk full")

    monkeypatch.setattr(downloads, "write_book", broken)
    result = papers_runner.invoke(args=["papers", "book", "--event", event.slug, "--out", str(out)])

    assert result.exit_code != 0
    assert out.read_bytes() == b"the previous book"
    assert [p.name for p in folder.iterdir()] == ["book.pdf"]


@pytest.mark.parametrize("command", ["book", "zip"])
def test_a_missing_folder_is_named_without_a_traceback(db, papers_runner, tmp_path, command):
    event, category, track, call, chien = open_call_setting()
    out = tmp_path / "nodir" / "papers.file"

    result = papers_runner.invoke(
        args=["papers", command, "--event", event.slug, "--out", str(out)]
    )

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # click's own error, not a crash
    assert f"There is no folder '{out.parent}'" in result.output
    assert "Traceback" not in result.output
    assert not out.parent.exists()
