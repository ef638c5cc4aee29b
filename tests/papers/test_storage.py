"""Stored papers: random keys, whole files or none, under the instance folder."""

import errno
import io
import os
import shutil
import stat
import tempfile

import pytest

from conference.errors import StorageFull, StorageUnavailable
from conference.papers.storage import LocalStorage, storage_from_config
from tests.factories import writes_then_fails

from . import samples


def files_under(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


def test_saved_file_reads_back_under_a_random_key(tmp_path):
    storage = LocalStorage(tmp_path / "papers")
    data = samples.pdf_bytes()
    key = storage.save(io.BytesIO(data))
    assert len(key) == 32 and int(key, 16) >= 0
    assert storage.exists(key)
    assert storage.size(key) == len(data)
    with storage.open(key) as stored:
        assert stored.read() == data
    assert files_under(tmp_path / "papers") == [f"{key[:2]}/{key}"]


def test_the_same_content_twice_gets_two_keys(tmp_path):
    storage = LocalStorage(tmp_path)
    assert storage.save(io.BytesIO(b"%PDF-")) != storage.save(io.BytesIO(b"%PDF-"))


def test_a_file_can_be_saved_from_a_path_which_is_left_alone(tmp_path):
    source = tmp_path / "upload.tmp"
    source.write_bytes(b"slides")
    storage = LocalStorage(tmp_path / "papers")
    key = storage.save(source)
    with storage.open(key) as stored:
        assert stored.read() == b"slides"
    assert source.exists()


def test_stored_files_are_readable_by_the_app_only(tmp_path):
    storage = LocalStorage(tmp_path)
    key = storage.save(io.BytesIO(b"a delegate's paper"))
    mode = (tmp_path / key[:2] / key).stat().st_mode
    assert stat.S_IMODE(mode) & 0o077 == 0


def test_a_save_that_fails_midway_leaves_nothing(tmp_path):
    storage = LocalStorage(tmp_path / "papers")
    with pytest.raises(ConnectionResetError):
        storage.save(samples.BrokenStream(samples.pdf_bytes(), fail_after=100))
    assert files_under(tmp_path / "papers") == []


def test_deleted_file_is_gone_and_deleting_again_is_harmless(tmp_path):
    storage = LocalStorage(tmp_path)
    key = storage.save(io.BytesIO(b"v1"))
    storage.delete(key)
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(FileNotFoundError):
        storage.open(key)
    with pytest.raises(FileNotFoundError):
        storage.size(key)


@pytest.mark.parametrize(
    "key", ["../../instance/secret_key", "", "A" * 32, "0" * 31 + "/", "0" * 33, None]
)
def test_anything_but_a_storage_key_is_refused(tmp_path, key):
    (tmp_path / "secret").write_text("x")
    storage = LocalStorage(tmp_path / "papers")
    for operation in (storage.open, storage.size, storage.exists, storage.delete):
        with pytest.raises(ValueError):
            operation(key)
    assert (tmp_path / "secret").exists()


def test_the_app_stores_papers_in_its_instance_folder_outside_static(app):
    storage = storage_from_config(app)
    key = storage.save(io.BytesIO(b"%PDF-"))
    root = os.path.join(app.instance_path, "uploads", "papers")
    assert files_under(root) == [f"{key[:2]}/{key}"]
    assert not os.path.abspath(root).startswith(os.path.abspath(app.static_folder))


def test_the_upload_folder_can_be_configured(make_app, tmp_path):
    app = make_app(PAPERS_UPLOAD_DIR=str(tmp_path / "shared-disk"))
    key = storage_from_config(app).save(io.BytesIO(b"%PDF-"))
    assert files_under(tmp_path / "shared-disk") == [f"{key[:2]}/{key}"]


def test_an_unknown_storage_is_refused_at_once(make_app):
    app = make_app(PAPERS_STORAGE="s3")
    with pytest.raises(ValueError, match="PAPERS_STORAGE='s3' is not available"):
        storage_from_config(app)


# A full disk or an unusable folder (issue 11, #18) -----------------------------------


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EDQUOT], ids=["ENOSPC", "EDQUOT"])
def test_a_full_disk_is_reported_as_such_and_leaves_no_partial_file(tmp_path, monkeypatch, error):
    storage = LocalStorage(tmp_path / "papers")
    monkeypatch.setattr(shutil, "copyfileobj", writes_then_fails(error))
    with pytest.raises(StorageFull) as caught:
        storage.save(io.BytesIO(samples.pdf_bytes()))
    assert caught.value.status_code == 507
    assert "no room" in caught.value.message and "nothing was kept" in caught.value.message
    assert files_under(tmp_path / "papers") == []


def test_a_disk_that_fills_at_the_flush_to_disk_leaves_nothing(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path / "papers")

    def no_room(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_room)
    with pytest.raises(StorageFull):
        storage.save(io.BytesIO(b"a delegate's paper"))
    assert files_under(tmp_path / "papers") == []


@pytest.mark.parametrize(
    "error",
    [errno.EACCES, errno.EROFS, errno.EPERM, errno.EIO],
    ids=["EACCES", "EROFS", "EPERM", "EIO"],
)
def test_a_folder_that_cannot_be_written_is_unavailable(tmp_path, monkeypatch, error):
    storage = LocalStorage(tmp_path / "papers")

    def refused(*args, **kwargs):
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(StorageUnavailable) as caught:
        storage.save(io.BytesIO(b"a delegate's paper"))
    assert caught.value.status_code == 503
    assert "cannot store files" in caught.value.message


def test_an_upload_folder_that_is_a_file_is_unavailable(tmp_path):
    (tmp_path / "papers").write_text("not a folder")
    storage = LocalStorage(tmp_path / "papers")
    with pytest.raises(StorageUnavailable):
        storage.save(io.BytesIO(b"a delegate's paper"))
    assert (tmp_path / "papers").read_text() == "not a folder"


def test_a_stored_file_that_cannot_be_read_is_unavailable_not_missing(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)
    key = storage.save(io.BytesIO(b"v1"))
    real_open = open

    def unreadable(path, *args, **kwargs):
        if str(path).endswith(key):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", unreadable)
    with pytest.raises(StorageUnavailable):
        storage.open(key)
