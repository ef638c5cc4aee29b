import re
from datetime import date, timedelta

from sqlalchemy import func, select

from conference.auth.models import EventRole, User
from conference.events.models import Event
from tests.conftest import log_in


def test_users_create_makes_an_admin_who_can_sign_in(app, runner, db):
    result = runner.invoke(
        args=["users", "create", "Admin@Example.org", "--admin", "--password", "a long passphrase"]
    )
    assert result.exit_code == 0, result.output
    assert "Created administrator admin@example.org" in result.output
    user = db.session.scalar(select(User))
    assert user.is_admin
    assert log_in(app.test_client(), "admin@example.org", "a long passphrase").status_code == 302


def test_users_create_refuses_a_duplicate_and_a_weak_password(runner, db):
    runner.invoke(args=["users", "create", "ada@example.org", "--password", "a long passphrase"])
    duplicate = runner.invoke(
        args=["users", "create", "ADA@example.org", "--password", "another passphrase"]
    )
    assert duplicate.exit_code != 0
    assert "exists already" in duplicate.output
    weak = runner.invoke(args=["users", "create", "bob@example.org", "--password", "short"])
    assert weak.exit_code != 0
    assert "at least 10 characters" in weak.output
    assert db.session.scalar(select(func.count(User.id))) == 1


def demo_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"(\S+@example\.org)\s+password: (\S+)", output))


def test_demo_builds_the_asean3_event_starting_today_and_is_idempotent(app, runner, db):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert demo_passwords(first.output) == demo_passwords(second.output)

    [event] = db.session.scalars(select(Event)).all()
    assert event.slug == "asean3-2024"
    assert event.title == "ASEAN+3 Regional Learning Cities Conference"
    assert (event.city, event.country, event.timezone) == ("Bangkok", "TH", "Asia/Bangkok")
    assert abs((event.start_date - date.today()).days) <= 1  # "today" in Bangkok
    assert event.end_date == event.start_date + timedelta(days=1)
    assert event.registration_is_open()
    roles = {(r.user.email, r.role) for r in db.session.scalars(select(EventRole))}
    assert roles == {
        ("organiser@example.org", "organiser"),
        ("checkin@example.org", "checkin"),
        ("reviewer@example.org", "reviewer"),
        ("reviewer2@example.org", "reviewer"),
    }

    from conference.checkin.models import CheckIn

    arrivals = db.session.scalar(select(func.count(CheckIn.id)))
    assert arrivals > 50  # the morning queue so far, made once
    assert f"Checked in so far: {arrivals}" in second.output

    from conference.agenda.draft import agenda_conflicts
    from conference.agenda.publishing import latest_publication

    publication = latest_publication(event)
    assert publication.version == 1  # published once, not again on the second run
    titles = [t["title"] for s in publication.snapshot["sessions"] for t in s["talks"]]
    assert any("Son La" in t and "no one is left behind" in t for t in titles)
    assert not [c for c in agenda_conflicts(event) if c.hard]

    # The parallel sessions are made of accepted papers, Son La's on the first day.
    from conference.papers.models import Paper
    from conference.papers.storage import storage_from_config

    papers = db.session.scalars(select(Paper)).all()
    son_la = next(p for p in papers if p.title.startswith("Son La"))
    assert son_la.status == "accepted"
    assert son_la.talk.session.kind == "parallel"
    assert son_la.talk.session.starts_at.astimezone(event.tz).date() == event.start_date
    assert son_la.presenting_author.name.startswith("Mr Hà Trung Chiến")
    assert "34% of its total budget" in son_la.abstract
    with storage_from_config(app).open(son_la.latest_version.storage_key) as file:
        stored = file.read()
    assert stored.startswith(b"%PDF-") and len(stored) == son_la.latest_version.size
    from conference.agenda.draft import load_agenda

    slots = load_agenda(event).sessions
    assert sum(s.signups for s in slots) > 300  # delegates chose their parallel sessions
    assert all(s.capacity is None or s.signups <= s.capacity for s in slots)
    statuses = {p.status for p in papers}
    assert statuses >= {"accepted", "under_review", "revise", "rejected"}

    passwords = demo_passwords(first.output)
    client = app.test_client()
    assert (
        log_in(client, "organiser@example.org", passwords["organiser@example.org"]).status_code
        == 302
    )
    assert client.get("/events/asean3-2024/edit").status_code == 200


def test_demo_can_keep_the_original_dates(runner, db):
    result = runner.invoke(args=["demo", "--original-dates"])
    assert result.exit_code == 0, result.output
    event = db.session.scalar(select(Event))
    assert (event.start_date, event.end_date) == (date(2024, 10, 29), date(2024, 10, 30))


def test_demo_passwords_depend_on_the_installations_secret(make_app):
    outputs = []
    for secret in ("first-secret-key-xxxxxxxx", "second-secret-key-xxxxxxx"):
        app = make_app(SECRET_KEY=secret)
        outputs.append(demo_passwords(app.test_cli_runner().invoke(args=["demo"]).output))
        with app.app_context():
            from conference.extensions import db

            db.session.remove()
    assert outputs[0]["organiser@example.org"] != outputs[1]["organiser@example.org"]
