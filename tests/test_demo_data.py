"""The demo's data files: realistic, consistent, shipped with the package, and loaded as
written."""

import re
import tomllib
import unicodedata
from collections import Counter
from datetime import date, datetime, time, timedelta
from fnmatch import fnmatch
from pathlib import Path

import pytest
from sqlalchemy import select

from conference.demo import DATA, demo_people, read_json

COUNTRIES = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "CN", "JP", "KR"}
LATIN_ONLY = {"ID", "MY", "PH", "SG", "BN"}
NEW_LEARNING_CITIES_2024 = ("Son La", "Nanjing", "Legazpi", "Bangkok", "Khon Kaen", "Yala")
CATEGORIES = {"Delegate", "Speaker", "Observer", "Press", "VIP", "Staff"}
STATUSES = {"confirmed", "pending_approval", "waitlisted"}
TITLES = {"Mr", "Ms", "Mrs", "Mx", "Dr", "Prof.", "H.E.", "Hon."}
EXAMPLE_DOMAIN = re.compile(r"^[a-z0-9.-]+@([a-z0-9-]+\.)*(example|example\.(org|com|net))$")

CJK = (0x4E00, 0x9FFF)
KANA = (0x3040, 0x30FF)
SCRIPTS = {
    "TH": [(0x0E00, 0x0E7F)],
    "KH": [(0x1780, 0x17FF)],
    "LA": [(0x0E80, 0x0EFF)],
    "MM": [(0x1000, 0x109F)],
    "CN": [CJK],
    "JP": [CJK, KANA],
    "KR": [(0xAC00, 0xD7AF)],
}
# A few people, each with a name in another script, as they must come out of the import.
NAMED = {
    "trungchien.ha@sonla-city.example": ("Trung Chiến", "Hà", "Hà Trung Chiến", "VN"),
    "thanakorn.wongsuwan@bma.example": ("Thanakorn", "Wongsuwan", "ธนากร วงศ์สุวรรณ", "TH"),
    "wenbo.xie@xinhua.example": ("Wenbo", "Xie", "谢文博", "CN"),
    "misaki.sato@nhk.example": ("Misaki", "Sato", "佐藤 美咲", "JP"),
    "hyun-woo.jeon@yonhap.example": ("Hyun-woo", "Jeon", "전현우", "KR"),
    "sopheap.sim@nep.example": ("Sopheap", "Sim", "ស៊ឹម សុភាព", "KH"),
    "phouvong.keovongsa@dvv-laos.example": ("Phouvong", "Keovongsa", "ພູວົງ ແກ້ວວົງສາ", "LA"),
    "eiei.khaing@thabyay.example": ("Ei Ei Khaing", "", "အိအိခိုင်", "MM"),
}


def everyone() -> list[dict]:
    return [row.values for row in demo_people()]


def delegations() -> dict[str, list[dict]]:
    """Delegation name -> its members in the file's order."""
    groups: dict[str, list[dict]] = {}
    for person in everyone():
        if person["delegation"]:
            groups.setdefault(person["delegation"], []).append(person)
    return groups


def in_script(text: str, ranges) -> bool:
    return all(ch == " " or any(lo <= ord(ch) <= hi for lo, hi in ranges) for ch in text)


def test_size_of_the_event():
    assert 260 <= len(everyone()) <= 300


def test_every_country_sends_a_delegation():
    assert {members[0]["country"] for members in delegations().values()} >= COUNTRIES


def test_the_seven_new_learning_cities_are_there():
    names = list(delegations())
    for city in (*NEW_LEARNING_CITIES_2024, "Ho Chi Minh"):
        assert any(city in name for name in names), city


def test_son_la_is_led_by_ha_trung_chien():
    [son_la] = [members for name, members in delegations().items() if "Son La" in name]
    head = son_la[0]
    assert head["head_of_delegation"] == "yes"
    assert (head["title"], head["given_name"], head["family_name"]) == ("Mr", "Trung Chiến", "Hà")
    assert head["native_name"] == "Hà Trung Chiến"
    assert head["country"] == "VN"
    assert head["category"] == "Speaker"
    assert head["position"].startswith("Secretary of the Son La City Party Committee")
    assert "Son La Global Learning City Steering Committee" in head["position"]


def test_the_people_named_in_the_reports_take_part():
    by_name = {(p["given_name"], p["family_name"]): p for p in everyone()}
    assert by_name["Soohyun", "Kim"]["organisation"] == "UNESCO Bangkok"
    assert (
        by_name["Raúl", "Valdés-Cotera"]["organisation"] == "UNESCO Institute for Lifelong Learning"
    )
    assert by_name["Supachai", "Pathumnakul"]["title"] == "Prof."
    assert by_name["Kitti", "Satjawattana"]["title"] == "Dr"
    for key in (("Soohyun", "Kim"), ("Raúl", "Valdés-Cotera"), ("Supachai", "Pathumnakul")):
        assert by_name[key]["category"] in {"VIP", "Speaker"}


def test_delegations_are_consistent():
    for name, members in delegations().items():
        head, *others = members
        assert 3 <= len(members) <= 8, name
        assert head["head_of_delegation"] == "yes", name  # the head registers first
        assert all(p["head_of_delegation"] == "" for p in others), name
        assert head["category"] in {"Speaker", "VIP"}, name
        assert {p["country"] for p in members} == {head["country"]}, name


def test_emails_are_unique_and_on_example_domains():
    emails = [p["email"] for p in everyone()]
    duplicates = [e for e, n in Counter(e.lower() for e in emails).items() if n > 1]
    assert duplicates == []
    for email in emails:
        assert EXAMPLE_DOMAIN.match(email), email


def test_native_names_are_in_the_right_script():
    for person in everyone():
        native, country = person["native_name"], person["country"]
        if country in LATIN_ONLY:
            assert native == "", person
        elif country in SCRIPTS:
            assert native.strip(), person
            assert in_script(native, SCRIPTS[country]), person
        elif country == "VN":
            assert native == f"{person['family_name']} {person['given_name']}", person


def test_names_are_latin_nfc_and_complete():
    for person in everyone():
        assert person["given_name"], person
        assert bool(person["family_name"]) != (person["single_name"] == "yes"), person
        for key in ("given_name", "family_name", "native_name"):
            assert unicodedata.is_normalized("NFC", person[key]), person[key]
        for ch in person["given_name"] + person["family_name"]:
            assert not ch.isalpha() or unicodedata.name(ch).startswith("LATIN"), person
        assert person["title"] in TITLES, person
        assert person["organisation"] and person["position"], person
        assert len(person["organisation"]) <= 200 and len(person["position"]) <= 200, person


def test_burmese_delegates_have_one_name_as_most_people_in_myanmar():
    burmese = [p for p in everyone() if p["country"] == "MM"]
    assert len(burmese) >= 10
    for person in burmese:
        assert person["single_name"] == "yes" and person["family_name"] == "", person
        assert len(person["given_name"].split()) >= 2, person  # "Aung Kyaw Oo": one name
    assert all(p["single_name"] == "" for p in everyone() if p["country"] != "MM")


def test_categories_and_statuses():
    people = everyone()
    assert {p["category"] for p in people} <= CATEGORIES
    assert {c["name"] for c in read_json("event.json")["categories"]} == CATEGORIES
    assert {p["status"] for p in people} <= STATUSES
    categories = Counter(p["category"] for p in people)
    assert categories["Delegate"] == max(categories.values())
    assert 25 <= categories["Speaker"] <= 35
    assert 6 <= categories["VIP"] <= 10
    assert 8 <= categories["Press"] <= 12
    assert 12 <= categories["Observer"] <= 18
    assert 6 <= categories["Staff"] <= 10
    waitlisted = [p for p in people if p["status"] == "waitlisted"]
    assert len(waitlisted) >= 4
    assert {p["category"] for p in waitlisted} == {"Observer"}
    assert sum(p["status"] == "pending_approval" for p in people) >= 3
    assert {p["country"] for p in people if p["category"] == "Staff"} == {"TH"}


def test_phones_are_e164_and_valid_for_the_country():
    phonenumbers = pytest.importorskip("phonenumbers")
    phones = [p["phone"] for p in everyone()]
    assert len(set(phones)) == len(phones)
    for person in everyone():
        assert re.fullmatch(r"\+[1-9]\d{6,14}", person["phone"]), person
        number = phonenumbers.parse(person["phone"], None)
        assert phonenumbers.is_valid_number(number), person
        assert phonenumbers.region_code_for_number(number) == person["country"], person


def test_every_question_is_answered_in_its_own_column():
    labels = [q["label"] for q in read_json("event.json")["questions"]]
    columns = everyone()[0].keys()
    for label in labels:
        assert label.casefold().replace(" ", "_") in columns, label


def test_the_programme_and_papers_name_registered_people_and_their_own_rooms():
    emails = {p["email"] for p in everyone()}
    programme, papers = read_json("programme.json"), read_json("papers.json")
    rooms = {r["name"] for r in programme["rooms"]}
    tracks = {t["name"] for t in programme["tracks"]}
    titles = [p["title"] for p in papers["papers"]]
    assert len(set(titles)) == len(titles)
    placed = []
    for session in programme["sessions"]:
        assert session["room"] in rooms, session["title"]
        assert session.get("track") in tracks | {None}, session["title"]
        assert set(session.get("chairs", ())) <= emails, session["title"]
        for talk in session.get("talks", ()):
            if "paper" in talk:
                placed.append(talk["paper"])
            else:
                assert set(talk["presenters"]) <= emails, talk["title"]
    assert len(set(placed)) == len(placed) and set(placed) <= set(titles)
    for paper in papers["papers"]:
        assert {paper["presenter"], *paper.get("co_authors", ())} <= emails, paper["title"]
        assert paper["track"] in tracks and paper["outcome"] in papers["outcomes"]
        assert ("abstract" in paper) != (paper.get("theme") in papers["theme_abstracts"])
        if paper["title"] in placed:
            assert paper["outcome"] == "accept", paper["title"]


def test_the_data_files_ship_with_the_package():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["conference.demo"]
    files = [f"data/{f.name}" for f in DATA.iterdir() if f.is_file()]
    assert {"data/event.json", "data/registrations.csv"} <= set(files)
    for name in files:
        assert any(fnmatch(name, pattern) for pattern in patterns), name


def test_the_loaded_demo_matches_its_data(app, db):
    """Built to start on another day: every registration, session and paper is there as
    the files say, and dates move with the event."""
    from conference.agenda.models import AgendaSession
    from conference.demo import build_demo
    from conference.papers.calls import call_for
    from conference.papers.models import Paper
    from conference.registration.models import Registration
    from conference.registration.settings import questions_for

    start = date(2030, 1, 7)
    event, accounts = build_demo(start)
    db.session.commit()
    shift = start - date.fromisoformat(read_json("event.json")["event"]["original_start"])
    assert (event.start_date, event.end_date) == (start, start + timedelta(days=1))
    assert [a.email for a in accounts] == [s["email"] for s in read_json("event.json")["staff"]]

    people = everyone()
    registered = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    ).all()
    assert [r.email for r in registered] == [p["email"] for p in people]
    assert Counter((r.category.name, r.status) for r in registered) == Counter(
        (p["category"], p["status"]) for p in people
    )
    assert Counter(r.country for r in registered) == Counter(p["country"] for p in people)
    by_email = {r.email: r for r in registered}
    for email, (given, family, native, country) in NAMED.items():
        person = by_email[email]
        assert (person.given_name, person.family_name, person.native_name) == (
            given,
            family,
            native,
        )
        assert person.country == country
    ei_ei = by_email["eiei.khaing@thabyay.example"]
    assert ei_ei.single_name and ei_ei.full_name == "Ei Ei Khaing"
    assert ei_ei.display_name == "Ms Ei Ei Khaing"
    son_la = by_email["trungchien.ha@sonla-city.example"]
    assert son_la.is_delegation_head and son_la.delegation.name == "Son La City"
    arrival = next(q for q in questions_for(event) if q.type == "date")
    first = by_email[people[0]["email"]]
    [answer] = [a.value for a in first.answers if a.question_id == arrival.id]
    csv_date = date.fromisoformat(people[0]["arrival_date_in_bangkok"])
    assert answer == (csv_date + shift).isoformat()

    def local(moment: datetime) -> tuple[int, str]:
        moment = moment.astimezone(event.tz)
        return (moment.date() - start).days + 1, moment.strftime("%H:%M")

    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id)
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
    written = read_json("programme.json")["sessions"]
    assert len(sessions) == len(written)
    for session, entry in zip(sessions, written, strict=True):
        assert (session.kind, session.title, session.room.name) == (
            entry["kind"],
            entry["title"],
            entry["room"],
        )
        assert local(session.starts_at) == (entry["day"], entry["starts"])
        assert local(session.ends_at)[1] == entry["ends"]
        assert [c.email for c in session.chairs] == entry.get("chairs", [])
        assert session.signed_up_only == entry.get("signed_up_only", False)
        talks = [(t.title, local(t.starts_at)[1]) for t in session.talks]
        assert talks == [
            (t.get("paper") or t["title"], t["starts"]) for t in entry.get("talks", ())
        ]

    statuses = {p.title: p.status for p in db.session.scalars(select(Paper))}
    outcomes = {"accept": "accepted", "revise": "revise", "reject": "rejected"}
    assert statuses == {
        p["title"]: outcomes.get(p["outcome"], "under_review")
        for p in read_json("papers.json")["papers"]
    }
    call = read_json("papers.json")["call"]
    opens = datetime.combine(
        start - timedelta(days=call["opens_days_before_event"]),
        time.fromisoformat(call["opens_at"]),
    )
    assert call_for(event).opens_at == opens.replace(tzinfo=event.tz)


def test_demo_delegates_want_talks_and_the_hand_made_grid_tears_some(app, db):
    """The demo's delegates mark papers (a few popular ones, each delegate leaning to a
    track or two), always the same ones; its hand-made grid leaves some of them wanting
    talks in two rooms at once, counted as the format's reference scorer counts."""
    from statistics import median

    from conference.agenda.instances import build_instance, draft_attendee_conflicts
    from conference.agenda.models import TalkInterest
    from conference.demo import build_demo
    from conference.demo.activity import mark_interests
    from conference.papers.models import Paper
    from tests.factories.scheduling import score_module

    event, _ = build_demo(date(2030, 1, 7))
    db.session.commit()
    marked = set(db.session.execute(select(TalkInterest.registration_id, TalkInterest.talk_id)))
    db.session.execute(TalkInterest.__table__.delete())
    mark_interests(event)
    assert (
        set(db.session.execute(select(TalkInterest.registration_id, TalkInterest.talk_id)))
        == marked
    )

    doc = build_instance(event, previous="draft")
    inst = score_module().load_instance(doc)
    assert len(doc["attendees"]) > 150
    demand = sorted(inst.demand, reverse=True)
    assert demand[0] > 2 * median(demand)  # a few papers draw the crowds
    track_of = {t: k for t, k in db.session.execute(select(Paper.talk_id, Paper.track_id))}
    leaning = [
        Counter(track_of[int(t.removeprefix("talk-"))] for t in a["interests"]).most_common(1)[0][1]
        / len(a["interests"])
        for a in doc["attendees"]
        if len(a["interests"]) >= 4
    ]
    assert sum(leaning) / len(leaning) > 0.45  # four tracks: 0.25 would be no leaning at all

    draft = [(p["talk"], p["block"], p["room"]) for p in doc["previous"]]
    score = score_module()
    terms = score.evaluate(inst, score.check(inst, draft)[1])[0]
    torn = draft_attendee_conflicts(event)
    assert torn == terms["attendee_conflict"] > 0
