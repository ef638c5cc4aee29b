"""Receiving an uploaded paper: all of it checked, or none of it kept.

``receive`` reads the upload in chunks into an anonymous temporary file, stopping as soon
as it passes the call's size limit and computing the SHA-256 as it goes; then the type is
decided from the content (:mod:`.filetypes`) and only then is the file put into storage.
The temporary file has no name on disk and vanishes when closed, so a refused, cut-short
or crashed upload leaves nothing behind. No Flask here: a stream and a name in, a
:class:`ReceivedFile` (what the database keeps) or one of the project's errors out.
"""

import hashlib
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from ..errors import ValidationError
from .filetypes import DEFAULT_KINDS, identify
from .storage import Storage, disk_error

CHUNK = 64 * 1024
MAX_NAME = 150  # characters, extension included
UNSAFE_CHARACTERS = re.compile(r'[<>:"|?*]')  # refused by Windows when saving; quotes confuse
EXTENSION = re.compile(r"[A-Za-z0-9]{1,16}")
JOINERS = {"\u200c", "\u200d"}  # zero-width (non-)joiner: part of the spelling in some scripts


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class UploadTooLarge(ValidationError):
    """The upload passed the limit while it was being received (an HTTP 413)."""

    status_code = 413

    def __init__(self, limit: int):
        super().__init__(
            f"The file is larger than {format_size(limit)}, the most accepted here. "
            "Please make it smaller (for example, compress its images) and try again.",
            field="file",
        )
        self.limit = limit


@dataclass(frozen=True)
class ReceivedFile:
    key: str  # the storage key
    size: int
    sha256: str  # hex
    filename: str  # the uploader's name for it, made safe
    kind: str
    extension: str
    mime_type: str


def receive(
    stream: Readable | BinaryIO,
    filename: str | None,
    *,
    storage: Storage,
    max_bytes: int,
    allowed_kinds: Iterable[str] = DEFAULT_KINDS,
    tmp_dir: str | None = None,
    inspect: Callable[[BinaryIO, str], None] | None = None,
) -> ReceivedFile:
    """Store an upload (a werkzeug FileStorage, a request stream, any file) if it passes.

    ``inspect(file, kind)``, if given, is a further check of the identified file, before
    it is stored: it raises one of the project's errors to refuse it."""
    name = safe_filename(filename)
    with _spool_file(tmp_dir) as spool:
        try:
            size, sha256 = _spool(stream, spool, max_bytes)
        except OSError as exc:
            if (error := disk_error(exc, "receiving an upload")) is None:
                raise
            raise error from exc
        kind = identify(spool, name, allowed_kinds)
        if inspect is not None:
            inspect(spool, kind.kind)
        spool.seek(0)
        key = storage.save(spool)
    return ReceivedFile(
        key=key,
        size=size,
        sha256=sha256,
        filename=name,
        kind=kind.kind,
        extension=kind.extension,
        mime_type=kind.mime_type,
    )


def _spool_file(tmp_dir: str | None):
    try:
        return tempfile.TemporaryFile(dir=tmp_dir)
    except OSError as exc:
        if (error := disk_error(exc, "receiving an upload")) is None:
            raise
        raise error from exc


def _spool(stream: Readable, out: BinaryIO, max_bytes: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadTooLarge(max_bytes)
        digest.update(chunk)
        out.write(chunk)
    out.flush()
    return size, digest.hexdigest()


def safe_filename(name: str | None, max_length: int = MAX_NAME) -> str:
    """The last part of an uploaded name, cleaned for display and downloads; never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.sub(r"\s+", " ", name)
    # Control, format (bidirectional overrides that disguise "fdp.exe") and unassigned
    # characters go; letters of every script stay.
    name = "".join(c for c in name if c in JOINERS or unicodedata.category(c)[0] != "C")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = UNSAFE_CHARACTERS.sub("_", name)
    name = re.sub(r" {2,}", " ", name).rstrip(" .")
    stem, dot, extension = name.rpartition(".")
    if not (dot and EXTENSION.fullmatch(extension)):
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    # Leading dots would hide the file on Unix; trailing ones vanish on Windows.
    stem = stem.strip(" .")[: max(1, max_length - len(suffix))].rstrip(" .")
    return f"{stem or 'file'}{suffix}"


def download_name(*parts: str | None, extension: str) -> str:
    """A readable name for a download, e.g. 'Son La - Learning for all.pdf'.

    Slashes inside a part (a title such as "2020/2024") become dashes instead of cutting
    the name. Non-ASCII letters are kept: werkzeug's ``send_file(download_name=...)``
    sends them as ``filename*=UTF-8''...`` (RFC 5987) with an ASCII fallback.
    """
    stem = " - ".join(
        re.sub(r"[/\\]", "-", part).strip() for part in parts if part and part.strip()
    )
    return safe_filename(f"{stem}.{extension}")


def format_size(size: int) -> str:
    """'20 MB', '1.5 MB', '300 KB', '12 bytes' (binary multiples, as file managers show)."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return (
                f"{value:.0f} {unit}"
                if value >= 10 or value.is_integer()
                else f"{value:.1f} {unit}"
            )
    return "1 byte" if size == 1 else f"{size} bytes"
