"""The book of abstracts: a cover, contents that point at the right pages, every script printed."""

import io
import re
import subprocess

import pytest
from PIL import Image

from conference.papers.book import BOTTOM, CONTENT_WIDTH, MARGIN, TOP, book_of_abstracts

PAGE_HEIGHT = 841.89

INFO = {
    "title": "ASEAN+3 Regional Learning Cities Conference",
    "subtitle": "Book of abstracts",
    "dates": "29–30 October 2024",
    "venue": "Centara Grand at CentralWorld",
    "city": "Bangkok, Thailand",
}

SON_LA_ABSTRACT = (
    "Son La became a UNESCO learning city in February 2024, the first in a disadvantaged "
    "mountainous region of Viet Nam. The city allocates 34% of its total budget to education.\n\n"
    "The House of Wisdom and the Compassionate Bookcase reach ethnic minority villages."
)


def author(name, native="", organisation="", country="", presenting=False):
    return {
        "name": name,
        "native_name": native,
        "organisation": organisation,
        "country": country,
        "presenting": presenting,
    }


def paper(title, abstract="A short abstract.", topic="Inclusion and equity", authors=None):
    return {
        "title": title,
        "abstract": abstract,
        "topic": topic,
        "authors": authors or [author("Somebody", country="TH", presenting=True)],
    }


def long_abstract(sentences: int) -> str:
    return " ".join(
        f"Sentence {n} tells how the learning city reaches its villages." for n in range(sentences)
    )


GROUPS = [
    {
        "heading": "Parallel session 1A: Inclusive learning cities",
        "details": "Tuesday 29 October 2024, 13:30–15:00 (Asia/Bangkok) · Room Chao Phraya 1",
        "papers": [
            paper(
                "Building a learning city where no one is left behind",
                SON_LA_ABSTRACT,
                authors=[
                    author(
                        "Ha Trung Chien",
                        "Hà Trung Chiến",
                        "Son La City Party Committee",
                        "VN",
                        True,
                    ),
                    author(
                        "Nguyen Thi Lan", "Nguyễn Thị Lan", "Son La Department of Education", "VN"
                    ),
                ],
            ),
            paper(
                "Learning parks and streets in Bangkok",
                authors=[
                    author(
                        "Sakchai Sombun",
                        "ศักดิ์ชัย สมบูรณ์",
                        "Bangkok Metropolitan Administration",
                        "TH",
                        True,
                    )
                ],
            ),
            paper(
                "Community learning centres in Phnom Penh",
                authors=[
                    author("Sok Chantha", "សុខ ចាន់ថា", "Ministry of Education", "KH", True),
                    author("Somsak Phommavong", "ສົມສັກ ພົມມະວົງ", "Vientiane Capital", "LA"),
                    author("Aung Kyaw Oo", "အောင်ကျော်ဦး", "Yangon City", "MM"),
                ],
            ),
        ],
    },
    {"heading": "Plenary without papers", "papers": []},
    {
        "heading": "Parallel session 1B: Learning for sustainable cities",
        "details": "Tuesday 29 October 2024, 13:30–15:00 (Asia/Bangkok) · Room Chao Phraya 2",
        "papers": [
            paper(
                "Nanjing's lifelong learning network",
                long_abstract(160),
                topic="Governance",
                authors=[
                    author("Wang Xiaoming", "王小明", "Nanjing Education Bureau", "CN", True),
                    author("Yamada Taro", "山田太郎", "Okayama City", "JP"),
                    author("Kim Minjun", "김민준", "Suwon City", "KR"),
                ],
            ),
            paper("Learning for peace in Yala"),
        ],
    },
    {"heading": "Not yet scheduled", "papers": [paper("Learning villages of Luang Prabang")]},
]


def render(info=INFO, groups=GROUPS) -> bytes:
    out = io.BytesIO()
    book_of_abstracts(info, groups, out)
    return out.getvalue()


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    command = [tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"]
    return subprocess.run(command, input=pdf, capture_output=True, check=True).stdout.decode()


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, with line breaks and runs of spaces collapsed (index 0 is page 1)."""
    return [" ".join(page.split()) for page in poppler("pdftotext", pdf).split("\f")[:-1]]


@pytest.fixture(scope="module")
def book() -> bytes:
    return render()


@pytest.fixture(scope="module")
def pages(book) -> list[str]:
    return page_texts(book)


def test_book_is_an_a4_pdf_with_a_cover_and_contents(book, pages):
    info = poppler("pdfinfo", book)
    assert "595.276 x 841.89 pts (A4)" in info
    assert "Title: ASEAN+3 Regional Learning Cities Conference: Book of abstracts" in " ".join(
        info.split()
    )
    cover = pages[0]
    for expected in [
        "BOOK OF ABSTRACTS",
        "ASEAN+3 Regional Learning Cities Conference",
        "29–30 October 2024",
        "Centara Grand at CentralWorld",
        "Bangkok, Thailand",
        "6 papers in 3 sessions",  # the session without papers is left out
    ]:
        assert expected in cover, expected
    assert pages[1].startswith("ASEAN+3 Regional Learning Cities Conference Contents Contents")
    assert "Plenary without papers" not in " ".join(pages)


def contents_entries(pages: list[str]) -> dict[str, int]:
    """Title -> page number, read from the printed contents (dot leaders, then the number)."""
    contents = " ".join(p for p in pages if " Contents Contents " in f" {p} ")
    entries = re.findall(r"([^.]+?) (?:\.\s*)+(\d+)\b", contents)
    return {title.strip(): int(number) for title, number in entries}


def test_contents_page_numbers_point_at_the_pages_where_each_paper_and_session_starts(pages):
    entries = contents_entries(pages)

    def number_of(title: str) -> int:
        numbers = [n for entry, n in entries.items() if entry.endswith(title)]
        assert len(numbers) == 1, f"{title} not in contents"
        return numbers[0]

    titles = [p["title"] for g in GROUPS for p in g["papers"]]
    headings = [g["heading"] for g in GROUPS if g["papers"]]
    for title in titles + headings:
        # The first page after the contents that prints it is the one the contents names.
        first = next(i for i, text in enumerate(pages[2:], start=3) if title in text)
        assert number_of(title) == first, title
    # Each session starts on a page of its own; the long abstract takes two pages.
    assert [number_of(h) for h in headings] == [3, 4, 7]
    assert len(pages) == 7


def test_every_page_after_the_cover_has_its_session_in_the_header_and_its_number(pages):
    total = len(pages)
    assert "Page" not in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert text.startswith("ASEAN+3 Regional Learning Cities Conference ")
        assert text.endswith(f"Book of abstracts Page {number} of {total}")
    assert any(
        t.startswith("ASEAN+3 Regional Learning Cities Conference Parallel session 1B")
        and "Nanjing's lifelong learning network (continued)" in t
        for t in pages
    )


def test_each_paper_shows_title_authors_organisations_presenter_topic_and_abstract(pages):
    text = next(t for t in pages[2:] if "Building a learning city" in t)
    assert (
        "Building a learning city where no one is left behind "
        # A native name that only adds diacritics replaces the Latin one: one name, once.
        "Hà Trung Chiến Presenting Son La City Party Committee, Vietnam "
        "Nguyễn Thị Lan Son La Department of Education, Vietnam "
        "Topic: Inclusion and equity "
        "Son La became a UNESCO learning city in February 2024"
    ) in text
    assert (
        "The House of Wisdom and the Compassionate Bookcase reach ethnic minority villages." in text
    )
    assert text.count("Presenting") == 3  # one presenter per paper on this page


def test_long_abstract_flows_over_pages_with_nothing_lost_and_nothing_outside_the_frame(
    book, pages
):
    texts = [t for t in pages if "Sentence " in t]
    assert len(texts) >= 2
    joined = " ".join(texts)
    positions = [joined.find(f"Sentence {n} tells") for n in range(160)]
    assert -1 not in positions and positions == sorted(positions)

    after_cover = poppler("pdftotext", book, "-bbox").split("<page ")[2:]
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">',
        "".join(after_cover),
    )
    assert len(words) > 1000
    frame_top, frame_bottom = PAGE_HEIGHT - TOP, PAGE_HEIGHT - BOTTOM
    for x_min, y_min, x_max, y_max in ((float(v) for v in w) for w in words):
        assert MARGIN - 1 <= x_min and x_max <= MARGIN + CONTENT_WIDTH + 1
        header = y_max < frame_top - 10
        footer = y_min > frame_bottom + 10
        # Font boxes reach a little above the em box; a line too many would be 14 pt out.
        assert header or footer or frame_top - 4 <= y_min < y_max <= frame_bottom + 2


def test_text_without_spaces_wraps_inside_the_margins():
    """Thai and Khmer extract badly, so look at the ink: none right of the text frame."""
    abstract = "การพัฒนาเมืองแห่งการเรียนรู้ตลอดชีวิต" * 20 + "\n\n" + "សហគមន៍សិក្សា" * 40
    title = "เมืองแห่งการเรียนรู้" * 8
    authors = [author("Somchai", "สมชาย" * 12, "เทศบาลนครขอนแก่น" * 6, "TH", True)]
    pdf = render(
        groups=[{"heading": "ขอนแก่น" * 12, "papers": [paper(title, abstract, authors=authors)]}]
    )
    png = subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-f", "3", "-singlefile", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    scale = 80 / 72
    right = int((MARGIN + CONTENT_WIDTH + 2) * scale)
    margin = image.crop((right, 0, image.width, image.height))
    assert margin.getextrema()[0] > 200, "ink in the right margin"
    text_area = image.crop((0, int((PAGE_HEIGHT - TOP) * scale), right, image.height))
    assert text_area.getextrema()[0] < 100  # and the page is not blank


@pytest.mark.parametrize(
    "font",
    [
        "NotoSans-Regular",
        "NotoSans-Bold",
        "NotoSansThai-Regular",
        "NotoSansKhmer-Regular",
        "NotoSansLao-Regular",
        "NotoSansMyanmar-Regular",
        "WenQuanYiZenHei",
        "IPAexGothic",
        "NanumGothic",
    ],
)
def test_fonts_for_every_script_used_are_embedded(book, font):
    fonts = poppler("pdffonts", book)
    assert f"+{font} " in fonts
    for line in fonts.splitlines()[2:]:
        assert " yes yes yes " in line, f"not embedded and subset: {line}"


@pytest.mark.parametrize(
    ("country", "font", "other"),
    [("JP", "IPAexGothic", "WenQuanYiZenHei"), ("CN", "WenQuanYiZenHei", "IPAexGothic")],
)
def test_han_names_take_the_font_of_the_authors_country(country, font, other):
    authors = [author("Wang", "王小明", "City", country, True)]
    fonts = poppler(
        "pdffonts", render(groups=[{"heading": "S", "papers": [paper("T", authors=authors)]}])
    )
    assert f"+{font} " in fonts and other not in fonts


def test_book_without_papers_says_so():
    pdf = render(groups=[{"heading": "Plenary", "papers": []}])
    pages = page_texts(pdf)
    assert len(pages) == 2
    assert "0 papers" in pages[0]
    assert "No papers yet." in pages[1]


def test_paper_with_only_required_details_still_prints():
    bare = {"title": "Learning at home", "authors": [{"name": "A. Author"}]}
    pdf = render(info={"title": "Conference"}, groups=[{"heading": "", "papers": [bare]}])
    text = " ".join(page_texts(pdf))
    assert "Conference" in text and "Book of abstracts" in text
    assert "Not yet scheduled" in text  # the heading of a group that has none
    assert "Learning at home A. Author No abstract submitted." in text
