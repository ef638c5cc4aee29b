"""A registration's history on the organisers' page: what it shows, who sees it, and the
button that sends an e-mail again (POST with its form token, this event's organisers only)."""

import re

from sqlalchemy import func, select

from conference.mail.models import OutboxMessage
from conference.registration.models import RegistrationActivity
from tests.factories import (
    PASSWORD,
    give_role,
    make_category,
    make_event,
    make_organiser,
    make_registration,
    make_user,
    organiser_of,
    registration_form,
)


def _outbox(db) -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def _first_mail(db, registration) -> OutboxMessage:
    return db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.id)
    )


def test_the_page_shows_changes_e_mails_and_who_did_them(client, db, login):
    event = make_event()
    olivia = make_organiser(event, name="Olivia Organiser")
    chien = make_registration(
        event, make_category(event, "VIP", requires_approval=True), email="chien@sonla.example"
    )
    login(olivia)
    url = f"/events/{event.slug}/registrations/{chien.id}"
    assert client.post(f"{url}/status", data={"action": "approve"}).status_code == 302
    edit = client.get(f"{url}/edit")
    assert edit.status_code == 200
    form = registration_form(
        chien.category,
        email=chien.email,
        organisation="Son La City",
        organiser_note="Arrives on the 28th",
    )
    assert client.post(f"{url}/edit", data=form).status_code == 302

    page = client.get(url).text
    history = page[page.index('id="history"') :]
    assert history.index("Details changed") < history.index("Approved: pending approval")
    assert "<del>Son La City People&#39;s Committee</del> → <ins>Son La City</ins>" in history
    assert "Organisers&#39; note: <span" in history
    assert "(empty)</span> → <ins>Arrives on the 28th</ins>" in history
    assert "Olivia Organiser" in history
    assert "E-mail “Your registration is approved – " in history
    assert '<span class="badge mail-sent">Sent</span>' in history
    assert "Delivered to the mail server" in history
    assert "Resend to chien@sonla.example" in history
    assert "The delegate (own link)" in history  # who registered
    assert history.index("Approved") < history.index("Registered as VIP")


def test_an_e_mail_s_delivery_state_is_shown(client, db, login):
    event = make_event()
    chien = make_registration(event, make_category(event, "Delegate"))
    mail = _first_mail(db, chien)
    url = f"/events/{event.slug}/registrations/{chien.id}"
    login(organiser_of(event))
    mail.status, mail.attempts, mail.last_error = "pending", 2, "451 Try again later"
    db.session.commit()
    page = client.get(url).text
    assert '<span class="badge mail-pending">Pending</span>' in page
    assert "Waiting in the outbox after 2 failed attempts: 451 Try again later." in page
    mail.status, mail.attempts, mail.last_error = "failed", 5, "550 Mailbox unavailable"
    db.session.commit()
    page = client.get(url).text
    assert '<span class="badge mail-failed">Failed</span>' in page
    assert "Not delivered after 5 attempts: 550 Mailbox unavailable" in page


def test_only_the_event_s_organisers_see_the_history(client, db, login):
    event = make_event()
    other = make_event()
    chien = make_registration(event, make_category(event, "Delegate"))
    url = f"/events/{event.slug}/registrations/{chien.id}"
    assert client.get(url).status_code == 302  # to the sign-in page
    staff = make_user()
    give_role(event, staff, "checkin")
    login(staff)
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(organiser_of(other))
    assert client.get(url).status_code == 403
    # Nor through their own event's address.
    assert client.get(f"/events/{other.slug}/registrations/{chien.id}").status_code == 404


def test_resend_queues_a_copy_to_the_current_address_and_records_it(client, db, login):
    event = make_event()
    olivia = organiser_of(event)
    chien = make_registration(event, make_category(event, "Delegate"), email="old@sonla.example")
    chien.email = "new@sonla.example"  # changed since the e-mail was sent
    db.session.commit()
    mail = _first_mail(db, chien)
    before = _outbox(db)
    login(olivia)
    url = f"/events/{event.slug}/registrations/{chien.id}"
    response = client.post(f"{url}/emails/{mail.id}/resend")
    assert response.status_code == 302 and response.location.endswith(f"{url}#history")
    assert _outbox(db) == before + 1
    copy = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert (copy.recipient, copy.subject, copy.body_text) == (
        "new@sonla.example",
        mail.subject,
        mail.body_text,
    )
    recorded = db.session.scalar(
        select(RegistrationActivity).where(RegistrationActivity.kind == "email_resent")
    )
    assert recorded.actor_user_id == olivia.id
    page = client.get(url).text
    assert "is on its way to new@sonla.example again" in page
    assert "sent again to new@sonla.example" in page


def test_resend_is_refused_to_others_and_for_others_e_mails(client, db, login):
    event = make_event()
    other = make_event()
    category = make_category(event, "Delegate")
    chien = make_registration(event, category)
    somchai = make_registration(event, category)
    mail, theirs = _first_mail(db, chien), _first_mail(db, somchai)
    before = _outbox(db)
    url = f"/events/{event.slug}/registrations/{chien.id}/emails"
    staff = make_user()
    give_role(event, staff, "checkin")
    login(staff)
    assert client.post(f"{url}/{mail.id}/resend").status_code == 403
    client.post("/logout")
    login(organiser_of(other))
    assert client.post(f"{url}/{mail.id}/resend").status_code == 403
    client.post("/logout")
    login(organiser_of(event))
    # Another registration's e-mail through this one's page: not there.
    refused = client.post(f"{url}/{theirs.id}/resend")
    assert refused.status_code == 404
    assert "There is no such e-mail in this registration" in refused.text
    assert client.get(f"{url}/{mail.id}/resend").status_code == 405
    assert _outbox(db) == before


def test_resend_needs_the_form_token(make_app):
    from conference.extensions import db

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        event = make_event()
        chien = make_registration(event, make_category(event, "Delegate"))
        email, slug, rid = organiser_of(event).email, event.slug, chien.id
        mail_id = _first_mail(db, chien).id
        before = _outbox(db)
        db.session.remove()
    client = app.test_client()

    def token(page):
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]

    login = {"email": email, "password": PASSWORD, "csrf_token": token(client.get("/login"))}
    assert client.post("/login", data=login).status_code == 302
    url = f"/events/{slug}/registrations/{rid}/emails/{mail_id}/resend"
    assert client.post(url).status_code == 400
    with app.app_context():
        assert _outbox(db) == before
    page = client.get(f"/events/{slug}/registrations/{rid}")
    assert f'action="{url}"' in page.text
    assert client.post(url, data={"csrf_token": token(page)}).status_code == 302
    with app.app_context():
        assert _outbox(db) == before + 1


def test_the_history_is_paged(client, db, login):
    from conference.registration.history import HISTORY_PAGE

    event = make_event()
    chien = make_registration(event, make_category(event, "Delegate"))
    from conference.registration.emails import notify

    for _ in range(HISTORY_PAGE):
        notify(chien, "link")
    db.session.commit()
    login(organiser_of(event))
    url = f"/events/{event.slug}/registrations/{chien.id}"
    first = client.get(url).text
    assert first.count('data-kind="email"') == HISTORY_PAGE
    assert "Registered as Delegate" not in first and f"{url}?history=2#history" in first
    second = client.get(f"{url}?history=2").text
    assert "Registered as Delegate" in second and f"{url}?history=1#history" in second
    assert client.get(f"{url}?history=99999999999999999999999").status_code == 200
