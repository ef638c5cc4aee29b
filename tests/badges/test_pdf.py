"""Badge PDFs: every layout prints, every QR code scans to its own badge, nothing overflows."""

import hashlib
import io
import math
import re
import subprocess
import tracemalloc
from base64 import urlsafe_b64encode
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from reportlab.lib.colors import white
from reportlab.lib.units import mm

from conference.badges.pdf import (
    INK,
    LAYOUTS,
    Badge,
    Box,
    UnknownLayout,
    back_face,
    cut_mark_lines,
    front_face,
    render_badges,
    render_badges_bytes,
)
from conference.badges.qr import QUIET_ZONE, encode_qr

DPI = 150

PEOPLE = [
    # native name, Latin name, country, country name, organisation, category, colour
    ("Hà Trung Chiến", "Mr Trung Chiến Hà", "VN", "Viet Nam", "Son La City", "Delegate", "#1f4e79"),
    ("ศักดิ์ชัย ทองดี", "Mr Sakchai Thongdee", "TH", "Thailand", "BMA", "Speaker", "#c0392b"),
    ("អ៊ុក វណ្ណា", "Mr Vanna Ouk", "KH", "Cambodia", "Siem Reap", "Delegate", "#1f4e79"),
    ("ບຸນທະວີ ໄຊຍະວົງ", "Mr Bounthavy Sayavong", "LA", "Lao PDR", "Luang Prabang", "VIP", "#f1c40f"),
    ("ထွန်းထွန်းနိုင်", "Mr Tun Tun Naing", "MM", "Myanmar", "Mandalay", "Press", "#27ae60"),
    ("王晓明", "Mr Xiaoming Wang", "CN", "China", "Beijing", "Delegate", "#1f4e79"),
    ("木村 正人", "Mr Masato Kimura", "JP", "Japan", "Ohtsu City", "Staff", "#e0e0e0"),
    ("김수현", "Ms Soohyun Kim", "KR", "Republic of Korea", "UNESCO Bangkok", "VIP", "#f1c40f"),
    ("", "Ms Aina Zulaikha Roslan", "MY", "Malaysia", "Bernama", "Press", "#27ae60"),
]


def token(n: int) -> str:
    """A distinct token of the real length: 94 base64url characters."""
    return urlsafe_b64encode(hashlib.sha512(f"badge {n}".encode()).digest() * 2).decode()[:94]


def make_badge(n: int = 0, **overrides) -> Badge:
    native, latin, country, country_name, org, category, colour = PEOPLE[n % len(PEOPLE)]
    values = dict(
        event_title="ASEAN+3 Regional Learning Cities Conference 2024",
        event_dates="29–30 October 2024",
        native_name=native,
        latin_name=latin,
        organisation=org,
        country_name=country_name,
        country=country,
        category=category,
        colour=colour,
        token=token(n),
        delegation="",
    )
    values.update(overrides)
    return Badge(**values)


def badges(count: int) -> list[Badge]:
    return [make_badge(n) for n in range(count)]


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    return subprocess.run(
        [tool, *args, "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def page_count(pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.M).group(1))


def rasterise(pdf: bytes, tmp_path: Path, dpi: int = DPI) -> list[Image.Image]:
    """Every page as a greyscale image, rendered by poppler."""
    source = tmp_path / "badges.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(tmp_path / "page")],
        check=True,
    )
    return [Image.open(p).convert("L") for p in sorted(tmp_path.glob("page-*.png"))]


def decoded(image: Image.Image) -> list[tuple[str, float, float]]:
    """(text, centre x, centre y) of every QR code found, the centre in points from bottom left."""
    found = []
    for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        p = code.position
        corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        x = sum(c.x for c in corners) / 4 * 72 / DPI
        y = image.height * 72 / DPI - sum(c.y for c in corners) / 4 * 72 / DPI
        found.append((code.text, x, y))
    return found


def expected_pages(count: int, layout: str, back_side: bool) -> int:
    return math.ceil(count / LAYOUTS[layout].per_page) * (2 if back_side else 1)


# --- pages and QR codes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "count", "pages"),
    [
        ("a6", 3, 3),
        ("a7", 2, 2),
        ("4x3", 2, 2),
        ("card", 3, 3),
        ("a4-4", 9, 3),
        ("a4-6", 7, 2),
        ("a4-8", 9, 2),
    ],
)
def test_every_layout_prints_one_page_per_sheet_of_badges(layout, count, pages):
    pdf = render_badges_bytes(badges(count), layout=layout)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == pages == expected_pages(count, layout, False)
    with_backs = render_badges_bytes(badges(count), layout=layout, back_side=True)
    assert page_count(with_backs) == 2 * pages


def test_page_size_is_the_layouts_paper():
    info = poppler("pdfinfo", render_badges_bytes(badges(1), layout="a4-8"))
    assert "595.276 x 841.89 pts (A4)" in info
    info = poppler("pdfinfo", render_badges_bytes(badges(1), layout="card"))
    assert re.search(r"Page size:\s+242\.6\d* x 153\.0\d* pts", info)


@pytest.mark.parametrize(
    ("layout", "count"),
    [("a6", 2), ("a7", 2), ("4x3", 2), ("card", 2), ("a4-4", 5), ("a4-6", 7), ("a4-8", 9)],
)
def test_every_qr_code_front_and_back_scans_to_its_own_badge(layout, count, tmp_path):
    """Rendered at 150 dpi and read back with zxing-cpp; backs are mirrored behind their fronts."""
    batch = badges(count)
    spec = LAYOUTS[layout]
    pdf = render_badges_bytes(batch, layout=layout, back_side=True)
    images = rasterise(pdf, tmp_path)
    assert len(images) == expected_pages(count, layout, True)
    for page, image in enumerate(images):
        sheet, back = divmod(page, 2)
        on_sheet = batch[sheet * spec.per_page : (sheet + 1) * spec.per_page]
        codes = decoded(image)
        assert sorted(text for text, _, _ in codes) == sorted(b.token for b in on_sheet), (
            f"page {page + 1}"
        )
        # Each code lies within its own badge's slot (mirrored on the back of a sheet).
        for badge, (x0, y0) in zip(on_sheet, spec.positions(back=bool(back)), strict=False):
            ((_, x, y),) = [c for c in codes if c[0] == badge.token]
            assert x0 < x < x0 + spec.badge_width and y0 < y < y0 + spec.badge_height


def test_back_of_a_sheet_mirrors_the_columns():
    spec = LAYOUTS["a4-8"]
    fronts, backs = spec.positions(), spec.positions(back=True)
    for (fx, fy), (bx, by) in zip(fronts, backs, strict=True):
        assert by == fy
        assert bx == pytest.approx(spec.page_width - fx - spec.badge_width)
    assert backs[0] == pytest.approx(fronts[1]) and backs[1] == pytest.approx(fronts[0])


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_qr_code_size_and_quiet_zone(layout):
    """30-40 mm wide on the larger layouts, at least 20 mm on the small ones, 4 modules clear."""
    for make in (front_face, back_face):
        face = make(make_badge(1), layout)
        width = face.qr_symbol.width / mm
        if layout in ("a7", "card"):
            assert 20 <= width <= 40, (make.__name__, width)
        else:
            assert 30 <= width <= 40, (make.__name__, width)
        module = face.qr_symbol.width / face.qr.size
        zone = face.qr_zone
        assert zone.x == pytest.approx(face.qr_symbol.x - QUIET_ZONE * module)
        assert zone.width == pytest.approx(face.qr_symbol.width + 2 * QUIET_ZONE * module)
        # The whole zone is on the badge, at least 1.5 mm from its edge.
        assert Box(1.5 * mm, 1.5 * mm, face.width - 3 * mm, face.height - 3 * mm).contains(zone)


def test_qr_code_uses_error_correction_m_and_the_smallest_version():
    code = encode_qr(token(0))
    assert code.size == 41  # version 6: 94 bytes fit at M
    result = zxingcpp.read_barcode(_qr_image(token(0)))
    assert result.text == token(0)
    assert result.extra["ECLevel"] == "M"
    assert result.extra["Version"] == "6"


def _qr_image(data: str) -> Image.Image:
    from reportlab.pdfgen.canvas import Canvas

    from conference.badges.qr import draw_qr

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(200, 200))
    draw_qr(canvas, encode_qr(data), 40, 40, 120)
    canvas.save()
    png = subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-png", "-singlefile", "-"],
        input=buffer.getvalue(),
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(png))


def test_qr_code_is_a_vector_path_not_an_image():
    pdf = render_badges_bytes(badges(1))
    assert poppler("pdfimages", pdf, "-list").count("\n") <= 2  # the header lines only


# --- errors -----------------------------------------------------------------------------------


def test_unknown_layout_names_the_valid_ones():
    with pytest.raises(UnknownLayout) as excinfo:
        render_badges_bytes(badges(1), layout="a5")
    message = str(excinfo.value)
    assert "'a5'" in message
    for name in LAYOUTS:
        assert name in message
    assert isinstance(excinfo.value, ValueError)


def test_no_badges_is_an_error_not_an_empty_pdf():
    out = io.BytesIO()
    with pytest.raises(ValueError, match="no badges"):
        render_badges(iter(()), out)
    assert out.getvalue() == b""


def test_bad_category_colour_is_a_clear_error():
    with pytest.raises(ValueError, match="colour"):
        render_badges_bytes([make_badge(colour="navy")])


# --- boxes: nothing overflows, nothing touches the QR code -------------------------------------

LONG = "Prof. Dr. " + "Maximiliano-Alessandro " * 13  # about 300 characters
NASTY = [
    dict(latin_name=LONG[:300], native_name=""),
    dict(native_name="ศักดิ์ชัย" * 34, latin_name=LONG[:300]),
    dict(native_name="ထွန်းထွန်းနိုင်" * 20, organisation="Mandalay City " * 20),
    dict(native_name="محمد بن سلمان", latin_name="Mr Mohammed bin Salman", country="SA"),
    dict(native_name="שלום עליכם", latin_name="Mr Shalom Aleichem", country="IL"),
    dict(latin_name="Mr\x00 Null\x07 Bell\x1b Esc\tTab\nNewline\r", organisation="Org\x00\x7f"),
    dict(category="Distinguished Honorary Keynote Speaker and Panel Moderator", colour="#ffffff"),
    dict(event_title="ASEAN+3 Regional Learning Cities Conference on Lifelong Learning " * 4),
    dict(delegation="Delegation of the Special Administrative Region " * 5, organisation=""),
    dict(native_name="", latin_name="", organisation="", country_name="", category=""),
]


def assert_fits(face) -> None:
    """Every line's ink in its box, every box on the badge and clear of the QR code's zone."""
    badge = Box(0, 0, face.width, face.height)
    assert face.safe.contains(face.band)
    assert not face.band.overlaps(face.qr_zone)
    assert face.safe.contains(face.qr_symbol)
    if face.rule is not None:
        assert face.safe.contains(face.rule) and not face.rule.overlaps(face.qr_zone)
    inks = []
    for line in face.lines:
        ink = line.ink()
        assert line.box.contains(ink), (line.role, line.text, ink, line.box)
        assert face.safe.contains(line.box), (line.role, line.box)
        assert badge.contains(ink)
        assert not ink.overlaps(face.qr_zone), (line.role, line.text)
        if line.role == "category":
            assert face.band.contains(ink)
        elif line.role != "event" or face.band.top <= ink.y:
            assert not ink.overlaps(face.band), (line.role, line.text)
        for other in inks:
            assert not ink.overlaps(other), (line.role, line.text)
        inks.append(ink)


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("n", range(len(PEOPLE)))
def test_every_script_fits_on_every_layout(layout, n):
    for make in (front_face, back_face):
        assert_fits(make(make_badge(n), layout))


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("overrides", NASTY, ids=lambda o: next(iter(o)))
def test_odd_input_never_overflows_its_box(layout, overrides):
    badge = make_badge(1, **overrides)
    for make in (front_face, back_face):
        assert_fits(make(badge, layout))


def test_long_name_shrinks_to_the_minimum_then_is_cut_with_an_ellipsis():
    face = front_face(make_badge(8, latin_name=LONG[:300]), "a6")
    (name,) = [ln for ln in face.lines if ln.role == "latin_name"]
    assert name.text.endswith("…")
    assert name.text.startswith("Prof. Dr. Maximiliano")
    assert name.size == pytest.approx(13)  # the A6 minimum for a name
    assert name.width <= face.safe.width
    short = front_face(make_badge(8, latin_name="Ms Aina Roslan"), "a6")
    (name,) = [ln for ln in short.lines if ln.role == "latin_name"]
    assert name.size == 30 and name.text == "Ms Aina Roslan"


def test_a_name_a_little_too_long_shrinks_rather_than_being_cut():
    face = front_face(make_badge(8, latin_name="Ms Aina Zulaikha Roslan binti Abdullah"), "a6")
    (name,) = [ln for ln in face.lines if ln.role == "latin_name"]
    assert name.text == "Ms Aina Zulaikha Roslan binti Abdullah"
    assert 13 < name.size < 30


def test_thai_ellipsis_never_splits_a_cluster():
    face = front_face(make_badge(1, native_name="ศักดิ์ชัย" * 34), "a6")
    (name,) = [ln for ln in face.lines if ln.role == "native_name"]
    assert name.text.endswith("…")
    assert ("ศักดิ์ชัย" * 34).startswith(name.text[:-1])
    assert name.text[:-1].endswith(("ย", "ชัย", "์", "ั"))  # a whole base + marks before the cut


def test_right_to_left_text_is_logged_and_printed_as_the_visible_fallback(caplog):
    # A name no other test uses: each distinct text is laid out, and logged, once a process.
    badge = make_badge(1, native_name="محمد بن سلمان آل", country="SA")
    with caplog.at_level("WARNING", logger="conference.pdf.text"):
        pdf = render_badges_bytes([badge])
        face = front_face(badge)
    assert pdf.startswith(b"%PDF-")
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "U+0645 ARABIC LETTER MEEM" in messages
    (name,) = [ln for ln in face.lines if ln.role == "native_name"]
    assert name.text == "???? ?? ????? ??"


def test_control_characters_are_dropped_and_whitespace_collapsed():
    face = front_face(make_badge(8, latin_name="Mr\x00 Null\x07 Bell\tTab\nNew"), "a6")
    (name,) = [ln for ln in face.lines if ln.role == "latin_name"]
    assert name.text == "Mr Null Bell Tab New"


def test_native_name_large_with_the_latin_form_below_even_in_the_same_script():
    face = front_face(make_badge(0), "a6")
    native, latin = [ln for ln in face.lines if ln.role in ("native_name", "latin_name")]
    assert (native.role, native.text) == ("native_name", "Hà Trung Chiến")
    assert (latin.role, latin.text) == ("latin_name", "Mr Trung Chiến Hà")
    assert native.size > latin.size and native.baseline > latin.baseline
    alone = front_face(make_badge(8), "a6")
    assert [ln.role for ln in alone.lines].count("latin_name") == 1
    assert "native_name" not in [ln.role for ln in alone.lines]


def test_thai_name_has_headroom_for_stacked_marks_below_the_band():
    face = front_face(make_badge(1), "a6")
    (name,) = [ln for ln in face.lines if ln.role == "native_name"]
    assert name.ascent >= 1.3 * name.size
    assert name.baseline + 1.3 * name.size < face.band.y


def test_delegation_equal_to_the_organisation_is_printed_once():
    face = front_face(make_badge(0, organisation="Son La City", delegation="Son La City"), "a6")
    assert [ln.text for ln in face.lines].count("Son La City") == 1
    face = front_face(make_badge(0, delegation="Son La City Delegation"), "a6")
    assert "Son La City Delegation" in [ln.text for ln in face.lines]


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        ("#1f4e79", white),
        ("#000000", white),
        ("#f1c40f", INK),
        ("#ffffff", INK),
        ("#c0392b", white),
    ],
)
def test_category_text_is_white_or_black_whichever_contrasts_more(colour, text):
    face = front_face(make_badge(0, colour=colour), "a6")
    (category,) = [ln for ln in face.lines if ln.role == "category"]
    assert category.colour == text
    assert category.text == "DELEGATE"


def test_pale_category_colour_gets_an_outline():
    assert front_face(make_badge(0, colour="#ffffff")).band_border is not None
    assert front_face(make_badge(0, colour="#1f4e79")).band_border is None


# --- cut marks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["a4-6", "a4-8"])
def test_cut_marks_on_label_sheets_stay_outside_every_badge(layout):
    spec = LAYOUTS[layout]
    marks = cut_mark_lines(spec)
    assert marks
    rects = [Box(x, y, spec.badge_width, spec.badge_height) for x, y in spec.positions()]
    for x1, y1, x2, y2 in marks:
        line = Box(min(x1, x2), min(y1, y2), abs(x2 - x1) or 0.02, abs(y2 - y1) or 0.02)
        assert Box(0, 0, spec.page_width, spec.page_height).contains(line)
        assert not any(r.overlaps(line) for r in rects), (x1, y1, x2, y2)
        # Each mark lies on the extension of a badge's trim line.
        edges_x = {r.x for r in rects} | {r.right for r in rects}
        edges_y = {r.y for r in rects} | {r.top for r in rects}
        assert any(abs(x1 - e) < 0.01 for e in edges_x) or any(abs(y1 - e) < 0.01 for e in edges_y)


def test_four_a6_tile_a4_so_there_is_no_room_for_marks():
    assert cut_mark_lines(LAYOUTS["a4-4"]) == []


@pytest.mark.parametrize("layout", ["a6", "a7", "4x3", "card"])
def test_cut_marks_on_a_single_badge_grow_the_page_and_set_the_trim_box(layout):
    spec = LAYOUTS[layout]
    pdf = render_badges_bytes(badges(2), layout=layout, cut_marks=True, back_side=True)
    assert page_count(pdf) == 4
    info = poppler("pdfinfo", pdf, "-box")
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert float(size.group(1)) == pytest.approx(spec.page_width + 20 * mm, abs=0.01)
    assert float(size.group(2)) == pytest.approx(spec.page_height + 20 * mm, abs=0.01)
    trim = [float(v) for v in re.search(r"TrimBox:\s+(.+)", info).group(1).split()]
    assert trim == pytest.approx(
        [10 * mm, 10 * mm, 10 * mm + spec.badge_width, 10 * mm + spec.badge_height], abs=0.01
    )


def test_cut_marks_are_drawn_and_scanning_still_works(tmp_path):
    pdf = render_badges_bytes(badges(8), layout="a4-8", cut_marks=True)
    (image,) = rasterise(pdf, tmp_path)
    assert sorted(t for t, _, _ in decoded(image)) == sorted(token(n) for n in range(8))
    # Ink in the top margin above the first badge's left edge: the vertical cut mark.
    spec = LAYOUTS["a4-8"]
    x = round(spec.left / 72 * DPI)
    strip = image.crop((x - 2, 2, x + 3, round((spec.top - 2 * mm) / 72 * DPI)))
    assert strip.getextrema()[0] < 128


# --- the file -----------------------------------------------------------------------------------


def test_fonts_for_every_script_are_embedded_and_subset():
    pdf = render_badges_bytes(badges(len(PEOPLE)), back_side=True)
    fonts = poppler("pdffonts", pdf)
    for name in (
        "NotoSans-Bold",
        "NotoSans-Regular",
        "NotoSansThai-Bold",
        "NotoSansKhmer-Bold",
        "NotoSansLao-Bold",
        "NotoSansMyanmar-Bold",
        "WenQuanYiZenHei",
        "IPAexGothic",
        "NanumGothic",
    ):
        assert name in fonts, name
    for line in fonts.splitlines()[2:]:
        assert " yes yes yes " in line, f"not embedded and subset: {line}"
    assert "Helvetica" not in fonts


def test_every_name_copies_and_searches_as_typed():
    """The text layer holds the characters typed: not the Kangxi radicals IPAexGothic lists
    first for 山 田 木 子 高 一, nor the private-use codes of shaped Thai, Khmer and Burmese."""
    people = badges(len(PEOPLE)) + [
        make_badge(6, native_name="山田 一子", latin_name="Ms Ichiko Yamada"),
        make_badge(6, native_name="高木 太郎", latin_name="Mr Taro Takagi"),
        make_badge(1, native_name="ผู้ใหญ่ ปั่น ญี่ปุ่น", organisation="ปั่น ญี่ปุ่น"),
        make_badge(2, native_name="ស្រី ស្ត្រី", delegation="ក្រុងសៀមរាប"),
    ]
    for layout in ("a6", "a4-4"):
        text = " ".join(
            poppler("pdftotext", render_badges_bytes(people, layout=layout), "-").split()
        )
        for badge in people:
            for value in (
                badge.native_name,
                badge.latin_name,
                badge.organisation,
                badge.delegation,
            ):
                assert value in text, (layout, value)


def test_streamed_file_has_an_exact_cross_reference_table(tmp_path):
    """Pages are written as they are made: every xref offset must point at its object."""
    path = tmp_path / "badges.pdf"
    done = []
    with path.open("wb") as out:
        count = render_badges(
            (make_badge(n) for n in range(9)),
            out,
            layout="a4-4",
            back_side=True,
            on_progress=done.append,
        )
    assert count == 9
    assert done == [4, 8, 9]
    data = path.read_bytes()
    start = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
    assert data[start:].startswith(b"xref\n0 ")
    entries = re.findall(rb"(\d{10}) (\d{5}) n ", data[start:])
    assert len(entries) > 20
    for number, (offset, _) in enumerate(entries, start=1):
        assert data[int(offset) :].startswith(b"%d 0 obj" % number), number
    assert page_count(data) == 6


class _Sink:
    """A file that keeps nothing: only how many bytes were written."""

    def __init__(self):
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def test_memory_stays_flat_however_many_pages_are_written():
    """A run of 100,000 badges must fit in a worker: after the first pages (fonts loaded,
    caches filled) each further page leaves almost nothing behind (a few bytes for the page
    tree and the cross-reference table), where keeping ReportLab's objects cost ~1 KB a page."""
    sink, traced = _Sink(), {}

    def measure(done):
        if done in (100, 600):
            traced[done] = tracemalloc.get_traced_memory()[0]

    same = make_badge(5)  # one badge over and over: the text caches cannot grow either
    tracemalloc.start()
    try:
        count = render_badges((same for _ in range(600)), sink, on_progress=measure)
    finally:
        tracemalloc.stop()
    assert count == 600 and sink.size > 600 * 1000
    grown = traced[600] - traced[100]
    assert grown < 60 * 1000, f"{grown / 500:.0f} bytes kept per page"
