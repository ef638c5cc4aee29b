"""Anonymous review: reviewers get a copy of the paper without what names its authors
(document properties, comment and change authors, PDF Info and XMP); organisers keep the
original; a file that cannot be cleaned is refused at upload, saying why.

The documents are built here, by the libraries people make them with and by hand where a
library cannot set what an office suite writes."""

import io
import re
import zipfile

import pikepdf
import pytest
from sqlalchemy import func, select

from conference.papers.assigning import assign_reviewer
from conference.papers.metadata import NotAnonymisable, reviewers_copy
from conference.papers.models import PaperVersion
from tests.factories import (
    TITLE,
    make_organiser,
    make_reviewer,
    open_call_setting,
    stored_files,
    stored_paper,
    submit_paper,
)

AUTHOR = "Alice Author"
ORGANISATION = "Hanoi University of Education"
MANAGER = "Bob Boss"
HOME = "/home/alice"
IDENTIFYING = [AUTHOR, ORGANISATION, MANAGER, HOME, "Alice"]


# Documents that name their author ---------------------------------------------------------


def _rezip(original: bytes, replace=None, extra=None) -> bytes:
    """The package with some members' bytes replaced (a function of the old bytes) or added."""
    source = zipfile.ZipFile(io.BytesIO(original))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            data = source.read(info)
            if replace and info.filename in replace:
                data = replace[info.filename](data)
            package.writestr(info, data, compress_type=info.compress_type)
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return buffer.getvalue()


CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Owner">'
    f"<vt:lpwstr>{AUTHOR}</vt:lpwstr></property></Properties>"
).encode()


def _ooxml_extras(original: bytes, main_part: str, main_edit=None) -> bytes:
    """Company, manager and template path in app.xml, a custom property naming the author."""

    def app(data: bytes) -> bytes:
        return data.replace(
            b"</Properties>",
            f"<Company>{ORGANISATION}</Company><Manager>{MANAGER}</Manager>"
            f"<Template>{HOME}/Templates/paper.dotx</Template></Properties>".encode(),
        )

    def content_types(data: bytes) -> bytes:
        return data.replace(
            b"</Types>",
            b'<Override PartName="/docProps/custom.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
        )

    def rels(data: bytes) -> bytes:
        return data.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
            b"</Relationships>",
        )

    replace = {"docProps/app.xml": app, "[Content_Types].xml": content_types, "_rels/.rels": rels}
    if main_edit:
        replace[main_part] = main_edit
    return _rezip(original, replace, {"docProps/custom.xml": CUSTOM_XML})


def identifying_docx(comment_prefix: bytes = b"") -> bytes:
    """A Word document by Alice: core properties, a comment and a tracked change of hers."""
    from docx import Document

    document = Document()
    paragraph = document.add_paragraph("Lifelong learning in Son La.")
    document.add_comment(paragraph.runs, text="Check the figure.", author=AUTHOR, initials="AA")
    properties = document.core_properties
    properties.author = properties.last_modified_by = AUTHOR
    properties.title = f"Draft by {AUTHOR}"
    properties.comments = f"Sent from {ORGANISATION}"
    buffer = io.BytesIO()
    document.save(buffer)

    def tracked_change(data: bytes) -> bytes:
        insertion = (
            f'<w:ins w:id="90" w:author="{AUTHOR}" w:date="2024-05-01T09:00:00Z">'
            "<w:r><w:t> Twelve districts.</w:t></w:r></w:ins></w:p>"
        ).encode()
        return data.replace(b"</w:p>", insertion, 1)

    template = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/attachedTemplate" Target="file://{HOME}/Templates/paper.dotx"'
        ' TargetMode="External"/></Relationships>'
    ).encode()
    docx = _rezip(
        _ooxml_extras(buffer.getvalue(), "word/document.xml", tracked_change),
        extra={"word/_rels/settings.xml.rels": template},
    )
    if comment_prefix:
        declaration = re.compile(rb"^<\?xml[^>]*\?>")
        docx = _rezip(
            docx, {"word/comments.xml": lambda data: declaration.sub(comment_prefix, data)}
        )
    return docx


def identifying_pptx() -> bytes:
    from pptx import Presentation

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = TITLE
    presentation.core_properties.author = presentation.core_properties.last_modified_by = AUTHOR
    buffer = io.BytesIO()
    presentation.save(buffer)
    authors = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<p:cmAuthorLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">'
        f'<p:cmAuthor id="1" name="{AUTHOR}" initials="AA" lastIdx="1" clrIdx="0"/>'
        "</p:cmAuthorLst>"
    ).encode()
    return _rezip(
        _ooxml_extras(buffer.getvalue(), "ppt/presentation.xml"),
        extra={"ppt/commentAuthors.xml": authors},
    )


def identifying_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    workbook = Workbook()
    workbook.properties.creator = workbook.properties.lastModifiedBy = AUTHOR
    workbook.active.append(["city", "learners"])
    workbook.active["A1"].comment = Comment("Figures from 2023.", AUTHOR)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _ooxml_extras(buffer.getvalue(), "xl/workbook.xml")


ODF = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"'
)


def identifying_odt() -> bytes:
    """An OpenDocument text as LibreOffice writes one for Alice: meta.xml, an annotation,
    a tracked change, an author field, the printer in settings.xml."""
    media_type = "application/vnd.oasis.opendocument.text"
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media_type}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODF} office:version="1.3">'
        f"<office:meta><meta:initial-creator>{AUTHOR}</meta:initial-creator>"
        f"<dc:creator>{AUTHOR}</dc:creator><dc:title>{TITLE}</dc:title>"
        f'<meta:template xlink:type="simple" xlink:href="file://{HOME}/paper.ott"/>'
        f'<meta:user-defined meta:name="Organisation">{ORGANISATION}</meta:user-defined>'
        "<meta:editing-duration>PT2H</meta:editing-duration></office:meta></office:document-meta>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF} '
        'office:version="1.3"><office:body><office:text>'
        '<text:tracked-changes><text:changed-region text:id="ct1"><text:insertion>'
        f"<office:change-info><dc:creator>{AUTHOR}</dc:creator>"
        "<dc:date>2024-05-01T09:00:00</dc:date></office:change-info>"
        "</text:insertion></text:changed-region></text:tracked-changes>"
        f"<text:p>{TITLE}<office:annotation><dc:creator>{AUTHOR}</dc:creator>"
        "<meta:creator-initials>AA</meta:creator-initials>"
        "<text:p>Check the figure.</text:p></office:annotation></text:p>"
        f"<text:p>By <text:author-name>{AUTHOR}</text:author-name></text:p>"
        "</office:text></office:body></office:document-content>"
    )
    settings = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-settings {ODF}>'
        '<office:settings><config:config-item-set config:name="ooo:configuration-settings">'
        f'<config:config-item config:name="PrinterName" config:type="string">{AUTHOR}\'s HP'
        "</config:config-item></config:config-item-set></office:settings>"
        "</office:document-settings>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", media_type, compress_type=zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", manifest)
        package.writestr("meta.xml", meta)
        package.writestr("content.xml", content)
        package.writestr("settings.xml", settings)
    return buffer.getvalue()


def identifying_pdf(password: str | None = None) -> bytes:
    """A PDF with Alice in its Info dictionary, its XMP metadata and a comment's title."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:creator"] = [AUTHOR]
        xmp["dc:title"] = TITLE
    pdf.docinfo["/Author"] = AUTHOR
    pdf.docinfo["/Creator"] = f"Microsoft Word, {ORGANISATION}"
    pdf.docinfo["/Title"] = TITLE
    note = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Text,
        Rect=[72, 700, 92, 720],
        Contents=pikepdf.String("Check the figure."),
        T=pikepdf.String(AUTHOR),
    )
    pdf.pages[0].Annots = pdf.make_indirect([pdf.make_indirect(note)])
    buffer = io.BytesIO()
    encryption = pikepdf.Encryption(user=password, owner=password) if password else False
    pdf.save(buffer, encryption=encryption)
    return buffer.getvalue()


def package_text(data: bytes) -> str:
    """Every member of a package, decompressed, as one text (to look for names in)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "\n".join(package.read(i).decode("utf-8", "replace") for i in package.infolist())


def pdf_text(data: bytes) -> str:
    """The PDF's bytes and every stream decoded, as one text (to look for names in)."""
    parts = [data.decode("latin-1")]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                parts.append(obj.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def copy_of(data: bytes, kind: str) -> bytes:
    out = io.BytesIO()
    reviewers_copy(io.BytesIO(data), kind, out)
    return out.getvalue()


# The reviewers' copy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (identifying_docx, "docx"),
        (identifying_pptx, "pptx"),
        (identifying_xlsx, "xlsx"),
        (identifying_odt, "odt"),
    ],
)
def test_the_reviewers_copy_of_a_package_names_nobody(make, kind):
    original = make()
    assert all(name in package_text(original) for name in (AUTHOR, ORGANISATION))
    copy = copy_of(original, kind)
    text = package_text(copy)
    assert [name for name in IDENTIFYING if name in text] == []
    with (
        zipfile.ZipFile(io.BytesIO(copy)) as package,
        zipfile.ZipFile(io.BytesIO(original)) as source,
    ):
        assert package.namelist() == source.namelist()  # every part still there, in order
        first = package.infolist()[0]
        assert (first.filename, first.compress_type) == (
            source.infolist()[0].filename,
            source.infolist()[0].compress_type,
        )


def test_the_reviewers_copy_of_a_docx_keeps_the_text_comments_and_changes():
    from docx import Document

    copy = copy_of(identifying_docx(), "docx")
    document = Document(io.BytesIO(copy))
    assert document.core_properties.author == "" and document.core_properties.title == ""
    assert "Lifelong learning in Son La." in document.paragraphs[0].text
    with zipfile.ZipFile(io.BytesIO(copy)) as package:
        comments = package.read("word/comments.xml").decode()
        body = package.read("word/document.xml").decode()
    assert 'w:author="Author 1"' in comments and "Check the figure." in comments
    assert 'w:author="Author 1"' in body and "Twelve districts." in body


def test_the_reviewers_copy_of_an_odt_keeps_its_text_and_stays_a_valid_package():
    from conference.papers.filetypes import identify

    copy = copy_of(identifying_odt(), "odt")
    assert identify(io.BytesIO(copy), "paper.odt").kind == "odt"
    with zipfile.ZipFile(io.BytesIO(copy)) as package:
        assert package.infolist()[0].compress_type == zipfile.ZIP_STORED  # mimetype
        content = package.read("content.xml").decode()
    assert TITLE in content and "Check the figure." in content
    assert "<dc:creator>Author 1</dc:creator>" in content


def test_the_reviewers_copy_of_a_pdf_names_nobody_and_keeps_its_pages():
    original = identifying_pdf()
    assert AUTHOR in pdf_text(original)
    copy = copy_of(original, "pdf")
    text = pdf_text(copy)
    assert [name for name in IDENTIFYING if name in text] == []
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        assert len(pdf.pages) == 1
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        (note,) = pdf.pages[0].Annots
        assert (str(note.T), str(note.Contents)) == ("Author 1", "Check the figure.")


@pytest.mark.parametrize(
    ("data", "kind", "reason"),
    [
        (identifying_pdf(password="secret"), "pdf", "password-protected"),
        (b"%PDF-1.7\nnothing a reader could use\n%%EOF\n", "pdf", "cannot be read as a PDF"),
        (identifying_docx(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'), "docx", "DTD"),
        (identifying_docx(b'<?xml version="1.0"?><unclosed'), "docx", "not valid XML"),
    ],
)
def test_a_file_that_cannot_be_cleaned_is_refused_with_the_reason(data, kind, reason):
    with pytest.raises(NotAnonymisable) as refused:
        copy_of(data, kind)
    assert reason in refused.value.message and "anonymous" in refused.value.message
    assert refused.value.field == "file"


# Through the site ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "filename", "text"),
    [(identifying_docx, "paper.docx", package_text), (identifying_pdf, "paper.pdf", pdf_text)],
)
def test_reviewers_download_a_copy_without_authors_organisers_the_original(
    client, db, login, make, filename, text
):
    event, category, track, call, chien = open_call_setting(anonymous_review=True)
    original = make()
    paper = stored_paper(event, chien, TITLE, content=original, filename=filename)
    ada = make_reviewer(event)
    assignment = assign_reviewer(paper, ada)
    olivia = make_organiser(event)
    db.session.commit()

    login(ada)
    download = client.get(f"/events/{event.slug}/reviews/{assignment.id}/paper")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "private, no-store"
    assert [name for name in IDENTIFYING if name in text(download.data)] == []

    client.post("/logout")
    login(olivia)
    kept = client.get(f"/events/{event.slug}/papers/{paper.id}/versions/1")
    assert kept.status_code == 200 and kept.data == original


def test_without_anonymous_review_reviewers_get_the_original(client, db, login):
    event, category, track, call, chien = open_call_setting(anonymous_review=False)
    original = identifying_docx()
    paper = stored_paper(event, chien, TITLE, content=original, filename="paper.docx")
    ada = make_reviewer(event)
    assignment = assign_reviewer(paper, ada)
    db.session.commit()
    login(ada)
    download = client.get(f"/events/{event.slug}/reviews/{assignment.id}/paper")
    assert download.status_code == 200 and download.data == original


def test_an_uncleanable_file_is_refused_at_upload_when_review_is_anonymous(client, db, app):
    event, category, track, call, chien = open_call_setting(anonymous_review=True)
    content = identifying_docx(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>')
    response = submit_paper(client, event, chien, track, content, "paper.docx")
    assert response.status_code == 422
    message = response.text.replace("&#39;", "'")
    assert "Review is anonymous" in message and "DTD" in message
    assert db.session.scalar(select(func.count(PaperVersion.id))) == 0
    assert stored_files(app) == []


def test_the_same_file_is_accepted_when_review_is_not_anonymous(client, db):
    event, category, track, call, chien = open_call_setting(anonymous_review=False)
    content = identifying_docx(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>')
    response = submit_paper(client, event, chien, track, content, "paper.docx")
    assert response.status_code == 302


def test_a_stored_file_that_cannot_be_cleaned_is_never_sent_to_a_reviewer(client, db, login):
    """Review made anonymous after the upload: the reviewer is told, never sent the original."""
    event, category, track, call, chien = open_call_setting(anonymous_review=False)
    content = identifying_docx(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>')
    paper = stored_paper(event, chien, TITLE, content=content, filename="paper.docx")
    call.anonymous_review = True
    ada = make_reviewer(event)
    assignment = assign_reviewer(paper, ada)
    db.session.commit()
    login(ada)
    download = client.get(f"/events/{event.slug}/reviews/{assignment.id}/paper")
    assert download.status_code == 409
    assert AUTHOR.encode() not in download.data
    assert "ask the organisers" in download.text
