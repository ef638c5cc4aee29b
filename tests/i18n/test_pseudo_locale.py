"""The pseudo-locale check: every message the code uses is "translated" into an accented,
bracketed English (⟦Ŕéĝíšţéŕ⟧) for this test, the delegate-facing pages and e-mails are
rendered with it, and any visible text left plain is a string nobody marked for
translation. To check another page, add it to PAGES (or its e-mail to MAILS)."""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pycountry
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from conference import catalogues
from conference.dbtypes import utcnow
from conference.extensions import db as _db
from conference.formatting import format_date_range, format_datetime
from conference.languages import LANGUAGES
from conference.registration.emails import SUBJECTS, notify
from conference.registration.models import TITLES
from tests.factories import (
    delegate,
    make_category,
    make_event,
    make_head,
    make_member,
    registration_form,
)

OPEN, CLOSE = "⟦", "⟧"
_ACCENTS = str.maketrans(
    "abcdeghiklnorstuyzABCDEGHIKLNORSTUYZ", "åƀçđéĝĥíķĺñöŕšţúýžÅƁÇĐÉĜĤÍĶĹÑÖŔŠŢÚÝŽ"
)
# What a translation must keep as it is: placeholders, tags, entities.
_KEPT = re.compile(r"(%\(\w+\)[sd]|%[sd]|<[^>]+>|&\w+;)")


def pseudo(text: str) -> str:
    """'Register for %(event)s' -> '⟦Ŕéĝíšţéŕ ƒöŕ %(event)s⟧'."""
    parts = _KEPT.split(text)
    return (
        OPEN + "".join(p if i % 2 else p.translate(_ACCENTS) for i, p in enumerate(parts)) + CLOSE
    )


@pytest.fixture(scope="module")
def pseudo_catalogues(tmp_path_factory):
    """The pseudo-translation of every message the code uses, as English's catalogue."""
    folder = tmp_path_factory.mktemp("pseudo")
    catalogue = Catalog(locale="en", domain="messages")
    for message in catalogues.extract():
        if not message.id:
            continue
        if message.pluralizable:
            string = tuple(pseudo(part) for part in message.id)
        else:
            string = pseudo(message.id)
        catalogue.add(message.id, string, context=message.context)
    mo = folder / "en" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as out:
        write_mo(out, catalogue)
    return folder


@pytest.fixture
def pseudo_app(make_app, pseudo_catalogues):
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(pseudo_catalogues))


class VisibleText(HTMLParser):
    """The text a person sees or hears of a page: text nodes and the attributes read out,
    leaving out scripts, styles and whatever is marked as in another language (the
    switcher's language names, each in its own language)."""

    READ_OUT = ("placeholder", "title", "aria-label", "alt")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        other_language = "lang" in attrs and tag != "html"
        if tag not in self.VOID:
            self.stack.append((tag, tag in ("script", "style", "title") or other_language))
        if self._hidden() or other_language:
            return
        for name in self.READ_OUT:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(data)


_PSEUDO = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", re.DOTALL)
_ADDRESSES = re.compile(r"https?://\S+|[\w.+-]+@[\w.-]+")
_NOT_WORDS = re.compile(r"[^A-Za-z]+")


def unmarked(texts: list[str], allowed: list[str]) -> list[str]:
    """The texts (or what is left of them) in plain English: neither a pseudo-translation
    nor data the page shows (names, dates, places: ``allowed``). The texts are read as one,
    so a translation that markup splits into several texts (a title in bold) is one."""
    allowed = sorted({a for a in allowed if a}, key=len, reverse=True)
    rest = "\0".join(texts)
    while _PSEUDO.search(rest):  # innermost first: a translation holding a translated value
        rest = _PSEUDO.sub(" ", rest)
    left = []
    for text in rest.split("\0"):
        text = _ADDRESSES.sub(" ", text)  # before data: a token may hold "Dr" or "Ms"
        for value in allowed:
            text = text.replace(value, " ")
        if re.search(r"[A-Za-z]{2,}", _NOT_WORDS.sub(" ", text)):
            left.append(" ".join(text.split()))
    return left


@dataclass
class Scene:
    """What the pages are about: one event, open, with a category and delegates."""

    event: object
    category: object
    registration: object
    head: object
    allowed: list[str] = field(default_factory=list)


@pytest.fixture
def scene(pseudo_app):
    with pseudo_app.app_context():
        event = make_event(
            title="ASEAN+3 Learning Cities Conference",
            slug="asean3",
            city="Bangkok",
            venue="Queen Sirikit Convention Centre",
        )
        event.registration_closes_at = utcnow() + timedelta(days=10)
        category = make_category(event, "Delegate", capacity=50, description="City officials.")
        registration = delegate(event, category, email="chien@sonla.example")
        head = make_head(event, category, email="sokha@pp.example")
        make_member(head, given_name="Dara", family_name="Kim")
        _db.session.commit()
        data = [
            pseudo_app.config["SITE_NAME"],  # the installation's name, as configured
            event.title,
            event.city,
            event.venue,
            category.name,
            category.description,
            "Phnom Penh Capital (KH)",  # a delegation, as the form lists it
            "Phnom Penh Capital",
            *(language.name for language in LANGUAGES.values()),  # each in its own language
            format_date_range(event.start_date, event.end_date),
            format_datetime(event.registration_closes_at, event.tz),
            "Asia/Bangkok",
            *(c.name for c in pycountry.countries),
            *(getattr(c, "common_name", "") for c in pycountry.countries),
            *TITLES,
            *(r.display_name for r in (registration, head)),
            *(n for r in (registration, head) for n in r.shown_names),
            registration.organisation,
            head.organisation,
            registration.category.name,
        ]
        yield Scene(event, category, registration, head, data)
        _db.session.remove()


# The delegate-facing pages: (name, how to reach it). Add a page here to check it.
PAGES = [
    ("event page", lambda c, s: c.get(f"/events/{s.event.slug}/")),
    ("registration form", lambda c, s: c.get(f"/events/{s.event.slug}/register")),
    (
        "registration form with every problem",
        lambda c, s: c.post(
            f"/events/{s.event.slug}/register",
            data={
                "given_name": "ศ" * 120,  # too long: refused, and shown back
                "email": "nope",
                "phone": "12",
                "delegation_choice": "new",
            },
        ),
    ),
    (
        "registration form, visa details refused",
        lambda c, s: c.post(
            f"/events/{s.event.slug}/register",
            data=registration_form(
                s.category, visa_requested="y", passport_number="?", email="x@y.example"
            ),
        ),
    ),
    ("after registering", lambda c, s: c.get(f"/events/{s.event.slug}/register/sent")),
    (
        "after registering for a paper",
        lambda c, s: c.get(f"/events/{s.event.slug}/register/sent?then=paper"),
    ),
    ("lost link", lambda c, s: c.get(f"/events/{s.event.slug}/lost-link")),
    ("lost link, refused", lambda c, s: c.post(f"/events/{s.event.slug}/lost-link", data={})),
    ("no such event", lambda c, s: c.get("/events/nothing-here/")),
    ("no such page", lambda c, s: c.get("/nothing/here")),
]


@pytest.mark.parametrize(("name", "reach"), PAGES, ids=[name for name, _ in PAGES])
def test_every_visible_text_of_the_page_is_marked_for_translation(pseudo_app, scene, name, reach):
    client = pseudo_app.test_client()
    response = reach(client, scene)
    assert response.status_code in (200, 404, 422), response.status_code
    parser = VisibleText()
    parser.feed(response.text)
    assert any(OPEN in text for text in parser.texts), "the pseudo catalogue is not in use"
    assert unmarked(parser.texts, scene.allowed) == []


def test_the_closed_registration_page_is_marked_for_translation(pseudo_app, scene):
    with pseudo_app.app_context():
        event = _db.session.merge(scene.event)
        event.registration_closes_at = utcnow() - timedelta(days=1)
        _db.session.commit()
    response = pseudo_app.test_client().get(f"/events/{scene.event.slug}/register")
    parser = VisibleText()
    parser.feed(response.text)
    assert unmarked(parser.texts, scene.allowed) == []


# The delegate's e-mails: each kind of the status e-mail, text and HTML.
MAILS = sorted(SUBJECTS)


@pytest.mark.parametrize("kind", MAILS)
def test_every_text_of_the_status_e_mail_is_marked_for_translation(pseudo_app, scene, kind):
    from conference.mail.models import OutboxMessage
    from conference.registration.models import Registration

    with pseudo_app.test_request_context():
        registration = _db.session.get(Registration, scene.registration.id)
        notify(registration, kind)
        message = _db.session.scalars(
            _db.select(OutboxMessage).order_by(OutboxMessage.id.desc())
        ).first()
        assert message.subject.startswith(OPEN)
        parser = VisibleText()
        parser.feed(message.body_html)
        assert unmarked(parser.texts, scene.allowed) == []
        text_lines = [line for line in message.body_text.splitlines() if line.strip()]
        assert unmarked(text_lines, scene.allowed) == []
