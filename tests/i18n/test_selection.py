"""Which language a page is in: ?lang, the cookie, the account, the registration, the browser;
the switcher on every page; an unknown language falls back to English."""

import re

from flask_babel import gettext

from conference.extensions import db as _db
from conference.formatting import country_name
from conference.i18n import COOKIE, in_language
from conference.registration.models import Registration
from tests.factories import delegate, make_category, make_event, make_user

HOST = "conference.test"  # the tests' SERVER_NAME: the cookies' domain


def translated(app, code, message, **variables):
    """The catalogue's translation of a message (so no test hard-codes a translation)."""
    with app.test_request_context(), in_language(code):
        return gettext(message, **variables)


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.text).group(1)


def test_lang_in_the_address_chooses_the_language_and_a_cookie_remembers_it(app, client, db):
    event = make_event()
    register = translated(app, "th", "Register")
    assert register != "Register"

    response = client.get(f"/events/{event.slug}/?lang=th")
    assert response.status_code == 200
    assert html_lang(response) == "th"
    assert register in response.text
    cookie = client.get_cookie(COOKIE, domain=HOST)
    assert cookie.value == "th" and cookie.http_only

    again = client.get(f"/events/{event.slug}/")  # no lang: the cookie remembers
    assert html_lang(again) == "th"
    assert register in again.text


def test_every_language_has_its_code_in_html_lang(client, db):
    event = make_event()
    for code in ("en", "vi", "id", "ms", "fil", "km", "lo", "my", "zh-Hans", "ja", "ko"):
        assert html_lang(client.get(f"/events/{event.slug}/?lang={code}")) == code


def test_an_unknown_lang_falls_back_to_english_without_an_error(client, db):
    event = make_event()
    response = client.get(
        f"/events/{event.slug}/?lang=xx-nonsense", headers={"Accept-Language": "th"}
    )
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert ">Register<" in response.text
    assert client.get_cookie(COOKIE, domain=HOST) is None  # nothing remembered


def test_the_browsers_accept_language_is_the_first_guess(app, client, db):
    event = make_event()
    response = client.get(
        f"/events/{event.slug}/", headers={"Accept-Language": "fr-FR,vi;q=0.9,en;q=0.5"}
    )
    assert html_lang(response) == "vi"
    assert translated(app, "vi", "When and where") in response.text
    assert "Accept-Language" in response.headers["Vary"]


def test_the_cookie_comes_before_the_browsers_language(client, db):
    event = make_event()
    client.set_cookie(COOKIE, "ko", domain=HOST)
    response = client.get(f"/events/{event.slug}/", headers={"Accept-Language": "ja"})
    assert html_lang(response) == "ko"


def test_a_language_chosen_while_signed_in_is_kept_on_the_account(client, db, login):
    event = make_event()
    user = make_user()
    login(user)
    client.get(f"/events/{event.slug}/?lang=lo")
    _db.session.refresh(user)
    assert user.language == "lo"

    client.delete_cookie(COOKIE, domain=HOST)  # another browser, say: the account still knows
    response = client.get(f"/events/{event.slug}/", headers={"Accept-Language": "en"})
    assert html_lang(response) == "lo"


def test_the_switcher_links_this_very_page_in_each_language(client, db):
    event = make_event()
    make_category(event, "Delegate", invitation_code="LEARN2024")
    response = client.get(f"/events/{event.slug}/register?code=LEARN2024&lang=my")
    links = dict(re.findall(r'href="([^"]+)" lang="([^"]+)" hreflang', response.text))
    by_code = {code: url for url, code in links.items()}
    assert set(by_code) == {
        "en", "th", "vi", "id", "ms", "fil", "km", "lo", "my", "zh-Hans", "ja", "ko"
    }  # fmt: skip
    assert by_code["km"] == f"/events/{event.slug}/register?code=LEARN2024&amp;lang=km"
    assert 'aria-current="true">မြန်မာ</a>' in response.text


def test_a_registration_keeps_the_language_of_the_form_it_was_made_in(app, client, db):
    from tests.factories import registration_form

    event = make_event()
    category = make_category(event, "Delegate")
    client.set_cookie(COOKIE, "vi", domain=HOST)
    response = client.post(
        f"/events/{event.slug}/register", data=registration_form(category, email="a@b.example")
    )
    assert response.status_code == 302
    registration = _db.session.scalar(_db.select(Registration))
    assert registration.language == "vi"


def test_the_delegates_own_page_speaks_their_language_and_remembers_a_new_choice(app, client, db):
    from conference.registration.links import manage_token

    event = make_event()
    registration = delegate(event, make_category(event, "Delegate"))
    registration.language = "id"
    _db.session.commit()
    url = f"/events/{event.slug}/manage/{manage_token(registration)}"

    assert html_lang(client.get(url, headers={"Accept-Language": "en"})) == "id"
    assert html_lang(client.get(url + "?lang=ja")) == "ja"
    _db.session.refresh(registration)
    assert registration.language == "ja"  # their e-mails follow


def test_error_pages_speak_the_language_too(app, client, db):
    response = client.get("/events/no-such-event/?lang=th")
    assert response.status_code == 404
    assert html_lang(response) == "th"
    assert translated(app, "th", "There is no such event.") in response.text
    assert translated(app, "th", "Go to the events") in response.text


def test_form_errors_are_in_the_page_language(app, client, db):
    event = make_event()
    make_category(event, "Delegate")
    response = client.post(f"/events/{event.slug}/register?lang=zh-Hans", data={})
    assert response.status_code == 422
    for message in ("Enter your given name.", "Choose your country from the list."):
        expected = translated(app, "zh-Hans", message)
        assert expected != message and expected in response.text


def test_dates_time_zones_and_countries_read_as_the_language_writes_them(client, db):
    event = make_event(country="TH", timezone="Asia/Bangkok")
    japanese = client.get(f"/events/{event.slug}/?lang=ja").text
    assert f"{event.start_date.year}年" in japanese
    assert "タイ" in japanese  # Thailand, and Thailand's time
    assert "Asia/Bangkok" not in japanese
    thai = client.get(f"/events/{event.slug}/?lang=th").text
    assert country_name("TH", "th") in thai and country_name("TH", "th") != "Thailand"
