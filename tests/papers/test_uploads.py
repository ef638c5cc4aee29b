"""Receiving uploads: accepted whole, or refused with a clear message and nothing left behind."""

import hashlib
import io
import re

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import ClientDisconnected
from werkzeug.test import create_environ
from werkzeug.utils import send_file
from werkzeug.wsgi import LimitedStream

from conference.papers.filetypes import FileTypeError
from conference.papers.storage import LocalStorage
from conference.papers.uploads import (
    CHUNK,
    UploadTooLarge,
    download_name,
    format_size,
    receive,
    safe_filename,
)

from . import samples
from .test_storage import files_under

LIMIT = 20 * 1024 * 1024


@pytest.fixture
def folders(tmp_path):
    """The temporary and storage folders, to prove that nothing is left in either."""
    (tmp_path / "tmp").mkdir()
    return tmp_path / "tmp", tmp_path / "papers"


def upload(folders, stream, filename, **kwargs):
    tmp, root = folders
    kwargs.setdefault("max_bytes", LIMIT)
    return receive(stream, filename, storage=LocalStorage(root), tmp_dir=str(tmp), **kwargs)


def assert_nothing_left(folders):
    tmp, root = folders
    assert files_under(tmp) == []
    assert files_under(root) == []


@pytest.mark.parametrize(
    ("build", "filename"),
    [
        (samples.pdf_bytes, "paper.pdf"),
        (samples.docx_bytes, "paper.docx"),
        (samples.pptx_bytes, "slides.pptx"),
        (samples.odt_bytes, "paper.odt"),
        (samples.odp_bytes, "slides.odp"),
    ],
)
def test_real_document_is_stored_with_its_size_and_checksum(folders, build, filename):
    data = build()
    received = upload(folders, io.BytesIO(data), filename)
    assert received.size == len(data)
    assert received.sha256 == hashlib.sha256(data).hexdigest()
    assert (received.filename, received.kind) == (filename, filename.rsplit(".")[1])
    with LocalStorage(folders[1]).open(received.key) as stored:
        assert stored.read() == data
    assert files_under(folders[0]) == []  # the temporary copy is gone


def test_a_werkzeug_upload_is_received_under_its_cleaned_name(folders):
    file = FileStorage(io.BytesIO(samples.pdf_bytes()), filename="../../etc/Son La paper.pdf")
    received = upload(folders, file, file.filename)
    assert received.filename == "Son La paper.pdf"
    assert received.mime_type == "application/pdf"
    assert received.key not in received.filename and "Son" not in received.key


@pytest.mark.parametrize(
    ("build", "filename", "message"),
    [
        (samples.html_bytes, "paper.pdf", "This file is a web page (HTML), not a document."),
        (samples.pdf_bytes, "paper.docx", "This file is a PDF but its name ends in .docx."),
        (bytes, "paper.pdf", "The file is empty."),
        (samples.zip_bomb_docx, "paper.docx", "compressed-archive bomb"),
    ],
    ids=["html-named-pdf", "pdf-named-docx", "empty", "zip-bomb"],
)
def test_refused_file_leaves_nothing_behind(folders, build, filename, message):
    with pytest.raises(FileTypeError, match=re.escape(message)):
        upload(folders, io.BytesIO(build()), filename)
    assert_nothing_left(folders)


def test_file_over_the_limit_is_refused_while_it_is_received(folders):
    stream = samples.SizedStream(total=LIMIT + 50 * 1024 * 1024)  # 70 MB, never in memory
    with pytest.raises(UploadTooLarge) as caught:
        upload(folders, stream, "paper.pdf")
    assert caught.value.limit == LIMIT
    assert caught.value.status_code == 413
    assert caught.value.message.startswith("The file is larger than 20 MB, the most accepted")
    assert stream.position <= LIMIT + CHUNK  # stopped reading just past the limit
    assert_nothing_left(folders)


def test_file_exactly_at_the_limit_is_accepted(folders):
    data = samples.pdf_bytes()
    assert upload(folders, io.BytesIO(data), "paper.pdf", max_bytes=len(data)).size == len(data)


def test_interrupted_upload_leaves_nothing_behind(folders):
    data = samples.docx_bytes()
    stream = samples.BrokenStream(data, fail_after=len(data) // 2)
    with pytest.raises(ConnectionResetError):
        upload(folders, stream, "paper.docx")
    assert_nothing_left(folders)


def test_client_that_disconnects_before_sending_everything_leaves_nothing(folders):
    data = samples.pdf_bytes()
    # The client announced the whole file but the connection closed halfway.
    stream = LimitedStream(io.BytesIO(data[: len(data) // 2]), len(data))
    with pytest.raises(ClientDisconnected):
        upload(folders, stream, "paper.pdf")
    assert_nothing_left(folders)


def test_storage_failure_leaves_nothing_behind(folders):
    class FullDisk(LocalStorage):
        def save(self, source):
            source.read(10)
            raise OSError(28, "No space left on device")

    tmp, root = folders
    with pytest.raises(OSError, match="No space left"):
        receive(
            io.BytesIO(samples.pdf_bytes()),
            "paper.pdf",
            storage=FullDisk(root),
            max_bytes=LIMIT,
            tmp_dir=str(tmp),
        )
    assert_nothing_left(folders)


def test_a_full_temporary_folder_is_reported_as_a_full_disk(folders, monkeypatch):
    import errno
    import tempfile

    from conference.errors import StorageFull

    class FullSpool(io.BytesIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **kwargs: FullSpool())
    with pytest.raises(StorageFull):
        upload(folders, io.BytesIO(samples.pdf_bytes()), "paper.pdf")
    assert_nothing_left(folders)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\Somchai\\Desktop\\paper.pdf", "paper.pdf"),
        ("/var/www/static/paper.pdf", "paper.pdf"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        (".htaccess", "file.htaccess"),
        (".pdf", "file.pdf"),
        ("paper.pdf. . ", "paper.pdf"),
        ("pa\x00per\x1b[31m.pdf", "paper[31m.pdf"),
        ("line\nbreak\tand   spaces.pdf", "line break and spaces.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # the right-to-left override is gone
        ('what? "final" <v2>|*.docx', "what_ _final_ _v2___.docx"),
        ("Báo cáo Sơn La.pdf", "Báo cáo Sơn La.pdf"),
        ("เมืองแห่งการเรียนรู้ เชียงใหม่.pptx", "เมืองแห่งการเรียนรู้ เชียงใหม่.pptx"),
        ("学习型城市.docx", "学习型城市.docx"),
        ("paper.tar.gz", "paper.tar.gz"),
        ("notes.not an extension", "notes.not an extension"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_normalises_vietnamese_to_composed_form():
    decomposed = "So\u031b\u0309n La.pdf"  # "Sởn" typed with combining marks
    assert safe_filename(decomposed) == "S\u1edfn La.pdf"


def test_a_300_character_name_is_cut_to_150_keeping_the_extension():
    name = safe_filename("ก" * 300 + ".pdf")
    assert len(name) == 150
    assert name == "ก" * 146 + ".pdf"


def test_download_name_is_readable_and_keeps_titles_whole():
    assert download_name("Son La", "Learning cities 2020/2024: what works?", extension="pdf") == (
        "Son La - Learning cities 2020-2024_ what works_.pdf"
    )
    assert download_name(None, "  ", extension="docx") == "file.docx"


def test_non_latin_download_name_reaches_the_browser_intact():
    name = download_name("เชียงใหม่", "Báo cáo", extension="pdf")
    response = send_file(
        io.BytesIO(b"%PDF-"),
        environ=create_environ(),
        download_name=name,
        as_attachment=True,
        mimetype="application/pdf",
    )
    disposition = response.headers["Content-Disposition"]
    response.close()
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''%E0%B9%80%E0%B8%8A" in disposition  # เช..., RFC 5987
    assert disposition.encode("latin-1")  # the header itself stays ASCII


@pytest.mark.parametrize(
    ("size", "text"),
    [(1, "1 byte"), (900, "900 bytes"), (1536, "1.5 KB"), (20 << 20, "20 MB"), (5 << 30, "5 GB")],
)
def test_format_size(size, text):
    assert format_size(size) == text
