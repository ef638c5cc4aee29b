#!/usr/bin/env python3
"""Public agenda and conflict check: 3 days, 12 rooms, 600 talks.

A fresh PostgreSQL database gets an event with 12 rooms and 4 tracks; each day has an
opening plenary, a lunch break and four blocks of parallel sessions in all 12 rooms (144
parallel sessions holding 600 talks of 20 minutes, each presented by its own registered
delegate; every session has a registered chair). The agenda is published, then:

(a) the public agenda page (GET /events/<slug>/agenda?day=..., the three days in turn) is
    fetched over HTTP from gunicorn (2 sync workers) by the shared loopback load generator
    (../shared/bench/loadgen.py), one request at a time, so each latency is one page's
    render; bar: median under 100 ms;
(b) the full conflict check ``agenda_conflicts(event)`` runs in-process on the same
    database, several times; bar: median under 200 ms (and no hard conflict found).

    .venv/bin/pip install -e '.[serve]'
    .venv/bin/python benchmarks/agenda.py [--requests 300]
"""

import argparse
import json
import re
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import figure, fresh_app_env, gunicorn, loadgen, machine, run_python  # noqa: E402

SETUP = """
import json, sys
from datetime import date, datetime, timedelta
from conference import create_app
from conference.extensions import db
from conference.agenda.models import AgendaSession, Room, Talk, Track
from conference.agenda.publishing import publish
from conference.auth.services import create_user
from conference.events.services import EventDetails, create_event
from conference.registration.registering import Context, register
from conference.registration.settings import save_category
from conference.registration.validation import RegistrationData

DAYS, ROOMS, TALKS, TALK_MINUTES = 3, 12, 600, 20
BLOCKS = [(9, 0), (11, 0), (14, 0), (16, 0)]  # 100 minutes each: up to 5 talks
NAMES = [("Somchai", "Jaidee", "สมชาย ใจดี", "TH"), ("Lan", "Nguyen", "Nguyễn Thị Lan", "VN"),
         ("Wei", "Li", "李伟", "CN"), ("Yuki", "Tanaka", "田中 由紀", "JP"),
         ("Minji", "Kim", "김민지", "KR"), ("Sokha", "Chan", "ចាន់ សុខា", "KH")]

app = create_app()
with app.app_context():
    organiser = create_user("bench@example.org", password="bench password 1")
    first = date.today() + timedelta(days=60)
    event = create_event(EventDetails(title="Global Learning Cities Conference", slug="glcc",
        country="TH", timezone="Asia/Bangkok", start_date=first,
        end_date=first + timedelta(days=DAYS - 1), city="Bangkok", venue="QSNCC"), organiser)
    category = save_category(event, None, name="Speaker")
    people = iter(range(10**6))

    def person():
        n = next(people)
        given, family, native, country = NAMES[n % len(NAMES)]
        return register(event, RegistrationData(category_id=category.id, given_name=given,
            family_name=f"{family} {n}", native_name=native, email=f"p{n}@example.org",
            country=country, organisation=f"City {n % 97}", privacy_accepted=True),
            Context(notify=False, by_organiser=True))

    rooms = [Room(event_id=event.id, name=f"Room {n + 1}", capacity=80 + 10 * n, position=n)
             for n in range(ROOMS)]
    tracks = [Track(event_id=event.id, name=name, colour=colour) for name, colour in
              [("Inclusion", "#7b2d8e"), ("Green cities", "#2e7d32"),
               ("Partnerships", "#1f4e79"), ("Learning spaces", "#c05621")]]
    db.session.add_all(rooms + tracks)
    db.session.flush()

    def at(day, hour, minute=0):
        d = first + timedelta(days=day)
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=event.tz)

    blocks = [(day, h, m) for day in range(DAYS) for h, m in BLOCKS]
    slots = [(block, room) for block in blocks for room in range(ROOMS)]
    talks_in = [TALKS // len(slots) + (1 if i < TALKS % len(slots) else 0)
                for i in range(len(slots))]
    for day in range(DAYS):
        db.session.add(AgendaSession(event_id=event.id, kind="plenary",
            title=f"Plenary of day {day + 1}", room=rooms[0],
            starts_at=at(day, 8), ends_at=at(day, 8, 50)))
        db.session.add(AgendaSession(event_id=event.id, kind="meal", title="Lunch",
            starts_at=at(day, 12, 40), ends_at=at(day, 14)))
    made = 0
    for ((day, hour, minute), room), count in zip(slots, talks_in):
        start = at(day, hour, minute)
        session = AgendaSession(event_id=event.id, kind="parallel",
            title=f"Parallel session {room + 1}.{day + 1}.{hour}: learning cities",
            description="Cities present their work.", room=rooms[room],
            track=tracks[room % len(tracks)], starts_at=start,
            ends_at=start + timedelta(minutes=100))
        session.chairs.append(person())
        db.session.add(session)
        for k in range(count):
            made += 1
            talk = Talk(event_id=event.id, session=session, position=k,
                title=f"Talk {made}: building a learning city where no one is left behind",
                abstract="An abstract of a few sentences. " * 12,
                starts_at=start + timedelta(minutes=TALK_MINUTES * k),
                duration_minutes=TALK_MINUTES)
            talk.presenters.append(person())
            db.session.add(talk)
    db.session.flush()
    publication = publish(event, organiser)
    db.session.commit()
    days = [(first + timedelta(days=d)).isoformat() for d in range(DAYS)]
    json.dump({"slug": event.slug, "days": days, "talks": made, "version": publication.version},
              sys.stdout)
"""

CONFLICTS = """
import json, statistics, sys, time
from conference import create_app
from conference.agenda.draft import agenda_conflicts
from conference.events.services import get_event
app = create_app()
with app.app_context():
    event = get_event("glcc")
    found = agenda_conflicts(event)  # warm-up: connections, compiled statements
    times = []
    for _ in range({runs}):
        t0 = time.perf_counter()
        found = agenda_conflicts(event)
        times.append((time.perf_counter() - t0) * 1000)
    hard = sum(1 for c in found if c.hard)
    json.dump({{"median_ms": statistics.median(times), "max_ms": max(times), "hard": hard,
               "soft": len(found) - hard}}, sys.stdout)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with fresh_app_env("agenda") as (env, url, tmp):
        data = json.loads(run_python(env, SETUP).strip().splitlines()[-1])
        path = f"/events/{data['slug']}/agenda"
        pages = [f"{path}?day={day}" for day in data["days"]]

        def requests_file(name: str, count: int) -> Path:
            target = tmp / name
            with target.open("w") as fh:
                for n in range(count):
                    fh.write(json.dumps({"method": "GET", "path": pages[n % len(pages)]}) + "\n")
            return target

        with gunicorn(env, args.workers) as port:
            # What one page holds: every room, and a third of the talks.
            html = urllib.request.urlopen(f"http://127.0.0.1:{port}{pages[0]}").read().decode()  # noqa: S310
            rooms = len(re.findall(r'<th scope="col" class="agenda-room">', html))
            talk_links = len(set(re.findall(r'href="/events/glcc/talks/(\d+)"', html)))
            print(f"page: {len(html) // 1024} KiB, {rooms} rooms, {talk_links} talks on day 1")
            mode = ("--mode", "requests", "--concurrency", "1")
            loadgen(port, path, requests_file("warm.jsonl", 30), *mode, "--label", "warm_up")
            page_line = loadgen(
                port,
                path,
                requests_file("pages.jsonl", args.requests),
                *mode,
                "--label",
                "agenda_page",
                "--max-seconds",
                "120",
            )
        print(page_line)
        conflicts = json.loads(
            run_python(env, CONFLICTS.format(runs=args.runs)).strip().splitlines()[-1]
        )
        print(
            f"conflict_check median_ms={conflicts['median_ms']:.1f} "
            f"max_ms={conflicts['max_ms']:.1f} runs={args.runs} "
            f"hard={conflicts['hard']} soft={conflicts['soft']}"
        )

    page_ok = (
        figure(page_line, "p50_ms") < 100
        and figure(page_line, "http_errors") == 0
        and figure(page_line, "net_errors") == 0
        and rooms == 12
        and data["talks"] == 600
    )
    check_ok = conflicts["median_ms"] < 200 and conflicts["hard"] == 0
    print(f"machine: {machine()}")
    print(
        f"agenda: {'PASS' if page_ok and check_ok else 'FAIL'} (bars: agenda page median "
        f"< 100 ms [{figure(page_line, 'p50_ms'):.1f} ms], conflict check median < 200 ms "
        f"[{conflicts['median_ms']:.1f} ms]; {data['talks']} talks, 3 days, 12 rooms)"
    )
    return 0 if page_ok and check_ok else 1


if __name__ == "__main__":
    sys.exit(main())
