"""The demo's programme (``data/programme.json``): rooms, tracks, sessions and their talks,
built with the organisers' agenda editor services and published once."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from conference.agenda.models import AgendaSession
from conference.agenda.publishing import publish
from conference.agenda.rooms import save_room, save_track
from conference.agenda.sessions import SessionDetails, update_session
from conference.agenda.talks import TalkDetails, save_talk
from conference.demo.papers import DemoPapers
from conference.extensions import db
from conference.registration.models import Registration


def build_programme(event, programme: dict, papers: dict, *, organiser, reviewers) -> None:
    """The programme, unless the event has sessions already. A talk that is a paper is
    submitted, reviewed and accepted when its session is built; the papers no session
    places are decided after."""
    if db.session.scalar(select(AgendaSession.id).where(AgendaSession.event_id == event.id)):
        return
    rooms = {
        room["name"]: save_room(event, None, room["name"], room["capacity"], position=n)
        for n, room in enumerate(programme["rooms"])
    }
    tracks = {
        track["name"]: save_track(event, None, track["name"], track["colour"])
        for track in programme["tracks"]
    }
    people = {
        r.email: r
        for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    }
    demo_papers = DemoPapers(
        event, papers, tracks, people, organiser=organiser, reviewers=reviewers
    )
    for entry in programme["sessions"]:
        day = event.start_date + timedelta(days=entry["day"] - 1)
        session = update_session(
            event,
            None,
            SessionDetails(
                kind=entry["kind"],
                title=entry["title"],
                starts=datetime.combine(day, time.fromisoformat(entry["starts"])),
                ends=datetime.combine(day, time.fromisoformat(entry["ends"])),
                description=entry.get("description", ""),
                room_id=rooms[entry["room"]].id,
                track_id=tracks[entry["track"]].id if "track" in entry else None,
                chair_ids=tuple(people[email].id for email in entry.get("chairs", ())),
            ),
            signed_up_only=entry.get("signed_up_only", False),
        )
        for talk in entry.get("talks", ()):
            if "paper" in talk:  # the decision made the talk; it waits to be placed
                made = demo_papers.submit_and_decide(talk["paper"]).talk
                title, minutes, abstract = made.title, made.duration_minutes, made.abstract
                presenters = [p.id for p in made.presenters]
            else:
                made = None
                title, minutes, abstract = talk["title"], talk["minutes"], talk["abstract"]
                presenters = [people[email].id for email in talk["presenters"]]
            starts = time.fromisoformat(talk["starts"])
            save_talk(
                event,
                made,
                TalkDetails(title, minutes, abstract, tuple(presenters), session.id, starts),
            )
    demo_papers.decide_the_rest()
    db.session.flush()
    publish(event, organiser)
