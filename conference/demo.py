"""The model event: the ASEAN+3 Regional Learning Cities Conference, Bangkok 2024."""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from conference.auth.services import create_user, find_user, grant_role
from conference.events.models import Event
from conference.events.services import EventDetails, create_event, update_event
from conference.extensions import db

DEMO_SLUG = "asean3-2024"
ORIGINAL_START = date(2024, 10, 29)

DESCRIPTION = """\
The first ASEAN+3 Regional Learning Cities Conference brings together more than 250 \
policymakers, city officials and education experts from the ten ASEAN member countries, \
China, Japan and the Republic of Korea.

Under the theme of building inclusive and resilient learning cities, delegations share \
how lifelong learning helps cities face the climate emergency and the learning crisis, \
and celebrate the seven cities that joined the UNESCO Global Network of Learning Cities \
in 2024: Nanjing, Legazpi, Bangkok, Khon Kaen, Yala, Ho Chi Minh City and Son La.

Organised by UNESCO Bangkok, the UNESCO Institute for Lifelong Learning and Thailand's \
Ministry of Higher Education, Science, Research and Innovation."""

DEMO_STAFF = (
    ("organiser@example.org", "Siriporn Chaiyasit", "organiser"),
    ("checkin@example.org", "Nguyễn Văn An", "checkin"),
)


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
    """Create or refresh the demo event and its staff; running it twice changes nothing new."""
    start = ORIGINAL_START if original_dates else today
    accounts = []
    staff = []
    for email, name, role in DEMO_STAFF:
        password = demo_password(email)
        user = find_user(email)
        if user is None:
            user = create_user(email, password=password, name=name)
        accounts.append(DemoAccount(email, role, password))
        staff.append((user, role))

    details = EventDetails(
        title="ASEAN+3 Regional Learning Cities Conference",
        slug=DEMO_SLUG,
        venue="Conference Centre, Pathum Wan",
        city="Bangkok",
        country="TH",
        timezone="Asia/Bangkok",
        start_date=start,
        end_date=start + timedelta(days=1),
        description=DESCRIPTION,
        registration_opens=datetime.combine(start - timedelta(days=60), datetime.min.time()),
        registration_closes=datetime.combine(
            start + timedelta(days=1), datetime.max.time()
        ).replace(microsecond=0),
    )
    event = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if event is None:
        event = create_event(details, staff[0][0])
    else:
        update_event(event, details)
    for user, role in staff:
        grant_role(event, user, role)
    db.session.flush()
    return event, accounts
