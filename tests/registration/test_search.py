"""Name search: any script of ASEAN+3, short words, and the same people from every page."""

import json

import pytest
from sqlalchemy import select, text, update

from conference.extensions import db as _db
from conference.registration.models import Registration
from conference.registration.search import (
    Filters,
    filtered_query,
    known_total,
    matches_word,
    paginate,
    search_text,
    search_words,
    status_counts,
)
from tests.factories import bulk_registrations, delegate, make_category, make_event

# (given name, family name, name in its own script, a word of it to search for)
PEOPLE = {
    "BN": ("Hajah Noor", "Hamid", "", "hamid"),
    "KH": ("Dara", "Sok", "សុខ ដារ៉ា", "ដារ៉ា"),
    "ID": ("Budi", "Santoso", "", "santoso"),
    "LA": ("Vilay", "Phommachanh", "ວິໄລ ພົມມະຈັນ", "ພົມມະຈັນ"),
    "MY": ("Nur", "Aisyah", "", "aisyah"),
    "MM": ("Aung", "Kyaw", "ကျော် အောင်", "ကျော်"),
    "PH": ("José", "Reyes", "", "jose"),
    "SG": ("Wei Ling", "Tan", "陈伟玲", "伟玲"),
    "TH": ("Somchai", "Thongdee", "สมชาย ทองดี", "ทองดี"),
    "VN": ("Văn An", "Nguyễn", "Nguyễn Văn An", "Nguyen Van"),
    "CN": ("Xiaoming", "Wang", "王晓明", "明"),
    "JP": ("Yuki", "Sato", "佐藤 ゆき", "ゆき"),
    "KR": ("Minjun", "Kim", "김민준", "민준"),
}


def found(event, q: str) -> list[int]:
    return [r.id for r in _db.session.scalars(filtered_query(event, Filters(q=q)))]


@pytest.fixture
def people(db):
    event = make_event()
    category = make_category(event)
    registered = {
        country: delegate(
            event,
            category,
            given_name=given,
            family_name=family,
            native_name=native,
            country=country,
            phone="",
            email=f"someone.{country.lower()}@mail.example",
        )
        for country, (given, family, native, _) in PEOPLE.items()
    }
    return event, registered


@pytest.mark.parametrize("country", PEOPLE)
def test_a_word_of_a_name_in_its_own_script_finds_the_person(people, country):
    event, registered = people
    assert found(event, PEOPLE[country][3]) == [registered[country].id]


def test_short_words_match_the_start_of_a_word_not_any_address(people):
    event, registered = people
    # "le" is in every "mail.example": only names starting with it count.
    lee = delegate(event, registered["KR"].category, given_name="Seoyeon", family_name="Lee")
    le = delegate(event, lee.category, given_name="Minh", family_name="Lê", native_name="")
    assert found(event, "le") == [lee.id, le.id]
    assert found(event, "Lê Minh") == [le.id]
    assert found(event, "n") == [r.id for r in (registered["BN"], registered["MY"])] + [
        registered["VN"].id
    ]
    assert found(event, "%") == found(event, "_") == []


def test_one_han_character_kana_or_hangul_syllable_finds_the_names_it_is_in(people):
    event, registered = people
    assert found(event, "王") == found(event, "晓") == [registered["CN"].id]
    assert found(event, "晓明") == found(event, "王晓明") == [registered["CN"].id]
    assert found(event, "佐藤") == found(event, "き") == [registered["JP"].id]
    assert found(event, "김") == [registered["KR"].id]  # a family name, written first
    assert found(event, "明王晓") == [registered["CN"].id]  # characters, not their order
    assert found(event, "李") == []


def test_the_search_text_keeps_han_characters_and_kana_apart(people):
    _, registered = people
    assert search_words("王晓明 Nguyễn") == ["王", "晓", "明", "nguyen"]
    assert "王 晓 明" in registered["CN"].search_text
    assert registered["CN"].search_text == search_text(registered["CN"])


def test_the_trigram_index_narrows_a_search_in_every_script(people, db):
    """On PostgreSQL, the database's character classes make trigrams of every script (a
    database whose ctype is "C" would not: its index would hand back every row)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's")
    # As on a large table: the index rather than reading every row (or every id in order).
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL enable_indexscan = off"))
    for country, (*_, word) in PEOPLE.items():
        words = [matches_word(w) for w in search_words(word)]
        query = select(Registration.id).where(*words)  # the search alone, not the event
        sql = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = db.session.scalar(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))
        plan = plan if isinstance(plan, list) else json.loads(plan)
        scans = [
            scan
            for scan in _index_scans(plan[0]["Plan"])
            if scan["Index Name"] == "ix_registration_search_text_trgm"
        ]
        assert scans, country
        # The index itself found the one person (each Han character is found by itself).
        assert max(s["Actual Rows"] for s in scans) == 1, country
    db.session.rollback()


def _index_scans(node):
    if node.get("Node Type") == "Bitmap Index Scan":
        yield node
    for child in node.get("Plans", []):
        yield from _index_scans(child)


@pytest.mark.parametrize("few", [0, 10_000])
def test_every_page_lists_the_people_an_unpaged_list_has(db, monkeypatch, few):
    """Whichever way a page's rows are found: walking the event in order (many matches),
    or taking the matches first and sorting them (few)."""
    monkeypatch.setattr("conference.registration.search.FEW", few)
    event = make_event()
    category = make_category(event)
    ids = bulk_registrations(event, category, 120)
    cancelled = ids[::7]
    db.session.execute(
        update(Registration).where(Registration.id.in_(cancelled)).values(status="cancelled")
    )
    db.session.commit()
    counts = status_counts(event)
    assert counts["cancelled"] == len(cancelled) and sum(counts.values()) == 120
    for filters, expected in (
        (Filters(), ids),
        (Filters(status="cancelled"), cancelled),
        (Filters(status="confirmed"), [i for i in ids if i not in cancelled]),
        (Filters(country="TH"), ids),
        (Filters(country="TH", status="cancelled"), cancelled),
    ):
        total = known_total(filters, counts)
        assert total in (None, len(expected))
        listed = []
        for number in range(1, 5):
            items, count, pages, page = paginate(filtered_query(event, filters), number, 50, total)
            assert (count, pages) == (len(expected), max((len(expected) + 49) // 50, 1))
            listed += [r.id for r in items] if page == number else []
        assert listed == expected
    assert known_total(Filters(q="bulk"), counts) is None
