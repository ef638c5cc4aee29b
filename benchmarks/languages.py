#!/usr/bin/env python3
"""The cost of a language: the registration form rendered in English and in each of the
eleven other languages (issue 16's bar: no more than 5% over English).

In-process, on a SQLite file in a temporary folder: an open event with three categories, a
delegation and two custom questions. After a warm-up (every catalogue read once, as a
process does), the form is rendered round after round, the twelve languages in turn in
each round (so a machine that slows down slows them alike); the median of each language's
times is compared with English's.

    .venv/bin/python benchmarks/languages.py [--rounds 150]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(folder: Path):
    os.environ["CONFERENCE_INSTANCE_PATH"] = str(folder / "instance")
    from conference import create_app
    from conference.auth.services import create_user
    from conference.events.services import EventDetails, create_event
    from conference.extensions import db
    from conference.registration.registering import Context, register
    from conference.registration.settings import save_category, save_question
    from conference.registration.validation import RegistrationData

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "SECRET_KEY": "x" * 32,
            "RATELIMIT_ENABLED": False,
            "TASKS_MODE": "sync",
            "MAIL_DELIVER_AFTER_COMMIT": False,
        }
    )
    with app.app_context():
        from datetime import date, timedelta

        db.create_all()
        organiser = create_user("bench@example.org")
        start = date.today() + timedelta(days=60)
        event = create_event(
            EventDetails(
                title="ASEAN+3 Regional Learning Cities Conference",
                slug="asean3",
                country="TH",
                timezone="Asia/Bangkok",
                start_date=start,
                end_date=start + timedelta(days=2),
                city="Bangkok",
                venue="Queen Sirikit National Convention Center",
            ),
            organiser,
        )
        delegate = save_category(event, None, name="Delegate", capacity=300)
        save_category(event, None, name="Observer", capacity=50, requires_approval=True)
        save_category(event, None, name="Speaker")
        site = save_question(event, None, label="Site visit", type="single_choice", required=True,
                      choices=["Bang Kachao green lung", "No site visit"])  # fmt: skip
        save_question(event, None, label="City of residence", type="short_text")
        register(
            event,
            RegistrationData(
                category_id=delegate.id,
                given_name="Sokha",
                family_name="Chan",
                email="sokha@pp.example",
                country="KH",
                organisation="Phnom Penh Capital Administration",
                new_delegation_name="Phnom Penh Capital",
                privacy_accepted=True,
                answers={site.id: "No site visit"},
            ),
            Context(notify=False),
        )
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=150)
    args = parser.parse_args()
    from conference.languages import CODES

    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp))
        client = app.test_client()
        urls = {code: f"/events/asean3/register?lang={code}" for code in CODES}
        for url in urls.values():  # warm-up: every catalogue read, every template compiled
            for _ in range(3):
                assert client.get(url).status_code == 200
        times: dict[str, list[float]] = {code: [] for code in CODES}
        for _ in range(args.rounds):
            for code, url in urls.items():
                started = time.perf_counter()
                response = client.get(url)
                times[code].append(time.perf_counter() - started)
                assert response.status_code == 200
    english = statistics.median(times["en"])
    print(f"{'language':10} {'median ms':>10} {'vs English':>11}")
    worst = 0.0
    for code in CODES:
        median = statistics.median(times[code])
        over = median / english - 1
        worst = max(worst, over)
        print(f"{code:10} {median * 1000:10.2f} {over:+11.1%}")
    print(
        f"registration form, {args.rounds} rounds: English {english * 1000:.2f} ms median; "
        f"the slowest language {worst:+.1%} over it (bar: +5%)"
    )


if __name__ == "__main__":
    main()
