"""Certificates through the client: the public verification page, a delegate's own
certificate, the organisers' page, and who may see what."""

import re
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from conference.certificates.services import certificate_token
from conference.jobs.models import Job
from conference.registration.links import manage_token
from conference.registration.places import cancel_by_delegate
from tests.conftest import log_in
from tests.factories import (
    PASSWORD,
    check_in_on,
    give_role,
    make_category,
    make_event,
    make_registration,
    make_session,
    make_user,
    organiser_of,
)


def pdftotext(pdf: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout.decode(), re.M).group(1))


@pytest.fixture
def conference(db):
    """A past event: a Khmer delegate checked in on both days and into a session, a Japanese
    delegate on the first day, and one who never came."""
    start = date(2024, 10, 29)
    event = make_event(
        title="ASEAN+3 Regional Learning Cities Conference",
        start_date=start,
        end_date=start + timedelta(days=1),
    )
    category = make_category(event, "Delegate")
    sokha = make_registration(
        event,
        category,
        title="Mr",
        given_name="Sokha",
        family_name="Chan",
        native_name="ចាន់ សុខា",
        country="KH",
        phone="",
    )
    taro = make_registration(
        event,
        category,
        title="Mr",
        given_name="Taro",
        family_name="Yamada",
        native_name="山田 太郎",
        country="JP",
        phone="",
    )
    absent = make_registration(event, category, given_name="Absent", family_name="Delegate")
    check_in_on(sokha, 0)
    check_in_on(sokha, 1)
    check_in_on(sokha, session=make_session(event, title="Opening plenary"))
    check_in_on(taro, 0)
    return event, sokha, taro, absent


def manage_url(event, registration, rest=""):
    return f"/events/{event.slug}/manage/{manage_token(registration)}{rest}"


# The public page ------------------------------------------------------------------------


def test_the_page_of_a_genuine_certificate_says_valid_and_for_whom(client, conference):
    event, sokha, _, _ = conference
    response = client.get(f"/certificates/{certificate_token(sokha)}")
    assert response.status_code == 200
    page = response.text
    assert "Valid" in page and "This certificate of attendance is valid." in page
    assert "Mr Chan Sokha" in page and "ចាន់ សុខា" in page  # family name first, as he writes it
    assert event.title in page and "29 and 30 October 2024" in page
    assert "Opening plenary" in page
    assert response.headers["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t[:50],
        lambda t: t + "x",
        lambda t: "%00" + t,
        lambda t: "..%2F..%2Fetc%2Fpasswd",
        lambda t: "A" * 3000,
        lambda t: "ศักดิ์ชัย",
    ],
)
def test_an_altered_or_forged_address_is_refused_with_a_clear_page(client, conference, spoil):
    _, sokha, _, _ = conference
    response = client.get(f"/certificates/{spoil(certificate_token(sokha))}")
    assert response.status_code == 404
    assert "Not valid" in response.text or "nothing at this address" in response.text
    assert "Mr Chan Sokha" not in response.text


def test_a_forged_address_page_says_so(client, conference):
    _, sokha, _, _ = conference
    token = certificate_token(sokha)
    response = client.get(f"/certificates/{token[:-2]}AA")
    assert response.status_code == 404
    assert "not a genuine certificate address" in response.text


def test_a_cancelled_registrations_certificate_reads_as_not_valid(client, conference, db):
    event, sokha, _, _ = conference
    token = certificate_token(sokha)
    cancel_by_delegate(sokha)
    db.session.commit()
    response = client.get(f"/certificates/{token}")
    assert response.status_code == 410
    assert "Not valid" in response.text and "was cancelled" in response.text
    assert "Chan Sokha" not in response.text  # whose it was is not shown any more
    assert event.title in response.text


# The delegate's own ---------------------------------------------------------------------


def test_the_management_page_offers_the_certificate_once_checked_in(client, conference):
    event, sokha, _, absent = conference
    assert "Certificate of attendance" in client.get(manage_url(event, sokha)).text
    assert "Certificate of attendance" not in client.get(manage_url(event, absent)).text


def test_a_delegate_downloads_their_own_certificate_with_native_names_in_its_text(
    client, conference
):
    event, sokha, taro, _ = conference
    response = client.get(manage_url(event, sokha, "/certificate.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdftotext(response.data)
    assert "ចាន់ សុខា" in text and "Mr Chan Sokha" in text
    assert "Present on 29 and 30 October 2024 (2 of 2 days)" in text
    assert "Taro" not in text and page_count(response.data) == 1
    text = pdftotext(client.get(manage_url(event, taro, "/certificate.pdf")).data)
    assert "山田 太郎" in text and "Mr Yamada Taro" in text and "Sokha" not in text


def test_no_certificate_before_a_check_in_nor_through_another_link(client, conference, db):
    event, sokha, _, absent = conference
    response = client.get(manage_url(event, absent, "/certificate.pdf"))
    assert response.status_code == 400
    assert "once you have been checked in" in response.text
    token = manage_token(sokha)
    assert client.get(f"/events/{event.slug}/manage/{token}x/certificate.pdf").status_code == 404
    other = make_event()
    assert client.get(f"/events/{other.slug}/manage/{token}/certificate.pdf").status_code == 404
    cancel_by_delegate(sokha)
    db.session.commit()
    response = client.get(manage_url(event, sokha, "/certificate.pdf"))
    assert response.status_code == 400 and "cancelled" in response.text


# The organisers' page -------------------------------------------------------------------


def test_organisers_see_where_certificates_stand_and_preview_one(client, login, conference):
    event, sokha, taro, absent = conference
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/certificates").text
    assert "Delegates with a certificate" in page
    assert "Send 2 certificates" in page
    assert "Mr Chan Sokha" in page and "Mr Yamada Taro" in page
    assert "Absent" not in page
    assert "2 days, 1 session" in page
    found = client.get(f"/events/{event.slug}/certificates?q=Yamada").text
    assert "Mr Yamada Taro" in found and "Mr Chan Sokha" not in found

    preview = client.get(f"/events/{event.slug}/certificates/{taro.id}.pdf")
    assert preview.status_code == 200 and "山田 太郎" in pdftotext(preview.data)
    assert client.get(f"/events/{event.slug}/certificates/{absent.id}.pdf").status_code == 404


def test_organisers_download_every_certificate_at_once(client, login, conference):
    event, *_ = conference
    login(organiser_of(event))
    response = client.post(f"/events/{event.slug}/certificates/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert page_count(response.data) == 2
    text = pdftotext(response.data)
    assert text.index("Chan Sokha") < text.index("Yamada Taro")  # by family name


def test_a_large_batch_is_made_in_the_background(make_app):
    app = make_app(CERTIFICATE_BACKGROUND_THRESHOLD=1)
    client = app.test_client()
    with app.app_context():
        event = make_event(start_date=date(2024, 10, 29), end_date=date(2024, 10, 30))
        category = make_category(event, "Delegate")
        for name in ("Ann", "Bob", "Cy"):
            check_in_on(make_registration(event, category, given_name=name, family_name="Lee"))
        email, slug = organiser_of(event).email, event.slug
    log_in(client, email, PASSWORD)
    response = client.post(f"/events/{slug}/certificates/pdf")
    assert response.status_code == 302 and "/jobs/" in response.location
    job = client.get(f"{response.location}.json").get_json()
    assert job["status"] == "finished" and job["result"]["certificates"] == 3
    download = client.get(job["result"]["url"])
    assert download.status_code == 200 and page_count(download.data) == 3
    assert client.get(f"/events/{slug}/certificates/download/nope").status_code == 404


def test_nobody_checked_in_yet_is_said_plainly(client, login, db):
    event = make_event()
    make_registration(event, make_category(event, "Delegate"))
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/certificates").text
    assert "Nobody has been checked in yet." in page and "Download all" not in page
    response = client.post(f"/events/{event.slug}/certificates/pdf", follow_redirects=True)
    assert "Nobody has been checked in" in response.text


def signed_in(app, user):
    """A client of its own, signed in as the user."""
    client = app.test_client()
    assert log_in(client, user.email, PASSWORD).status_code == 302
    return client


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/certificates"),
        ("get", "/certificates/{rid}.pdf"),
        ("post", "/certificates/pdf"),
        ("post", "/certificates/send"),
    ],
)
def test_only_the_events_organisers_reach_its_certificates(
    app, client, db, conference, method, path
):
    event, sokha, _, _ = conference
    url = f"/events/{event.slug}{path.format(rid=sokha.id)}"
    assert getattr(client, method)(url).status_code == 302  # to the sign-in page
    staff = make_user()
    give_role(event, staff, "checkin")
    assert getattr(signed_in(app, staff), method)(url).status_code == 403
    other = make_event()
    theirs = signed_in(app, organiser_of(other))
    assert getattr(theirs, method)(url).status_code == 403
    # Nor through their own event: the registration is not theirs.
    assert theirs.get(f"/events/{other.slug}/certificates/{sokha.id}.pdf").status_code == 404
    assert not db.session.scalars(select(Job)).all()  # nothing was started
