"""The delegation sheet through the client: who may open it, adding several members at
once, a member's page, the downloads, the summary e-mail, CSRF."""

import re
import subprocess

from sqlalchemy import func, select

from conference.mail.models import OutboxMessage
from conference.registration.links import manage_token
from conference.registration.models import Registration
from conference.registration.settings import save_question
from conference.registration.visa import approve_letter
from tests.factories import (
    delegate,
    give_role,
    make_category,
    make_event,
    make_head,
    make_invited_head,
    make_member,
    make_user,
    organiser_of,
    passport,
    registration_form,
)

KHMER = "ស្រី ពៅ លឹម"


def sheet_url(head) -> str:
    return f"/events/{head.event.slug}/manage/{manage_token(head)}/delegation"


def member_url(head, member) -> str:
    return f"/events/{head.event.slug}/manage/{manage_token(head)}/members/{member.id}"


def registrations(db) -> int:
    return db.session.scalar(select(func.count(Registration.id)))


def rows(*people, first=0) -> dict:
    """The "add several members" table as a browser posts it: these rows, then blank ones."""
    data = {}
    people = [*people, *([{}] * 2)]
    for n, person in enumerate(people, start=first):
        for name in ("given_name", "family_name", "native_name", "position", "email"):
            data[f"members-{n}-{name}"] = person.get(name, "")
        for name, value in person.items():
            if name.startswith("q") or name == "category_id":
                data[f"members-{n}-{name}"] = value
    return data


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def with_delegation(db):
    event = make_event()
    category = make_category(event, "Delegate")
    head = make_head(event, category)
    pov = make_member(head, given_name="Srey Pov", family_name="Lim", native_name=KHMER)
    thida = make_member(head, given_name="Thida", family_name="Win", email="thida@example.org")
    return event, head, pov, thida


def head_elsewhere():
    """The head of a delegation of another event."""
    event = make_event()
    return make_head(event, make_category(event), delegation="Elsewhere")


def test_the_head_opens_the_sheet_with_every_member_and_their_status(client, db):
    event, head, pov, thida = with_delegation(db)
    page = client.get(sheet_url(head))
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    for text in ("Phnom Penh Capital", "Lim Srey Pov", KHMER, "Win Thida", "thida@example.org"):
        assert text in page.text
    assert "none: you manage them" in page.text and "3 confirmed" in page.text
    assert sheet_url(head) in client.get(f"/events/{event.slug}/manage/{manage_token(head)}").text


def test_a_members_own_link_opens_no_sheet(client, db):
    event, head, pov, thida = with_delegation(db)
    page = client.get(sheet_url(thida))
    assert page.status_code == 403
    assert "Srey Pov" not in page.text
    own_page = client.get(f"/events/{event.slug}/manage/{manage_token(thida)}").text
    assert "/delegation" not in own_page
    assert client.get(member_url(thida, pov)).status_code == 403


def test_another_delegations_head_can_neither_read_nor_change_our_members(client, db):
    event, head, pov, thida = with_delegation(db)
    other = make_head(event, head.category, delegation="Siem Reap", given_name="Vanna")
    token = manage_token(other)
    base = f"/events/{event.slug}/manage/{token}/members/{pov.id}"
    page = client.get(base)
    assert page.status_code == 404 and KHMER not in page.text
    assert client.post(base, data={"given_name": "Changed"}).status_code == 404
    assert client.get(f"{base}/badge.pdf").status_code == 404
    assert client.post(f"{base}/cancel").status_code == 404
    sheet = client.get(sheet_url(other))
    assert sheet.status_code == 200 and "Srey Pov" not in sheet.text
    db.session.refresh(pov)
    assert pov.given_name == "Srey Pov" and pov.status == "confirmed"
    # A head of another event reaches nothing here either.
    stranger = head_elsewhere()
    foreign = f"/events/{event.slug}/manage/{manage_token(stranger)}/delegation"
    assert client.get(foreign).status_code == 404


def test_organisers_of_the_event_see_its_delegations_and_no_one_else(client, db, login):
    event, head, pov, thida = with_delegation(db)
    url = f"/events/{event.slug}/delegations/{head.delegation_id}"
    assert client.get(url).status_code == 302  # to sign in
    outsider = make_user()
    give_role(make_event(), outsider, "organiser")
    login(outsider)
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(organiser_of(event))
    page = client.get(url)
    assert page.status_code == 200
    assert "Lim Srey Pov" in page.text and "none: the head manages them" in page.text
    delegations = f"/events/{event.slug}/delegations"
    assert client.get(f"{delegations}/{head.delegation_id + 99}").status_code == 404
    elsewhere = head_elsewhere()
    assert client.get(f"{delegations}/{elsewhere.delegation_id}").status_code == 404


def test_several_members_are_added_from_the_table_and_blank_rows_are_ignored(client, db):
    event, head, pov, thida = with_delegation(db)
    before = registrations(db)
    response = client.post(
        sheet_url(head),
        data=rows(
            {"given_name": "Dara", "family_name": "Sok", "native_name": "ដារ៉ា សុខ"},
            {
                "given_name": "Chenda",
                "family_name": "Keo",
                "email": "chenda@example.org",
                "position": "Librarian",
            },
        ),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/delegation")
    assert registrations(db) == before + 2
    page = client.get(response.headers["Location"]).text
    assert "2 members are registered" in page and "ដារ៉ា សុខ" in page and "Librarian" in page
    dara = db.session.scalar(select(Registration).where(Registration.family_name == "Sok"))
    assert dara.email is None and dara.delegation_id == head.delegation_id


def test_a_bad_row_is_marked_in_place_and_nothing_is_registered(client, db):
    event, head, pov, thida = with_delegation(db)
    before = registrations(db)
    response = client.post(
        sheet_url(head),
        data=rows(
            {"given_name": "Dara", "family_name": "Sok"},
            {"given_name": "Chenda"},
            {"given_name": "Vanna", "family_name": "Keo", "email": "thida@example.org"},
            {"given_name": "Bopha", "family_name": "Chea", "email": "not an address"},
        ),
    )
    assert response.status_code == 422
    assert registrations(db) == before
    text = response.text
    assert "Nothing was registered: 3 rows have a problem." in text
    assert "Enter their family name (or tick “one name only” when there is none)." in text
    assert "registered for this event already" in text
    assert "Enter a valid e-mail address" in text
    # Every row stays as typed, and each message is beside its field.
    assert 'value="Dara"' in text and 'value="not an address"' in text
    assert re.search(r'id="members-1-family_name"[^>]*aria-invalid="true"', text) or re.search(
        r'aria-invalid="true"[^>]*id="members-1-family_name"', text
    )
    assert 'id="members-1-family_name-error"' in text
    assert 'id="members-0-family_name-error"' not in text


def test_required_questions_are_columns_of_the_table(client, db):
    event, head, pov, thida = with_delegation(db)
    question = save_question(
        event,
        None,
        label="Site visit",
        type="single_choice",
        required=True,
        choices=["Bang Kachao", "None"],
    )
    db.session.commit()
    page = client.get(sheet_url(head)).text
    assert "Site visit" in page and f'name="members-0-q{question.id}"' in page
    missing = client.post(sheet_url(head), data=rows({"given_name": "Dara", "family_name": "Sok"}))
    assert missing.status_code == 422 and "Please answer this question." in missing.text
    answered = client.post(
        sheet_url(head),
        data=rows({"given_name": "Dara", "family_name": "Sok", f"q{question.id}": "None"}),
    )
    assert answered.status_code == 302


def test_the_table_refuses_an_empty_list_and_too_many_rows_and_offers_more(client, db):
    event, head, pov, thida = with_delegation(db)
    before = registrations(db)
    empty = client.post(sheet_url(head), data=rows())
    assert empty.status_code == 422 and "Fill in at least one row" in empty.text
    many = rows(*({"given_name": f"Member{n}", "family_name": "Sok"} for n in range(60)))
    too_many = client.post(sheet_url(head), data=many)
    assert too_many.status_code == 422 and "Send at most 50 rows at a time." in too_many.text
    more = client.post(sheet_url(head), data={**rows({"given_name": "Dara"}), "more": "1"})
    assert more.status_code == 200 and 'name="members-7-given_name"' in more.text
    assert 'value="Dara"' in more.text and "Enter their family name" not in more.text
    garbage = client.post(sheet_url(head), data={"members-x-given_name": "Dara", "members-": ""})
    assert garbage.status_code == 422
    assert registrations(db) == before


def test_the_member_form_speaks_to_the_head_and_takes_no_address(client, db):
    event, head, pov, thida = with_delegation(db)
    url = f"/events/{event.slug}/manage/{manage_token(head)}/members/new"
    form = client.get(url).text
    assert "Their name in their own script" in form and "Name in your own script" not in form
    assert "They need a visa invitation letter" in form
    refused = client.post(url, data=registration_form(head.category, given_name="", email=""))
    assert refused.status_code == 422 and "Enter their given name." in refused.text
    response = client.post(
        url,
        data=registration_form(head.category, given_name="Bopha", family_name="Chea", email=""),
    )
    assert response.status_code == 302
    message = client.get(response.headers["Location"]).text
    assert "they have no e-mail address, so you manage their registration here" in message


def test_the_head_edits_a_member_they_manage(client, db):
    event, head, pov, thida = with_delegation(db)
    page = client.get(member_url(head, pov))
    assert page.status_code == 200 and "Their name in their own script" in page.text
    data = registration_form(
        head.category,
        given_name="Srey Pov",
        family_name="Lim",
        native_name=KHMER,
        email="",
        position="Teacher",
        country="KH",
    )
    response = client.post(member_url(head, pov), data=data)
    assert response.status_code == 302
    db.session.refresh(pov)
    assert pov.position == "Teacher" and pov.email is None


def test_a_member_who_registered_on_their_own_is_only_shown(client, db):
    event, head, pov, thida = with_delegation(db)
    joined = delegate(
        event,
        head.category,
        delegation_id=head.delegation_id,
        given_name="Aok",
        visa_requested=True,
        passport=passport("AOK AM", "N98765432"),
    )
    page = client.get(member_url(head, joined))
    assert page.status_code == 200
    assert "registered on their own" in page.text
    assert "N98765432" not in page.text and 'name="passport_number"' not in page.text
    response = client.post(
        member_url(head, joined), data=registration_form(head.category, given_name="Changed")
    )
    assert response.status_code == 422 and "registered on their own" in response.text
    db.session.refresh(joined)
    assert joined.given_name == "Aok"


def test_all_badges_at_once_hold_every_confirmed_name_and_count_no_print(client, db):
    event, head, pov, thida = with_delegation(db)
    approval = make_category(event, "VIP", requires_approval=True)
    waiting = delegate(event, approval, delegation_id=head.delegation_id, given_name="Waiting")
    response = client.get(sheet_url(head) + "/badges.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "no-store" in response.headers["Cache-Control"]
    text = pdf_text(response.data)
    for name in ("Chan Sokha", "Lim Srey Pov", "Win Thida"):
        assert name in text
    assert waiting.given_name not in text
    db.session.refresh(pov)
    assert pov.badge_printed_count == 0
    one = client.get(member_url(head, pov) + "/badge.pdf")
    assert one.status_code == 200 and "Lim Srey Pov" in pdf_text(one.data)
    assert "Thida" not in pdf_text(one.data)


def test_no_badge_yet_says_why_on_the_sheet(client, db):
    event = make_event()
    head = make_head(event, make_category(event, requires_approval=True))
    response = client.get(sheet_url(head) + "/badges.pdf", follow_redirects=True)
    assert "confirmed delegates only" in response.text


def test_all_visa_letters_at_once_hold_those_the_head_manages(client, db, login):
    event, head, pov, thida = with_delegation(db)
    event.visa_letter_text = "We invite {name} ({passport_number}) to {event_title}."
    db.session.commit()
    none_yet = client.get(sheet_url(head) + "/visa-letters.pdf", follow_redirects=True)
    assert "No visa letter is ready" in none_yet.text
    bopha = make_member(
        head,
        given_name="Bopha",
        family_name="Chea",
        visa_requested=True,
        passport=passport("BOPHA CHEA", "N11111111"),
    )
    chenda = make_member(
        head,
        given_name="Chenda",
        family_name="Keo",
        visa_requested=True,
        passport=passport("CHENDA KEO", "N22222222"),
    )
    aok = delegate(
        event,
        head.category,
        delegation_id=head.delegation_id,
        visa_requested=True,
        passport=passport("AOK AM", "N33333333"),
    )
    make_member(
        head,
        given_name="Dara",
        family_name="Sok",
        visa_requested=True,
        passport=passport("DARA SOK", "N44444444"),
    )
    for registration in (bopha, chenda, aok):  # the event's organisers approve letters
        approve_letter(registration)
    db.session.commit()
    response = client.get(sheet_url(head) + "/visa-letters.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "BOPHA CHEA" in text and "CHENDA KEO" in text and "N22222222" in text
    assert "DARA SOK" not in text  # not approved yet
    assert "AOK AM" not in text and "N33333333" not in text  # theirs to download
    login(organiser_of(event))
    everyone = client.get(f"/events/{event.slug}/delegations/{head.delegation_id}/visa-letters.pdf")
    assert "AOK AM" in pdf_text(everyone.data)


def test_the_summary_e_mail_reaches_the_head_over_smtp(mail_app, smtp_server):
    from conference.extensions import db

    with mail_app.app_context():
        event, head, pov, thida = with_delegation(db)
        url, address = sheet_url(head), head.email
        db.session.remove()
    client = mail_app.test_client()
    response = client.post(url + "/summary", follow_redirects=True)
    assert f"The summary is on its way to {address}." in response.text
    [message] = [m for m in smtp_server.messages() if m["To"] == address]
    assert message["Subject"].startswith("Your delegation Phnom Penh Capital")
    text = message.get_body(("plain",)).get_content()
    assert f"Lim Srey Pov ({KHMER})" in text and "Win Thida" in text
    assert "Status: Confirmed" in text and "none: you manage this registration" in text
    assert KHMER in message.get_body(("html",)).get_content()


def test_the_sheets_forms_need_their_csrf_token(make_app):
    from conference.extensions import db

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        event, head, pov, thida = with_delegation(db)
        url, before = sheet_url(head), registrations(db)
        mails = db.session.scalar(select(func.count(OutboxMessage.id)))
        db.session.remove()
    client = app.test_client()
    added = client.post(url, data=rows({"given_name": "Dara", "family_name": "Sok"}))
    assert added.status_code in (400, 422)
    client.post(url + "/summary")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).text)
    with_token = client.post(
        url, data={**rows({"given_name": "Dara", "family_name": "Sok"}), "csrf_token": token[1]}
    )
    assert with_token.status_code == 302
    with app.app_context():
        assert registrations(db) == before + 1  # only the request with its token
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == mails


def test_an_organiser_may_leave_a_members_address_empty(client, db, login):
    event, head, pov, thida = with_delegation(db)
    login(organiser_of(event))
    data = registration_form(head.category, given_name="Thida", family_name="Win", email="")
    response = client.post(f"/events/{event.slug}/registrations/{thida.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(thida)
    assert thida.email is None
    detail = client.get(f"/events/{event.slug}/registrations/{thida.id}").text
    assert "the head of the delegation manages this registration" in detail
    head_data = registration_form(head.category, email="")
    refused = client.post(f"/events/{event.slug}/registrations/{head.id}/edit", data=head_data)
    assert refused.status_code == 422


# The category of the members a head adds ------------------------------------------


def select_options(html: str, field_id: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the select ``field_id`` of the page."""
    found = re.search(rf'<select[^>]*id="{field_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {field_id}"
    return [
        (value, label.strip(), "selected" in attrs)
        for attrs, value, label in re.findall(
            r'<option([^>]*value="([^"]*)"[^>]*)>([^<]*)</option>', found.group(1)
        )
    ]


def with_speaker_head(db):
    """A delegation led by a Speaker (by invitation), as every head of the demo is."""
    event = make_event()
    speaker = make_category(event, "Speaker", invitation_code="SPEAK-2026")
    delegate_ = make_category(event, "Delegate", capacity=1)
    observer = make_category(event, "Observer", requires_approval=True)
    make_category(event, "VIP", invitation_code="VIP-2026")
    head = make_invited_head(event, speaker)
    return event, head, speaker, delegate_, observer


def test_a_speaker_head_chooses_among_open_categories_delegate_first(client, db):
    event, head, speaker, delegate_, observer = with_speaker_head(db)
    page = client.get(sheet_url(head)).text
    assert "Takes part as" in page
    for n in range(5):
        assert select_options(page, f"members-{n}-category_id") == [
            (str(delegate_.id), "Delegate", True),
            (str(observer.id), "Observer", False),
        ]
    assert "Speaker is by invitation, so the organisers register those members" in page
    assert "Observer: the organisers approve each new member." in page
    assert "Delegate is full" not in page
    response = client.post(
        sheet_url(head),
        data=rows(
            {"given_name": "Dara", "family_name": "Sok", "category_id": str(delegate_.id)},
            {"given_name": "Srey Pov", "family_name": "Lim", "category_id": str(delegate_.id)},
            {"given_name": "Chenda", "family_name": "Keo", "category_id": str(observer.id)},
        ),
    )
    assert response.status_code == 302
    message = client.get(response.headers["Location"]).text
    assert "3 members are registered" in message and "Sok Dara (confirmed)" in message
    assert "Lim Srey Pov (waiting list)" in message and "Keo Chenda (pending approval)" in message
    members = db.session.scalars(
        select(Registration)
        .where(Registration.delegation_id == head.delegation_id, Registration.id != head.id)
        .order_by(Registration.id)
    )
    assert [(m.category.name, m.status) for m in members] == [
        ("Delegate", "confirmed"),
        ("Delegate", "waitlisted"),
        ("Observer", "pending_approval"),
    ]
    # Delegate is full now: the sheet says its new members wait.
    page = client.get(sheet_url(head)).text
    assert "Delegate is full: new members join its waiting list." in page


def test_the_sheet_refuses_an_invitation_only_category_and_registers_no_one(client, db):
    event, head, speaker, delegate_, observer = with_speaker_head(db)
    before = registrations(db)
    response = client.post(
        sheet_url(head),
        data=rows(
            {"given_name": "Dara", "family_name": "Sok", "category_id": str(observer.id)},
            {"given_name": "Chenda", "family_name": "Keo", "category_id": str(speaker.id)},
        ),
    )
    assert response.status_code == 422
    assert registrations(db) == before
    db.session.refresh(observer)
    assert observer.places_taken == 0
    text = response.text
    assert "Nothing was registered: 1 row has a problem." in text
    assert 'id="members-1-category_id-error"' in text
    assert "Speaker is by invitation only: a head of delegation cannot register" in text
    assert 'id="members-0-category_id-error"' not in text
    # Each row keeps what was chosen (the refused one shows no invitation-only option).
    assert (str(observer.id), "Observer", True) in select_options(text, "members-0-category_id")
    assert all(
        "Speaker" not in label for _, label, _ in select_options(text, "members-1-category_id")
    )


def test_the_member_form_offers_open_categories_and_refuses_an_invitation_only_one(client, db):
    event, head, speaker, delegate_, observer = with_speaker_head(db)
    url = f"/events/{event.slug}/manage/{manage_token(head)}/members/new"
    form = client.get(url).text
    assert select_options(form, "category_id") == [
        (str(delegate_.id), "Delegate", True),
        (str(observer.id), "Observer", False),
    ]
    before = registrations(db)
    person = {"given_name": "Bopha", "family_name": "Chea", "email": ""}
    refused = client.post(url, data=registration_form(speaker, **person))
    assert refused.status_code == 422 and "Speaker is by invitation only" in refused.text
    assert registrations(db) == before
    added = client.post(url, data=registration_form(delegate_, **person))
    assert added.status_code == 302
    bopha = db.session.scalar(select(Registration).where(Registration.family_name == "Chea"))
    assert bopha.category == delegate_ and bopha.delegation_id == head.delegation_id
