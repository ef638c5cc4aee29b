"""Names on badges: in the order the person writes them, and one name never printed twice
(the text layer read back with poppler's pdftotext)."""

import subprocess

from sqlalchemy import select

from conference.registration.links import manage_token
from conference.registration.models import Registration
from tests.factories import make_category, make_event, make_registration


def pdftotext(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def own_badge(client, event, registration) -> tuple[str, str]:
    """(the "my badge" page, the text of the badge's PDF)."""
    base = f"/events/{event.slug}/manage/{manage_token(registration)}"
    page = client.get(f"{base}/badge").text
    pdf = client.get(f"{base}/badge.pdf")
    assert pdf.status_code == 200
    return page, pdftotext(pdf.data)


def test_a_vietnamese_badge_prints_the_name_once_family_name_first(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    khai = make_registration(
        event,
        category,
        title="Ms",
        given_name="Thị Minh Khai",
        family_name="Nguyễn",
        native_name="Nguyễn Thị Minh Khai",
        country="VN",
    )
    page, text = own_badge(client, event, khai)
    # Before: "Nguyễn Thị Minh Khai" above "Ms Thị Minh Khai Nguyễn".
    assert "Ms Nguyễn Thị Minh Khai" in text
    assert text.count("Minh Khai") == 1
    assert "Khai Nguyễn" not in text
    # The "my badge" page says it once too.
    assert "Ms Nguyễn Thị Minh Khai" in page and page.count("Minh Khai") == 1


def test_a_badge_in_two_scripts_prints_both_and_one_name_only_alone(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    somchai = make_registration(
        event,
        category,
        given_name="Sakchai",
        family_name="Thongdee",
        native_name="ศักดิ์ชัย ทองดี",
        country="TH",
        phone="",
    )
    wang = make_registration(
        event,
        category,
        given_name="Xiaoming",
        family_name="Wang",
        native_name="王晓明",
        country="CN",
        phone="",
    )
    sukarno = make_registration(
        event,
        category,
        given_name="Sukarno",
        family_name="",
        single_name=True,
        native_name="",
        country="ID",
        phone="",
    )
    _, text = own_badge(client, event, somchai)
    assert "Mr Sakchai Thongdee" in text
    _, text = own_badge(client, event, wang)
    assert "Mr Wang Xiaoming" in text and "王晓明" in text
    _, text = own_badge(client, event, sukarno)
    assert "Mr Sukarno" in text


def test_badges_print_in_family_name_order_one_name_only_by_that_name(db):
    from conference.badges.selection import badge_selection

    event = make_event()
    category = make_category(event, "Delegate")
    for given, family in (
        ("Ani", "Tan"),
        ("Sukarno", ""),
        ("Minh Khai", "Nguyễn"),
        ("Yuki", "Abe"),
    ):
        make_registration(
            event,
            category,
            given_name=given,
            family_name=family,
            single_name=not family,
            native_name="",
            phone="",
        )
    names = {r.id: r.full_name for r in db.session.scalars(select(Registration))}
    printed = [names[i] for i in badge_selection(event).ids]
    assert printed == ["Abe Yuki", "Nguyễn Minh Khai", "Sukarno", "Tan Ani"]
