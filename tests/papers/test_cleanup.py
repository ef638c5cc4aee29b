"""Files an upload cut short leaves behind (stored, but its version row never committed) are
removed once old enough; files with a row, young files and files the store did not make stay."""

import io
import os
import time
from pathlib import Path

from flask import current_app

from conference.papers.cleanup import remove_orphan_files
from conference.papers.models import PaperVersion
from conference.papers.storage import PARTIAL_PREFIX, LocalStorage, storage_from_config
from tests.factories import (
    open_call_setting,
    stored_paper,
)


def age(path: Path, seconds: float) -> None:
    """Make a file look ``seconds`` old."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_unlisted_files_and_partial_ones_older_than_the_cutoff_go(tmp_path):
    storage = LocalStorage(tmp_path)
    kept, orphan, young = (storage.save(io.BytesIO(b"%PDF-")) for _ in range(3))
    partial = tmp_path / orphan[:2] / f"{PARTIAL_PREFIX}abc123"
    partial.write_bytes(b"%PDF- half")
    stranger = tmp_path / kept[:2] / "notes.txt"
    stranger.write_text("not the store's")
    for path in (tmp_path / kept[:2] / kept, tmp_path / orphan[:2] / orphan, partial, stranger):
        age(path, 7200)

    removed = storage.remove_unlisted({kept}, before=time.time() - 3600)

    assert sorted(removed) == sorted([orphan, partial.name])
    assert storage.exists(kept) and storage.exists(young) and stranger.exists()
    assert not storage.exists(orphan) and not partial.exists()


def test_an_empty_or_missing_store_has_nothing_to_remove(tmp_path):
    assert LocalStorage(tmp_path / "never-used").remove_unlisted(set(), time.time()) == []


def test_orphan_paper_files_go_and_every_version_keeps_its_file(db, app):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, "Kept")
    storage = storage_from_config(current_app)
    orphan = storage.save(io.BytesIO(b"%PDF- the row was never committed"))
    root = Path(app.instance_path) / "uploads" / "papers"
    for path in root.rglob("*"):
        if path.is_file():
            age(path, app.config["PAPERS_ORPHAN_SECONDS"] + 60)
    young = storage.save(io.BytesIO(b"%PDF- an upload still finishing"))

    assert remove_orphan_files() == [orphan]

    (version,) = db.session.query(PaperVersion).filter_by(paper_id=paper.id).all()
    assert storage.exists(version.storage_key)
    assert storage.exists(young) and not storage.exists(orphan)


def test_papers_sweep_command_removes_orphans_at_the_age_given(db, app):
    storage = storage_from_config(current_app)
    orphan = storage.save(io.BytesIO(b"%PDF- orphan"))
    result = app.test_cli_runner().invoke(args=["papers", "sweep"])
    assert result.exit_code == 0, result.output
    assert "Removed 0 stored files" in result.output and storage.exists(orphan)

    result = app.test_cli_runner().invoke(args=["papers", "sweep", "--older-than", "0"])
    assert "Removed 1 stored file without a paper version." in result.output
    assert not storage.exists(orphan)
