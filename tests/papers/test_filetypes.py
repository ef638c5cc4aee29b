"""A file's type comes from its content, and its name has to agree: no app, no database."""

import io
import math
import zipfile

import pytest

from conference.papers.filetypes import FileTypeError, ZipLimits, identify

from . import samples


def check(data: bytes, filename: str, **kwargs):
    return identify(io.BytesIO(data), filename, **kwargs)


def refusal(data: bytes, filename: str, **kwargs) -> str:
    with pytest.raises(FileTypeError) as caught:
        check(data, filename, **kwargs)
    assert caught.value.field == "file"
    return caught.value.message


@pytest.mark.parametrize(
    ("build", "filename", "kind", "mime_type"),
    [
        (samples.pdf_bytes, "paper.pdf", "pdf", "application/pdf"),
        (
            samples.docx_bytes,
            "paper.docx",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            samples.pptx_bytes,
            "Slides.PPTX",
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (samples.odt_bytes, "paper.odt", "odt", "application/vnd.oasis.opendocument.text"),
        (
            samples.odp_bytes,
            "slides.odp",
            "odp",
            "application/vnd.oasis.opendocument.presentation",
        ),
    ],
)
def test_real_documents_are_recognised_by_content(build, filename, kind, mime_type):
    result = check(build(), filename)
    assert (result.kind, result.extension, result.mime_type) == (kind, kind, mime_type)


def test_a_path_can_be_checked_as_well_as_a_file_object(tmp_path):
    path = tmp_path / "paper.docx"
    path.write_bytes(samples.docx_bytes())
    assert identify(path, "paper.docx").kind == "docx"


def test_html_named_pdf_is_refused_even_with_a_pdf_marker_inside():
    assert refusal(samples.html_bytes(), "paper.pdf") == (
        "This file is a web page (HTML), not a document."
    )


def test_pdf_named_docx_is_refused_with_the_real_type_named():
    message = refusal(samples.pdf_bytes(), "paper.docx")
    assert message.startswith("This file is a PDF but its name ends in .docx.")


def test_pdf_without_an_extension_is_refused():
    assert "its name has no extension" in refusal(samples.pdf_bytes(), "paper")


def test_empty_file_is_refused():
    assert refusal(b"", "paper.pdf") == "The file is empty."


def test_unknown_content_names_the_accepted_types():
    message = refusal(b"just some notes\n", "notes.pdf")
    assert message == "This is not a PDF, DOCX, PPTX, ODT or ODP file."


def test_a_plain_zip_is_not_a_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("photo.jpg", b"\xff\xd8\xff")
    assert refusal(buffer.getvalue(), "paper.docx") == (
        "This is not a PDF, DOCX, PPTX, ODT or ODP file."
    )


def test_the_allowed_kinds_are_chosen_per_call():
    message = refusal(samples.pptx_bytes(), "slides.pptx", allowed_kinds=["pdf", "docx"])
    assert message == "This file is a PPTX, but only PDF or DOCX files are accepted here."
    assert check(samples.xlsx_bytes(), "data.xlsx", allowed_kinds=["xlsx"]).kind == "xlsx"
    with pytest.raises(ValueError):
        check(samples.pdf_bytes(), "paper.pdf", allowed_kinds=["exe"])


def test_an_xlsx_is_not_accepted_by_default():
    assert "This file is an XLSX, but only PDF, DOCX" in refusal(samples.xlsx_bytes(), "a.xlsx")


def test_truncated_pdf_is_refused_as_incomplete():
    assert "This PDF is incomplete" in refusal(samples.pdf_bytes()[:-300], "paper.pdf")


def test_old_or_password_protected_office_file_is_explained():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    assert "old-style Office file" in refusal(ole, "paper.docx")


def forbid_unpacking(monkeypatch):
    """From now on, opening any member of an archive fails the test: a bomb must be
    refused from the sizes its directory declares, before a byte of it is inflated."""

    def opened(self, *args, **kwargs):
        raise AssertionError("an archive member was unpacked")

    monkeypatch.setattr(zipfile.ZipFile, "open", opened)


def test_zip_bomb_disguised_as_docx_is_refused_at_once(monkeypatch):
    bomb = samples.zip_bomb_docx()
    assert len(bomb) < 5 * 1024 * 1024  # a gigabyte inside a few megabytes
    forbid_unpacking(monkeypatch)
    assert "compressed-archive bomb" in refusal(bomb, "paper.docx")


def test_a_member_compressed_far_beyond_documents_is_refused_below_the_total_limit():
    small_bomb = samples.rebuilt_docx(replace={"word/document.xml": bytes(64 << 20)})
    assert "compressed-archive bomb" in refusal(small_bomb, "paper.docx")


def test_a_zip_bomb_of_many_small_parts_is_refused_at_once(monkeypatch):
    # 480 parts of 1 MiB, each too small for the per-member ratio check, ~480 MB in all.
    bomb = samples.many_parts_bomb_docx()
    assert len(bomb) < 600 * 1024
    forbid_unpacking(monkeypatch)
    assert "compressed-archive bomb" in refusal(bomb, "paper.docx")


def test_a_long_document_with_photos_passes_the_bomb_checks():
    assert check(samples.illustrated_docx(), "paper.docx").kind == "docx"


def test_the_whole_archive_may_expand_by_the_ratio_or_up_to_the_floor():
    docx = samples.docx_bytes()  # ~36 KB expanding to ~800 KB: styles compress well
    expanded = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(docx)).infolist())
    ratio = math.ceil(expanded / len(docx))

    for limits in (
        ZipLimits(max_ratio=ratio, total_floor=0),
        ZipLimits(max_ratio=1, total_floor=expanded),
    ):
        assert check(docx, "paper.docx", limits=limits).kind == "docx"
    for limits in (
        ZipLimits(max_ratio=ratio - 1, total_floor=0),
        ZipLimits(max_ratio=1, total_floor=expanded - 1),
    ):
        assert "compressed-archive bomb" in refusal(docx, "paper.docx", limits=limits)


def test_encrypted_package_is_refused():
    assert "password-protected" in refusal(samples.encrypted_docx(), "paper.docx")


@pytest.mark.parametrize("name", ["../../evil.sh", "/etc/cron.d/evil", "word\\..\\..\\evil"])
def test_package_with_climbing_paths_is_refused(name):
    data = samples.rebuilt_docx(extra={name: b"echo owned"})
    assert "unsafe paths" in refusal(data, "paper.docx")


def test_package_with_a_part_twice_is_refused():
    data = samples.rebuilt_docx(extra={"word/document.xml": b"<w:document/>"})
    assert "the same part twice" in refusal(data, "paper.docx")


def test_package_with_too_many_parts_is_refused():
    assert "too many parts" in refusal(
        samples.docx_bytes(), "paper.docx", limits=ZipLimits(max_entries=5)
    )


def test_damaged_package_is_refused():
    assert "damaged" in refusal(samples.damaged_docx(), "paper.docx")


def test_xml_entities_in_the_package_description_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&b;</Types>'
    )
    data = samples.rebuilt_docx(replace={"[Content_Types].xml": laughs})
    assert "package description is not valid" in refusal(data, "paper.docx")


def test_docx_without_its_main_part_is_not_a_docx():
    source = zipfile.ZipFile(io.BytesIO(samples.docx_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                package.writestr(info, source.read(info))
    assert refusal(buffer.getvalue(), "paper.docx").startswith("This is not a PDF, DOCX")


def test_odt_declaring_another_type_in_its_mimetype_is_not_an_odt():
    data = samples.odf_bytes("text", mimetype="application/x-shockwave-flash")
    assert refusal(data, "paper.odt").startswith("This is not a PDF")


def test_odp_named_odt_is_refused():
    assert refusal(samples.odp_bytes(), "slides.odt").startswith(
        "This file is an ODP but its name ends in .odt."
    )


# The PDF's structure, parsed (issue 11, #17) -----------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        samples.svg_with_pdf_marker,
        samples.executable_with_pdf_marker,
        samples.html_after_pdf_marker,
    ],
    ids=["svg", "executable", "html-after-the-marker"],
)
def test_a_file_with_a_pdf_marker_but_no_pdf_structure_is_refused(build):
    message = refusal(build(), "paper.pdf")
    assert message.startswith("This file is not a PDF that can be opened")


def test_a_handwritten_pdf_with_a_correct_structure_passes():
    assert check(samples.handwritten_pdf(pages=3), "paper.pdf").kind == "pdf"


def test_a_pdf_whose_cross_references_are_off_is_repaired_as_readers_do_and_passes():
    shifted = samples.pdf_bytes().replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + b" " * 500 + b"\n", 1)
    assert check(shifted, "paper.pdf").kind == "pdf"


def test_a_pdf_without_pages_is_refused():
    no_pages = samples.handwritten_pdf(pages=0)
    assert refusal(no_pages, "paper.pdf") == "This PDF has no pages."


def test_a_password_protected_pdf_is_refused_with_the_reason():
    assert "password-protected" in refusal(samples.encrypted_pdf(), "paper.pdf")


def test_a_pdf_that_takes_too_long_to_read_is_refused(monkeypatch):
    from conference.papers import pdf_probe

    monkeypatch.setattr(pdf_probe, "SECONDS", 1)
    message = refusal(samples.long_array_pdf(), "paper.pdf")  # the child is stopped at 1 s
    assert message.startswith("This PDF could not be checked within 1 second")
