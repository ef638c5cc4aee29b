"""Organisers give an event its colour and logo on the edit page; the event's delegate-facing
pages, its e-mails and its badges carry them; the site's name replaces "Conference"."""

import io
import re
from pathlib import Path

import pikepdf
from sqlalchemy import select

from conference.events.models import Event
from conference.mail.models import OutboxMessage
from conference.mail.services import build_email
from conference.registration.links import manage_token
from tests.factories import (
    brand_event,
    delegate,
    give_role,
    logo_png,
    make_category,
    make_event,
    make_registration,
    make_user,
    open_call,
    published_programme,
)


def stored_logos(app) -> list[Path]:
    return sorted(
        p for p in (Path(app.instance_path) / "uploads" / "logos").rglob("*") if p.is_file()
    )


def upload(client, event, data: bytes, filename="logo.png"):
    return client.post(
        f"/events/{event.slug}/logo",
        data={"logo": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def reloaded(db, event) -> Event:
    db.session.expire_all()
    return db.session.get(Event, event.id)


# --- the edit page ----------------------------------------------------------------------------


def test_organiser_sets_a_colour_and_is_told_how_text_on_it_reads(client, db, login):
    organiser = make_user()
    event = make_event(organiser)
    login(organiser)
    response = client.post(f"/events/{event.slug}/colour", data={"colour": "#C0392B"})
    assert response.status_code == 302
    assert reloaded(db, event).brand_colour == "#c0392b"
    page = client.get(response.headers["Location"]).text
    assert "The event&#39;s colour is #c0392b. Text on #c0392b is white" in page
    assert f'href="/events/{event.slug}/brand.css?v=' in page  # the preview on the edit page


def test_a_light_colour_is_accepted_with_darker_links_and_the_organiser_is_told(client, db, login):
    organiser = make_user()
    event = make_event(organiser)
    login(organiser)
    page = client.post(
        f"/events/{event.slug}/colour", data={"colour": "#ffd700"}, follow_redirects=True
    ).text
    assert "Text on #ffd700 is near-black" in page
    assert "so links and outlined buttons use the darker" in page


def test_a_malformed_colour_is_refused_and_nothing_changes(client, db, login):
    organiser = make_user()
    event = brand_event(make_event(organiser), "#1f4e79")
    login(organiser)
    response = client.post(f"/events/{event.slug}/colour", data={"colour": "red;}body{x"})
    assert response.status_code == 422
    assert "is not a colour" in response.text
    assert reloaded(db, event).brand_colour == "#1f4e79"


def test_an_empty_colour_gives_the_event_the_sites_colours_again(client, db, login):
    organiser = make_user()
    event = brand_event(make_event(organiser), "#c0392b")
    login(organiser)
    client.post(f"/events/{event.slug}/colour", data={"colour": ""})
    assert reloaded(db, event).brand_colour == ""
    assert "brand.css" not in client.get(f"/events/{event.slug}/").text


def test_organiser_uploads_a_logo_which_is_stored_re_encoded_and_served_for_good(
    app, client, db, login
):
    organiser = make_user()
    event = make_event(organiser)
    login(organiser)
    response = upload(client, event, logo_png() + b"trailing junk")
    assert response.status_code == 302
    event = reloaded(db, event)
    assert (event.logo_type, event.logo_width, event.logo_height) == ("png", 480, 160)
    [stored] = stored_logos(app)
    assert stored.name == event.logo_key
    assert b"trailing junk" not in stored.read_bytes()
    served = client.get(f"/events/{event.slug}/logo/{event.logo_key}.png")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == stored.read_bytes()


def test_a_non_image_renamed_png_is_refused_and_nothing_is_stored(app, client, db, login):
    organiser = make_user()
    event = make_event(organiser)
    login(organiser)
    response = upload(client, event, b"MZ\x90\x00 an executable, really" * 20, "logo.png")
    assert response.status_code == 422
    assert "This file is not a PNG or JPEG image" in response.text
    assert reloaded(db, event).logo_key is None
    assert stored_logos(app) == []


def test_a_logo_over_the_limit_is_refused_and_nothing_is_stored(make_app, tmp_path):
    app = make_app(LOGO_MAX_BYTES=50 * 1024)
    client = app.test_client()
    with app.app_context():
        organiser = make_user()
        event = make_event(organiser)
        slug, email = event.slug, organiser.email
    client.post("/login", data={"email": email, "password": "correct horse battery staple"})
    big = logo_png(1600, 1200)
    big += b"\x00" * (60 * 1024)
    response = client.post(
        f"/events/{slug}/logo",
        data={"logo": (io.BytesIO(big), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The logo is larger than 50 KB" in response.text
    assert "PNG or JPEG, at most 50 KB" in response.text  # the field says the limit
    assert stored_logos(app) == []


def test_replacing_the_logo_deletes_the_old_file_and_its_address(app, client, db, login):
    organiser = make_user()
    event = brand_event(make_event(organiser), logo=logo_png())
    old = event.logo_key
    login(organiser)
    assert upload(client, event, logo_png(300, 300), "new.png").status_code == 302
    event = reloaded(db, event)
    assert event.logo_key != old
    assert [p.name for p in stored_logos(app)] == [event.logo_key]
    assert client.get(f"/events/{event.slug}/logo/{old}.png").status_code == 404


def test_removing_the_logo_deletes_its_file_and_its_pages_show_none(app, client, db, login):
    organiser = make_user()
    event = brand_event(make_event(organiser), logo=logo_png())
    key = event.logo_key
    login(organiser)
    assert "Remove the logo" in client.get(f"/events/{event.slug}/edit").text
    response = client.post(f"/events/{event.slug}/logo/remove")
    assert response.status_code == 302
    assert reloaded(db, event).logo_key is None
    assert stored_logos(app) == []
    assert client.get(f"/events/{event.slug}/logo/{key}.png").status_code == 404
    assert "/logo/" not in client.get(f"/events/{event.slug}/").text


def test_only_the_events_organisers_may_change_its_colour_and_logo(app, client, db, login):
    event = brand_event(make_event(), "#1f4e79", logo_png())
    key = event.logo_key
    attempts = [
        ("colour", {"colour": "#000000"}),
        ("logo/remove", {}),
    ]

    def nothing_changed():
        again = reloaded(db, event)
        assert (again.brand_colour, again.logo_key) == ("#1f4e79", key)
        assert len(stored_logos(app)) == 1

    for path, data in attempts:  # signed out: to the sign-in page
        response = client.post(f"/events/{event.slug}/{path}", data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert upload(client, event, logo_png(200, 200)).status_code == 302
    nothing_changed()
    staff = make_user()
    give_role(event, staff, "checkin")
    other = make_event()  # an organiser, of another event
    for user in (staff, other.roles[0].user):
        login(user)
        for path, data in attempts:
            assert client.post(f"/events/{event.slug}/{path}", data=data).status_code == 403
        assert upload(client, event, logo_png(200, 200)).status_code == 403
        assert client.get(f"/events/{event.slug}/edit").status_code == 403
    nothing_changed()


def test_the_branding_forms_refuse_a_post_without_its_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        organiser = make_user()
        event = make_event(organiser)
        slug, email = event.slug, organiser.email
    login_page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post(
        "/login",
        data={"email": email, "password": "correct horse battery staple", "csrf_token": token},
    )
    refused = [
        client.post(f"/events/{slug}/colour", data={"colour": "#c0392b"}),
        client.post(
            f"/events/{slug}/logo",
            data={"logo": (io.BytesIO(logo_png()), "logo.png")},
            content_type="multipart/form-data",
        ),
    ]
    assert [r.status_code for r in refused] == [400, 400]
    with app.app_context():
        from conference.extensions import db

        event = db.session.scalar(select(Event).where(Event.slug == slug))
        assert (event.brand_colour, event.logo_key) == ("", None)
    assert stored_logos(app) == []
    # With the edit page's own token, it works.
    page = client.get(f"/events/{slug}/edit").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    sent = client.post(f"/events/{slug}/colour", data={"colour": "#c0392b", "csrf_token": token})
    assert sent.status_code == 302


# --- the event's pages ------------------------------------------------------------------------


def branded_links(html: str, event) -> dict:
    body = re.search(r"<body[^>]*>", html).group(0)
    return {
        "stylesheet": f"/events/{event.slug}/brand.css?v=" in html,
        "branded": "branded" in body,
        "logo": f"/events/{event.slug}/logo/{event.logo_key}.png" in html,
    }


def test_the_events_delegate_facing_pages_carry_its_colour_and_logo(client, db):
    event = brand_event(make_event(), "#c0392b", logo_png())
    category = make_category(event, "Delegate")
    chien = delegate(event, category)
    published_programme(event)
    open_call(event)
    token = manage_token(chien)
    pages = [
        f"/events/{event.slug}/",
        f"/events/{event.slug}/register",
        f"/events/{event.slug}/manage/{token}",
        f"/events/{event.slug}/manage/{token}/badge",
        f"/events/{event.slug}/agenda",
        f"/events/{event.slug}/call-for-papers",
        f"/events/{event.slug}/manage/{token}/papers",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert branded_links(response.text, event) == dict.fromkeys(
            ("stylesheet", "branded", "logo"), True
        ), url


def test_organiser_pages_and_other_events_keep_the_sites_look(client, db, login):
    organiser = make_user()
    event = brand_event(make_event(organiser), "#c0392b", logo_png())
    plain = make_event()
    login(organiser)
    for url in (f"/events/{event.slug}/registrations/", "/", f"/events/{plain.slug}/"):
        html = client.get(url).text
        assert "brand.css" not in html and " branded" not in html, url
    assert "/logo/" not in client.get(f"/events/{event.slug}/registrations/").text
    assert f"/events/{event.slug}/logo/" in client.get("/").text  # its card in the list


def test_the_stylesheet_sets_the_colours_and_is_kept_for_good_under_its_version(client, db):
    event = brand_event(make_event(), "#ffd700")
    page = client.get(f"/events/{event.slug}/").text
    href = re.search(r'href="(/events/[^"]+/brand\.css\?v=\w+)"', page).group(1)
    css = client.get(href)
    assert css.mimetype == "text/css"
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "--brand: #ffd700;" in css.text and "--brand-on: #1a1a1a;" in css.text
    stale = client.get(f"/events/{event.slug}/brand.css?v=old")
    assert stale.headers["Cache-Control"] == "public, no-cache"
    assert stale.text == css.text
    brand_event(event, "#c0392b")
    assert href not in client.get(f"/events/{event.slug}/").text  # a new colour, a new address


def test_the_site_name_replaces_conference_in_the_navbar_titles_and_footer(make_app):
    app = make_app(SITE_NAME="Hội nghị Thành phố Học tập")
    client = app.test_client()
    with app.app_context():
        event = make_event(title="Learning Cities Forum")
        slug = event.slug
    html = client.get(f"/events/{slug}/").text
    assert "<title>Learning Cities Forum · Hội nghị Thành phố Học tập</title>" in html
    assert '">Hội nghị Thành phố Học tập</a>' in html
    assert "Hội nghị Thành phố Học tập: registration and event management" in html
    assert ">Conference<" not in html


# --- e-mails and badges -----------------------------------------------------------------------


def test_an_events_e_mails_carry_the_site_name_its_logo_and_its_colour(make_app):
    app = make_app(SITE_NAME="Learning Cities Network", MAIL_DELIVER_AFTER_COMMIT=False)
    with app.app_context():
        event = brand_event(make_event(), "#ffd700", logo_png())
        make_registration(event, make_category(event, "Delegate"))
        from conference.extensions import db

        [message] = db.session.scalars(select(OutboxMessage)).all()
        email = build_email(message)
        assert email["From"].addresses[0].display_name == "Learning Cities Network"
        assert email["From"].addresses[0].addr_spec == "no-reply@conference.invalid"
        text = email.get_body(("plain",)).get_content()
        assert text.endswith("\n-- \nLearning Cities Network\n")
        html = email.get_body(("html",)).get_content()
        logo = f"http://conference.test/events/{event.slug}/logo/{event.logo_key}.png"
        assert f'<img src="{logo}"' in html
        assert "background:#ffd700;color:#1a1a1a" in html  # the band and the button
        assert "Learning Cities Network" in html


def test_an_e_mail_of_an_unbranded_event_uses_the_sites_colour_and_no_logo(make_app):
    app = make_app(MAIL_DELIVER_AFTER_COMMIT=False)
    with app.app_context():
        event = make_event()
        make_registration(event, make_category(event, "Delegate"))
        from conference.extensions import db

        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.sender == "Conference <no-reply@conference.invalid>"
        assert "background:#1f4e79;color:#ffffff" in message.body_html
        assert "<img" not in message.body_html


def pdf_images(pdf: bytes) -> list[tuple[int, int]]:
    """(width, height) of every image in the file, inside forms too."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [
            (int(obj.Width), int(obj.Height))
            for obj in document.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        ]


def test_the_badges_an_organiser_prints_carry_the_events_logo_once(client, db, login):
    organiser = make_user()
    event = brand_event(make_event(organiser), "#c0392b", logo_png(480, 160))
    category = make_category(event, "Delegate")
    for _ in range(3):
        delegate(event, category)
    login(organiser)
    response = client.post(f"/events/{event.slug}/badges", data={"layout": "a6"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    # The logo and its transparency mask, once for the three badges.
    assert sorted(pdf_images(response.data)) == [(480, 160), (480, 160)]
