import csv
import io
import re

from sqlalchemy import func, select

from conference.registration.links import manage_token
from conference.registration.models import Registration
from conference.registration.settings import save_question
from conference.registration.visa import approve_letter
from tests.factories import (
    make_category,
    make_event,
    make_registration,
    make_user,
    organiser_of,
    registration_data,
    registration_form,
)


def count(db):
    return db.session.scalar(select(func.count(Registration.id)))


def last_mail_to(db, address):
    from conference.mail.models import OutboxMessage

    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == address)
        .order_by(OutboxMessage.id.desc())
    ).first()


def emailed_link(mail) -> str:
    return re.search(r"http://conference\.test/\S+/manage/\S+", mail.body_text).group(0)


def test_delegate_registers_through_the_form_and_opens_their_page_from_the_e_mail(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    response = client.post(f"/events/{event.slug}/register", data=registration_form(category))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{event.slug}/register/sent"
    assert "Check your e-mail" in client.get(response.headers["Location"]).text
    mail = last_mail_to(db, "chien@sonla.example")
    assert mail.subject.startswith("Your registration is confirmed")
    page = client.get(emailed_link(mail))
    assert "Hà Trung Chiến" in page.text and "Confirmed" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]


def test_form_errors_are_shown_beside_fields_and_nothing_is_stored(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    response = client.post(
        f"/events/{event.slug}/register",
        data=registration_form(
            category, email="not-an-email", phone="12", country="", privacy_accepted=""
        ),
    )
    assert response.status_code == 422
    for message in (
        "Enter a valid e-mail address",
        "phone number with its country code",
        "Choose your country",
        "Please agree to the privacy policy",
    ):
        assert message in response.text
    assert 'value="Trung Chiến"' in response.text  # what was typed is kept
    assert count(db) == 0


def test_a_registered_address_gets_the_same_answer_as_a_new_one_and_its_link(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    existing = make_registration(event, category, email="chien@sonla.example")
    url = f"/events/{event.slug}/register"

    fresh = client.post(url, data=registration_form(category, email="lan@sonla.example"))
    again = client.post(url, data=registration_form(category, email="Chien@sonla.example"))

    assert again.status_code == fresh.status_code == 302
    assert again.headers["Location"] == fresh.headers["Location"]
    assert client.get(again.headers["Location"]).text == client.get(fresh.headers["Location"]).text
    assert count(db) == 2
    mail = last_mail_to(db, "chien@sonla.example")
    assert mail.subject.startswith("You are registered already")
    assert f"/manage/{manage_token(existing)}?verify=" in emailed_link(mail)


def test_required_custom_question_must_be_answered(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    question = save_question(
        event,
        None,
        label="Site visit",
        type="single_choice",
        required=True,
        choices=["Bang Kachao", "None"],
    )
    db.session.commit()
    response = client.post(f"/events/{event.slug}/register", data=registration_form(category))
    assert response.status_code == 422
    assert "Please answer this question." in response.text
    response = client.post(
        f"/events/{event.slug}/register",
        data=registration_form(category, **{f"q{question.id}": "None"}),
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Registration)).answers[0].value == "None"


def test_invitation_only_category_is_hidden_without_its_code(client, db):
    event = make_event()
    make_category(event, "Delegate")
    vip = make_category(event, "VIP", invitation_code="golden-ticket")
    assert "VIP" not in client.get(f"/events/{event.slug}/register").text
    assert "VIP" in client.get(f"/events/{event.slug}/register?code=golden-ticket").text
    refused = client.post(f"/events/{event.slug}/register", data=registration_form(vip))
    assert refused.status_code == 422 and "by invitation" in refused.text
    accepted = client.post(
        f"/events/{event.slug}/register?code=golden-ticket", data=registration_form(vip)
    )
    assert accepted.status_code == 302


def test_visa_request_needs_passport_details_only_when_ticked(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    response = client.post(
        f"/events/{event.slug}/register", data=registration_form(category, visa_requested="y")
    )
    assert response.status_code == 422
    assert "Enter the passport number" in response.text
    response = client.post(
        f"/events/{event.slug}/register",
        data=registration_form(
            category,
            visa_requested="y",
            passport_name="HA TRUNG CHIEN",
            passport_number="C1234567",
            nationality="VN",
            date_of_birth="1972-05-04",
            passport_expiry="2031-01-01",
        ),
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Registration)).visa.passport_number == "C1234567"


def test_delegate_edits_and_cancels_through_the_link(client, db):
    event = make_event()
    category = make_category(event, "Observer", capacity=1)
    first = make_registration(event, category)
    waiting = make_registration(event, category)
    link = f"/events/{event.slug}/manage/{manage_token(first)}"
    response = client.post(
        link,
        data=registration_form(
            category, organisation="Son La Department of Education", email=first.email
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, first.id).organisation == "Son La Department of Education"
    client.post(f"{link}/cancel")
    db.session.expire_all()
    assert db.session.get(Registration, first.id).status == "cancelled"
    assert db.session.get(Registration, waiting.id).status == "confirmed"


def test_tampered_or_foreign_link_shows_nothing(client, db):
    event = make_event()
    registration = make_registration(event, make_category(event))
    token = manage_token(registration)
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    response = client.get(f"/events/{event.slug}/manage/{tampered}")
    assert response.status_code == 404
    assert registration.email not in response.text
    other = make_event()
    assert client.get(f"/events/{other.slug}/manage/{token}").status_code == 404


def test_lost_link_answers_the_same_for_unknown_addresses(client, db, app):
    from pathlib import Path

    event = make_event()
    make_registration(event, make_category(event), email="chien@sonla.example")
    outbox = Path(app.config["OUTBOX_DIR"])
    before = len(list(outbox.glob("*.eml")))
    known = client.post(
        f"/events/{event.slug}/lost-link",
        data={"email": "chien@sonla.example"},
        follow_redirects=True,
    )
    unknown = client.post(
        f"/events/{event.slug}/lost-link",
        data={"email": "nobody@example.org"},
        follow_redirects=True,
    )
    message = "If this address is registered for the event, its link is on its way."
    assert message in known.text and message in unknown.text
    assert len(list(outbox.glob("*.eml"))) == before + 1


def test_head_adds_a_member_and_sees_the_delegation(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    response = client.post(
        f"/events/{event.slug}/register",
        data=registration_form(
            category, delegation_choice="new", new_delegation_name="Son La City"
        ),
    )
    head = db.session.scalar(select(Registration))
    link = f"/events/{event.slug}/manage/{manage_token(head)}"
    member = registration_form(
        category,
        given_name="Thị Lan",
        family_name="Nguyễn",
        native_name="",
        email="lan@sonla.example",
    )
    response = client.post(
        link.replace("/manage/", "/manage/").rstrip("/") + "/members/new", data=member
    )
    assert response.status_code == 302
    page = client.get(link).text
    assert "Son La City" in page and "Nguyễn Thị Lan" in page
    lan = db.session.scalar(select(Registration).where(Registration.email == "lan@sonla.example"))
    assert lan.delegation.name == "Son La City" and not lan.is_head


def test_closed_registration_shows_a_closed_page(client, db):
    from datetime import timedelta

    from conference.dbtypes import utcnow

    event = make_event(registration_opens=None)
    event.registration_opens_at = utcnow() - timedelta(days=5)
    event.registration_closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    response = client.get(f"/events/{event.slug}/register")
    assert "Registration is not open" in response.text


# Organisers ------------------------------------------------------------------------


def test_organiser_list_filters_and_searches_any_script(client, db, login):
    event = make_event()
    category = make_category(event, "Delegate")
    make_registration(event, category)
    make_registration(
        event,
        category,
        given_name="Xiaoming",
        family_name="Wang",
        native_name="王晓明",
        country="CN",
        phone="",
    )
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/registrations/?q=Chien").text
    assert "Trung Chiến" in page and "Xiaoming" not in page
    page = client.get(f"/events/{event.slug}/registrations/?q=王").text
    assert "Xiaoming" in page and "Trung Chiến" not in page
    page = client.get(f"/events/{event.slug}/registrations/?country=CN").text
    assert "Xiaoming" in page and "Trung Chiến" not in page


def test_other_users_cannot_see_registrations(client, db, login):
    event = make_event()
    registration = make_registration(event, make_category(event))
    login(make_user())
    for url in (
        f"/events/{event.slug}/registrations/",
        f"/events/{event.slug}/registrations/{registration.id}",
        f"/events/{event.slug}/registrations/export.csv",
    ):
        assert client.get(url).status_code == 403


def test_bulk_approval_sends_emails(client, db, login, app):
    from conference.mail.models import OutboxMessage

    event = make_event()
    press = make_category(event, "Press", requires_approval=True)
    ids = [make_registration(event, press).id for _ in range(3)]
    login(organiser_of(event))
    response = client.post(
        f"/events/{event.slug}/registrations/bulk",
        data={"action": "approve", "ids": ids[:2], "confirmed": "1"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    statuses = [db.session.get(Registration, i).status for i in ids]
    assert statuses == ["confirmed", "confirmed", "pending_approval"]
    approvals = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.like("Your registration is approved%"))
    ).all()
    assert len(approvals) == 2


def test_bulk_actions_return_only_to_a_page_of_this_site(client, db, login):
    event = make_event()
    login(organiser_of(event))
    for back in ("https://evil.example/", "////evil.example", "/\t/evil.example"):
        response = client.post(
            f"/events/{event.slug}/registrations/bulk", data={"action": "approve", "back": back}
        )
        assert response.headers["Location"] == f"/events/{event.slug}/registrations/"
    kept = f"/events/{event.slug}/registrations/?status=pending_approval"
    response = client.post(
        f"/events/{event.slug}/registrations/bulk", data={"action": "approve", "back": kept}
    )
    assert response.headers["Location"] == kept


def test_csv_export_opens_in_excel_with_every_script(client, db, login):
    event = make_event()
    category = make_category(event, "Delegate")
    make_registration(event, category, native_name="王晓明", organisation="=HYPERLINK(evil)")
    login(organiser_of(event))
    response = client.get(f"/events/{event.slug}/registrations/export.csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "status", "category"]
    assert "王晓明" in rows[1]
    assert "'=HYPERLINK(evil)" in rows[1]  # not run as a formula


def test_xlsx_export_has_the_same_rows(client, db, login):
    from openpyxl import load_workbook

    event = make_event()
    make_registration(event, make_category(event, "Delegate"), native_name="김민준")
    login(organiser_of(event))
    response = client.get(f"/events/{event.slug}/registrations/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [c.value for c in sheet[2]]
    assert "김민준" in values


def test_import_previews_errors_and_imports_nothing_until_all_rows_are_valid(client, db, login):
    event = make_event()
    make_category(event, "Delegate")
    login(organiser_of(event))
    bad = (
        "category,given_name,family_name,email,country,organisation,native_name\n"
        "Delegate,Somchai,Thongdee,somchai@example.org,TH,Khon Kaen Municipality,สมชาย ทองดี\n"
        "Delegat,Lan,Nguyen,not-an-email,XX,Hue City,\n"
    )
    response = client.post(
        f"/events/{event.slug}/registrations/import",
        data={"file": (io.BytesIO(bad.encode()), "delegates.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "1 of 2 rows have problems" in response.text.replace("<strong>", "").replace(
        "</strong>", ""
    )
    assert "Unknown category" in response.text and "valid e-mail" in response.text
    assert count(db) == 0

    good = bad.splitlines()[0] + "\n" + bad.splitlines()[1] + "\n"
    response = client.post(
        f"/events/{event.slug}/registrations/import",
        data={"file": (io.BytesIO(good.encode("utf-8-sig")), "delegates.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert count(db) == 0  # still nothing: the organiser has not confirmed
    confirm = re.search(r'action="([^"]+/import/[^"]+)"', response.text).group(1)
    response = client.post(confirm)
    assert response.status_code == 302
    job_page = client.get(response.headers["Location"])  # the import runs as a job
    assert "finished" in job_page.text
    assert db.session.scalar(select(Registration)).native_name == "สมชาย ทองดี"
    assert client.post(confirm).status_code == 400  # the same file is not imported twice
    assert count(db) == 1


def test_malformed_import_files_get_a_clear_message(client, db, login):
    event = make_event()
    login(organiser_of(event))
    for name, content, message in [
        ("empty.csv", b"", "The file is empty"),
        ("latin1.csv", "name\nJos\xe9".encode("latin-1"), "not UTF-8"),
        ("fake.xlsx", b"PK\x03\x04garbage", "not a valid Excel"),
        ("noheader.csv", b"a,b,c\n1,2,3\n", "missing"),
    ]:
        response = client.post(
            f"/events/{event.slug}/registrations/import",
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422, name
        assert message in response.text, name
    assert count(db) == 0


def visa_registration(event, category, db):
    from datetime import date

    from conference.registration.validation import PassportData

    event.visa_letter_text = "We invite {name} ({passport_number}) to {event_title}."
    event.visa_signatory_name = "Siriporn Chaiyasit"
    db.session.commit()
    return make_registration(
        event,
        category,
        visa_requested=True,
        native_name="ศักดิ์ชัย ทองดี",
        country="TH",
        phone="+66 81 234 5678",
        passport=PassportData(
            "SAKCHAI THONGDEE", "AA1234567", "TH", date(1975, 3, 2), date(2032, 1, 1)
        ),
    )


def test_visa_letter_is_a_pdf_for_organisers_and_for_the_delegate(client, db, login):
    import subprocess

    event = make_event()
    registration = visa_registration(event, make_category(event, "Delegate"), db)
    login(organiser_of(event))
    response = client.get(f"/events/{event.slug}/registrations/{registration.id}/visa-letter.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "no-store" in response.headers["Cache-Control"]
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode()
    assert "SAKCHAI THONGDEE" in text and "AA1234567" in text
    fonts = subprocess.run(["pdffonts", "-"], input=response.data, capture_output=True).stdout
    assert b"NotoSansThai" in fonts
    client.post("/logout")
    own_url = f"/events/{event.slug}/manage/{manage_token(registration)}/visa-letter.pdf"
    waiting = client.get(own_url)  # the organisers print it to check it; not yet approved
    assert waiting.status_code == 400 and "not approved the visa letter yet" in waiting.text
    approve_letter(registration)
    db.session.commit()
    own = client.get(own_url)
    assert own.status_code == 200 and own.data.startswith(b"%PDF")


def test_no_visa_letter_before_confirmation(client, db, login):
    event = make_event()
    press = make_category(event, "Press", requires_approval=True)
    registration = visa_registration(event, press, db)
    response = client.get(
        f"/events/{event.slug}/manage/{manage_token(registration)}/visa-letter.pdf"
    )
    assert response.status_code == 400
    assert "confirmed registrations only" in response.text


def test_passport_details_are_deleted_only_after_the_event(client, db, login):
    from datetime import date, timedelta

    from conference.registration.models import VisaDetails

    event = make_event()
    visa_registration(event, make_category(event, "Delegate"), db)
    login(organiser_of(event))
    response = client.post(f"/events/{event.slug}/visa-data/delete", follow_redirects=True)
    assert "once the event is over" in response.text
    assert db.session.scalar(select(func.count(VisaDetails.id))) == 1
    event.start_date = date.today() - timedelta(days=10)
    event.end_date = date.today() - timedelta(days=9)
    db.session.commit()
    response = client.post(f"/events/{event.slug}/visa-data/delete", follow_redirects=True)
    assert "Passport details of 1 delegate(s) are deleted." in response.text
    assert db.session.scalar(select(func.count(VisaDetails.id))) == 0


def test_the_link_organisers_see_does_not_verify_the_address(client, db, login):
    event = make_event()
    registration = make_registration(event, make_category(event))
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/registrations/{registration.id}").text
    link = re.search(r'id="link" class="form-control" value="([^"]+)"', page).group(1)
    assert link.endswith(f"/manage/{manage_token(registration)}")
    client.get(link)
    db.session.refresh(registration)
    assert registration.email_verified_at is None


def test_delegate_page_offers_the_visa_letter_once_confirmed(client, db):
    from conference.registration.places import change_status

    event = make_event()
    event.visa_letters_need_approval = False  # offered as soon as the place is confirmed
    registration = visa_registration(
        event, make_category(event, "Press", requires_approval=True), db
    )
    page = client.get(f"/events/{event.slug}/manage/{manage_token(registration)}").text
    assert "as soon as your registration is confirmed" in page
    assert "visa-letter.pdf" not in page
    change_status(registration, "approve")
    db.session.commit()
    page = client.get(f"/events/{event.slug}/manage/{manage_token(registration)}").text
    assert "visa-letter.pdf" in page
    assert "as soon as your registration is confirmed" not in page


def test_category_times_skipped_by_a_clock_change_are_refused(client, db, login):
    from conference.registration.models import Category

    event = make_event(timezone="Europe/Berlin", country="DE", city="Berlin")
    login(organiser_of(event))
    response = client.post(
        f"/events/{event.slug}/categories",
        data={"name": "Delegate", "badge_colour": "#1f4e79", "opens_at": "2031-03-30T02:30"},
    )
    assert response.status_code == 422
    assert "does not exist in Europe/Berlin" in response.text
    assert db.session.scalar(select(func.count(Category.id))) == 0
    response = client.post(
        f"/events/{event.slug}/categories",
        data={"name": "Delegate", "badge_colour": "#1f4e79", "opens_at": "2031-03-30T03:30"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Category.opens_at)).hour == 1  # 03:30 CEST in UTC


def test_organiser_cannot_move_a_registration_to_another_events_category(client, db, login):
    event = make_event()
    delegate = make_category(event, "Delegate")
    elsewhere = make_category(make_event(), "Speaker")
    registration = make_registration(event, delegate)
    login(organiser_of(event))
    response = client.post(
        f"/events/{event.slug}/registrations/{registration.id}/category",
        data={"category_id": str(elsewhere.id)},
        follow_redirects=True,
    )
    assert "Choose a category of this event." in response.text
    db.session.refresh(registration)
    assert registration.category == delegate


def test_the_delegations_page_shows_heads_and_counts_in_fixed_queries(client, db, login):
    from sqlalchemy import event as sa_event

    from conference.registration.delegations import add_member

    event = make_event()
    head = make_registration(event, make_category(event), new_delegation_name="Son La")
    login(organiser_of(event))
    url = f"/events/{event.slug}/delegations"

    def queries() -> tuple[int, str]:
        db.session.remove()
        counted = []

        def listener(*args):
            counted.append(1)

        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = client.get(url)
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        return len(counted), page.text

    few, page = queries()
    assert "1 coming · 1 registered" in page and "Hà Trung Chiến" in page
    head = db.session.merge(head)
    for _ in range(5):
        add_member(head, registration_data())
    db.session.commit()
    many, page = queries()
    assert "6 coming · 6 registered" in page and many == few
