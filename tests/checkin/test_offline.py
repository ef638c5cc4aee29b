"""The scanners' offline list: the whole of it once (a prebuilt gzip file), then deltas that
bring a device's copy to exactly what the server holds, whatever happens meanwhile."""

import gzip
import json
import random
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from conference.auth.models import User
from conference.checkin import offline
from conference.checkin.models import CheckIn
from conference.checkin.services import check_in, undo_check_in
from conference.dbtypes import utcnow
from conference.events.models import Event
from conference.extensions import db as _db
from conference.formatting import country_name
from conference.registration.models import Category, Delegation, Registration
from conference.registration.places import change_status
from tests.factories import (
    bearer,
    delegate,
    give_role,
    make_category,
    make_event,
    make_user,
    organiser_of,
)

ROOT = Path(__file__).resolve().parents[2]
APPLY = """
import { readFileSync } from "node:fs";
import { applyAnswer } from "MODULE";
let copy = null;
for (const answer of JSON.parse(readFileSync(0, "utf8"))) copy = applyAnswer(copy, answer);
process.stdout.write(JSON.stringify(copy));
""".replace("MODULE", (ROOT / "static/js/checkin/offline.js").as_uri())


def local_today():
    return utcnow().astimezone(ZoneInfo("Asia/Bangkok")).date()


@pytest.fixture
def door(db):
    """An event happening today, three delegates, a scanner's headers."""
    today = local_today()
    event = make_event(start_date=today - timedelta(days=1), end_date=today + timedelta(days=1))
    category = make_category(event, "Delegate")
    people = [
        delegate(event, category),
        delegate(event, category, given_name="Somchai", family_name="Jaidee", country="TH"),
        delegate(event, category, given_name="Robert", family_name="Tan", badge_name="Bob Tan"),
    ]
    staff = make_user()
    give_role(event, staff, "checkin")
    return event, people, bearer(staff, "Door A")


def url(event, since=None):
    base = f"/api/v1/events/{event.slug}/checkin/offline"
    return base if since is None else f"{base}?since={since}"


def fetch(client, event, headers, since=None):
    """The answer, as a device reads it (gzip'd or not)."""
    response = client.get(url(event, since), headers={**headers, "Accept-Encoding": "gzip"})
    assert response.status_code == 200, response.data[:300]
    body = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


FIELD_STATUS = offline.FIELDS.index("status")


def rows(answer):
    fields = answer["fields"]
    return {row[0]: dict(zip(fields, row, strict=True)) for row in answer["registrations"]}


def device_copy(answers):
    """The copy a scanner ends with after these answers: the scanner's own code does it."""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", APPLY],
        input=json.dumps(answers),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def scan(client, event, headers, registration_id):
    return client.post(
        f"/api/v1/events/{event.slug}/checkins",
        json={"registration_id": registration_id, "station": "Door A"},
        headers=headers,
    )


def test_the_whole_list_is_gzip_rows_without_contact_details(client, door):
    event, people, headers = door
    scan(client, event, headers, people[0].id)
    response = client.get(url(event), headers={**headers, "Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    text = gzip.decompress(response.data).decode()
    assert "@" not in text and "+84" not in text  # no addresses, no phone numbers
    answer = json.loads(text)
    assert (
        answer["format"] == 2
        and answer["kind"] == "full"
        and answer["cursor"].replace("-", "").isdigit()
    )
    assert answer["keys"][0]["algorithm"] == "Ed25519"
    people_rows = rows(answer)
    assert sorted(people_rows) == sorted(p.id for p in people)
    first = people_rows[people[0].id]
    assert (first["given_name"], first["native_name"]) == ("Trung Chiến", "Hà Trung Chiến")
    assert first["name_order"] == "family_first"  # the device shows "Mr Hà Trung Chiến"
    assert first["status"] == "confirmed" and first["reissue"] == 0
    assert people_rows[people[2].id]["badge_name"] == "Bob Tan"
    assert answer["countries"] == {"TH": country_name("TH"), "VN": country_name("VN")}
    [category] = answer["categories"]
    assert category["id"] == first["category_id"] and category["name"] == "Delegate"
    [arrived] = answer["checked_in_today"]
    assert arrived[:1] == [people[0].id] and arrived[2] == "Door A"
    assert answer["day"] == local_today().isoformat()


def test_the_whole_list_read_a_few_rows_at_a_time_has_everyone_once(client, door, monkeypatch):
    """Each chunk is read from where the last ended, and the check-ins' times are their
    own, written as the API writes a time."""
    event, people, headers = door
    category = _db.session.get(Registration, people[0].id).category
    people += [delegate(event, category, family_name=f"Nguyen {n}") for n in range(4)]
    for person in people[:5]:
        scan(client, event, headers, person.id)
    monkeypatch.setattr(offline, "CHUNK", 2)
    answer = fetch(client, event, headers)
    assert [row[0] for row in answer["registrations"]] == sorted(p.id for p in people)
    assert rows(answer)[people[3].id]["family_name"] == "Nguyen 0"
    recorded = _db.session.scalars(select(CheckIn).order_by(CheckIn.id)).all()
    assert answer["checked_in_today"] == [
        [c.registration_id, c.scanned_at.isoformat(), c.station, c.id] for c in recorded
    ]


def test_a_list_that_cannot_be_written_leaves_nothing_behind(app, door, monkeypatch):
    event, _, _ = door

    def full_disk(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gzip.GzipFile, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        offline.build_snapshot(event)
    assert list((Path(app.instance_path) / "offline").glob("event-*.json.gz*")) == []


def test_a_client_that_takes_no_gzip_gets_plain_json(client, door):
    event, people, headers = door
    response = client.get(url(event), headers={**headers, "Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert len(response.get_json()["registrations"]) == 3


def test_the_whole_list_answers_a_repeat_with_304(client, door):
    event, _, headers = door
    first = client.get(url(event), headers=headers)
    etag = first.headers["ETag"]
    again = client.get(url(event), headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_a_delta_brings_exactly_what_changed(client, door, login):
    event, people, headers = door
    scan(client, event, headers, people[1].id)
    start = fetch(client, event, headers)
    category = _db.session.get(Registration, people[0].id).category
    newcomer = delegate(event, category, given_name="Mai", family_name="Lan")
    change_status(_db.session.get(Registration, people[0].id), "cancel", notify_delegate=False)
    _db.session.get(Registration, people[2].id).dietary = "Halal"  # not a door matter
    _db.session.commit()
    scan(client, event, headers, newcomer.id)
    undone = _db.session.scalar(select(CheckIn).where(CheckIn.registration_id == people[1].id))
    undo_check_in(event, undone.id, user=organiser_of(event))
    _db.session.commit()

    change = fetch(client, event, headers, since=start["cursor"])
    assert change["kind"] == "delta" and change["since"] == start["cursor"]
    changed = rows(change)
    assert sorted(changed) == sorted([people[0].id, newcomer.id])
    assert changed[people[0].id]["status"] == "cancelled"
    assert [c[0] for c in change["checked_in_today"]] == [newcomer.id]
    assert change["undone"] == [undone.id]
    # Nothing since: nothing new (PostgreSQL may bring again what a transaction still
    # running elsewhere wrote, unchanged), and the small lists whole.
    quiet = fetch(client, event, headers, since=change["cursor"])
    assert normalised(device_copy([start, change, quiet])) == normalised(
        device_copy([start, change])
    )
    assert len(quiet["categories"]) == 1 and quiet["keys"]


def test_renamed_delegations_reissued_badges_and_name_orders_reach_the_device(client, door):
    from conference.badges.services import reissue_badge

    event, people, headers = door
    start = fetch(client, event, headers)
    delegation = Delegation(event_id=event.id, name="Viet Nam", country="VN")
    _db.session.add(delegation)
    _db.session.flush()
    _db.session.get(Registration, people[0].id).delegation_id = delegation.id
    reissue_badge(_db.session.get(Registration, people[1].id))
    _db.session.get(Registration, people[2].id).name_order = "given_first"
    _db.session.commit()
    change = fetch(client, event, headers, since=start["cursor"])
    assert rows(change)[people[0].id]["delegation_id"] == delegation.id
    assert rows(change)[people[1].id]["reissue"] == 1
    assert rows(change)[people[2].id]["name_order"] == "given_first"
    delegation.name = "Socialist Republic of Viet Nam"
    _db.session.commit()
    later = fetch(client, event, headers, since=change["cursor"])
    assert later["delegations"] == [{"id": delegation.id, "name": delegation.name}]
    copy = device_copy([start, change, later])
    assert rows(copy)[people[1].id]["reissue"] == 1


def test_a_cursor_that_is_not_one_is_refused_and_a_future_one_starts_again(client, door):
    event, _, headers = door
    for bad in ("abc", "-1", "1.5", "9" * 20, "", "5-7", "5--3"):
        response = client.get(url(event, bad), headers=headers)
        assert response.status_code == 400, bad
        assert "since" in response.get_json()["message"]
    assert fetch(client, event, headers, since="9" * 18)["kind"] == "full"


def test_a_stale_list_is_sent_at_once_and_rebuilt_in_the_background(app, client, door, monkeypatch):
    event, people, headers = door
    app.config["OFFLINE_SNAPSHOT_SECONDS"] = 0
    asked = []
    monkeypatch.setattr(offline, "dispatch", lambda target, *args: asked.append((target, args)))
    first = fetch(client, event, headers)  # none yet: built now
    assert asked == []
    delegate(event, _db.session.get(Registration, people[0].id).category)
    time.sleep(0.01)
    for _ in range(3):  # ten phones reloading at once ask for one rebuild
        assert len(fetch(client, event, headers)["registrations"]) == 3
    assert asked == [("conference.checkin.offline:refresh_snapshot", (event.id,))]
    offline.refresh_snapshot(event.id)
    assert len(fetch(client, event, headers)["registrations"]) == 4
    # The device that took the stale list hears of the newcomer in its first delta.
    assert len(fetch(client, event, headers, since=first["cursor"])["registrations"]) == 1


def test_too_many_changes_send_the_newer_whole_list_instead(app, client, door):
    event, people, headers = door
    app.config["OFFLINE_DELTA_LIMIT"] = 2
    start = fetch(client, event, headers)
    category = _db.session.get(Registration, people[0].id).category
    for _ in range(3):
        delegate(event, category)
    # The list on the server is older than the device's copy: a delta, however long.
    assert fetch(client, event, headers, since=start["cursor"])["kind"] == "delta"
    offline.build_snapshot(event)
    whole = fetch(client, event, headers, since=start["cursor"])
    assert whole["kind"] == "full" and len(whole["registrations"]) == 6


def test_only_scanners_and_organisers_of_the_event_get_the_list(client, door):
    event, _, headers = door
    assert client.get(url(event)).status_code == 401
    stranger = bearer(make_user(), "elsewhere")
    assert client.get(url(event), headers=stranger).status_code == 403
    assert client.get(url(event, "1"), headers=stranger).status_code == 403


def normalised(copy):
    """A copy as compared: lists in order, what differs by nature (times made) left out."""
    return {
        "registrations": sorted(copy["registrations"]),
        "checked_in_today": sorted(copy["checked_in_today"]),
        "room_check_ins": sorted(copy["room_check_ins"]),
        "countries": {
            code: name
            for code, name in copy["countries"].items()
            if any(row[copy["fields"].index("country")] == code for row in copy["registrations"])
        },
        "categories": copy["categories"],
        "delegations": copy["delegations"],
    }


def test_a_device_syncing_through_concurrent_changes_ends_with_the_servers_list(
    make_app, database_url
):
    """Registrations, cancellations, check-ins and undos from several threads while a device
    pulls deltas: after the last one its copy is the server's, row for row. (In-memory
    SQLite has one connection for every thread: there the same changes take turns with the
    device's pulls.)"""
    concurrent = not database_url.startswith("sqlite")
    app = make_app()
    with app.app_context():
        today = local_today()
        event = make_event(start_date=today, end_date=today + timedelta(days=1))
        category = make_category(event, "Delegate")
        ids = [delegate(event, category, given_name=f"Person {n}").id for n in range(40)]
        staff = make_user()
        give_role(event, staff, "checkin")
        headers = bearer(staff, "Door A")
        organiser_id = organiser_of(event).id
        slug, event_id, category_id = event.slug, event.id, category.id
        _db.session.commit()
    client = app.test_client()
    event_stub = type("EventSlug", (), {"slug": slug})
    answers = [fetch(client, event_stub, headers)]
    failures = []

    def pull():
        answers.append(fetch(client, event_stub, headers, since=answers[-1]["cursor"]))

    def work(task):
        with app.app_context():
            try:
                task(_db.session.get(Event, event_id))
                if concurrent:  # written, not yet committed: the moment a pull must not miss
                    _db.session.flush()
                    time.sleep(random.random() * 0.03)
                _db.session.commit()
            except Exception as exc:
                _db.session.rollback()
                failures.append(repr(exc))
        if not concurrent:
            pull()

    def newcomer(name):
        return lambda e: delegate(e, _db.session.get(Category, category_id), given_name=name)

    def cancel(rid):
        return lambda e: change_status(
            _db.session.get(Registration, rid), "cancel", notify_delegate=False
        )

    def scan_in(rid):
        return lambda e: check_in(e, station="Door B", registration_id=rid)

    def undo_latest(e):
        latest = _db.session.scalar(
            select(CheckIn).where(CheckIn.event_id == e.id).order_by(CheckIn.id.desc())
        )
        if latest is not None:
            undo_check_in(e, latest.id, user=_db.session.get(User, organiser_id))

    shuffled = ids[10:]
    random.Random(7).shuffle(shuffled)
    streams = [
        [newcomer(f"New A{i}") for i in range(12)],
        [newcomer(f"New B{i}") for i in range(12)],
        [cancel(rid) for rid in ids[:10]],
        [scan_in(rid) for rid in shuffled[:15]],
        [scan_in(rid) for rid in shuffled[15:]],
        [scan_in(rid) for rid in ids[:10]],  # refused once cancelled
        [undo_latest] * 10,
    ]
    if concurrent:
        threads = [
            threading.Thread(target=lambda tasks=tasks: [work(t) for t in tasks])
            for tasks in streams
        ]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            pull()
        for thread in threads:
            thread.join()
    else:
        for round_ in zip(*[s + [None] * (15 - len(s)) for s in streams], strict=True):
            for task in round_:
                if task is not None:
                    work(task)
    pull()
    assert not failures
    assert len(answers) > 5  # deltas were taken while the changes went on

    with app.app_context():
        offline.Snapshot(event_id).path.unlink()
        built = offline.build_snapshot(_db.session.get(Event, event_id))
        server = json.loads(gzip.decompress(built.read_bytes()))
        door_check_ins = _db.session.scalar(select(func.count(CheckIn.id)))
    device = device_copy(answers)
    assert normalised(device) == normalised(server)
    assert len(server["registrations"]) == 40 + 24
    assert len(server["checked_in_today"]) == door_check_ins > 0
    assert sum(row[FIELD_STATUS] == "cancelled" for row in server["registrations"]) == 10


def test_the_small_lists_are_read_once_for_a_burst_of_phones(app, client, door):
    """Ten phones reloading at once cost one read of the keys, categories, delegations and
    sessions; a rename reaches them OFFLINE_LISTS_SECONDS later."""
    event, people, headers = door
    app.config["OFFLINE_LISTS_SECONDS"] = 60
    start = fetch(client, event, headers, since=fetch(client, event, headers)["cursor"])
    category = _db.session.get(Registration, people[0].id).category
    category.name = "Delegates"
    _db.session.commit()
    kept = fetch(client, event, headers, since=start["cursor"])
    assert [c["name"] for c in kept["categories"]] == ["Delegate"]
    app.config["OFFLINE_LISTS_SECONDS"] = 0
    fresh = fetch(client, event, headers, since=kept["cursor"])
    assert [c["name"] for c in fresh["categories"]] == ["Delegates"]


def test_phones_asking_the_same_question_at_once_get_one_answer(app, client, door, monkeypatch):
    from conference.api.views import checkins

    event, people, headers = door
    app.config["OFFLINE_LISTS_SECONDS"] = 60
    start = fetch(client, event, headers)
    scan(client, event, headers, people[0].id)
    computed = []
    real = checkins.delta
    monkeypatch.setattr(checkins, "delta", lambda *a: computed.append(a) or real(*a))
    answers = [fetch(client, event, headers, since=start["cursor"]) for _ in range(10)]
    assert len(computed) == 1
    assert all(a["checked_in_today"][0][0] == people[0].id for a in answers)
    assert len({a["cursor"] for a in answers}) == 1
