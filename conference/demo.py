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
    ("reviewer@example.org", "Kanya Wongsawat", "reviewer"),
    ("reviewer2@example.org", "Lê Minh Châu", "reviewer"),
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
    _demo_registration_setup(event)
    _demo_registrations(event)
    reviewers = [user for user, role in staff if role == "reviewer"]
    _demo_agenda(event, staff[0][0], reviewers)
    _demo_signups(event)
    if not original_dates:
        _demo_arrivals(event, staff[1][0])
    return event, accounts


THEMES = (
    "building a learning city where no one is left behind",
    "lifelong learning for climate resilience",
    "community learning centres as city infrastructure",
    "digital skills for older citizens",
    "learning in parks, streets and homes",
    "measuring progress as a learning city",
    "youth out of school: second chances",
    "partnerships between universities and city halls",
)
# Each theme's track (the index into TRACKS), and the tracks' colours.
TRACKS = (
    ("Inclusion and equity", "#7b2d8b"),
    ("Resilient and green cities", "#2e7d32"),
    ("Learning spaces and skills", "#c75b12"),
    ("Governance and partnerships", "#1f4e79"),
)
THEME_TRACK = (0, 1, 2, 2, 2, 3, 0, 3)


def _demo_agenda(event, organiser, reviewers) -> None:
    """The two-day programme: plenaries, the ceremony, parallel sessions of accepted
    papers, culture."""
    from conference.agenda.models import AgendaSession, Room, Talk, Track
    from conference.agenda.publishing import publish
    from conference.agenda.sessions import SessionDetails, save_session
    from conference.papers.demo import accepted_paper_talk, demo_call, papers_in_review
    from conference.registration.models import Category, Registration

    if db.session.scalar(select(AgendaSession.id).where(AgendaSession.event_id == event.id)):
        return
    rooms = {}
    for name, capacity in (
        ("Grand Ballroom", 600),
        ("Lotus Room", 80),
        ("Orchid Room", 80),
        ("Jasmine Room", 60),
        ("Garden Terrace", 250),
    ):
        rooms[name] = Room(event_id=event.id, name=name, capacity=capacity, position=len(rooms))
        db.session.add(rooms[name])
    tracks = [Track(event_id=event.id, name=name, colour=colour) for name, colour in TRACKS]
    db.session.add_all(tracks)
    db.session.flush()
    call = demo_call(event, tracks)

    def paper_talk(presenter, title, track):
        return accepted_paper_talk(
            event, call, presenter, title, track, reviewers=reviewers, organiser=organiser
        )

    speakers = db.session.scalars(
        select(Registration)
        .join(Category, Category.id == Registration.category_id)
        .where(
            Registration.event_id == event.id,
            Category.name == "Speaker",
            Registration.status == "confirmed",
        )
        .order_by(Registration.id)
    ).all()
    son_la = [s for s in speakers if "Son La" in (s.organisation or "")]
    speakers = son_la + [s for s in speakers if s not in son_la]
    # Chairs of the parallel sessions: VIP guests, one session each.
    chairs = iter(
        db.session.scalars(
            select(Registration)
            .join(Category, Category.id == Registration.category_id)
            .where(
                Registration.event_id == event.id,
                Category.name == "VIP",
                Registration.status == "confirmed",
            )
            .order_by(Registration.id)
        ).all()
    )

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        date_ = event.start_date + timedelta(days=day)
        return datetime(date_.year, date_.month, date_.day, hour, minute)

    def session(kind, title, room, start, end, description="", **more):
        return save_session(
            event,
            None,
            SessionDetails(
                kind=kind,
                title=title,
                starts=start,
                ends=end,
                description=description,
                room_id=rooms[room].id if room else None,
                **more,
            ),
        )

    session(
        "plenary",
        "Opening plenary: learning cities for inclusive, resilient societies",
        "Grand Ballroom",
        at(0, 9),
        at(0, 10, 30),
        "Welcome by UNESCO Bangkok and Thailand's Ministry of Higher Education, Science, "
        "Research and Innovation.",
    )
    session("break", "Coffee break", "Garden Terrace", at(0, 10, 30), at(0, 11))
    session(
        "ceremony",
        "Ceremony: new members of the UNESCO Global Network of Learning Cities",
        "Grand Ballroom",
        at(0, 11),
        at(0, 12, 30),
        "Nanjing, Legazpi, Bangkok, Khon Kaen, Yala, Ho Chi Minh City and Son La receive "
        "the symbols of their membership.",
    )
    session("meal", "Lunch", "Garden Terrace", at(0, 12, 30), at(0, 13, 30))
    parallel_rooms = ("Lotus Room", "Orchid Room", "Jasmine Room", "Grand Ballroom")
    blocks = [(0, 13, 30, 15, 0), (0, 15, 30, 17, 0), (1, 10, 0, 11, 30)]
    letter = iter("ABCDEFGHIJKL")
    speaker_iter = iter(speakers)
    theme = 0
    for day, h1, m1, h2, m2 in blocks:
        for room in parallel_rooms:
            name = next(letter)
            chair = next(chairs, None)
            block = session(
                "parallel",
                f"Parallel session {name}: {THEMES[theme % len(THEMES)].capitalize()}",
                room,
                at(day, h1, m1),
                at(day, h2, m2),
                track_id=tracks[THEME_TRACK[theme % len(THEMES)]].id,
                chair_ids=(chair.id,) if chair else (),
            )
            for slot in range(3):
                presenter = next(speaker_iter, None)
                if presenter is None:
                    break
                city = presenter.delegation.name if presenter.delegation else presenter.organisation
                talk = paper_talk(
                    presenter,
                    f"{city}: {THEMES[theme % len(THEMES)]}",
                    tracks[THEME_TRACK[theme % len(THEMES)]],
                )
                talk.session, talk.position = block, slot
                talk.starts_at = block.starts_at + timedelta(minutes=5 + 30 * slot)
                theme += 1
    session(
        "cultural",
        "Welcome dinner and Thai cultural performance",
        "Garden Terrace",
        at(0, 19),
        at(0, 21, 30),
    )
    keynote = session(
        "keynote",
        "Keynote: lifelong learning in South-East Asia's cities",
        "Grand Ballroom",
        at(1, 9),
        at(1, 10),
    )
    keynote_speaker = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.family_name == "Valdés-Cotera"
        )
    )
    if keynote_speaker is not None:
        talk = Talk(
            event_id=event.id,
            session=keynote,
            duration_minutes=50,
            title="Learning cities: from recognition to results",
            abstract="What the UNESCO Global Network of Learning Cities has learnt from its "
            "members in the region, and what new members can expect in their first years.",
            starts_at=keynote.starts_at + timedelta(minutes=5),
        )
        talk.presenters.append(keynote_speaker)
        db.session.add(talk)
    # Papers accepted late, waiting in the editor's sidebar to be placed.
    for presenter in (list(speaker_iter) or speakers[-2:])[:2]:
        city = presenter.delegation.name if presenter.delegation else presenter.organisation
        paper_talk(presenter, f"{city}: {THEMES[theme % 8]}", tracks[THEME_TRACK[theme % 8]])
        theme += 1
    # And papers by delegates still in review, one per delegation.
    by_delegation = {}
    for delegate in db.session.scalars(
        select(Registration)
        .join(Category, Category.id == Registration.category_id)
        .where(
            Registration.event_id == event.id,
            Category.name == "Delegate",
            Registration.status == "confirmed",
            Registration.delegation_id.is_not(None),
        )
        .order_by(Registration.id)
    ):
        by_delegation.setdefault(delegate.delegation_id, delegate)
    in_review = []
    for delegate in list(by_delegation.values())[:4]:
        theme = (theme + 1) % len(THEMES)
        title = f"{delegate.delegation.name}: {THEMES[theme]}"
        in_review.append((delegate, title, tracks[THEME_TRACK[theme]]))
    papers_in_review(event, call, in_review, reviewers=reviewers, organiser=organiser)
    session(
        "plenary",
        "Closing plenary and Bangkok call to action",
        "Grand Ballroom",
        at(1, 11, 30),
        at(1, 12, 30),
    )
    db.session.flush()
    publish(event, organiser)


def _demo_signups(event) -> None:
    """Most confirmed delegates have chosen a parallel session in each time slot, within
    the rooms' capacity; Jasmine Room's sessions admit only those signed up."""
    from conference.agenda.models import AgendaSession, AgendaSignup
    from conference.registration.models import Registration

    if db.session.scalar(
        select(AgendaSignup.id)
        .join(AgendaSession, AgendaSession.id == AgendaSignup.session_id)
        .where(AgendaSession.event_id == event.id)
        .limit(1)
    ):
        return
    parallel = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id, AgendaSession.kind == "parallel")
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
    slots: dict = {}
    for session in parallel:
        slots.setdefault(session.starts_at, []).append(session)
        if session.room is not None and session.room.name == "Jasmine Room":
            session.signed_up_only = True
    busy = {
        rid
        for s in parallel
        for rid in [c.id for c in s.chairs] + [p.id for t in s.talks for p in t.presenters]
    }
    delegates = db.session.scalars(
        select(Registration.id)
        .where(Registration.event_id == event.id, Registration.status == "confirmed")
        .order_by(Registration.id)
    ).all()
    taken: dict[int, int] = {}
    for n, registration_id in enumerate(delegates):
        if registration_id in busy or n % 5 == 4:  # presenters are busy; some never choose
            continue
        for number, sessions in enumerate(slots.values()):
            # Everyone's first choice differs; a full room sends them to the next one.
            for session in sessions[(n + number) % len(sessions) :] + sessions:
                capacity = session.effective_capacity
                if capacity is None or taken.get(session.id, 0) < capacity:
                    taken[session.id] = taken.get(session.id, 0) + 1
                    db.session.add(
                        AgendaSignup(registration_id=registration_id, session_id=session.id)
                    )
                    break


def _demo_arrivals(event, door_staff) -> None:
    """The morning queue so far: about a third of the confirmed delegates at two doors."""
    from conference.checkin.models import CheckIn
    from conference.checkin.services import check_in
    from conference.dbtypes import utcnow
    from conference.registration.models import Registration

    if db.session.scalar(select(CheckIn.id).where(CheckIn.event_id == event.id)) is not None:
        return
    now = utcnow()
    if now.astimezone(event.tz).date() != event.start_date:
        return  # arrivals only make sense on the first day
    confirmed = db.session.scalars(
        select(Registration.id)
        .where(Registration.event_id == event.id, Registration.status == "confirmed")
        .order_by(Registration.id)
    ).all()
    # Check-ins belong to the event's days: none before its first midnight (event-local).
    midnight = datetime.combine(event.start_date, datetime.min.time(), event.tz)
    for n, registration_id in enumerate(confirmed[::3]):
        minutes_ago = 90 - (n * 90) // max(len(confirmed) // 3, 1)
        check_in(
            event,
            station="Door A" if n % 2 else "Door B",
            user_id=door_staff.id,
            registration_id=registration_id,
            scanned_at=max(now - timedelta(minutes=max(minutes_ago, 1)), midnight),
        )
    db.session.flush()


# Registration: categories, questions and 270 delegates from demo_data --------------------

DEMO_CATEGORIES = (
    # name, description, capacity, approval, invitation code, badge colour
    (
        "Delegate",
        "City officials, policymakers and education experts.",
        None,
        False,
        None,
        "#1f4e79",
    ),
    (
        "Speaker",
        "Presenters in the plenaries and parallel sessions.",
        None,
        False,
        "speakers-asean3",
        "#b03a2e",
    ),
    (
        "Observer",
        "Limited places for observers from partner organisations.",
        10,
        False,
        None,
        "#5f6b7a",
    ),
    (
        "Press",
        "Accredited journalists; the organisers approve each request.",
        20,
        True,
        None,
        "#d35400",
    ),
    ("VIP", "Ministers, ambassadors and heads of agencies.", None, False, "vip-asean3", "#9a7d0a"),
    ("Staff", "Organising team and volunteers.", None, False, "staff-asean3", "#1e8449"),
)

SITE_VISITS = [
    "Bang Kachao green lung",
    "Khlong Toei community learning centre",
    "Bangkok City Library",
    "No site visit",
]


def _demo_registration_setup(event) -> None:
    from conference.registration.models import Category, Question
    from conference.registration.settings import save_category, save_question

    existing = {
        c.name for c in db.session.scalars(select(Category).where(Category.event_id == event.id))
    }
    for name, description, capacity, approval, code, colour in DEMO_CATEGORIES:
        if name not in existing:
            save_category(
                event,
                None,
                name=name,
                description=description,
                capacity=capacity,
                requires_approval=approval,
                invitation_code=code,
                badge_colour=colour,
            )
    if db.session.scalar(select(Question.id).where(Question.event_id == event.id)) is None:
        save_question(
            event,
            None,
            type="single_choice",
            required=True,
            choices=SITE_VISITS,
            label="Which learning-city site visit would you like to join on the second day?",
        )
        save_question(event, None, type="checkbox", label="I will attend the welcome dinner")
        save_question(event, None, type="date", label="Arrival date in Bangkok")
    if not event.visa_letter_text:
        event.visa_letter_text = VISA_LETTER_TEXT
        event.visa_signatory_name = "Siriporn Chaiyasit"
        event.visa_signatory_title = "Conference Secretariat, UNESCO Bangkok"
        event.privacy_policy = PRIVACY_POLICY


VISA_LETTER_TEXT = "\n\n".join(
    [
        (
            "The organisers of the {event_title} are pleased to invite {name}, {position}, "
            "{organisation}, holder of passport number {passport_number} ({nationality}), to take "
            "part in the conference in {city}, {country}, on {event_dates}."
        ),
        (
            "The conference brings together city officials and education experts from the ASEAN "
            "member states, China, Japan and the Republic of Korea to share how lifelong learning "
            "builds inclusive and resilient cities."
        ),
        (
            "The participant's travel and accommodation are covered by their own organisation. We "
            "kindly ask the competent authorities to grant the visa needed for this visit."
        ),
    ]
)

PRIVACY_POLICY = "\n\n".join(
    [
        (
            "The conference organisers use your details only to run this conference: "
            "registration, badges, check-in, the programme and the messages about them."
        ),
        (
            "Organisers see your details. Other participants see your name, organisation and "
            "country only if you agree to the participant list. Passport details for visa letters "
            "are deleted after the conference. Write to the secretariat to see, correct or delete "
            "your data."
        ),
    ]
)


def _demo_registrations(event) -> None:
    from conference.demo_data import demo_delegations, demo_individuals
    from conference.registration.models import Category, Delegation, Question, Registration
    from conference.registration.registering import Context, register
    from conference.registration.validation import RegistrationData

    categories = {
        c.name: c.id
        for c in db.session.scalars(select(Category).where(Category.event_id == event.id))
    }
    questions = list(
        db.session.scalars(
            select(Question).where(Question.event_id == event.id).order_by(Question.position)
        )
    )
    known = set(
        db.session.scalars(select(Registration.email).where(Registration.event_id == event.id))
    )

    def add(person, index, delegation=None, head=False):
        if person.email in known:
            return
        answers = {}
        if questions:
            answers[questions[0].id] = SITE_VISITS[index % len(SITE_VISITS)]
            answers[questions[1].id] = index % 5 != 0
            answers[questions[2].id] = (
                event.start_date - timedelta(days=1 + index % 2)
            ).isoformat()
        data = RegistrationData(
            category_id=categories[person.category],
            **{
                name: getattr(person, name)
                for name in (
                    "title",
                    "given_name",
                    "family_name",
                    "native_name",
                    "email",
                    "phone",
                    "country",
                    "organisation",
                    "position",
                    "dietary",
                    "accessibility",
                    "list_consent",
                )
            },
            privacy_accepted=True,
            answers=answers,
        )
        registration = register(
            event,
            data,
            Context(source="import", by_organiser=True, delegation=delegation, notify=False),
        )
        registration.is_delegation_head = head
        known.add(person.email)

    index = 0
    for group in demo_delegations():
        delegation = db.session.scalar(
            select(Delegation).where(Delegation.event_id == event.id, Delegation.name == group.name)
        )
        if delegation is None:
            delegation = Delegation(event_id=event.id, name=group.name, country=group.country)
            db.session.add(delegation)
        add(group.head, index, delegation, head=True)
        for member in group.members:
            index += 1
            add(member, index, delegation)
    # Those who came first got the places: the waiting list is filled last.
    individuals = sorted(demo_individuals(), key=lambda p: p.status == "waitlisted")
    for person in individuals:
        index += 1
        add(person, index)
    db.session.flush()
