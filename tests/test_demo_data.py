"""The demo registrations: realistic, consistent and safe to load."""

import ast
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from conference import demo_data
from conference.demo_data import DemoPerson, demo_delegations, demo_individuals

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


def everyone() -> list[DemoPerson]:
    people = []
    for delegation in demo_delegations():
        people += [delegation.head, *delegation.members]
    return people + demo_individuals()


def in_script(text: str, ranges) -> bool:
    return all(ch == " " or any(lo <= ord(ch) <= hi for lo, hi in ranges) for ch in text)


def test_size_of_the_event():
    assert 260 <= len(everyone()) <= 300


def test_every_country_sends_a_delegation():
    assert {d.country for d in demo_delegations()} >= COUNTRIES


def test_the_seven_new_learning_cities_are_there():
    names = [d.name for d in demo_delegations()]
    for city in (*NEW_LEARNING_CITIES_2024, "Ho Chi Minh"):
        assert any(city in name for name in names), city


def test_son_la_is_led_by_ha_trung_chien():
    son_la = next(d for d in demo_delegations() if "Son La" in d.name)
    head = son_la.head
    assert (head.title, head.given_name, head.family_name) == ("Mr", "Trung Chiến", "Hà")
    assert head.native_name == "Hà Trung Chiến"
    assert head.country == "VN"
    assert head.category == "Speaker"
    assert head.position.startswith("Secretary of the Son La City Party Committee")
    assert "Son La Global Learning City Steering Committee" in head.position


def test_the_people_named_in_the_reports_take_part():
    by_name = {(p.given_name, p.family_name): p for p in everyone()}
    assert by_name["Soohyun", "Kim"].organisation == "UNESCO Bangkok"
    assert by_name["Raúl", "Valdés-Cotera"].organisation == "UNESCO Institute for Lifelong Learning"
    assert by_name["Supachai", "Pathumnakul"].title == "Prof."
    assert by_name["Kitti", "Satjawattana"].title == "Dr"
    for key in (("Soohyun", "Kim"), ("Raúl", "Valdés-Cotera"), ("Supachai", "Pathumnakul")):
        assert by_name[key].category in {"VIP", "Speaker"}


def test_delegations_are_consistent():
    for delegation in demo_delegations():
        size = 1 + len(delegation.members)
        assert 3 <= size <= 8, delegation.name
        assert delegation.head.category in {"Speaker", "VIP"}, delegation.name
        assert {p.country for p in (delegation.head, *delegation.members)} == {delegation.country}


def test_emails_are_unique_and_on_example_domains():
    emails = [p.email for p in everyone()]
    duplicates = [e for e, n in Counter(e.lower() for e in emails).items() if n > 1]
    assert duplicates == []
    for email in emails:
        assert EXAMPLE_DOMAIN.match(email), email


def test_native_names_are_in_the_right_script():
    for person in everyone():
        native = person.native_name
        if person.country in LATIN_ONLY:
            assert native == "", person
        elif person.country in SCRIPTS:
            assert native.strip(), person
            assert in_script(native, SCRIPTS[person.country]), person
        elif person.country == "VN":
            assert native == f"{person.family_name} {person.given_name}", person


def test_names_are_latin_nfc_and_complete():
    for person in everyone():
        assert person.given_name and person.family_name, person
        for text in (person.given_name, person.family_name, person.native_name):
            assert unicodedata.is_normalized("NFC", text), text
        for ch in person.given_name + person.family_name:
            assert not ch.isalpha() or unicodedata.name(ch).startswith("LATIN"), person
        assert person.title in TITLES, person
        assert person.organisation and person.position, person
        assert len(person.organisation) <= 200 and len(person.position) <= 200, person


def test_categories_and_statuses():
    people = everyone()
    assert {p.category for p in people} <= CATEGORIES
    assert {p.status for p in people} <= STATUSES
    categories = Counter(p.category for p in people)
    assert categories["Delegate"] == max(categories.values())
    assert 25 <= categories["Speaker"] <= 35
    assert 6 <= categories["VIP"] <= 10
    assert 8 <= categories["Press"] <= 12
    assert 12 <= categories["Observer"] <= 18
    assert 6 <= categories["Staff"] <= 10
    waitlisted = [p for p in people if p.status == "waitlisted"]
    assert len(waitlisted) >= 4
    assert {p.category for p in waitlisted} == {"Observer"}
    assert sum(p.status == "pending_approval" for p in people) >= 3
    assert {p.country for p in people if p.category == "Staff"} == {"TH"}


def test_phones_are_e164_and_valid_for_the_country():
    phonenumbers = pytest.importorskip("phonenumbers")
    phones = [p.phone for p in everyone()]
    assert len(set(phones)) == len(phones)
    for person in everyone():
        assert re.fullmatch(r"\+[1-9]\d{6,14}", person.phone), person
        number = phonenumbers.parse(person.phone, None)
        assert phonenumbers.is_valid_number(number), person
        assert phonenumbers.region_code_for_number(number) == person.country, person


def test_deterministic():
    assert demo_delegations() == demo_delegations()
    assert demo_individuals() == demo_individuals()


def test_pure_data_module():
    tree = ast.parse(Path(demo_data.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"dataclasses", "hashlib", "typing", "unicodedata"}
