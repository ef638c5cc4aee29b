"""The papers ZIP: streamed with flat memory, readable by unzip tools, with safe readable names."""

import io
import subprocess
import tracemalloc
import unicodedata
import zipfile
import zlib

import pytest

from conference.papers.archive import BLOCK_SIZE, paper_arcname, zip_stream

SON_LA_TITLE = "Building a learning city where no one is left behind"


class Generated(io.RawIOBase):
    """A file of `size` bytes made up as it is read, so the test itself holds no big data."""

    def __init__(self, size: int, seed: int = 0):
        super().__init__()
        self.left = size
        self.block = bytes((seed + i * 7) % 251 for i in range(BLOCK_SIZE))

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return self.block[:n] if n <= len(self.block) else self.block * (n // len(self.block))


def unzip(chunks) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(chunks)))


def test_archive_holds_each_file_with_its_contents_and_a_valid_crc():
    files = {
        "012 - Son La - Building a learning city.pdf": b"%PDF-1.7 Son La " * 5000,
        "013 - Bangkok - Learning parks.docx": b"PK\x03\x04 docx body",
        "014 - Empty.odt": b"",
    }
    archive = unzip(
        zip_stream((name, lambda d=data: io.BytesIO(d)) for name, data in files.items())
    )
    assert archive.namelist() == list(files)
    assert archive.testzip() is None  # every CRC checks out
    for name, data in files.items():
        assert archive.read(name) == data


def test_unzip_tool_extracts_the_archive_written_to_a_file(tmp_path):
    """As the CLI writes it: chunks to a file, then opened by Info-ZIP's unzip."""
    target = tmp_path / "papers.zip"
    with target.open("wb") as out:
        for chunk in zip_stream(
            [
                (paper_arcname(12, SON_LA_TITLE, "Son La", "pdf"), lambda: io.BytesIO(b"one")),
                (paper_arcname(7, "Thành phố học tập", "Hà Nội", "pdf"), lambda: io.BytesIO(b"2")),
            ]
        ):
            out.write(chunk)
    result = subprocess.run(["unzip", "-t", str(target)], capture_output=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert b"No errors detected" in result.stdout
    subprocess.run(["unzip", "-q", str(target), "-d", str(tmp_path / "out")], check=True)
    assert (tmp_path / "out" / f"012 - Son La - {SON_LA_TITLE}.pdf").read_bytes() == b"one"
    assert (tmp_path / "out" / "007 - Hà Nội - Thành phố học tập.pdf").read_bytes() == b"2"


def test_files_are_opened_one_at_a_time_and_only_when_their_turn_comes():
    events = []

    class Tracked(io.BytesIO):
        def __init__(self, name):
            super().__init__(name.encode() * 1000)
            self.name = name
            events.append(f"open {name}")

        def close(self):
            if not self.closed:
                events.append(f"close {self.name}")
            super().close()

    stream = zip_stream((name, lambda n=name: Tracked(n)) for name in ("a.pdf", "b.pdf", "c.pdf"))
    first = next(stream)
    assert first.startswith(b"PK\x03\x04")
    assert events == ["open a.pdf"]  # the download has started before b and c are touched
    rest = b"".join(stream)
    assert events == [
        "open a.pdf",
        "close a.pdf",
        "open b.pdf",
        "close b.pdf",
        "open c.pdf",
        "close c.pdf",
    ]
    assert unzip([first, rest]).read("c.pdf") == b"c.pdf" * 1000


def test_200_mb_of_papers_stream_with_flat_memory():
    sizes = [20_000_000] * 9 + [20_000_000 + 12_345]  # ten 20 MB papers, the largest allowed
    crc, total = 0, 0
    tracemalloc.start()
    try:
        for chunk in zip_stream(
            (f"{i:03d}.pdf", lambda s=s: Generated(s)) for i, s in enumerate(sizes)
        ):
            crc = zlib.crc32(chunk, crc)
            total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > sum(sizes)
    # A few blocks in flight, whatever the size of the archive.
    assert peak < 1_000_000, f"peak {peak / 1e6:.1f} MB"


def test_large_archive_written_in_chunks_is_complete(tmp_path):
    """An archive past the 4 GB offset limit is not tested here; ZIP64 sizes are (below)."""
    target = tmp_path / "big.zip"
    with target.open("wb") as out:
        for chunk in zip_stream(
            [("a.pdf", lambda: Generated(3_000_000)), ("b.pdf", lambda: Generated(5))]
        ):
            out.write(chunk)
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert [i.file_size for i in archive.infolist()] == [3_000_000, 5]


def test_stream_of_unknown_length_is_written_with_zip64_sizes():
    """A source that cannot tell its size could pass 4 GB: ZIP64 from the start keeps it valid."""

    class Pipe(io.RawIOBase):
        def __init__(self):
            super().__init__()
            self.parts = [b"abc" * 1000, b"def"]

        def readable(self):
            return True

        def read(self, n=-1):
            return self.parts.pop(0) if self.parts else b""

    archive = unzip(zip_stream([("pipe.pdf", Pipe)]))
    assert archive.testzip() is None
    assert archive.read("pipe.pdf") == b"abc" * 1000 + b"def"


def test_names_in_any_script_are_stored_as_utf8_with_the_flag_set():
    name = paper_arcname(3, "เมืองแห่งการเรียนรู้ 学习型城市", "Khon Kaen", "pdf")
    info = unzip(zip_stream([(name, lambda: io.BytesIO(b"x"))])).infolist()[0]
    assert info.filename == "003 - Khon Kaen - เมืองแห่งการเรียนรู้ 学习型城市.pdf"
    assert info.flag_bits & 0x800  # "language encoding": names are UTF-8, not CP437


def test_repeated_names_are_made_unique_without_losing_the_extension():
    entries = [(n, lambda: io.BytesIO(b"x")) for n in ("a.pdf", "A.pdf", "a.pdf", "a.docx")]
    assert unzip(zip_stream(entries)).namelist() == ["a.pdf", "A (2).pdf", "a (3).pdf", "a.docx"]


@pytest.mark.parametrize(
    "given, stored",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\evil.pdf", "evil.pdf"),
        ("/abs/paper.pdf", "paper.pdf"),
        ("..", "file"),
        ("bell\x07and\nnewline.pdf", "bell and newline.pdf"),
    ],
)
def test_archive_never_writes_outside_its_folder(given, stored):
    assert unzip(zip_stream([(given, lambda: io.BytesIO(b"x"))])).namelist() == [stored]


def test_paper_name_reads_number_author_and_title():
    assert (
        paper_arcname(12, SON_LA_TITLE, "Son La", "pdf")
        == "012 - Son La - Building a learning city where no one is left behind.pdf"
    )
    assert paper_arcname(1, "Parks", ["Nguyễn Văn An", "Kim Min-jun"], ".PDF") == (
        "001 - Nguyễn Văn An & Kim Min-jun - Parks.pdf"
    )
    assert paper_arcname(140, "Parks", ["A", "B", "C"], "docx") == "140 - A et al. - Parks.docx"


def test_paper_name_drops_separators_control_and_direction_characters():
    name = paper_arcname(5, 'Cities: who/what?\\ "learning"\x00\r\n<now>', "Yala\u202e", "fdp.exe")
    assert name == "005 - Yala - Cities - who-what- 'learning' now.fdpexe"
    assert not any(c in name for c in '/\\:*?"<>|\x00\r\n\u202e')


def test_paper_name_is_nfc_so_decomposed_vietnamese_matches():
    decomposed = "Ha\u0300 No\u0323\u0302i"  # "Hà Nội" typed with combining marks
    assert paper_arcname(1, "T", decomposed, "pdf") == "001 - Hà Nội - T.pdf"


def test_long_title_is_cut_at_a_word_and_fits_a_file_system_name():
    title = "Learning cities " * 40
    name = paper_arcname(9, title, "Ho Chi Minh City", "pptx")
    assert len(name.encode()) <= 200
    assert name.startswith("009 - Ho Chi Minh City - Learning cities Learning")
    kept = name.removeprefix("009 - Ho Chi Minh City - ").removesuffix("….pptx")
    assert set(kept.split(" ")) == {"Learning", "cities"}  # whole words only


def test_long_thai_title_is_cut_between_characters_never_inside_a_cluster():
    title = "การพัฒนาเมืองแห่งการเรียนรู้ตลอดชีวิต" * 10  # no spaces, many stacked marks
    name = paper_arcname(2, title, "ขอนแก่น", "pdf")
    assert len(name.encode()) <= 200
    kept = name.removeprefix("002 - ขอนแก่น - ").removesuffix("….pdf")
    assert title.startswith(kept)
    # The cut never leaves a vowel or tone mark without the consonant it sits on.
    assert unicodedata.category(title[len(kept)])[0] != "M"
