"""PDFs written page by page as they are drawn, in flat memory however many pages there are.

ReportLab keeps every page of a canvas until ``save()`` and then builds the whole file in
memory; :class:`PageStream` writes each page as soon as it is shown instead. Badges and
certificates of attendance print through it (``flask badges pdf``, ``flask certificates
pdf``, background batches). No Flask here.
"""

import itertools
from array import array
from typing import BinaryIO

from reportlab.pdfbase.pdfdoc import (
    PDFFile,
    PDFIndirectObject,
    PDFObject,
    PDFPages,
    PDFTrailer,
)
from reportlab.pdfgen.canvas import Canvas

__all__ = ["PageStream"]


class _PageTree(PDFPages):
    """ReportLab's page tree, holding the object number of each page written instead of the
    page itself: four bytes a page, where a list of ReportLab's references took a kilobyte."""

    def __init__(self):
        super().__init__()
        self.numbers = array("L")

    def check_format(self, document):
        # Laid out as ReportLab lays out an array (ten to a line), so the file is the same
        # byte for byte as ReportLab's own.
        numbers = self.numbers
        lines = (
            b" ".join(b"%d 0 R" % n for n in numbers[at : at + 10])
            for at in range(0, len(numbers), 10)
        )
        self.Kids = _Raw(b"[ " + b" \n  ".join(lines) + b" ]")
        self.Count = len(self.numbers)


class _Raw(PDFObject):
    """Bytes already in PDF syntax."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document) -> bytes:
        return self.data


class PageStream:
    """Writes a ReportLab canvas's PDF to a file as it goes, instead of all at once on save.

    ReportLab keeps every page, uncompressed, until ``save()`` and then builds the whole file
    in memory (some 460 MB for 20,000 badges). Here each finished page and its content stream
    are formatted and written at once, and ReportLab forgets them: what the end needs of them
    is their place in the file, kept in an array by object number (eight bytes an object), and
    the page's number for the page tree (four bytes), so memory stays flat however many pages
    there are. What only the end can know (the font subsets, the page tree, the catalogue) is
    written by :meth:`close`, then the cross-reference table, a few thousand lines at a time.
    The objects are ReportLab's own, formatted by ReportLab's own code, in the order of
    ``PDFDocument.format``; only the moment each is written changes.
    """

    def __init__(self, canvas: Canvas, out: BinaryIO):
        self.canvas = canvas
        self.doc = canvas._doc
        self.doc.Pages = self.doc.Catalog.Pages = self.tree = _PageTree()
        self.out = out
        self.offset = 0
        self.offsets = array("Q", [0])  # where each object starts, by number; 0: not yet written
        self._write(PDFFile(self.doc._pdfVersion).format(self.doc))  # the header

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)

    def _write_object(self, number: int, data: bytes) -> None:
        if number >= len(self.offsets):
            self.offsets.extend(itertools.repeat(0, number + 1 - len(self.offsets)))
        self.offsets[number] = self.offset
        self._write(data)

    def _write_named(self, name: str) -> int:
        doc = self.doc
        data = PDFIndirectObject(name, doc.idToObject[name]).format(doc)
        number = doc.idToObjectNumberAndVersion[name][0]
        self._write_object(number, data)
        return number

    def _forget(self, name: str) -> None:
        doc = self.doc
        number, _ = doc.idToObjectNumberAndVersion.pop(name)
        del doc.numberToId[number]
        del doc.idToObject[name]

    def _written(self, number: int) -> bool:
        return number < len(self.offsets) and self.offsets[number] != 0

    def page_done(self) -> None:
        """Write the page just shown and its content stream, and forget them."""
        page = self.tree.pages.pop()
        name = page.__InternalName__
        number = self._write_named(name)  # which gives its content stream a number
        contents = page.Contents.__InternalName__
        self._write_named(contents)
        self._forget(name)
        self._forget(contents)
        self.tree.numbers.append(number)

    def close(self) -> None:
        """Write the remaining objects, the cross-reference table and the trailer."""
        doc, canvas = self.doc, self.canvas
        # What PDFDocument.GetPDFData does before formatting.
        for font in doc.delayedFonts:
            font.addObjects(doc)
        doc.info.invariant = doc.invariant
        doc.info.digest(doc.signature)
        doc.Reference(doc.Catalog)
        doc.Reference(doc.info)
        doc.Outlines.prepare(doc, canvas)
        if doc.Outlines.ready < 0:
            doc.Catalog.Outlines = None
        number = 1
        while number <= doc.objectcounter:  # formatting may number further objects
            if not self._written(number):
                name = doc.numberToId.get(number)
                if name is None:  # a number ReportLab took and never used: a null object
                    self._write_object(number, b"%d 0 obj\nnull\nendobj\n" % number)
                else:
                    self._write_named(name)
            number += 1
        count = number - 1
        start = self.offset
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % (count + 1))
        for first in range(1, count + 1, 4096):
            self._write(
                b"".join(b"%010d 00000 n \n" % o for o in self.offsets[first : first + 4096])
            )
        trailer = PDFTrailer(
            startxref=start,
            Size=count + 1,
            Root=doc.Reference(doc.Catalog),
            Info=doc.Reference(doc.info),
            ID=doc.ID(),
        )
        self._write(trailer.format(doc))

    def abandon(self) -> None:
        """Drop what the fonts remember about this document after a failure."""
        for font in self.doc.delayedFonts:
            font.state.pop(self.doc, None)
