"""Certificate PDFs: every script prints and reads back as typed, nothing overflows, the QR
code scans to the verification page (no Flask, no database)."""

import gc
import io
import itertools
import re
import subprocess
import tracemalloc

import pytest
import zxingcpp
from PIL import Image

from conference.certificates.pdf import (
    Certificate,
    NoCertificates,
    SessionLine,
    layout,
    render_certificates,
    render_certificates_bytes,
)

URL = "https://conference.example/certificates/" + "AQEBAQ" + "x" * 88

PEOPLE = [
    # native name, Latin name, country, country name, organisation
    ("", "Ms Aina Zulaikha Roslan", "MY", "Malaysia", "Kuala Lumpur City Hall"),
    ("ศักดิ์ชัย ทองดี", "Mr Sakchai Thongdee", "TH", "Thailand", "Bangkok Metropolitan Administration"),
    ("ចាន់ សុខា", "Mr Chan Sokha", "KH", "Cambodia", "Phnom Penh Capital Administration"),
    ("ထွန်းထွန်းနိုင်", "Mr Tun Tun Naing", "MM", "Myanmar", "Mandalay City Development Committee"),
    ("山田 太郎", "Mr Yamada Taro", "JP", "Japan", "Okayama City"),
    ("", "Ms Nguyễn Thị Minh Khai", "VN", "Viet Nam", "Son La City People's Committee"),
    ("ບຸນທະວີ ໄຊຍະວົງ", "Mr Bounthavy Sayavong", "LA", "Lao PDR", "Luang Prabang"),
    ("王晓明", "Mr Wang Xiaoming", "CN", "China", "Beijing Municipal Education Commission"),
    ("김수현", "Ms Kim Soohyun", "KR", "Republic of Korea", "Suwon City"),
]

SESSIONS = (
    SessionLine("Tuesday 29 October", "09:00", "Opening ceremony"),
    SessionLine("Tuesday 29 October", "10:30", "Plenary: learning cities after the pandemic"),
    SessionLine(
        "Wednesday 30 October",
        "13:30",
        "Parallel session 2B: lifelong learning for all in the cities of the Mekong region "
        "and how they finance it",
    ),
)


def make_certificate(n: int = 0, **overrides) -> Certificate:
    native, latin, country, country_name, organisation = PEOPLE[n % len(PEOPLE)]
    values = dict(
        event_title="ASEAN+3 Regional Learning Cities Conference 2024",
        event_dates="29–30 October 2024",
        place="Centara Grand at CentralWorld, Bangkok, Thailand",
        native_name=native,
        latin_name=latin,
        country=country,
        organisation=organisation,
        country_name=country_name,
        presence="Present on 29 and 30 October 2024 (2 of 2 days)",
        url=f"{URL[:-3]}{n:03d}",
        reference=f"ASEAN3-2024/CERT/{n + 1:04d}",
        issued="Bangkok, 30 October 2024",
        signatory_name="Dr Suchada Thaweesit",
        signatory_title="Director, Department of Education, BMA",
        sessions=SESSIONS,
        colour="#1f4e79",
    )
    values.update(overrides)
    return Certificate(**values)


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    return subprocess.run(
        [tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def page_count(pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.M).group(1))


def squeezed(text: str) -> str:
    return " ".join(text.split())


def check_layout(page) -> None:
    """No text leaves the safe area, touches the QR code's zone, or overlaps another text;
    the sessions stay inside their panel."""
    inks = [(t, t.ink()) for t in page.texts]
    for text, ink in inks:
        assert page.safe.contains(ink), (text.role, text.text)
        assert not ink.overlaps(page.qr_zone), (text.role, text.text)
        if text.role.startswith("session"):
            assert page.panel.contains(ink), (text.role, text.text)
        elif page.panel is not None:
            assert not ink.overlaps(page.panel), (text.role, text.text)
    for (a, ink_a), (b, ink_b) in itertools.combinations(inks, 2):
        assert not ink_a.overlaps(ink_b), (a.role, a.text, b.role, b.text)
    assert page.safe.contains(page.qr_symbol)
    for rule, _ in page.rules:
        assert not rule.overlaps(page.qr_zone)


@pytest.mark.parametrize("n", range(len(PEOPLE)))
@pytest.mark.parametrize("sessions", [(), SESSIONS, SESSIONS * 14])
def test_nothing_leaves_the_page_or_touches_the_qr_code(n, sessions):
    page = layout(make_certificate(n, sessions=sessions))
    check_layout(page)
    native, latin = PEOPLE[n][:2]
    names = [t.text for t in page.texts if t.role in ("native_name", "latin_name")]
    assert names == [name for name in (native, latin) if name]  # whole, on one line each
    assert [t.text for t in page.role("title")] == ["CERTIFICATE OF ATTENDANCE"]
    assert (page.panel is None) == (not sessions)


def test_the_name_is_the_largest_text_and_a_native_name_comes_first():
    page = layout(make_certificate(1))
    native, latin = page.role("native_name")[0], page.role("latin_name")[0]
    assert native.baseline > latin.baseline
    assert native.size == max(t.size for t in page.texts)
    alone = layout(make_certificate(0)).role("latin_name")[0]
    assert alone.size == native.size and alone.bold


def test_a_long_name_shrinks_then_wraps_and_is_never_cut_and_an_endless_title_is():
    longer = "Ms Aina Zulaikha Roslanuddin"
    (name,) = layout(make_certificate(0, latin_name=longer)).role("latin_name")
    assert name.text == longer and 34 * 0.7 <= name.size < 34  # one line, a little smaller
    longest = "Ms Aina Zulaikha binti Roslanuddin Rahman"
    page = layout(make_certificate(0, latin_name=longest, event_title="Conference " * 40))
    check_layout(page)
    first, second = page.role("latin_name")  # two lines of about the same width
    assert f"{first.text} {second.text}" == longest and first.size > 34 * 0.7
    assert abs(first.width - second.width) < first.width / 4
    titles = page.role("event_title")
    assert len(titles) == 2 and titles[-1].text.endswith("…")


def test_a_panel_too_short_for_every_session_says_how_many_more_there_are():
    many = tuple(
        SessionLine(f"Day {d}", f"{9 + s}:00", f"Session {d}.{s}")
        for d in range(1, 6)
        for s in range(8)
    )
    page = layout(make_certificate(2, sessions=many))
    check_layout(page)
    shown = page.role("session")
    assert 10 <= len(shown) < 40
    assert page.sessions_left_out == 40 - len(shown)
    (more,) = page.role("sessions_more")
    assert more.text == f"and {page.sessions_left_out} more sessions: see the verification page"
    assert [t.text for t in shown] == [s.title for s in many[: len(shown)]]


def test_every_session_is_listed_under_its_day_when_there_is_room():
    page = layout(make_certificate(3))
    assert page.sessions_left_out == 0 and not page.role("sessions_more")
    assert [t.text for t in page.role("session_day")] == [
        "Tuesday 29 October",
        "Wednesday 30 October",
    ]
    assert [t.text for t in page.role("session_time")] == ["09:00", "10:30", "13:30"]
    # The long title wraps onto a second line, cut with an ellipsis past it.
    assert len(page.role("session")) == 4


def test_the_text_layer_holds_every_name_as_typed():
    pdf = render_certificates_bytes(make_certificate(n) for n in range(len(PEOPLE)))
    pages = poppler("pdftotext", pdf).split("\f")[: len(PEOPLE)]
    for (native, latin, _, country_name, organisation), text in zip(PEOPLE, pages, strict=True):
        text = squeezed(text)
        assert latin in text
        if native:
            assert native in text, native
        assert organisation in text and country_name in text
        assert "CERTIFICATE OF ATTENDANCE" in text
        assert "Present on 29 and 30 October 2024 (2 of 2 days)" in text
        assert "Opening ceremony" in text and "Dr Suchada Thaweesit" in text
    assert page_count(pdf) == len(PEOPLE)


def test_the_qr_code_scans_to_the_address_printed_beside_it(tmp_path):
    certificates = [make_certificate(n) for n in (1, 4)]
    pdf = render_certificates_bytes(certificates)
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(tmp_path / "c.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    read = [[b.text for b in zxingcpp.read_barcodes(Image.open(p))] for p in pages]
    assert read == [[c.url] for c in certificates]
    # The address is printed as text too (wrapped over lines: joined back, it is whole).
    for cert, text in zip(certificates, poppler("pdftotext", pdf).split("\f"), strict=False):
        assert cert.url in "".join(text.split())


def test_a_logo_prints_in_the_top_left_corner_and_an_unreadable_one_is_left_out(caplog):
    image = io.BytesIO()
    Image.new("RGB", (400, 200), (31, 78, 121)).save(image, "PNG")
    page = layout(make_certificate(1, logo=image.getvalue()))
    check_layout(page)
    assert page.logo is not None and page.safe.contains(page.logo)
    assert page.logo.x == page.safe.x and page.logo.top == page.safe.top
    assert not any(page.logo.overlaps(t.ink()) for t in page.texts)
    assert render_certificates_bytes([make_certificate(1, logo=image.getvalue())])
    broken = layout(make_certificate(1, logo=b"not an image"))
    assert broken.logo is None
    assert "logo cannot be read" in caplog.text


@pytest.mark.parametrize("colour", ["#f1c40f", "#ffffff", "#1f4e79"])
def test_text_in_the_events_colour_reads_on_white_even_when_the_colour_is_pale(colour):
    page = layout(make_certificate(0, colour=colour))
    (title,) = page.role("title")
    c = title.colour

    def channel(v):
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(c.red) + 0.7152 * channel(c.green) + 0.0722 * channel(c.blue)
    assert 1.05 / (luminance + 0.05) >= 4.5


def test_a_malformed_colour_or_no_address_is_refused_and_no_list_is_an_error():
    with pytest.raises(ValueError, match="colour"):
        layout(make_certificate(0, colour="blue"))
    with pytest.raises(ValueError, match="verification page"):
        render_certificates_bytes([make_certificate(0, url="")])
    out = io.BytesIO()
    with pytest.raises(NoCertificates):
        render_certificates([], out)
    assert out.getvalue() == b""


class _Sink:
    """A file that keeps nothing: only how many bytes were written."""

    def __init__(self):
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


def test_memory_stays_flat_however_many_certificates_are_written():
    """Every page is written as it is drawn: after the first pages (fonts loaded, caches
    filled: 300, for after other tests the first 100 were not always enough) each further
    page leaves almost nothing behind (a few bytes for the page tree
    and the cross-reference table), where keeping ReportLab's pages costs kilobytes each."""
    sink, traced = _Sink(), {}

    def measure(done):
        if done in (300, 600):
            gc.collect()
            traced[done] = tracemalloc.get_traced_memory()[0]

    same = make_certificate(1)  # one certificate over and over: the text caches cannot grow
    tracemalloc.start()
    try:
        count = render_certificates((same for _ in range(600)), sink, on_progress=measure)
    finally:
        tracemalloc.stop()
    assert count == 600 and sink.size > 600 * 1000
    grown = traced[600] - traced[300]
    assert grown < 36 * 1000, f"{grown / 300:.0f} bytes kept per page"
