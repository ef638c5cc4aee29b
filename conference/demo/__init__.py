"""The model event, built from data: the ASEAN+3 Regional Learning Cities Conference, Bangkok
2024 (``flask --app conference demo``).

What the demo holds is in ``data/`` (described in ``data/README.md``): the event, its staff,
categories and questions (``event.json``); the delegates (``registrations.csv``, in the
registration export's columns, read by the organisers' importer); the call for papers and
the papers (``papers.json``); the rooms, tracks and sessions (``programme.json``). This
package only loads them through the services organisers use, then plays a little of the
event's life (``activity.py``: delegates choosing sessions, the morning queue at the doors).

Running it again changes nothing new: what exists is kept, what is missing is added.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib.resources import files

from flask import current_app
from sqlalchemy import select

from conference.auth.services import create_user, find_user, grant_role
from conference.demo.activity import arrive_at_the_doors, choose_sessions, mark_interests
from conference.demo.programme import build_programme
from conference.events.models import Event
from conference.events.services import EventDetails, create_event, update_event
from conference.extensions import db
from conference.registration.exports import ImportRow, read_table
from conference.registration.history import Actor
from conference.registration.imports import run_import
from conference.registration.search import find_by_email
from conference.registration.settings import (
    categories_for,
    questions_for,
    save_category,
    save_question,
)

DATA = files(__name__) / "data"


def read_json(name: str) -> dict:
    """One of the demo's JSON data files."""
    return json.loads(DATA.joinpath(name).read_text(encoding="utf-8"))


def demo_people() -> list[ImportRow]:
    """The demo's registrations as the importer reads them, in the order they register."""
    return read_table("registrations.csv", DATA.joinpath("registrations.csv").read_bytes())


def invitation_codes() -> list[tuple[str, str]]:
    """(category, code) for the demo's categories that are by invitation."""
    return [
        (c["name"], c["invitation_code"])
        for c in read_json("event.json")["categories"]
        if c.get("invitation_code")
    ]


@dataclass
class DemoAccount:
    email: str
    role: str
    password: str


def demo_password(email: str) -> str:
    """A password derived from this installation's secret key: stable, never in the code."""
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode(), f"demo:{email}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest).decode()[:16].lower()


def build_demo(today: date, original_dates: bool = False) -> tuple[Event, list[DemoAccount]]:
    """Create or refresh the demo event and its staff; running it twice changes nothing new.

    The event starts today (in Bangkok) unless ``original_dates``; every date in the data
    moves with it."""
    setup = read_json("event.json")
    original_start = date.fromisoformat(setup["event"]["original_start"])
    start = original_start if original_dates else today
    accounts, staff, with_role = [], [], {}
    for person in setup["staff"]:
        password = demo_password(person["email"])
        user = find_user(person["email"])
        if user is None:
            user = create_user(person["email"], password=password, name=person["name"])
        accounts.append(DemoAccount(person["email"], person["role"], password))
        staff.append((user, person["role"]))
        with_role.setdefault(person["role"], []).append(user)

    details = _event_details(setup["event"], start)
    event = db.session.scalar(select(Event).where(Event.slug == details.slug))
    if event is None:
        event = create_event(details, with_role["organiser"][0])
    else:
        update_event(event, details)
    for user, role in staff:
        grant_role(event, user, role)
    db.session.flush()
    _registration_setup(event, setup)
    _register_delegates(event, setup["questions"], start - original_start)
    build_programme(
        event,
        read_json("programme.json"),
        read_json("papers.json"),
        organiser=with_role["organiser"][0],
        reviewers=with_role["reviewer"],
    )
    mark_interests(event)
    choose_sessions(event)
    if not original_dates:
        arrive_at_the_doors(event, with_role["checkin"][0])
    return event, accounts


def _event_details(about: dict, start: date) -> EventDetails:
    end = start + timedelta(days=about["days"] - 1)
    opens = start - timedelta(days=about["registration_opens_days_before"])
    return EventDetails(
        title=about["title"],
        slug=about["slug"],
        venue=about["venue"],
        city=about["city"],
        country=about["country"],
        timezone=about["timezone"],
        start_date=start,
        end_date=end,
        description="\n\n".join(about["description"]),
        registration_opens=datetime.combine(opens, time.min),
        registration_closes=datetime.combine(end, time.max).replace(microsecond=0),
    )


def _registration_setup(event, setup: dict) -> None:
    """Categories missing from the event, the questions if it has none, the visa letter
    and the privacy policy if it has none."""
    existing = {c.name for c in categories_for(event)}
    for category in setup["categories"]:
        if category["name"] not in existing:
            save_category(event, None, **category)
    if not questions_for(event, include_inactive=True):
        for question in setup["questions"]:
            save_question(event, None, **question)
    about = setup["event"]
    if not event.visa_letter_text:
        event.visa_letter_text = "\n\n".join(about["visa_letter"]["text"])
        event.visa_signatory_name = about["visa_letter"]["signatory_name"]
        event.visa_signatory_title = about["visa_letter"]["signatory_title"]
        event.privacy_policy = "\n\n".join(about["privacy_policy"])


def _register_delegates(event, questions: list[dict], shift: timedelta) -> None:
    """Import the registrations not in the event yet, as an organiser would import the CSV.

    Answers to date questions (the arrival date) move with the event's dates."""
    date_columns = {q["label"].casefold() for q in questions if q["type"] == "date"}
    rows = []
    for row in demo_people():
        if find_by_email(event, row.values["email"]) is not None:
            continue
        for key, value in row.values.items():
            if value and key.replace("_", " ") in date_columns:
                row.values[key] = (date.fromisoformat(value) + shift).isoformat()
        rows.append(row)
    if rows:
        run_import(event, rows, send_emails=False, actor=Actor.system("Demo data"))
