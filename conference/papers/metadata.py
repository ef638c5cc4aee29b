"""The reviewers' copy of a paper when review is anonymous: nothing in it names its authors.

A document carries its authors' names beside its text: Office Open XML (DOCX, PPTX, XLSX)
in its core, extended and custom properties (creator, last modified by, company, manager,
template path) and as the author of every comment and tracked change; OpenDocument (ODT,
ODP, ODS) in meta.xml, in its annotations' and changes' ``dc:creator`` and in author
fields; PDF in its Info dictionary, its XMP metadata streams, its comments' titles and its
embedded files (LibreOffice's hybrid PDF carries the whole ODF, meta.xml included).

:func:`reviewers_copy` writes the document with all of that removed or replaced by
"Author 1", "Author 2"... (so a reviewer still tells two commenters apart). It is made
when a reviewer downloads the paper, from the stored original, which organisers keep:
no second copy to store, count against quotas or keep in step, and a call made anonymous
after papers came in is covered. A file that cannot be cleaned is refused at upload while
review is anonymous (:func:`check_anonymisable`), with :class:`NotAnonymisable`'s reason.

The XML is read with lxml, which keeps the namespace prefixes Office relies on
(``mc:Ignorable="w14"`` names prefixes), with entities, DTDs and the network off; a part
declaring a DTD is refused (neither standard needs one). No Flask here: a file in, a file
out.
"""

import re
import shutil
import tempfile
import zipfile
import zlib
from typing import BinaryIO

from ..errors import ConferenceError, ValidationError

PACKAGE_KINDS = {"docx", "pptx", "xlsx", "odt", "odp", "ods"}
MAX_XML_PART = 64 * 1024 * 1024  # uncompressed bytes of one part parsed to clean it
CHUNK = 1024 * 1024

# Namespaces.
DC = "http://purl.org/dc/elements/1.1/"
ODF_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODF_CONFIG = "urn:oasis:names:tc:opendocument:xmlns:config:1.0"
# OpenDocument elements whose text is a person: creators of annotations and changes, and
# the author fields shown in the text.
ODF_NAMES = {
    f"{{{DC}}}creator",
    f"{{{ODF_TEXT}}}author-name",
    f"{{{ODF_TEXT}}}initial-creator",
    f"{{{ODF_TEXT}}}creator",
}
ODF_INITIALS = {f"{{{ODF_META}}}creator-initials", f"{{{ODF_TEXT}}}author-initials"}

# Office Open XML document properties, emptied (every element in them is optional).
CORE_PROPERTIES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="'
    b'http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
EXTENDED_PROPERTIES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>'
)
CUSTOM_PROPERTIES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'docPropsVTypes"/>'
)
# Relationship types (transitional and strict spellings) -> the emptied part.
PROPERTY_PARTS = (
    (("core-properties", "metadata/core-properties"), CORE_PROPERTIES),
    (("extended-properties", "extendedProperties"), EXTENDED_PROPERTIES),
    (("custom-properties", "customProperties"), CUSTOM_PROPERTIES),
)
DEFAULT_PROPERTY_PARTS = {
    "docProps/core.xml": CORE_PROPERTIES,
    "docProps/app.xml": EXTENDED_PROPERTIES,
    "docProps/custom.xml": CUSTOM_PROPERTIES,
}
# A part needs parsing only if one of these is in it (or it is UTF-16, where none shows).
OOXML_MARKERS = (b"author", b"initials", b"userId", b"displayName", b"cmAuthor")
ODF_MARKERS = (b"creator", b"author-name", b"author-initials", b"Printer")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
TEMPLATE_RELATIONSHIP = b"/attachedTemplate"


class NotAnonymisable(ValidationError):
    """No copy without the authors' names can be made of this file (a message for them)."""

    def __init__(self, reason: str):
        super().__init__(
            "Review is anonymous, so reviewers get a copy of your file without the author "
            "details a document carries (its properties, the authors of its comments and "
            f"changes). They cannot be removed from this file: {reason}. Please save it "
            "again, or export it as PDF, and upload the new copy.",
            field="file",
        )
        self.reason = reason


class ReviewersCopyUnavailable(ConferenceError):
    """A reviewer asked for a paper of which no anonymous copy can be made (the original is
    never sent instead): it was stored before review was made anonymous."""

    status_code = 409

    def __init__(self):
        super().__init__(
            "This paper's file cannot be given to you without its authors' names in it, "
            "and review is anonymous. Please ask the organisers: they can ask the authors "
            "for a new version."
        )


class _Pseudonyms:
    """Pseudonyms: "Author 1", "Author 2"... for the names met in order; "A1"... for initials."""

    def __init__(self):
        self.names: dict[str, str] = {}
        self.initials: dict[str, str] = {}

    def name(self, real: str | None) -> str:
        return self.names.setdefault((real or "").strip(), f"Author {len(self.names) + 1}")

    def initial(self, real: str | None) -> str:
        return self.initials.setdefault((real or "").strip(), f"A{len(self.initials) + 1}")


def reviewers_copy(source: BinaryIO, kind: str, out: BinaryIO) -> None:
    """Write to ``out`` the document in ``source`` without what names its authors.

    NotAnonymisable (with the reason) if that cannot be done."""
    source.seek(0)
    if kind == "pdf":
        _clean_pdf(source, out)
    elif kind in PACKAGE_KINDS:
        _clean_package(source, out, odf=kind.startswith("od"))
    else:
        raise NotAnonymisable(f"files of this kind ({kind}) cannot be cleaned")


def check_anonymisable(file: BinaryIO, kind: str) -> None:
    """NotAnonymisable, with the reason, if no reviewers' copy can be made of the file."""
    with tempfile.TemporaryFile() as scratch:
        reviewers_copy(file, kind, scratch)
    file.seek(0)


# Office Open XML and OpenDocument packages -------------------------------------------


def _clean_package(source: BinaryIO, out: BinaryIO, *, odf: bool) -> None:
    names = _Pseudonyms()
    try:
        with zipfile.ZipFile(source) as package:
            replaced = {"meta.xml": _odf_meta(package)} if odf else _property_parts(package)
            with zipfile.ZipFile(out, "w") as copy:
                for info in package.infolist():
                    # A fresh entry: no extra fields (owner ids), no comment.
                    entry = zipfile.ZipInfo(info.filename, info.date_time)
                    entry.compress_type = info.compress_type
                    entry.external_attr = info.external_attr
                    if info.filename in replaced:
                        copy.writestr(entry, replaced[info.filename])
                    elif info.filename.endswith(".xml"):
                        _copy_xml_part(package, info, copy, entry, names, odf)
                    elif info.filename.endswith(".rels"):
                        copy.writestr(entry, _relationships(_read(package, info)))
                    else:
                        with package.open(info) as member, copy.open(entry, "w") as target:
                            shutil.copyfileobj(member, target, CHUNK)
    except (zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError) as exc:
        raise NotAnonymisable("it cannot be read as a document package") from exc


def _property_parts(package: zipfile.ZipFile) -> dict[str, bytes]:
    """The package's property parts (where its relationships say, else docProps/) emptied."""
    parts = {n: data for n, data in DEFAULT_PROPERTY_PARTS.items() if n in package.NameToInfo}
    if "_rels/.rels" in package.NameToInfo:
        relationships = _parse(_read(package, package.getinfo("_rels/.rels")))
        for relationship in relationships.iter("{*}Relationship"):
            kind = relationship.get("Type", "")
            target = relationship.get("Target", "").lstrip("/")
            for endings, emptied in PROPERTY_PARTS:
                if kind.endswith(endings) and target in package.NameToInfo:
                    parts[target] = emptied
    return parts


def _relationships(data: bytes) -> bytes:
    """Relationships with the attached template named without its folder: Word writes the
    template's full path (file:///C:/Users/alice/...), which holds the author's login."""
    if TEMPLATE_RELATIONSHIP not in data:
        return data
    root = _parse(data)
    for relationship in root.iter("{*}Relationship"):
        if relationship.get("Type", "").endswith(TEMPLATE_RELATIONSHIP.decode()):
            target = relationship.get("Target", "")
            relationship.set("Target", re.split(r"[/\\]", target)[-1])
    return _serialise(root)


def _odf_meta(package: zipfile.ZipFile) -> bytes:
    """meta.xml with nothing in office:meta (title, creator, dates, template, user fields)."""
    version = "1.2"
    if "meta.xml" in package.NameToInfo:
        root = _parse(_read(package, package.getinfo("meta.xml")))
        version = root.get(f"{{{ODF_OFFICE}}}version") or version
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-meta xmlns:office="{ODF_OFFICE}" office:version="{version}">'
        "<office:meta/></office:document-meta>"
    ).encode()


def _copy_xml_part(package, info, copy, entry, names: _Pseudonyms, odf: bool) -> None:
    markers = ODF_MARKERS if odf else OOXML_MARKERS
    if info.file_size > MAX_XML_PART:
        # Too large to parse here: copied as it is only if nothing in it can name anyone.
        if _contains(package, info, markers):
            raise NotAnonymisable("a part of it is too large to check")
        with package.open(info) as member, copy.open(entry, "w") as target:
            shutil.copyfileobj(member, target, CHUNK)
        return
    data = _read(package, info)
    if data.startswith(UTF16_BOMS) or any(marker in data for marker in markers):
        root = _parse(data)
        (_pseudonymise_odf if odf else _pseudonymise_ooxml)(root, names)
        data = _serialise(root)
    copy.writestr(entry, data)


def _pseudonymise_ooxml(root, names: _Pseudonyms) -> None:
    """Comment and change authors (Word, PowerPoint, Excel, the people parts): pseudonyms."""
    for element in root.iter("*"):
        tag = _local(element.tag)
        for attribute, value in element.attrib.items():
            local = _local(attribute)
            if local == "author" or (local == "name" and tag in ("cmAuthor", "author")):
                element.set(attribute, names.name(value))
            elif local == "initials":
                element.set(attribute, names.initial(value))
            elif local == "displayName" and tag == "person":
                element.set(attribute, names.name(value))
            elif local in ("userId", "providerId"):
                element.set(attribute, "")
        # Excel's comment authors: <authors><author>Alice</author></authors>.
        if tag == "author" and element.text and len(element) == 0:
            element.text = names.name(element.text)


def _pseudonymise_odf(root, names: _Pseudonyms) -> None:
    """Annotation and change creators, author fields, the printer's name: pseudonyms or gone."""
    for element in root.iter("*"):
        if element.tag in ODF_NAMES:
            element.text = names.name(element.text)
        elif element.tag in ODF_INITIALS:
            element.text = names.initial(element.text)
        elif element.tag == f"{{{ODF_CONFIG}}}config-item" and element.get(
            f"{{{ODF_CONFIG}}}name"
        ) in ("PrinterName", "PrinterSetup"):
            element.text = ""


def _read(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_XML_PART:
        raise NotAnonymisable("a part of it is too large to check")
    return package.read(info)


def _contains(package, info, markers) -> bool:
    overlap = max(len(m) for m in markers) - 1
    tail = b""
    with package.open(info) as member:
        while chunk := member.read(CHUNK):
            window = tail + chunk
            if any(marker in window for marker in markers):
                return True
            tail = window[-overlap:]
    return False


def _parse(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise NotAnonymisable("a part of it is not valid XML") from exc
    if root.getroottree().docinfo.doctype:
        raise NotAnonymisable("a part of it declares a DTD, which documents never need")
    return root


def _serialise(root) -> bytes:
    from lxml import etree

    standalone = root.getroottree().docinfo.standalone
    return etree.tostring(
        root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=standalone
    )


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


# PDF -------------------------------------------------------------------------------


def _clean_pdf(source: BinaryIO, out: BinaryIO) -> None:
    import pikepdf

    names = _Pseudonyms()
    try:
        with pikepdf.open(source) as pdf:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                    # XMP anywhere (document, pages, images); applications' private data.
                    for key in ("/Metadata", "/PieceInfo"):
                        if key in obj:
                            del obj[key]
            _drop_embedded_files(pdf)
            for page in pdf.pages:
                _pseudonymise_annotations(page, names)
            # Written whole: earlier revisions (incremental updates), which keep the old
            # Info and XMP in the file, and every object no longer referenced are left out.
            pdf.save(out, deterministic_id=True)
    except pikepdf.PasswordError as exc:
        raise NotAnonymisable("it is password-protected") from exc
    except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, RuntimeError) as exc:
        raise NotAnonymisable("it cannot be read as a PDF") from exc


def _drop_embedded_files(pdf) -> None:
    """Attached files go: their own metadata (a hybrid PDF's whole ODF) cannot be checked."""
    names = pdf.Root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names:
        del names["/EmbeddedFiles"]
    if "/AF" in pdf.Root:
        del pdf.Root["/AF"]


def _pseudonymise_annotations(page, names: _Pseudonyms) -> None:
    import pikepdf

    annotations = page.obj.get("/Annots")
    if not isinstance(annotations, pikepdf.Array):
        return
    kept = []
    for annotation in annotations:
        if not isinstance(annotation, pikepdf.Dictionary):
            continue
        subtype = annotation.get("/Subtype")
        if subtype == pikepdf.Name.FileAttachment:
            continue
        # /T is a comment's author, but a form field's name on a widget.
        if "/T" in annotation and subtype != pikepdf.Name.Widget:
            annotation.T = pikepdf.String(names.name(str(annotation.T)))
        kept.append(annotation)
    page.obj.Annots = pikepdf.Array(kept)
