"""Text in PDFs: every ASEAN+3 script shaped, in the right font, never a missing-glyph box."""

import io
import logging
import subprocess
from functools import cache

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from conference.pdf import text
from conference.pdf.text import (
    FONT_DIR,
    MissingGlyphError,
    draw_paragraph,
    draw_text,
    fit_size,
    text_runs,
    text_width,
    unsupported_characters,
    wrap_lines,
)

# (name, delegate's country, font every character should come from)
NAMES = [
    ("Hà Trung Chiến", "VN", "NotoSans-Regular"),
    ("ศักดิ์ชัย สมบูรณ์", "TH", "NotoSansThai-Regular"),
    ("សុខ ចាន់ថា", "KH", "NotoSansKhmer-Regular"),
    ("ສົມສັກ ພົມມະວົງ", "LA", "NotoSansLao-Regular"),
    ("အောင်ကျော်ဦး", "MM", "NotoSansMyanmar-Regular"),
    ("王小明", "CN", "wqy-zenhei"),
    ("山田太郎", "JP", "ipaexg"),
    ("김민준", "KR", "NanumGothic"),
]
MIXED = "Dr. ศักดิ์ชัย (ស្រី)"
ALL_TEXTS = [(name, country) for name, country, _ in NAMES] + [(MIXED, None)]


@cache
def cmap(font_name: str) -> frozenset[int]:
    """The font file's own character map, read with fontTools, not through ReportLab."""
    (path,) = FONT_DIR.rglob(f"{font_name}.ttf")
    with TTFont(path) as font:
        return frozenset(font.getBestCmap())


def render(draw) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=text.base_font())
    draw(canvas)
    canvas.save()
    return buffer.getvalue()


def pdffonts(pdf: bytes) -> str:
    return subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def rasterise(pdf: bytes, dpi: int = 100) -> Image.Image:
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def ink(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Dark pixels in the box (left, top, right, bottom), in pixels."""
    return sum(image.crop(box).point(lambda v: 255 if v < 128 else 0).histogram()[255:])


@pytest.mark.parametrize(("name", "country", "font"), NAMES)
def test_each_script_is_set_in_its_own_font(name, country, font):
    assert text_runs(name, country=country) == [(font, name)]


@pytest.mark.parametrize(("name", "country"), ALL_TEXTS)
@pytest.mark.parametrize("bold", [False, True])
def test_every_character_is_in_the_character_map_of_the_font_chosen_for_it(name, country, bold):
    for font_name, run in text_runs(name, country=country, bold=bold, strict=True):
        missing = [c for c in run if ord(c) not in cmap(font_name)]
        assert not missing, f"{font_name} lacks {missing} in {run!r}"


def test_mixed_script_name_is_drawn_in_runs_with_spaces_kept_in_the_run():
    assert text_runs(MIXED) == [
        ("NotoSans-Regular", "Dr. "),
        ("NotoSansThai-Regular", "ศักดิ์ชัย "),
        ("NotoSans-Regular", "("),
        ("NotoSansKhmer-Regular", "ស្រី"),
        ("NotoSans-Regular", ")"),
    ]


@pytest.mark.parametrize("country", ["JP", "CN", "KR", None])
def test_vietnamese_uses_the_latin_font_even_for_cjk_countries(country):
    name = "Nguyễn Thị Minh Khai Đặng Ưng Hoàng"
    assert text_runs(name, country=country) == [("NotoSans-Regular", name)]
    assert text_runs(f"{name} 山田", country=country)[0] == ("NotoSans-Regular", f"{name} ")


def test_decomposed_vietnamese_is_normalised_before_choosing_fonts():
    decomposed = "Nguye\u0302\u0303n"
    assert text_runs(decomposed, country="JP") == [("NotoSans-Regular", "Nguyễn")]
    assert text_width(decomposed, 12) == text_width("Nguyễn", 12)


@pytest.mark.parametrize(
    ("country", "font"),
    [
        ("CN", "wqy-zenhei"),
        ("tw", "wqy-zenhei"),
        ("HK", "wqy-zenhei"),
        ("MO", "wqy-zenhei"),
        ("SG", "wqy-zenhei"),
        ("JP", "ipaexg"),
        ("KR", "NanumGothic"),
        ("KP", "NanumGothic"),
        (None, "wqy-zenhei"),
        ("VN", "wqy-zenhei"),
    ],
)
def test_han_characters_take_the_font_of_the_delegates_country(country, font):
    assert text_runs("高橋直子", country=country) == [(font, "高橋直子")]


def test_unknown_country_reads_kana_and_hangul_to_choose_the_cjk_font():
    assert text_runs("山田 やまだ") == [("ipaexg", "山田 やまだ")]
    assert text_runs("金 김") == [("NanumGothic", "金 김")]
    # Hangul always prefers the Korean font, kana the Japanese one.
    assert text_runs("김", country="CN") == [("NanumGothic", "김")]
    assert text_runs("やまだ", country="CN") == [("ipaexg", "やまだ")]


def test_uncovered_character_raises_in_strict_mode():
    with pytest.raises(MissingGlyphError) as raised:
        text_width("Name \ue000", 12, strict=True)
    assert raised.value.codepoint == 0xE000
    assert "U+E000" in str(raised.value)


def test_uncovered_character_is_printed_as_question_mark_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="conference.pdf.text"):
        runs = text_runs("Smile 😀 please")
    assert runs == [("NotoSans-Regular", "Smile ? please")]
    assert "U+1F600" in caplog.text


def test_private_use_characters_stay_uncovered_after_shaping_used_them():
    # Shaping maps unencoded glyphs (Thai ligatures) to private-use code points in
    # ReportLab's font maps; those must not start to count as covered.
    text_width("ปั่น ญี่ปุ่น", 12)
    assert unsupported_characters("a\ue000b\ue001") == ["\ue000", "\ue001"]
    with pytest.raises(MissingGlyphError):
        text_width("\ue000", 12, strict=True)


def test_unsupported_characters_lists_what_no_font_prints():
    assert unsupported_characters(MIXED + " 王小明 김민준 山田") == []
    assert unsupported_characters("ok 😀😀 \U0001f680") == ["😀", "\U0001f680"]


def test_zero_width_joiners_and_control_whitespace_are_harmless():
    assert text_runs("a\u200db") == [("NotoSans-Regular", "a\u200db")]
    assert text_runs("Line\none\tand two") == [("NotoSans-Regular", "Line one and two")]


def test_width_scales_with_size_and_bold_is_wider():
    for name, country, _ in NAMES:
        assert text_width(name, 20, country=country) == pytest.approx(
            2 * text_width(name, 10, country=country)
        )
    assert text_width("Hà Trung Chiến", 12, bold=True) > text_width("Hà Trung Chiến", 12)
    assert text_width("", 12) == 0


@pytest.mark.parametrize(
    ("name", "font"),
    [
        ("ผู้ใหญ่ ปั่น ญี่ปุ่น", "NotoSansThai-Regular"),
        ("ស្រី ស្ត្រី", "NotoSansKhmer-Regular"),
        ("အောင်ကျော်ဦး", "NotoSansMyanmar-Regular"),
    ],
)
def test_complex_scripts_are_drawn_shaped_not_as_a_plain_glyph_sequence(name, font):
    def shaped(canvas):
        draw_text(canvas, 50, 700, name, 40)

    def unshaped(canvas):
        canvas.setFont(font, 40)
        canvas.drawString(50, 700, name)

    a, b = rasterise(render(shaped), dpi=150), rasterise(render(unshaped), dpi=150)
    differing = ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0).histogram()[255]
    # Moved marks, reordered vowels and subscripts: hundreds of pixels (Latin text: none).
    assert differing > 400


@pytest.mark.parametrize(("name", "country"), ALL_TEXTS)
def test_fit_size_shrinks_a_long_name_and_never_exceeds_the_width(name, country):
    long_name = f"{name} {name} {name}"
    max_width = 100
    size = fit_size(long_name, max_width, 24, min_size=2, country=country)
    assert size < 24
    assert text_width(long_name, size, country=country) <= max_width
    assert text_width(long_name, size + 0.05, country=country) > max_width


def test_fit_size_keeps_the_size_when_the_name_fits_and_stops_at_min_size():
    assert fit_size("Lee", 200, 24) == 24
    assert fit_size("Lee " * 100, 50, 24, min_size=6) == 6


@pytest.mark.parametrize(
    ("paragraph", "country"),
    [
        ("The organising committee is pleased to invite the delegate named above " * 8, None),
        ("Supercalifragilisticexpialidocious " * 3 + "and Pneumonoultramicroscopic", None),
        ("การประชุมครั้งนี้จัดขึ้นเพื่อส่งเสริมความร่วมมือระหว่างประเทศสมาชิก " * 4, "TH"),
        ("会议于二零二四年十月在河内举行，欢迎各位代表参加。" * 5, "CN"),
        ("ກອງປະຊຸມ ສົມສັກ ພົມມະວົງ " * 6 + "សុខ ចាន់ថា " * 6 + "အောင်ကျော်ဦး" * 5, None),
    ],
)
@pytest.mark.parametrize("max_width", [60, 150, 400])
def test_wrap_lines_never_makes_a_line_wider_than_max_width(paragraph, country, max_width):
    lines = wrap_lines(paragraph, max_width, 11, country=country)
    assert len(lines) > 1
    for line in lines:
        assert text_width(line, 11, country=country) <= max_width, line
    assert "".join(lines).replace(" ", "") == paragraph.replace(" ", "")


def test_wrap_lines_breaks_at_spaces_and_keeps_explicit_newlines():
    lines = wrap_lines("one two three four five six seven\n\nend", 60, 12)
    assert lines[-2:] == ["", "end"]
    assert all(" " not in line or len(line.split()) > 1 for line in lines)
    assert " ".join(w for line in lines for w in line.split()) == (
        "one two three four five six seven end"
    )
    assert wrap_lines("", 100, 12) == []


def test_wrap_lines_does_not_start_a_line_with_closing_punctuation_or_split_a_syllable():
    lines = wrap_lines("欢迎各位代表参加，欢迎各位代表参加。" * 4, 100, 11, country="CN")
    assert not any(line[0] in "，。" for line in lines)
    lines = wrap_lines("ស្រីសុខចាន់ថា" * 6, 60, 11)
    assert not any(line.startswith("\u17d2") or line.startswith("រី") for line in lines)


def test_rendered_pdf_embeds_every_font_and_every_name_has_ink(tmp_path):
    size, top, step = 18, A4[1] - 60, 40

    def draw(canvas):
        for i, (name, country) in enumerate(ALL_TEXTS):
            draw_text(canvas, 50, top - i * step, name, size, country=country)
            draw_text(
                canvas, 545, top - i * step, name, size, country=country, bold=True, align="right"
            )

    pdf = render(draw)
    assert pdf.startswith(b"%PDF")
    fonts = pdffonts(pdf)
    for font in [
        "NotoSans-Regular",
        "NotoSans-Bold",
        "NotoSansThai-Regular",
        "NotoSansThai-Bold",
        "NotoSansKhmer-Regular",
        "NotoSansLao-Regular",
        "NotoSansMyanmar-Regular",
        "WenQuanYiZenHei",
        "IPAexGothic",
        "NanumGothic",
    ]:
        assert f"+{font} " in fonts, fonts
    for line in fonts.splitlines()[2:]:
        assert " yes yes yes " in line, f"not embedded and subset: {line}"

    image = rasterise(pdf, dpi=100)
    px = 100 / 72
    for i, (name, _) in enumerate(ALL_TEXTS):
        baseline = top - i * step
        box_top = int((A4[1] - baseline - size * 1.3) * px)
        box_bottom = int((A4[1] - baseline + size * 0.4) * px)
        left = ink(image, (int(40 * px), box_top, int(297 * px), box_bottom))
        right = ink(image, (int(297 * px), box_top, int(555 * px), box_bottom))
        assert left > 60 and right > 60, f"no ink for {name!r}: {left}, {right}"
    # Nothing outside the drawn lines.
    below = int((A4[1] - (top - len(ALL_TEXTS) * step) + size) * px)
    assert ink(image, (0, below, image.width, image.height)) == 0


def test_latin_text_extracts_as_typed_without_ligature_characters():
    words = "Officer affiliation confirmed, first flight"
    pdf = render(lambda canvas: draw_text(canvas, 50, 700, words, 12))
    extracted = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert extracted.strip() == words


def extracted_pages(pdf: bytes) -> list[str]:
    """Each page's text as pdftotext reads it, runs of white space made one space."""
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


# Names whose glyphs do not spell them: 子 田 山 木 高 一 share their glyphs in IPAexGothic's
# character map with Kangxi radicals (U+2F00...) listed first; shaped Thai stacks a vowel and
# a tone mark as one glyph that has no character; Khmer and Burmese draw a vowel before the
# consonant it follows and Khmer subscripts as glyphs of their own.
TYPED = [
    ("山田 太郎", "JP"),
    ("高木 一子", "JP"),
    ("木村 正人", "JP"),
    ("ศักดิ์ชัย ทองดี", "TH"),
    ("ผู้ใหญ่ ปั่น ญี่ปุ่น", "TH"),
    ("អ៊ុក វណ្ណា", "KH"),
    ("ក្រុងសៀមរាប ស្ត្រី", "KH"),
    ("ບຸນທະວີ ໄຊຍະວົງ", "LA"),
    ("ထွန်းထွန်းနိုင် ကျော်", "MM"),
    ("王晓明", "CN"),
    ("高一子", "CN"),
    ("김수현", "KR"),
    ("Nguyễn Thị Minh Khai", "VN"),
    ("Dr. ศักดิ์ชัย (ស្រី) 山田 Officer", "JP"),
]


@pytest.mark.parametrize("bold", [False, True])
def test_the_text_layer_holds_the_characters_that_were_typed(bold):
    def draw(canvas):
        for name, country in TYPED:
            draw_text(canvas, 50, 700, name, 16, country=country, bold=bold)
            draw_paragraph(canvas, 50, 600, f"{name} {name}", 120, 12, country=country)
            canvas.showPage()

    for (name, _), page in zip(TYPED, extracted_pages(render(draw)), strict=True):
        # The line, then the paragraph wrapped over a few lines.
        assert page.startswith(f"{name} "), page
        assert page.replace(" ", "") == (name * 3).replace(" ", ""), page


def test_japanese_names_copy_as_unified_ideographs_with_the_fonts_own_glyphs():
    name = "子田山木高一"

    def through_text_module(canvas):
        draw_text(canvas, 50, 700, name, 40, country="JP")

    def font_alone(canvas):
        canvas.setFont(text_runs(name, country="JP")[0][0], 40)
        canvas.drawString(50, 700, name)

    pdf = render(through_text_module)
    (page,) = extracted_pages(pdf)
    assert page == name, [f"U+{ord(c):04X}" for c in page]
    same = ImageChops.difference(rasterise(pdf, dpi=150), rasterise(render(font_alone), dpi=150))
    assert same.getbbox() is None


def test_drawn_width_matches_the_measured_width():
    name = MIXED + " 王小明"

    def draw(canvas):
        width = draw_text(canvas, 100, 400, name, 30, align="left")
        assert width == pytest.approx(text_width(name, 30))

    image = rasterise(render(draw), dpi=72)
    columns = [x for x in range(image.width) if ink(image, (x, 0, x + 1, image.height))]
    drawn = columns[-1] + 1 - columns[0]
    # Ink is the advance width less the side bearings of the first and last glyphs.
    assert text_width(name, 30) - 12 < drawn <= text_width(name, 30)


def test_draw_paragraph_returns_the_y_below_its_lines():
    paragraph = "The delegate named above is invited to attend the conference. " * 6
    result = {}

    def draw(canvas):
        result["y"] = draw_paragraph(canvas, 72, 700, paragraph, 300, 11, leading=15)

    render(draw)
    assert result["y"] == pytest.approx(700 - 15 * len(wrap_lines(paragraph, 300, 11)))


def test_register_fonts_is_idempotent_and_thread_safe():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: text.register_fonts(), range(8)))
    text.register_fonts()
    assert text.base_font() == "NotoSans-Regular"
    assert text.base_font(bold=True) == "NotoSans-Bold"


def test_unknown_alignment_is_rejected():
    with pytest.raises(ValueError, match="align"):
        render(lambda canvas: draw_text(canvas, 0, 0, "x", 10, align="middle"))
