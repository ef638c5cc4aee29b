#!/usr/bin/env python3
"""The event as a scheduling instance, and a solution read back, at the size of issue 14's
L instance: 4 days × 4 blocks, 20 rooms, 60 tracks, 1,000 talks, 3,000 delegates with ~10
interests each.

A fresh PostgreSQL database gets the event: 16 windows of parallel sessions (100 minutes)
in 20 rooms, each session of one track holding up to five 20-minute talks (the hand-made
grid), 900 presenters (a tenth with two talks), 30 presenters and 10 rooms unavailable in
a block, 10 pairs of similar tracks, and 3,000 confirmed delegates whose interests follow a
Zipf-like popularity mixed with a liking for a few tracks. Then, in one process:

(a) ``build_instance(event)``, several times: the median;
(b) ``export_instance`` and the JSON written, as ``flask agenda export-instance`` does;
(c) ``apply_solution`` of a valid solution that moves every session to another room of its
    block (every talk moves), committed: what accepting a proposal costs;
and the process's peak memory. The exported instance is checked by the shared scorer
(``../shared/standards/schedule/score.py``) when it is there.

    .venv/bin/python benchmarks/schedule_data.py [--runs 5]
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, fresh_app_env, machine, run_python  # noqa: E402

SETUP = """
import json, random, sys
from datetime import date, datetime, timedelta
from sqlalchemy import insert, select
from conference import create_app
from conference.extensions import db
from conference.dbtypes import utcnow
from conference.agenda.availability import (
    mark_presenter_unavailable, mark_room_unavailable, mark_similar)
from conference.agenda.blocks import parallel_blocks
from conference.agenda.models import AgendaSession, Room, Talk, TalkInterest, Track, talk_presenter
from conference.auth.services import create_user
from conference.events.services import EventDetails, create_event
from conference.registration.models import Registration
from conference.registration.settings import save_category

DAYS, STARTS = 4, [(9, 0), (11, 0), (14, 0), (16, 0)]
ROOMS, TRACKS, TALKS, PEOPLE = 20, 60, 1000, 3000
rng = random.Random(14)
app = create_app()
with app.app_context():
    organiser = create_user("bench@example.org", password="bench password 1")
    first = date.today() + timedelta(days=60)
    event = create_event(EventDetails(title="Learning Cities Congress", slug="lcc",
        country="TH", timezone="Asia/Bangkok", start_date=first,
        end_date=first + timedelta(days=DAYS - 1), city="Bangkok"), organiser)
    category = save_category(event, None, name="Delegate")
    now = utcnow()
    rows = [dict(event_id=event.id, category_id=category.id, status="confirmed",
                 given_name="Lan", family_name=f"Nguyen {n}", email=f"p{n}@example.org",
                 country="VN", organisation=f"City {n % 97}", privacy_accepted_at=now,
                 manage_nonce=f"{n:032d}") for n in range(PEOPLE + 900)]
    db.session.execute(insert(Registration), rows)
    ids = db.session.scalars(select(Registration.id).where(Registration.event_id == event.id)
                             .order_by(Registration.id)).all()
    attendees, presenters = ids[:PEOPLE], ids[PEOPLE:]
    rooms = [Room(event_id=event.id, name=f"Room {n + 1}", capacity=40 + 13 * n, position=n)
             for n in range(ROOMS)]
    tracks = [Track(event_id=event.id, name=f"Track {n + 1}") for n in range(TRACKS)]
    db.session.add_all(rooms + tracks)
    db.session.flush()

    def at(day, hour, minute=0):
        d = first + timedelta(days=day)
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=event.tz)

    # Uneven tracks: talk i goes to track k with weight 1/(k+1)^0.7; the sessions of the
    # hand-made grid are spread over every block and room.
    weights = [1 / (k + 1) ** 0.7 for k in range(TRACKS)]
    talk_track = sorted(rng.choices(range(TRACKS), weights=weights, k=TALKS))
    slots = [(day, h, m, r) for day in range(DAYS) for h, m in STARTS for r in range(ROOMS)]
    rng.shuffle(slots)
    talks, block_of, slot, in_slot, current = [], [], 0, 0, None
    held = set()  # (block, room) holding a session
    for i, k in enumerate(talk_track):
        if current is None or current.track_id != tracks[k].id or in_slot == 5:
            day, h, m, r = slots[slot]
            slot += 1
            in_slot = 0
            held.add(((day, h), r))
            current = AgendaSession(event_id=event.id, kind="parallel", title=f"Track {k + 1}",
                room=rooms[r], track=tracks[k], starts_at=at(day, h, m),
                ends_at=at(day, h, m) + timedelta(minutes=100))
            db.session.add(current)
            db.session.flush()
        talk = Talk(event_id=event.id, title=f"Talk {i + 1}", abstract="An abstract. " * 20,
                    duration_minutes=20, position=in_slot, session_id=current.id,
                    starts_at=current.starts_at + timedelta(minutes=20 * in_slot))
        db.session.add(talk)
        talks.append(talk)
        block_of.append((day, h))
        in_slot += 1
    db.session.flush()
    # 900 presenters; the last 100 talks go to presenters of talks in another block.
    who, busy = [], {}
    for i in range(TALKS):
        if i < 900:
            person = presenters[i]
        else:
            person = next(presenters[j] for j in rng.sample(range(900), 900)
                          if block_of[j] != block_of[i] and busy.get(presenters[j], 0) < 2)
        busy[person] = busy.get(person, 0) + 1
        who.append(person)
    db.session.execute(insert(talk_presenter),
                       [{"talk_id": t.id, "registration_id": p} for t, p in zip(talks, who)])

    popularity = [1 / (rank + 1) ** 0.6 for rank in range(TALKS)]
    rng.shuffle(popularity)
    interests = []
    for rid in attendees:
        liked = set(rng.sample(range(TRACKS), 3))
        pool = {t.id: popularity[i] * (6 if k in liked else 1)
                for i, (t, k) in enumerate(zip(talks, talk_track))}
        chosen = set()
        for _ in range(rng.randint(5, 15)):
            chosen.add(rng.choices(list(pool), weights=list(pool.values()))[0])
        interests += [{"registration_id": rid, "talk_id": t} for t in chosen]
    db.session.execute(insert(TalkInterest), interests)

    # Unavailability that the hand-made grid keeps: a block where they have nothing.
    blocks = parallel_blocks(event)
    window = {(day, h): b for b in blocks for day in range(DAYS) for h, m in STARTS
              if b.starts_at == at(day, h, m)}
    for person in presenters[:30]:
        mine = {block_of[i] for i, p in enumerate(who) if p == person}
        free = [k for k in window if k not in mine]
        row = db.session.get(Registration, person)
        mark_presenter_unavailable(event, row, window[rng.choice(free)], "Arrives late")
    for r, room in enumerate(rooms[:10]):
        free = [k for k in window if (k, r) not in held]
        if free:
            mark_room_unavailable(event, room, window[rng.choice(free)], "Set up")
    for n in range(10):
        mark_similar(event, tracks[2 * n], tracks[2 * n + 1])
    db.session.commit()
    json.dump({"slug": event.slug, "talks": len(talks), "interests": len(interests),
               "sessions": slot}, sys.stdout)
"""

MEASURE = """
import json, resource, statistics, sys, time
from pathlib import Path
from conference import create_app
from conference.extensions import db
from conference.agenda.instances import apply_solution, build_instance, export_instance
from conference.events.services import get_event
app = create_app()
with app.app_context():
    event = get_event("lcc")
    build_instance(event)  # warm-up: connections, compiled statements
    times = []
    for _ in range({runs}):
        t0 = time.perf_counter()
        doc = build_instance(event)
        times.append(time.perf_counter() - t0)
        db.session.rollback()
    t0 = time.perf_counter()
    kept = export_instance(event, previous="draft")
    text = json.dumps(kept.document, ensure_ascii=False, indent=1)
    Path({out!r}).write_text(text)
    db.session.commit()
    export_s = time.perf_counter() - t0
    doc = kept.document
    # A valid solution in which every talk moves: in each block, the sessions shift to the
    # next room free in that block (a one-to-one shift, so sessions stay whole).
    rooms = [r["id"] for r in doc["rooms"]]
    away = {{r["id"]: set(r.get("unavailable", ())) for r in doc["rooms"]}}
    placements = []
    for block in doc["blocks"]:
        free = [r for r in rooms if block["id"] not in away[r]]
        shift = {{room: free[(n + 1) % len(free)] for n, room in enumerate(free)}}
        placements += [{{"talk": p["talk"], "block": p["block"], "room": shift[p["room"]]}}
                       for p in doc["previous"] if p["block"] == block["id"]]
    solution = {{"format": "conference-schedule-solution/1", "instance": kept.name,
                "placements": placements}}
    t0 = time.perf_counter()
    applied = apply_solution(event, solution)
    db.session.commit()
    apply_s = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump({{"build_median_s": statistics.median(times), "build_max_s": max(times),
               "export_s": export_s, "apply_s": apply_s, "bytes": len(text.encode()),
               "moved": len(applied.talks_moved), "created": applied.sessions_created,
               "changed": applied.sessions_changed, "deleted": applied.sessions_deleted,
               "peak_mib": peak, "attendees": len(doc["attendees"]),
               "name": kept.name}}, sys.stdout)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with fresh_app_env("schedule_data") as (env, url, tmp):
        data = json.loads(run_python(env, SETUP).strip().splitlines()[-1])
        print(
            f"event: {data['talks']} talks in {data['sessions']} sessions, "
            f"{data['interests']} interests"
        )
        out = tmp / "instance.json"
        result = json.loads(
            run_python(env, MEASURE.format(runs=args.runs, out=str(out))).strip().splitlines()[-1]
        )
        valid = None
        scorer = next(
            (
                base / "shared" / "standards" / "schedule"
                for base in ROOT.parents[:2]
                if (base / "shared" / "standards" / "schedule" / "score.py").exists()
            ),
            None,
        )
        if scorer is not None:
            sys.path.insert(0, str(scorer))
            import score

            inst = score.load_instance(str(out))
            valid = inst.n_talks == data["talks"]
    print(
        f"build_instance median_s={result['build_median_s']:.2f} max_s={result['build_max_s']:.2f} "
        f"runs={args.runs}; export_s={result['export_s']:.2f} "
        f"({result['bytes'] / 2**20:.1f} MiB, {result['attendees']} attendees); "
        f"apply_solution_s={result['apply_s']:.2f} (moved {result['moved']} talks; sessions "
        f"{result['created']} new, {result['changed']} changed, {result['deleted']} deleted); "
        f"peak_mib={result['peak_mib']:.0f}; scorer_loads={valid}"
    )
    print(f"machine: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
