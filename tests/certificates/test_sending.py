"""Sending the certificates through the outbox: one e-mail per delegate, once, whatever
happens to the sending."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from conference.certificates import sending
from conference.certificates.models import CertificateMail
from conference.certificates.sending import send_certificates, sending_summary
from conference.certificates.services import certified_query
from conference.jobs.models import Job
from conference.mail.models import OutboxMessage
from conference.registration.models import Registration
from conference.registration.settings import save_registration_settings
from tests.conftest import log_in
from tests.factories import (
    PASSWORD,
    check_in_on,
    make_category,
    make_event,
    make_head,
    make_member,
    make_registration,
    organiser_of,
)


@pytest.fixture
def conference(db):
    """A past event: four delegates checked in (one of them a delegation member without an
    address), one who never came."""
    event = make_event(
        title="ASEAN+3 Regional Learning Cities Conference",
        start_date=date(2024, 10, 29),
        end_date=date(2024, 10, 30),
    )
    save_registration_settings(event, edit_deadline=None, reply_to="team@learningcities.example")
    db.session.commit()
    category = make_category(event, "Delegate")
    people = [
        make_registration(
            event, category, given_name=name, family_name="Lee", native_name="", country="SG"
        )
        for name in ("Ann", "Bob", "Cy")
    ]
    head = make_head(event, category)
    member = make_member(head, given_name="Dara", family_name="Sok")  # no address
    absent = make_registration(event, category, given_name="Absent", family_name="Delegate")
    for person in [*people, head, member]:
        check_in_on(person, 0)
    return event, [*people, head], member, absent


def certificate_mails(db) -> dict[int, int]:
    """How many certificate e-mails each registration was queued."""
    rows = db.session.execute(
        select(OutboxMessage.registration_id, func.count())
        .where(OutboxMessage.subject.like("Your certificate of attendance%"))
        .group_by(OutboxMessage.registration_id)
    )
    return dict(rows.all())


def test_organisers_send_every_delegate_their_certificate_once(client, db, conference):
    event, sent_to, member, absent = conference
    log_in(client, organiser_of(event).email, PASSWORD)
    response = client.post(f"/events/{event.slug}/certificates/send")
    assert response.status_code == 302 and "/jobs/" in response.location
    job = client.get(f"{response.location}.json").get_json()
    assert job["status"] == "finished" and job["result"] == {"sent": 4}
    assert job["message"] == "4 of 4 certificates sent"

    assert certificate_mails(db) == {r.id: 1 for r in sent_to}  # not the member, nor absent
    ann = sent_to[0]
    message = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.registration_id == ann.id,
            OutboxMessage.subject.like("Your certificate of attendance%"),
        )
    ).one()
    assert message.recipient == ann.email and message.reply_to == "team@learningcities.example"
    assert message.subject == f"Your certificate of attendance – {event.title}"
    links = re.findall(r"http://conference\.test/\S+", message.body_text)
    pdf = client.get(links[0])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    verify = client.get(links[1])
    assert verify.status_code == 200 and "Ann Lee" in verify.text
    assert links[0] in message.body_html and links[1] in message.body_html

    again = client.post(f"/events/{event.slug}/certificates/send", follow_redirects=True)
    assert "has been sent theirs" in again.text
    assert len(db.session.scalars(select(Job)).all()) == 1
    summary = sending_summary(event)
    assert (summary.certified, summary.sent, summary.to_send, summary.without_email) == (
        5,
        4,
        0,
        1,
    )


def test_sending_again_later_sends_to_those_checked_in_since(db, conference):
    event, sent_to, _, absent = conference
    assert send_certificates(event) == 4
    db.session.commit()
    check_in_on(absent, 1)
    assert sending_summary(event).to_send == 1
    assert send_certificates(event) == 1
    db.session.commit()
    assert certificate_mails(db) == {r.id: 1 for r in [*sent_to, absent]}


class WorkerLost(Exception):
    pass


def test_a_sending_cut_short_and_started_over_sends_no_one_twice(db, conference, monkeypatch):
    event, sent_to, _, _ = conference
    monkeypatch.setattr(sending, "SENT_AT_ONCE", 1)
    reports = []

    def progress(done, total, message):
        db.session.commit()  # as a job's progress report commits what was done so far
        reports.append(done)
        if done == 2:
            raise WorkerLost

    with pytest.raises(WorkerLost):
        send_certificates(event, progress)
    db.session.rollback()
    assert sum(certificate_mails(db).values()) == 2
    assert send_certificates(event) == 2  # the run that starts over: the other two
    db.session.commit()
    assert certificate_mails(db) == {r.id: 1 for r in sent_to}
    recorded = db.session.scalars(select(CertificateMail.registration_id)).all()
    assert sorted(recorded) == sorted(r.id for r in sent_to)


def test_two_sendings_at_once_send_no_one_twice(db, conference, monkeypatch):
    """A second sending that chose the same people fails on the unique record, and what it
    queued is rolled back with it."""
    event, sent_to, _, _ = conference
    assert send_certificates(event) == 4
    db.session.commit()

    def chosen_before_the_other_committed(event):
        return certified_query(event).where(Registration.email.is_not(None))

    monkeypatch.setattr(sending, "_unsent", chosen_before_the_other_committed)
    with pytest.raises(sending.SentTwice, match="nobody was sent theirs twice"):
        send_certificates(event)
    db.session.rollback()
    assert certificate_mails(db) == {r.id: 1 for r in sent_to}


def test_a_sending_needs_its_form_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        event = make_event(start_date=date(2024, 10, 29), end_date=date(2024, 10, 30))
        check_in_on(make_registration(event, make_category(event, "Delegate")))
        email, slug = organiser_of(event).email, event.slug
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    login = {"email": email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    assert client.post(f"/events/{slug}/certificates/send").status_code == 400
    with app.app_context():
        from conference.extensions import db

        assert db.session.scalar(select(func.count(Job.id))) == 0
        assert db.session.scalar(select(func.count(CertificateMail.id))) == 0
        assert certificate_mails(db) == {}
