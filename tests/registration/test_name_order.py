"""Names in the order people write them, and people with one name only: through the
registration form, the delegate's page, the e-mails, the organisers' pages, exports and
imports."""

import csv
import io
import re

from sqlalchemy import func, select

from conference.registration.links import manage_token
from conference.registration.models import Registration
from tests.factories import (
    give_role,
    make_category,
    make_event,
    make_registration,
    organiser_of,
    registration_form,
)


def stored(db) -> Registration:
    db.session.expire_all()
    return db.session.scalar(select(Registration).order_by(Registration.id.desc()))


def mail_to(db, address):
    from conference.mail.models import OutboxMessage

    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == address)
    ).first()


def khai(category, **overrides):
    """Nguyễn Thị Minh Khai, from Ha Noi, as the form posts her details."""
    values = dict(
        title="Ms",
        given_name="Thị Minh Khai",
        family_name="Nguyễn",
        native_name="",
        email="khai@hanoi.example",
        phone="",
        country="VN",
        organisation="Ha Noi People's Committee",
    )
    return registration_form(category, **(values | overrides))


def test_the_form_offers_the_order_with_a_preview_and_no_inline_script(client, db):
    event = make_event()
    make_category(event, "Delegate")
    html = client.get(f"/events/{event.slug}/register").text
    choices = re.findall(r'<input[^>]*name="name_order"[^>]*value="([^"]*)"', html)
    assert choices == ["", "family_first", "given_first"]
    assert re.search(r'<input[^>]*checked[^>]*name="name_order"[^>]*value=""', html) or re.search(
        r'<input[^>]*name="name_order"[^>]*value=""[^>]*checked', html
    )  # "as is usual in my country" until the person says otherwise
    assert 'name="single_name"' in html
    assert "Your name will print as:" in html
    assert '<script type="module" src="/static/js/name-order.js"></script>' in html
    assert "<script>" not in html  # the page's CSP allows no inline script
    rules = re.search(r"data-name-rules='([^']+)'", html).group(1)
    assert '"VN"' in rules and '"family_first"' in rules


def test_without_a_choice_a_vietnamese_name_is_written_family_name_first(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    response = client.post(f"/events/{event.slug}/register", data=khai(category))
    assert response.status_code == 302
    registration = stored(db)
    assert registration.name_order == "family_first"
    assert registration.display_name == "Ms Nguyễn Thị Minh Khai"
    mail = mail_to(db, "khai@hanoi.example")
    assert "Dear Ms Nguyễn Thị Minh Khai," in mail.body_text
    assert "Thị Minh Khai Nguyễn" not in mail.body_text + mail.body_html
    page = client.get(f"/events/{event.slug}/manage/{manage_token(registration)}").text
    assert "Ms Nguyễn Thị Minh Khai" in page and "Thị Minh Khai Nguyễn" not in page


def test_the_order_chosen_on_the_form_is_kept(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    # A Japanese delegate who writes her name as her passport does, given name first.
    form = khai(
        category,
        title="Dr",
        given_name="Yuki",
        family_name="Tanaka",
        native_name="田中 由紀",
        country="JP",
        email="yuki@okayama.example",
        name_order="given_first",
    )
    assert client.post(f"/events/{event.slug}/register", data=form).status_code == 302
    assert stored(db).display_name == "Dr Yuki Tanaka"

    form = khai(category, name_order="family_last")  # not a choice of the form
    response = client.post(f"/events/{event.slug}/register", data=form)
    assert response.status_code == 422
    assert "Choose “Surname first” or “Surname last”." in response.text
    assert db.session.scalar(select(func.count(Registration.id))) == 1


def test_the_preview_is_written_by_the_server_when_the_form_comes_back(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    response = client.post(
        f"/events/{event.slug}/register", data=khai(category, email="not-an-address")
    )
    assert response.status_code == 422
    assert re.search(
        r"Your name will print as: <strong data-name-preview>Ms Nguyễn Thị Minh Khai</strong>",
        response.text,
    )


def test_a_delegate_with_one_name_only_registers_without_a_family_name(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    url = f"/events/{event.slug}/register"
    sukarno = khai(
        category,
        title="Mr",
        given_name="Sukarno",
        family_name="",
        country="ID",
        email="sukarno@surabaya.example",
        organisation="Surabaya City",
    )
    response = client.post(url, data=sukarno)
    assert response.status_code == 422
    assert "tick “one name only”" in response.text
    assert db.session.scalar(select(func.count(Registration.id))) == 0

    response = client.post(url, data=sukarno | {"single_name": "y"})
    assert response.status_code == 302
    registration = stored(db)
    assert (registration.given_name, registration.family_name) == ("Sukarno", "")
    assert registration.single_name and registration.display_name == "Mr Sukarno"
    assert "Dear Mr Sukarno," in mail_to(db, "sukarno@surabaya.example").body_text

    # Editing keeps it so: the box comes back ticked.
    link = f"/events/{event.slug}/manage/{manage_token(registration)}"
    page = client.get(link).text
    ticked = r'<input[^>]*checked[^>]*name="single_name"|name="single_name"[^>]*checked'
    assert re.search(ticked, page)
    edited = sukarno | {"single_name": "y", "organisation": "Surabaya City Government"}
    assert client.post(link, data=edited).status_code == 302
    registration = stored(db)
    assert registration.organisation == "Surabaya City Government"
    assert registration.family_name == ""


def test_a_delegate_changes_the_order_of_their_name(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    registration = make_registration(event, category)  # Mr Hà Trung Chiến, from Viet Nam
    assert registration.name_order == "family_first"
    link = f"/events/{event.slug}/manage/{manage_token(registration)}"
    page = client.get(link).text
    assert re.search(r'value="family_first"[^>]*checked|checked[^>]*value="family_first"', page)
    assert "Your name will print as: <strong data-name-preview>Mr Hà Trung Chiến</strong>" in page
    form = registration_form(category, email=registration.email, name_order="given_first")
    assert client.post(link, data=form).status_code == 302
    assert stored(db).display_name == "Mr Trung Chiến Hà"


def test_organisers_see_the_name_in_its_order_once(client, db, login):
    event = make_event()
    category = make_category(event, "Delegate")
    registration = make_registration(event, category)  # native name "Hà Trung Chiến"
    login(organiser_of(event))
    listing = client.get(f"/events/{event.slug}/registrations/").text
    assert "Mr Hà Trung Chiến" in listing and "Trung Chiến Hà" not in listing
    assert '<div class="small native-name">Hà Trung Chiến</div>' not in listing  # not twice
    detail = client.get(f"/events/{event.slug}/registrations/{registration.id}").text
    assert '<h1 class="h3 mb-0">Mr Hà Trung Chiến</h1>' in detail
    assert "Written family name first" in detail


def export_table(client, event) -> list[dict]:
    response = client.get(f"/events/{event.slug}/registrations/export.csv")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_exports_have_the_full_name_in_order_the_order_and_one_name_only(client, db, login):
    event = make_event()
    category = make_category(event, "Delegate")
    make_registration(event, category)
    make_registration(
        event,
        category,
        given_name="Sukarno",
        family_name="",
        single_name=True,
        native_name="",
        country="ID",
    )
    make_registration(
        event, category, given_name="Somchai", family_name="Jaidee", native_name="", country="TH"
    )
    login(organiser_of(event))
    rows = export_table(client, event)
    header = list(rows[0])
    names = header.index("given_name")
    assert header[names : names + 5] == [
        "given_name",
        "family_name",
        "single_name",
        "name_order",
        "full_name",
    ]
    assert [(r["full_name"], r["name_order"], r["single_name"]) for r in rows] == [
        ("Hà Trung Chiến", "family_first", "no"),
        ("Sukarno", "given_first", "yes"),
        ("Somchai Jaidee", "given_first", "no"),
    ]


def test_an_export_imports_back_with_its_orders_and_single_names(client, db, login):
    source = make_event()
    category = make_category(source, "Delegate")
    make_registration(source, category, name_order="given_first")  # chosen against the default
    make_registration(
        source,
        category,
        given_name="Sukarno",
        family_name="",
        single_name=True,
        native_name="",
        country="ID",
    )
    login(organiser_of(source))
    exported = client.get(f"/events/{source.slug}/registrations/export.csv").data

    target = make_event()
    make_category(target, "Delegate")
    give_role(target, organiser_of(source), "organiser")
    response = client.post(
        f"/events/{target.slug}/registrations/import",
        data={"file": (io.BytesIO(exported), "registrations.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.text
    assert "Trung Chiến Hà" in response.text and "Sukarno" in response.text  # the preview
    confirm = re.search(r'action="([^"]+/import/[^"]+)"', response.text).group(1)
    client.post(confirm)
    imported = db.session.scalars(
        select(Registration).where(Registration.event_id == target.id).order_by(Registration.id)
    ).all()
    assert [(r.full_name, r.name_order, r.single_name) for r in imported] == [
        ("Trung Chiến Hà", "given_first", False),
        ("Sukarno", "given_first", True),
    ]


def test_a_head_adds_a_member_with_one_name_only_in_the_members_table(client, db):
    from tests.factories import make_head

    event = make_event()
    head = make_head(event, make_category(event, "Delegate"))
    sheet = f"/events/{event.slug}/manage/{manage_token(head)}/delegation"
    assert "One name only" in client.get(sheet).text
    row = {"members-0-given_name": "Sukarno", "members-1-given_name": ""}
    response = client.post(sheet, data=row)
    assert response.status_code == 422
    assert "Enter their family name (or tick “one name only” when there is none)." in response.text
    response = client.post(sheet, data=row | {"members-0-single_name": "y"})
    assert response.status_code == 302
    member = stored(db)
    assert (member.given_name, member.family_name, member.display_name) == (
        "Sukarno",
        "",
        "Sukarno",
    )
    assert "Sukarno" in client.get(sheet).text
