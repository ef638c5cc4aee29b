"""Real files for the upload tests, built by the libraries people make them with.

PDF by reportlab, DOCX by python-docx, PPTX by python-pptx, XLSX by openpyxl; ODT and ODP
as the minimal OpenDocument package (stored ``mimetype`` first, manifest, content) that
office suites open. The hostile ones (a zip bomb dressed as DOCX, an encrypted or
path-climbing package) are made from a real DOCX so that only the attack differs.
"""

import functools
import io
import struct
import warnings
import zipfile
import zlib

PAPER_TITLE = "Learning cities for all: Son La's community learning centres"


def pdf_bytes(text: str = PAPER_TITLE) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.drawString(72, 770, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def docx_bytes(text: str = PAPER_TITLE) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(text, level=1)
    document.add_paragraph("Abstract: lifelong learning in a mountain province of Viet Nam.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pptx_bytes(text: str = PAPER_TITLE) -> bytes:
    from pptx import Presentation

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = text
    slide.placeholders[1].text = "Community learning centres in 12 districts"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["city", "learners"])
    workbook.active.append(["Son La", 1200])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
)
ODF_BODIES = {
    "text": f"<office:text><text:p>{PAPER_TITLE}</text:p></office:text>",
    "presentation": (
        '<office:presentation><draw:page draw:name="page1">'
        '<draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm">'
        f"<draw:text-box><text:p>{PAPER_TITLE}</text:p></draw:text-box>"
        "</draw:frame></draw:page></office:presentation>"
    ),
}


def odf_bytes(kind: str = "text", mimetype: str | None = None) -> bytes:
    """An OpenDocument text or presentation; ``mimetype`` overrides the declared type."""
    media_type = f"application/vnd.oasis.opendocument.{kind}"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:version="1.3"'
        f' manifest:media-type="{media_type}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {ODF_NS} office:version="1.3">'
        f"<office:body>{ODF_BODIES[kind]}</office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", mimetype or media_type, compress_type=zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", manifest)
        package.writestr("content.xml", content)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    return odf_bytes("text")


def odp_bytes() -> bytes:
    return odf_bytes("presentation")


def html_bytes() -> bytes:
    return (
        b"<!DOCTYPE html>\n<html><head><title>Paper</title></head>"
        b"<body><script>alert(document.cookie)</script>%PDF-1.7</body></html>\n"
    )


def rebuilt_docx(
    replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None
) -> bytes:
    """A real DOCX with some members replaced and others added (an existing name twice)."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        for info in source.infolist():
            package.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return buffer.getvalue()


@functools.cache
def zip_bomb_docx(expanded: int = 1 << 30) -> bytes:
    """A real DOCX whose word/document.xml is ``expanded`` bytes of zeros (~1 MB compressed)."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                package.writestr(info.filename, source.read(info))
        with package.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = bytes(1 << 20)
            for _ in range(expanded >> 20):
                member.write(zeros)
    return buffer.getvalue()


def _deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as in a ZIP
    return compressor.compress(data) + compressor.flush()


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP written by hand from (name, deflated data, CRC-32, size) members."""
    out = io.BytesIO()
    directory = []
    for name, data, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        # version 2.0, no flags, deflated, 1980-01-01 00:00, CRC, sizes
        common = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(data), size)
        out.write(b"PK\x03\x04" + common + struct.pack("<HH", len(encoded), 0) + encoded + data)
        directory.append(
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + common
            + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset)
            + encoded
        )
    start, listing = out.tell(), b"".join(directory)
    out.write(listing)
    count = len(directory)
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, len(listing), start, 0))
    return out.getvalue()


@functools.cache
def many_parts_bomb_docx(parts: int = 480, part_size: int = 1 << 20) -> bytes:
    """A real DOCX plus ``parts`` members of ``part_size`` zeros: each member small enough
    to escape a per-member ratio check, ~480 MB in all inside ~0.5 MB. The zeros are
    deflated once and the same data written for every member, so building it is quick."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    members = []
    for info in source.infolist():
        data = source.read(info)
        members.append((info.filename, _deflated(data), zlib.crc32(data), len(data)))
    zeros = bytes(part_size)
    padding, crc = _deflated(zeros), zlib.crc32(zeros)
    members += [(f"word/media/padding{n}.bin", padding, crc, part_size) for n in range(parts)]
    return _zip(members)


def illustrated_docx(photos: int = 3, paragraphs: int = 2000) -> bytes:
    """A long real DOCX with photos (noise, which no compression shrinks), as a paper with
    figures is: text that compresses well, images that do not."""
    import os

    from docx import Document
    from PIL import Image

    document = Document()
    document.add_heading(PAPER_TITLE, level=1)
    for n in range(paragraphs):
        document.add_paragraph(
            f"Paragraph {n}: community learning centres in Son La reach villages of the "
            "Thai, H'Mong and Dao peoples, with classes in literacy, farming and health."
        )
    for _ in range(photos):
        photo = io.BytesIO()
        Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3)).save(photo, "PNG")
        photo.seek(0)
        document.add_picture(photo)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted_docx() -> bytes:
    """A real DOCX whose members are all marked encrypted (as a password-protected ZIP is)."""
    data = bytearray(docx_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            (flags,) = struct.unpack_from("<H", data, start + flag_offset)
            struct.pack_into("<H", data, start + flag_offset, flags | 0x1)
            start = data.find(signature, start + 4)
    return bytes(data)


def damaged_docx() -> bytes:
    """A real DOCX with bytes in the middle of its main part's compressed data overwritten."""
    data = bytearray(docx_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
    data[start : start + 16] = bytes(16)
    return bytes(data)


class SizedStream:
    """A stream of ``total`` bytes (a PDF's head, then padding) that never sits in memory."""

    def __init__(self, total: int, head: bytes = b"%PDF-1.7\n"):
        self.total = total
        self.head = head
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        remaining = self.total - self.position
        size = remaining if size is None or size < 0 else min(size, remaining)
        chunk = (self.head[self.position : self.position + size]).ljust(size, b" ")
        self.position += size
        return chunk


class BrokenStream:
    """Gives ``data`` up to ``fail_after`` bytes, then fails as a dropped connection does."""

    def __init__(self, data: bytes, fail_after: int):
        self.stream = io.BytesIO(data)
        self.fail_after = fail_after

    def read(self, size: int = -1) -> bytes:
        if self.stream.tell() >= self.fail_after:
            raise ConnectionResetError("the client went away")
        size = self.fail_after - self.stream.tell() if size is None or size < 0 else size
        return self.stream.read(min(size, self.fail_after - self.stream.tell()))


# Files that carry a PDF's header and end marker without being PDFs (issue 11, #17).


def svg_with_pdf_marker() -> bytes:
    return (
        b"%PDF-1.7\n"
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>\n%%EOF\n"
    )


def executable_with_pdf_marker() -> bytes:
    """A DOS/Windows executable's header with the marker inside the first kilobyte."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + bytes(48)
        + b"%PDF-1.7\n"
        + b"This program cannot be run in DOS mode.\r\r\n$" * 64
        + b"\n%%EOF\n"
    )


def html_after_pdf_marker() -> bytes:
    return (
        b"%PDF-1.7\n<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script>"
        b"</body></html>\n%%EOF\n"
    )


def encrypted_pdf() -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return out.getvalue()


def handwritten_pdf(page_extra: bytes = b"", pages: int = 1) -> bytes:
    """A PDF written by hand with a correct cross-reference table: a catalogue, a page tree
    and ``pages`` pages, each page dictionary with ``page_extra`` added."""
    kids = b" ".join(b"%d 0 R" % (3 + n) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
    ] + [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page_extra + b" >>"] * pages
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return bytes(out)


@functools.cache
def long_array_pdf(elements: int = 3_000_000) -> bytes:
    """A well-formed PDF whose page holds one array of ``elements`` zeros: 2 bytes each in
    the file, ~140 bytes each in qpdf's memory, ~1 µs each to parse (20 MB: 20 s, 1.4 GB)."""
    return handwritten_pdf(b"/Junk [" + b"0 " * elements + b"]")
