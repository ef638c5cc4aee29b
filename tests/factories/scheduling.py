"""An event ready to be scheduled: blocks of parallel sessions, accepted papers placed and
waiting, presenters' and rooms' unavailability, similar tracks, delegates' interests."""

import json
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from conference.agenda.availability import (
    mark_presenter_unavailable,
    mark_room_unavailable,
    mark_similar,
)
from conference.agenda.blocks import parallel_blocks
from conference.agenda.models import Room, Talk, TalkInterest, Track
from conference.extensions import db
from conference.papers.models import Paper
from tests.factories.agenda import make_session
from tests.factories.events import make_event
from tests.factories.registration import delegate, make_category, make_registration

STANDARD = Path("shared") / "standards" / "schedule"


def standard_dir() -> Path:
    """The shared folder of the scheduling format (FORMAT.md, score.py, the schemas): beside
    the project (``../shared/standards/schedule``), or beside a folder above it (a git
    worktree); skips the test, saying so, when there is none."""
    for folder in Path(__file__).resolve().parents:
        if (folder / STANDARD / "score.py").is_file():
            return folder / STANDARD
    pytest.skip(f"needs ../{STANDARD.as_posix()}/score.py (the scheduling format's scorer)")


def score_module():
    """The reference scorer, ``score.py``, imported from the shared folder."""
    folder = str(standard_dir())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import score

    return score


def instance_schema() -> dict:
    return json.loads((standard_dir() / "instance.schema.json").read_text())


def _talk(event, title, minutes, presenters, session=None, position=0, fixed=False):
    talk = Talk(
        event_id=event.id,
        title=title,
        abstract=f"What {title} learnt.",
        duration_minutes=minutes,
        position=position,
        fixed=fixed,
    )
    db.session.add(talk)
    talk.presenters = list(presenters)
    if session is not None:
        before = sum(t.duration_minutes for t in session.talks if t is not talk)
        talk.session = session
        talk.starts_at = session.starts_at + timedelta(minutes=before)
    db.session.flush()
    return talk


def _paper(event, talk, track, submitter, status="accepted", title=None):
    paper = Paper(
        event_id=event.id,
        submitter_id=submitter.id,
        title=title or talk.title,
        abstract=talk.abstract if talk else "Not this time.",
        status=status,
        track_id=track.id,
        talk_id=talk.id if talk is not None else None,
    )
    db.session.add(paper)
    db.session.flush()
    return paper


def scheduling_event():
    """Day 1 of an event, two blocks of parallel sessions:

    - 13:30–15:00: A (Lotus, Inclusion; chairs Kim and Suwon's presenter), B (Orchid,
      Climate), D (Jasmine, empty);
    - 15:30–17:00: C (Lotus, Skills) with a talk kept where it is; a keynote in Orchid at
      the same time, given by Yeonsu's presenter; Jasmine marked unavailable.

    Accepted papers: Son La (Inclusion, 30 min, A), Suwon (Climate, 30, B), Yeonsu
    (Inclusion, 20, A), Skills (20, C, kept), Later (Inclusion, 20, not placed; Son La's
    presenter again); a panel of the organisers' own in B (15 min, no paper); a rejected
    paper and a talk not placed without a paper (neither is scheduled). Suwon's presenter
    leaves at 15:00; Inclusion and Climate are similar. Confirmed delegates' interests:
    ana (Son La, Suwon), ben (Son La, Yeonsu, Later), cai (Suwon, Skills); a delegate
    pending approval wants Son La."""
    event = make_event()
    everyone = make_category(event, "Delegate")
    vetted = make_category(event, "Press", requires_approval=True)
    s = SimpleNamespace(event=event)
    s.hall = Room(event_id=event.id, name="Grand Ballroom", capacity=600, position=0)
    s.lotus = Room(event_id=event.id, name="Lotus Room", capacity=40, position=1)
    s.orchid = Room(event_id=event.id, name="Orchid Room", capacity=None, position=2)
    s.jasmine = Room(event_id=event.id, name="Jasmine Room", capacity=25, position=3)
    s.inclusion = Track(event_id=event.id, name="Inclusion", colour="#7b2d8e")
    s.climate = Track(event_id=event.id, name="Climate", colour="#2e7d32")
    s.skills = Track(event_id=event.id, name="Skills", colour="#c75b12")
    db.session.add_all([s.hall, s.lotus, s.orchid, s.jasmine, s.inclusion, s.climate, s.skills])
    db.session.flush()

    def person(given, family):
        return delegate(event, everyone, given_name=given, family_name=family, native_name="")

    s.p1, s.p2, s.p3, s.p4 = (
        person(g, f)
        for g, f in (
            ("Trung Chiến", "Hà"),
            ("Soohyun", "Kim"),
            ("Ji-won", "Park"),
            ("Malee", "Srisuk"),
        )
    )
    s.chair = person("Anong", "Chai")
    s.ana, s.ben, s.cai = person("Ana", "Reyes"), person("Ben", "Tan"), person("Cai", "Wen")
    s.pending = make_registration(event, vetted, given_name="Dee", family_name="Press")

    s.a = make_session(
        event,
        s.lotus,
        (13, 30),
        (15, 0),
        title="A",
        track_id=s.inclusion.id,
        chair_ids=(s.chair.id, s.p2.id),
    )
    s.b = make_session(event, s.orchid, (13, 30), (15, 0), title="B", track_id=s.climate.id)
    s.d = make_session(event, s.jasmine, (13, 30), (15, 0), title="D")
    s.c = make_session(event, s.lotus, (15, 30), (17, 0), title="C", track_id=s.skills.id)
    s.keynote = make_session(event, s.orchid, (15, 30), (16, 30), title="Keynote", kind="keynote")

    s.son_la = _talk(event, "Son La", 30, [s.p1], s.a, 0)
    s.yeonsu = _talk(event, "Yeonsu", 20, [s.p3], s.a, 1)
    s.suwon = _talk(event, "Suwon", 30, [s.p2], s.b, 0)
    s.panel = _talk(event, "Panel", 15, [], s.b, 1)
    s.skills_talk = _talk(event, "Skills", 20, [s.p4], s.c, 0, fixed=True)
    s.later = _talk(event, "Later", 20, [s.p1])
    s.keynote_talk = _talk(event, "Keynote talk", 50, [s.p3], s.keynote, 0)
    s.loose = _talk(event, "Loose", 10, [s.p4])  # no paper, not placed: not scheduled
    for talk, track in (
        (s.son_la, s.inclusion),
        (s.yeonsu, s.inclusion),
        (s.suwon, s.climate),
        (s.skills_talk, s.skills),
        (s.later, s.inclusion),
    ):
        _paper(event, talk, track, s.p1)
    _paper(event, None, s.climate, s.p1, status="rejected", title="Rejected")
    db.session.flush()

    s.blocks = parallel_blocks(event)
    first, second = s.blocks
    mark_presenter_unavailable(event, s.p2, second, "Leaves at 15:00")
    mark_room_unavailable(event, s.jasmine, second, "Set up for the dinner")
    mark_similar(event, s.inclusion, s.climate)
    for who, talks in (
        (s.ana, (s.son_la, s.suwon, s.loose)),
        (s.ben, (s.son_la, s.yeonsu, s.later)),
        (s.cai, (s.suwon, s.skills_talk)),
        (s.pending, (s.son_la,)),
    ):
        db.session.add_all(TalkInterest(registration_id=who.id, talk_id=t.id) for t in talks)
    db.session.commit()
    return s


def solution(name: str, placements) -> dict:
    """A format-1 solution to the instance ``name``: (talk key, block, room key) triples."""
    return {
        "format": "conference-schedule-solution/1",
        "instance": name,
        "placements": [{"talk": t, "block": b, "room": r} for t, b, r in placements],
    }


def clock(event, moment) -> str:
    """A stored time as the event's wall clock, 'HH:MM'."""
    return f"{moment.astimezone(event.tz):%H:%M}"
