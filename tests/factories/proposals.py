"""An event built from a generated scheduling instance (conference.scheduling.generate),
with a hand-made grid that a proposal can improve: the greedy baseline's placement, as a
competent organiser's first fit would place the talks."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import insert, select

from conference.agenda.availability import (
    mark_presenter_unavailable,
    mark_room_unavailable,
    mark_similar,
)
from conference.agenda.blocks import parallel_blocks
from conference.agenda.models import Room, Talk, TalkInterest, Track
from conference.agenda.sessions import SessionDetails, update_session
from conference.extensions import db
from conference.papers.models import Paper
from conference.registration.models import Registration
from conference.scheduling import parse_instance
from conference.scheduling.generate import generate
from conference.scheduling.greedy import greedy
from tests.factories.events import make_event
from tests.factories.registration import bulk_registrations, make_category


def event_from_instance(shape="XS", seed=0, organiser=None, slug=None):
    """The generated instance as an event: its rooms, tracks, presenters (registrations),
    accepted papers and their talks, delegates' interests, unavailability and similar
    tracks; the talks placed as the greedy baseline places them, one parallel session per
    block and room. Returns the event, the instance and the rows by instance id."""
    doc = generate(shape, seed)
    inst = parse_instance(doc)
    first_day = date.fromisoformat(doc["blocks"][0]["day"])
    days = len({b["day"] for b in doc["blocks"]})
    start = date.today() + timedelta(days=30)
    extra = {"slug": slug} if slug else {}
    event = make_event(
        organiser, start_date=start, end_date=start + timedelta(days=days - 1), **extra
    )
    category = make_category(event, "Delegate")
    s = SimpleNamespace(event=event, doc=doc, rooms={}, tracks={}, people={}, talks={}, blocks={})

    for n, r in enumerate(doc["rooms"]):
        s.rooms[r["id"]] = Room(
            event_id=event.id, name=f"Room {r['id']}", capacity=r["capacity"], position=n
        )
    for k in doc["tracks"]:
        s.tracks[k["id"]] = Track(event_id=event.id, name=f"Track {k['id']}", colour="#1f4e79")
    db.session.add_all([*s.rooms.values(), *s.tracks.values()])
    db.session.flush()

    people = [p["id"] for p in doc["people"]]
    attendees = [a["id"] for a in doc["attendees"]]
    ids = bulk_registrations(event, category, len(people) + len(attendees))
    registrations = {
        r.id: r for r in db.session.scalars(select(Registration).where(Registration.id.in_(ids)))
    }
    s.people = {pid: registrations[ids[n]] for n, pid in enumerate(people)}
    attendee_ids = {aid: ids[len(people) + n] for n, aid in enumerate(attendees)}

    def local(block: dict) -> datetime:
        day = start + timedelta(days=(date.fromisoformat(block["day"]) - first_day).days)
        hour, minute = map(int, block["start"].split(":"))
        return datetime(day.year, day.month, day.day, hour, minute)

    assign = greedy(inst)
    placed: dict = {}
    for t, (b, r) in enumerate(assign):
        placed.setdefault((b, r), []).append(t)
    sessions = {}
    for (b, r), talks in sorted(placed.items()):
        block, room = doc["blocks"][b], doc["rooms"][r]
        track = doc["talks"][talks[0]]["track"]
        begins = local(block)
        sessions[b, r] = update_session(
            event,
            None,
            SessionDetails(
                kind="parallel",
                title=f"Track {track}",
                starts=begins,
                ends=begins + timedelta(minutes=block["minutes"]),
                room_id=s.rooms[room["id"]].id,
                track_id=s.tracks[track].id,
            ),
        )
    submitter = next(iter(s.people.values()))
    for t, item in enumerate(doc["talks"]):
        session = sessions[assign[t]]
        position = placed[assign[t]].index(t)
        talk = Talk(
            event_id=event.id,
            title=f"Talk {item['id']}",
            abstract="",
            duration_minutes=item["minutes"],
            position=position,
            session=session,
            starts_at=session.starts_at
            + timedelta(
                minutes=sum(doc["talks"][u]["minutes"] for u in placed[assign[t]][:position])
            ),
        )
        talk.presenters = [s.people[p] for p in item["people"]]
        db.session.add(talk)
        db.session.flush()
        db.session.add(
            Paper(
                event_id=event.id,
                submitter_id=submitter.id,
                title=talk.title,
                abstract="",
                status="accepted",
                track_id=s.tracks[item["track"]].id,
                talk_id=talk.id,
            )
        )
        s.talks[item["id"]] = talk
    db.session.flush()
    rows = [
        {"registration_id": attendee_ids[a["id"]], "talk_id": s.talks[t].id}
        for a in doc["attendees"]
        for t in a["interests"]
    ]
    db.session.execute(insert(TalkInterest), rows)
    existing = {b.id: b for b in parallel_blocks(event)}
    for block in doc["blocks"]:
        offset = (date.fromisoformat(block["day"]) - first_day).days
        found = existing.get(f"d{offset + 1}-{block['start'].replace(':', '')}")
        if found is not None:  # a block the baseline left empty has no sessions, so no block
            s.blocks[block["id"]] = found
    s.blocks_by_id = {b.id: b for b in existing.values()}  # by the event's own block ids
    for room in doc["rooms"]:
        for b in room.get("unavailable", ()):
            if b in s.blocks:
                mark_room_unavailable(
                    event, s.rooms[room["id"]], s.blocks[b], "Set up for a plenary"
                )
    for person in doc["people"]:
        for b in person.get("unavailable", ()):
            if b in s.blocks:
                mark_presenter_unavailable(
                    event, s.people[person["id"]], s.blocks[b], "Another duty"
                )
    for k in doc["tracks"]:
        for other in k.get("similar", ()):
            mark_similar(event, s.tracks[k["id"]], s.tracks[other])
    db.session.commit()
    return s
