"""What a file is, decided from its content; its name only has to agree.

PDF is recognised by its header and end marker, then its structure is parsed by qpdf in
a child process bounded in time and memory (:mod:`.pdf_probe`): a marker is easily put
into an SVG, an executable or a web page, a cross-reference table and a page tree are
not. DOCX, PPTX and XLSX (Office Open XML)
and ODT, ODP and ODS (OpenDocument) are ZIP packages: the package is checked before
anything inside it is trusted (no encrypted members, no paths that climb out, no member
that expands far beyond its compressed size, a total bounded by the archive's size) and
every member is read through once so that a damaged or lying archive is refused here,
not in a reviewer's word processor. The little XML read is parsed with defusedxml: no
entities, no DTDs. No Flask here: a file object or a path in, a :class:`FileKind` or a
:class:`FileTypeError` with a message for the uploader out.
"""

import os
import re
import zipfile
import zlib
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from ..errors import ValidationError
from . import pdf_probe


@dataclass(frozen=True)
class FileKind:
    kind: str  # "pdf", "docx", ...
    label: str  # what the uploader calls it: "PDF", "DOCX"
    article: str  # "a PDF", "an ODT": for messages
    extension: str  # canonical, without the dot
    mime_type: str
    description: str  # for choosing: "Word document (DOCX)"


# In the order organisers are offered them.
KINDS: dict[str, FileKind] = {
    k.kind: k
    for k in (
        FileKind("pdf", "PDF", "a", "pdf", "application/pdf", "PDF"),
        FileKind(
            "docx",
            "DOCX",
            "a",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word document (DOCX)",
        ),
        FileKind(
            "pptx",
            "PPTX",
            "a",
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "PowerPoint presentation (PPTX)",
        ),
        FileKind(
            "odt",
            "ODT",
            "an",
            "odt",
            "application/vnd.oasis.opendocument.text",
            "OpenDocument text (ODT)",
        ),
        FileKind(
            "odp",
            "ODP",
            "an",
            "odp",
            "application/vnd.oasis.opendocument.presentation",
            "OpenDocument presentation (ODP)",
        ),
        FileKind(
            "xlsx",
            "XLSX",
            "an",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel workbook (XLSX)",
        ),
        FileKind(
            "ods",
            "ODS",
            "an",
            "ods",
            "application/vnd.oasis.opendocument.spreadsheet",
            "OpenDocument spreadsheet (ODS)",
        ),
    )
}
DEFAULT_KINDS = ("pdf", "docx", "pptx", "odt", "odp")

# The content type of the main part of each Office Open XML package ([Content_Types].xml).
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
ODF_MIMETYPES = {KINDS[k].mime_type: k for k in ("odt", "odp", "ods")}

PDF_HEADER_WINDOW = 1024  # readers accept the %PDF- header anywhere in the first 1 KiB
PDF_TRAILER_WINDOW = 2048  # and %%EOF near the end (some tools append a little)
HTML_SIGNS = re.compile(rb"<\s*(!doctype\s+html|html|head|body|script|iframe)\b", re.I)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.ppt/.xls, and encrypted OOXML
ZIP_MAGIC = b"PK\x03\x04"
SMALL_XML = 1024 * 1024  # [Content_Types].xml and manifest.xml are a few KiB


@dataclass(frozen=True)
class ZipLimits:
    """What a genuine document package stays within (a 20 MB deck expands to ~30 MB).

    Images are stored as they are and XML compresses 5-20 times, so a whole document
    expands to a few times its size: ``max_ratio`` times the archive, or ``total_floor``
    for small ones (a short DOCX's styles alone expand ~20 times), caps the total, so
    that a bomb cannot hide in many parts each too small for the per-member check.
    """

    max_entries: int = 5000
    max_total: int = 512 * 1024 * 1024  # uncompressed bytes, all members together
    max_ratio: int = 100  # uncompressed / compressed, for members above ratio_floor
    ratio_floor: int = 1024 * 1024
    total_floor: int = 50 * 1024 * 1024  # all members may expand to this much anyway

    def total_allowed(self, archive_size: int) -> int:
        """The most all members of an archive of this size may expand to."""
        return min(self.max_total, max(self.max_ratio * archive_size, self.total_floor))


DEFAULT_LIMITS = ZipLimits()


class FileTypeError(ValidationError):
    """The file is not of an accepted type, or cannot be checked safely."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


def identify(
    source: BinaryIO | str | os.PathLike,
    filename: str,
    allowed_kinds: Iterable[str] = DEFAULT_KINDS,
    limits: ZipLimits = DEFAULT_LIMITS,
) -> FileKind:
    """Return the file's kind, read from its content, if it is allowed and its name agrees."""
    allowed = [_kind(k) for k in allowed_kinds]
    if not allowed:
        raise ValueError("allowed_kinds is empty")
    with _binary(source) as file:
        kind = sniff(file, limits)
    if kind is None:
        raise FileTypeError(f"This is not {_either(allowed)} file.")
    if kind not in allowed:
        raise FileTypeError(
            f"This file is {kind.article} {kind.label}, but only {_listed(allowed)} files "
            "are accepted here."
        )
    extension = _extension(filename)
    if extension != kind.extension:
        ending = f"ends in .{extension}" if extension else "has no extension"
        raise FileTypeError(
            f"This file is {kind.article} {kind.label} but its name {ending}. "
            f"Please rename it to end in .{kind.extension}."
        )
    return kind


def sniff(file: BinaryIO, limits: ZipLimits = DEFAULT_LIMITS) -> FileKind | None:
    """The kind the content shows (None: none we know), or FileTypeError if it is unsafe."""
    file.seek(0)
    head = file.read(PDF_HEADER_WINDOW)
    if not head:
        raise FileTypeError("The file is empty.")
    if head.startswith(ZIP_MAGIC):
        file.seek(0)
        return _sniff_package(file, limits)
    if head.startswith(OLE_MAGIC):
        raise FileTypeError(
            "This is an old-style Office file (.doc, .ppt, .xls) or a password-protected "
            "one. Please save it without a password as PDF or in the current format."
        )
    html = HTML_SIGNS.search(head)
    pdf_at = head.find(b"%PDF-")
    if html and (pdf_at < 0 or html.start() < pdf_at):
        raise FileTypeError("This file is a web page (HTML), not a document.")
    if pdf_at < 0:
        return None
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(max(0, size - PDF_TRAILER_WINDOW))
    if b"%%EOF" not in file.read():
        raise FileTypeError(
            "This PDF is incomplete (it has no end marker). Please export or download it "
            "again and upload the new copy."
        )
    _check_pdf_structure(file)
    return KINDS["pdf"]


PDF_REFUSALS = {
    pdf_probe.NOT_PDF: (
        "This file is not a PDF that can be opened: whatever its first line says, it does "
        "not hold a PDF document. Please save or export it as PDF again and upload the new copy."
    ),
    pdf_probe.ENCRYPTED: (
        "This PDF is password-protected. Please save it without a password, so that the "
        "reviewers can open it."
    ),
    pdf_probe.NO_PAGES: "This PDF has no pages.",
    pdf_probe.TOO_LARGE: (
        "This PDF needs far more memory to open than a paper does, so it cannot be checked. "
        "Please export it again (or print it to a new PDF) and upload the new copy."
    ),
}


def _check_pdf_structure(file: BinaryIO) -> None:
    seconds = pdf_probe.SECONDS
    verdict = pdf_probe.probe(file, seconds=seconds, memory=pdf_probe.MEMORY)
    if verdict.ok:
        return
    if verdict.reason == pdf_probe.TOO_SLOW:
        unit = "second" if seconds == 1 else "seconds"
        raise FileTypeError(
            f"This PDF could not be checked within {seconds:g} {unit}: it is built in an "
            "unusual way. Please export it again (or print it to a new PDF) and upload the "
            "new copy."
        )
    raise FileTypeError(PDF_REFUSALS.get(verdict.reason, PDF_REFUSALS[pdf_probe.NOT_PDF]))


def _sniff_package(file: BinaryIO, limits: ZipLimits) -> FileKind | None:
    archive_size = file.seek(0, os.SEEK_END)
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as package:
            _check_package(package, limits.total_allowed(archive_size), limits)
            names = set(package.namelist())
            if "[Content_Types].xml" in names:
                return _ooxml_kind(package, names)
            if package.infolist()[0].filename == "mimetype":
                return _odf_kind(package, names)
            return None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
        raise FileTypeError(
            "This file is damaged and cannot be read. Please save it again and upload the new copy."
        ) from None


def _check_package(package: zipfile.ZipFile, max_total: int, limits: ZipLimits) -> None:
    members = package.infolist()
    if not members:
        raise FileTypeError("This file is an empty archive, not a document.")
    if len(members) > limits.max_entries:
        raise FileTypeError("This file holds too many parts to be a document.")
    seen = set()
    total = 0
    for info in members:
        name = info.filename
        if info.flag_bits & 0x1:
            raise FileTypeError(
                "This file is password-protected. Please save it without a password."
            )
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in name or "\0" in name:
            raise FileTypeError("This file contains unsafe paths and cannot be accepted.")
        if name in seen:
            raise FileTypeError("This file contains the same part twice and cannot be accepted.")
        seen.add(name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileTypeError("This file uses a compression method documents do not use.")
        total += info.file_size
        ratio_exceeded = info.file_size > limits.max_ratio * max(info.compress_size, 1)
        if total > max_total or (info.file_size > limits.ratio_floor and ratio_exceeded):
            raise FileTypeError(
                "This file expands to far more than its size (a compressed-archive bomb) "
                "and cannot be accepted."
            )
    # The declared sizes passed; reading every member (capped by zipfile at the declared
    # size, CRC checked at the end) proves they are true and the file is whole.
    for info in members:
        with package.open(info) as member:
            while member.read(1024 * 1024):
                pass


def _ooxml_kind(package: zipfile.ZipFile, names: set[str]) -> FileKind | None:
    types = _xml(package, "[Content_Types].xml")
    for element in types:
        if _local(element.tag) != "Override":
            continue
        kind = OOXML_MAIN_PARTS.get(element.get("ContentType", ""))
        part = element.get("PartName", "").lstrip("/")
        if kind and part in names:
            return KINDS[kind]
    return None


def _odf_kind(package: zipfile.ZipFile, names: set[str]) -> FileKind | None:
    # ODF: "mimetype" is the first member, stored uncompressed, holding the media type.
    first = package.infolist()[0]
    if first.compress_type != zipfile.ZIP_STORED or first.file_size > 100:
        return None
    kind = ODF_MIMETYPES.get(package.read(first).decode("ascii", "replace").strip())
    if kind is None or not {"content.xml", "META-INF/manifest.xml"} <= names:
        return None
    manifest = _xml(package, "META-INF/manifest.xml")
    for entry in manifest:
        attributes = {_local(key): value for key, value in entry.attrib.items()}
        if attributes.get("full-path") == "/":
            return KINDS[kind] if attributes.get("media-type") == KINDS[kind].mime_type else None
    return None


def _xml(package: zipfile.ZipFile, name: str):
    info = package.getinfo(name)
    if info.file_size > SMALL_XML:
        raise FileTypeError("This file's package description is too large to be genuine.")
    try:
        return fromstring(package.read(info))
    except (ParseError, DefusedXmlException):
        raise FileTypeError(
            "This file's package description is not valid, so it cannot be accepted."
        ) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kind(name: str) -> FileKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown file kind {name!r}; known: {', '.join(KINDS)}") from None


def _extension(filename: str) -> str:
    stem, dot, extension = (filename or "").rpartition(".")
    return extension.lower() if dot and stem else ""


def _either(kinds: list[FileKind]) -> str:
    """'a PDF, DOCX or ODT', for messages."""
    return f"{kinds[0].article} {_listed(kinds)}"


def _listed(kinds: list[FileKind]) -> str:
    labels = [k.label for k in kinds]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


@contextmanager
def _binary(source):
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            yield file
    else:
        yield source
