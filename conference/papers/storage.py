"""Where uploaded papers live: a small interface, and the local-disk implementation.

Files are stored under random keys (never anything the uploader chose), outside
``static/``, and appear whole or not at all: each is written to a partial file in the
destination folder, flushed to disk and renamed into place (``conference.files.atomic_write``,
durable: the file and the rename survive a power cut). The database keeps the key,
the original name and the checksum; a download is served by the route from ``open()``.

A full disk (``ENOSPC``, ``EDQUOT``) raises :class:`StorageFull` and a folder that cannot be
used (missing, read-only, refused, failing) :class:`StorageUnavailable`, each with a message
for the uploader (the app answers 507 and 503); the details go to the log, for the operators.
"""

import errno
import logging
import os
import re
import secrets
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Container
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from conference.errors import StorageFull, StorageUnavailable
from conference.files import atomic_write

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
KEY = re.compile(r"[0-9a-f]{32}")
PARTIAL_PREFIX = ".part-"
FULL = {errno.ENOSPC, errno.EDQUOT}
UNUSABLE = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EEXIST,  # the folder's name is taken by a file
    errno.EIO,
    errno.ESTALE,  # a network volume that went away
}


def disk_error(exc: OSError, doing: str) -> StorageFull | StorageUnavailable | None:
    """The project's error for an OSError of the disk (logged for the operators), or None
    when it is something else."""
    if exc.errno in FULL:
        log.error("uploads: no room left while %s: %s", doing, exc)
        return StorageFull()
    if exc.errno in UNUSABLE:
        log.error("uploads: the folder cannot be used while %s: %s", doing, exc)
        return StorageUnavailable()
    return None


class Storage(ABC):
    """Files by key. Keys are made by the storage; a bad or unknown key opens nothing."""

    @abstractmethod
    def save(self, source: BinaryIO | str | os.PathLike) -> str:
        """Store a file object (from its current position) or the file at a path; return its key."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """The stored file for reading; FileNotFoundError if there is none."""

    @abstractmethod
    def size(self, key: str) -> int:
        """The stored file's size in bytes; FileNotFoundError if there is none."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the stored file; nothing happens if it is already gone."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether a file is stored under the key."""

    @abstractmethod
    def remove_unlisted(self, keep: Container[str], before: float) -> list[str]:
        """Remove the files stored before ``before`` (a POSIX time) whose key is not in
        ``keep``, and the partial files of saves cut short; their keys or names."""


class LocalStorage(Storage):
    """Files on the local disk, as ``root/ab/ab12...`` (a folder per first two hex digits)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def save(self, source: BinaryIO | str | os.PathLike) -> str:
        """Store a file object (from its current position) or the file at a path; return its key."""
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as file:
                return self.save(file)
        key = secrets.token_hex(16)
        target = self._path(key)
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # A partial file only the app can read, under a name the sweep recognises.
            handle, partial = tempfile.mkstemp(dir=target.parent, prefix=PARTIAL_PREFIX)
            os.close(handle)
        except OSError as exc:
            if (error := disk_error(exc, f"preparing {target.parent}")) is None:
                raise
            raise error from exc
        try:
            with atomic_write(target, Path(partial), durable=True) as out:
                shutil.copyfileobj(source, out, CHUNK)
        except BaseException as exc:  # atomic_write removed the partial file (or target)
            error = disk_error(exc, f"writing {target}") if isinstance(exc, OSError) else None
            if error is None:
                raise
            raise error from exc
        return key

    def open(self, key: str) -> BinaryIO:
        """The stored file for reading; FileNotFoundError if there is none."""
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise
        except OSError as exc:
            if (error := disk_error(exc, f"reading {key}")) is None:
                raise
            raise error from exc

    def size(self, key: str) -> int:
        """The stored file's size in bytes; FileNotFoundError if there is none."""
        return self._path(key).stat().st_size

    def delete(self, key: str) -> None:
        """Remove the stored file; nothing happens if it is already gone."""
        with suppress(FileNotFoundError):
            self._path(key).unlink()

    def exists(self, key: str) -> bool:
        """Whether a file is stored under the key."""
        return self._path(key).is_file()

    def remove_unlisted(self, keep: Container[str], before: float) -> list[str]:
        """Remove the files stored before ``before`` (a POSIX time) whose key is not in
        ``keep``, and the partial files of saves cut short; their keys or names."""
        removed = []
        folders = self.root.iterdir() if self.root.is_dir() else ()
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                name = path.name
                stored = KEY.fullmatch(name) and name[:2] == folder.name and name not in keep
                if not (stored or name.startswith(PARTIAL_PREFIX)):
                    continue  # a kept file, or one this store did not make: left alone
                with suppress(FileNotFoundError):
                    if path.is_file() and path.stat().st_mtime < before:
                        path.unlink()
                        removed.append(name)
        return removed

    def path(self, key: str) -> Path:
        """Where the file of this key is (or would be) on the disk."""
        return self._path(key)

    def _path(self, key: str) -> Path:
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key


def storage_from_config(app) -> Storage:
    """The papers' storage that ``PAPERS_STORAGE`` names ("local", the default)."""
    backend = app.config.get("PAPERS_STORAGE") or "local"
    if backend == "local":
        root = app.config.get("PAPERS_UPLOAD_DIR") or os.path.join(
            app.instance_path, "uploads", "papers"
        )
        return LocalStorage(root)
    # Several app servers on several hosts need a shared store. An S3-compatible one plugs
    # in here as another Storage: save() puts the received temporary file as an object
    # under a fresh random key, open() returns the object's streaming body, size() and
    # exists() ask for its head, delete() deletes it; bucket, endpoint and credentials come
    # from PAPERS_S3_* settings, chosen by PAPERS_STORAGE = "s3".
    raise ValueError(f"PAPERS_STORAGE={backend!r} is not available; use 'local'")
