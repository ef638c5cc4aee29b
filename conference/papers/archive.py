"""Papers as a ZIP archive, streamed: produced chunk by chunk, never built in memory.

The standard library's ``zipfile`` writes to a sink that cannot seek, so it puts each entry's
CRC and sizes in a data descriptor after the data instead of going back to patch the header;
every unzip tool reads that. Files are opened one at a time and read in blocks, so memory stays
flat however large the archive is. Entries are stored, not deflated: PDF, DOCX, PPTX, ODT and ODP
are already compressed, and storing keeps a large download bound by the disk, not the CPU.

No Flask, no database: the caller passes names and openers, e.g. ``(name, lambda: path.open("rb"))``
and sends the chunks as a streamed response or writes them to a file.
"""

import io
import os
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import BinaryIO

__all__ = ["paper_arcname", "zip_stream"]

# Read this much of a file at a time; each chunk handed out is about this size.
BLOCK_SIZE = 64 * 1024

# Most file systems allow 255 bytes per name; leave room for a " (2)" and for tools that add
# their own suffixes.
MAX_NAME_BYTES = 180

_SEPARATOR = " - "

# Characters Windows refuses in names (and the path separators everyone refuses).
_REPLACE = str.maketrans(
    {"/": "-", "\\": "-", "|": "-", ":": " -", '"': "'", "<": "", ">": "", "*": "", "?": ""}
)
_SPACES = re.compile(r"\s+")


def paper_arcname(number: int, title: str, authors: str | Sequence[str], extension: str) -> str:
    """A readable, safe file name: "012 - Son La - Building a learning city where….pdf".

    ``authors`` is who the paper is from (a city, or author names: the first name, "A & B" for
    two, "A et al." for more). Any script is kept; path separators, control and
    direction-changing characters and characters Windows refuses are not. Long titles are cut at
    a word so the name stays under about 180 bytes.
    """
    ext = _clean_extension(extension)
    names = [authors] if isinstance(authors, str) else list(authors)
    names = [n for n in (_clean(a) for a in names) if n]
    who = " & ".join(names) if len(names) <= 2 else f"{names[0]} et al."
    head = _SEPARATOR.join(p for p in (f"{number:03d}", _shorten(who, 60)) if p)
    budget = MAX_NAME_BYTES - len(head.encode()) - len(_SEPARATOR) - len(ext.encode())
    title = _shorten(_clean(title), budget).rstrip(". ")
    return _SEPARATOR.join(p for p in (head, title) if p) + ext


def zip_stream(
    entries: Iterable[tuple[str, Callable[[], BinaryIO]]],
) -> Iterator[bytes]:
    """The ZIP of the entries, as chunks of bytes; each opener is called only when its turn comes.

    Names are made safe and unique (case-insensitively, as Windows and macOS compare them): a
    repeated name gets " (2)", " (3)"... before its extension. Names are stored as UTF-8 with the
    flag that says so.
    """
    sink = _Sink()
    seen: set[str] = set()
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for arcname, opener in entries:
            info = zipfile.ZipInfo(_unique(_safe_arcname(arcname), seen), date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16  # rw-r--r-- when unzipped on Unix
            with opener() as source:
                size = _size(source)
                # A size we cannot know in advance may exceed 4 GB: then ZIP64 from the start.
                if size is not None:
                    info.file_size = size
                with archive.open(info, "w", force_zip64=size is None) as target:
                    while block := source.read(BLOCK_SIZE):
                        target.write(block)
                        yield sink.take()
            if chunk := sink.take():  # the data descriptor
                yield chunk
    yield sink.take()  # the central directory


class _Sink(io.RawIOBase):
    """Collects what zipfile writes until the generator hands it out; cannot seek or tell."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _size(source: BinaryIO) -> int | None:
    try:
        return os.fstat(source.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        pass
    try:
        if source.seekable():
            here = source.tell()
            end = source.seek(0, io.SEEK_END)
            source.seek(here)
            return end - here
    except (AttributeError, OSError, ValueError):
        pass
    return None


def _clean(text: str) -> str:
    """One line of text fit for a file name: NFC, no control or invisible format characters."""
    text = unicodedata.normalize("NFC", text or "").translate(_REPLACE)
    # Cc: control characters; Cf: format characters such as U+202E, which would display
    # "evil‮fdp.exe" as "evilexe.pdf"; Zl/Zp: line and paragraph separators.
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"
    )
    return _SPACES.sub(" ", text).strip(" .-")


def _clean_extension(extension: str) -> str:
    ext = re.sub(r"[^0-9A-Za-z]", "", extension or "").lower()[:10]
    return f".{ext}" if ext else ""


def _shorten(text: str, max_bytes: int) -> str:
    """Text cut to max_bytes of UTF-8, at a space when one is near, never inside a cluster."""
    if len(text.encode()) <= max_bytes:
        return text
    cut = ""
    for ch in text:
        if len((cut + ch).encode()) > max_bytes - len("…".encode()):
            break
        cut += ch
    # Drop a trailing base character whose combining marks did not fit with it.
    while cut and len(cut) < len(text) and unicodedata.category(text[len(cut)]).startswith("M"):
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space > len(cut) * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" .-,;") + "…"


def _safe_arcname(arcname: str) -> str:
    """The last path component of the name, cleaned: an archive never writes outside its folder."""
    name = _clean(arcname.replace("\\", "/").rsplit("/", 1)[-1])
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    ext = _clean_extension(ext)
    stem = _shorten(stem, MAX_NAME_BYTES - len(ext.encode())).rstrip(". ")
    return (stem or "file") + ext


def _unique(name: str, seen: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 1
    while candidate.casefold() in seen:
        n += 1
        candidate = f"{stem} ({n})" + (f".{ext}" if ext else "")
    seen.add(candidate.casefold())
    return candidate
