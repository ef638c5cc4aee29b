"""Visa invitation letters: a real A4 letter, every script printed, placeholders filled."""

import dataclasses
import subprocess
from datetime import date

import pytest

from conference.registration.letters import (
    VisaLetter,
    fill_placeholders,
    render_visa_letter,
    render_visa_letters,
)

ORGANISER_TEXT = """\
The Organising Committee of the {event_title} is pleased to invite {name}, holder of \
passport number {passport_number} ({nationality}), {position} at {organisation}, to attend \
the conference in {city}, {country} on {event_dates}.

The organisers will provide accommodation and local transport for the duration of the \
conference. All other costs are covered by the delegate's organisation.

We kindly request that the competent authorities grant {name} an entry visa for this purpose."""


def make_letter(**overrides) -> VisaLetter:
    values = dict(
        reference="ASEAN3-2024/VISA/0042",
        issued_on=date(2024, 8, 12),
        event_title="ASEAN+3 Conference on Regional Health Cooperation 2024",
        event_dates="29–30 October 2024",
        venue="National Convention Center",
        city="Hanoi",
        country_name="Viet Nam",
        organiser_text=ORGANISER_TEXT,
        signatory_name="Dr Nguyễn Văn An",
        signatory_title="Chair, Organising Committee",
        delegate_name="Mr HA Trung Chien",
        native_name="Hà Trung Chiến",
        country="VN",
        nationality="Viet Nam",
        passport_number="C1234567",
        date_of_birth=date(1980, 3, 5),
        passport_expiry=date(2030, 1, 31),
        organisation="Ministry of Health",
        position="Senior Medical Officer",
    )
    values.update(overrides)
    return VisaLetter(**values)


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    return subprocess.run(
        [tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def pages(pdf: bytes) -> int:
    info = poppler("pdfinfo", pdf)
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def plain_text(pdf: bytes) -> str:
    """The text as pdftotext reads it, with line breaks and runs of spaces collapsed."""
    return " ".join(poppler("pdftotext", pdf).split())


def test_normal_letter_is_one_a4_page_with_every_detail():
    pdf = render_visa_letter(make_letter())
    assert pdf.startswith(b"%PDF")
    assert pages(pdf) == 1
    assert "595.276 x 841.89 pts (A4)" in poppler("pdfinfo", pdf)
    text = plain_text(pdf)
    for expected in [
        "ASEAN+3 Conference on Regional Health Cooperation 2024",
        "ASEAN3-2024/VISA/0042",
        "12 August 2024",
        "TO WHOM IT MAY CONCERN",
        "Invitation letter for visa application",
        "Mr HA Trung Chien",
        "Hà Trung Chiến",
        "C1234567",
        "5 March 1980",
        "31 January 2030",
        "Ministry of Health",
        "Senior Medical Officer",
        "Dr Nguyễn Văn An",
        "Chair, Organising Committee",
        "Page 1 of 1",
    ]:
        assert expected in text, expected


def test_placeholders_are_filled_in_the_printed_letter():
    text = plain_text(render_visa_letter(make_letter()))
    assert "{" not in text
    assert "is pleased to invite Mr HA Trung Chien, holder of passport number C1234567" in text
    assert "(Viet Nam), Senior Medical Officer at Ministry of Health" in text
    assert "in Hanoi, Viet Nam on 29–30 October 2024" in text
    assert "grant Mr HA Trung Chien an entry visa" in text


def test_unknown_placeholders_and_stray_braces_are_left_as_written():
    odd = "Dear {name}, see {unknown} and {0} {} { } {name!r} {{name}} {name:>9} {a-b} } {"
    filled = fill_placeholders(make_letter(organiser_text=odd))
    assert filled == (
        "Dear Mr HA Trung Chien, see {unknown} and {0} {} { } {name!r} {Mr HA Trung Chien} "
        "{name:>9} {a-b} } {"
    )
    text = plain_text(render_visa_letter(make_letter(organiser_text=odd)))
    assert "see {unknown} and {0}" in text


def test_long_organiser_text_flows_onto_a_second_page():
    long_text = "\n\n".join([ORGANISER_TEXT] * 4)
    pdf = render_visa_letter(make_letter(organiser_text=long_text))
    assert pages(pdf) == 2
    first, second = poppler("pdftotext", pdf).split("\f")[:2]
    assert "Page 1 of 2" in first
    assert "(continued)" in second and "Page 2 of 2" in second
    # The signature ends the letter, on the last page.
    assert "Dr Nguyễn Văn An" in second and "Dr Nguyễn Văn An" not in first


@pytest.mark.parametrize(
    ("native_name", "country", "font"),
    [
        ("ศักดิ์ชัย สมบูรณ์", "TH", "NotoSansThai"),
        ("王小明", "CN", "WenQuanYiZenHei"),
        ("山田太郎", "JP", "IPAexGothic"),
        ("高木 一子", "JP", "IPAexGothic"),
        ("김민준", "KR", "NanumGothic"),
        ("សុខ ចាន់ថា", "KH", "NotoSansKhmer"),
        ("ក្រុងសៀមរាប ស្ត្រី", "KH", "NotoSansKhmer"),
        ("အောင်ကျော်ဦး", "MM", "NotoSansMyanmar"),
        ("ສົມສັກ ພົມມະວົງ", "LA", "NotoSansLao"),
    ],
)
def test_native_name_embeds_the_font_for_its_script_and_copies_as_typed(native_name, country, font):
    pdf = render_visa_letter(make_letter(native_name=native_name, country=country))
    fonts = poppler("pdffonts", pdf)
    assert f"+{font}" in fonts
    for line in fonts.splitlines()[2:]:
        assert " yes yes yes " in line, f"not embedded and subset: {line}"
    # Searching or copying the name in the letter finds it as typed.
    assert native_name in plain_text(pdf)


def test_letter_without_native_name_or_optional_details_still_renders():
    letter = make_letter(
        native_name="",
        venue="",
        date_of_birth=None,
        passport_expiry=None,
        organisation="",
        position="",
        organiser_text="",
    )
    pdf = render_visa_letter(letter)
    assert pages(pdf) == 1
    text = plain_text(pdf)
    assert "Date of birth" not in text and "Organisation" not in text
    assert "Hanoi, Viet Nam" in text


def test_several_letters_make_one_pdf_with_each_letter_on_its_own_pages():
    letters = [
        make_letter(reference=f"ASEAN3-2024/VISA/{n:04d}", delegate_name=f"Delegate {n}")
        for n in range(1, 4)
    ] + [make_letter(organiser_text="\n\n".join([ORGANISER_TEXT] * 4))]
    pdf = render_visa_letters(iter(letters))
    assert pages(pdf) == 5
    texts = poppler("pdftotext", pdf).split("\f")
    assert "Delegate 1" in texts[0] and "Delegate 2" in texts[1] and "Delegate 3" in texts[2]
    assert "Page 1 of 1" in texts[2] and "Page 2 of 2" in texts[4]


def test_no_letters_is_an_error():
    with pytest.raises(ValueError):
        render_visa_letters([])


def test_very_long_values_wrap_inside_the_page():
    letter = make_letter(
        event_title="The Twenty-Seventh ASEAN Plus Three Ministerial Conference on Regional "
        "Cooperation in Public Health, Disaster Preparedness and Emergency Response",
        organisation="Department of Disease Control, Ministry of Public Health of the Kingdom "
        "of Thailand, Bureau of Epidemiology and International Cooperation",
        native_name="ศักดิ์ชัยสมบูรณ์ศรีสุวรรณวงศ์ไพศาลทักษิณรัตนโกสินทร์มหาสารคาม",
        country="TH",
    )
    pdf = render_visa_letter(letter)
    layout = poppler("pdftotext", pdf, "-bbox")
    right_edges = [
        float(part.split('"')[1]) for part in layout.split() if part.startswith('xMax="')
    ]
    assert max(right_edges) <= 595.28 - 70  # inside the 25 mm right margin, with rounding


def test_letter_is_pure_data_in_bytes_out():
    letter = make_letter()
    with pytest.raises(dataclasses.FrozenInstanceError):
        letter.delegate_name = "someone else"
    assert render_visa_letter(letter)[:5] == b"%PDF-"
