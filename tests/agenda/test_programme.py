"""The printed programme: every script right, local times, pages that read well."""

import io
import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from reportlab.lib.pagesizes import A4

from conference.agenda.models import AgendaSession, Room, Talk
from conference.agenda.programme import (
    BOTTOM,
    FOOTER_BASELINE,
    HEADER_BASELINE,
    MARGIN,
    TOP,
    paginate,
    programme_blocks,
    programme_pdf,
    programme_pdf_bytes,
)
from conference.agenda.publishing import publish, snapshot
from conference.pdf.flow import Span, flow
from conference.pdf.text import text_width
from tests.factories import make_category, make_event, make_registration

WIDTH, HEIGHT = A4
BANGKOK = ZoneInfo("Asia/Bangkok")

PEOPLE = [
    # name (as the snapshot has it: in the person's order), native name, country, organisation
    ("Mr Hà Trung Chiến", "Hà Trung Chiến", "VN", "Son La City People's Committee"),
    ("Dr Pimchanok Srisuk", "พิมพ์ชนก ศรีสุข", "TH", "Bangkok Metropolitan Administration"),
    ("Mr Ouk Vanna", "អ៊ុក វណ្ណា", "KH", "Siem Reap Provincial Administration"),
    ("Mr Bounthavy Sayavong", "ບຸນທະວີ ໄຊຍະວົງ", "LA", "Luang Prabang Province"),
    ("Mr Tun Tun Naing", "ထွန်းထွန်းနိုင်", "MM", "Mandalay City Development Committee"),
    ("Mr Zhou Jianguo", "周建国", "CN", "Nanjing Municipal Government"),
    ("Mr Kimura Masato", "木村 正人", "JP", "Okayama City"),
    ("Ms Kim Soohyun", "김수현", "KR", "Suwon Special City"),
    ("Ms Aina Zulaikha Roslan", "", "MY", "Kuala Lumpur City Hall"),
]
ROOMS = ["Lotus Room", "Orchid Room", "Jasmine Room", "Grand Ballroom"]


def person(n: int, **overrides) -> dict:
    name, native, country, organisation = PEOPLE[n % len(PEOPLE)]
    values = dict(id=n, name=name, native_name=native, country=country, organisation=organisation)
    return values | overrides


def utc(day: date, hour: int, minute: int = 0, zone=BANGKOK) -> str:
    local = datetime(day.year, day.month, day.day, hour, tzinfo=zone) + timedelta(minutes=minute)
    return local.astimezone(UTC).isoformat()


def session(
    n, kind, title, room, day, start, end, talks=(), chairs=(), zone=BANGKOK, **extra
) -> dict:
    values = dict(
        id=n,
        kind=kind,
        title=title,
        description="",
        room=room,
        room_id=None,
        track="",
        track_colour="",
        starts_at=utc(day, *start, zone=zone),
        ends_at=utc(day, *end, zone=zone),
        capacity=None,
        chairs=list(chairs),
        talks=list(talks),
    )
    return values | extra


def talk(n, title, day, start, minutes=20, presenters=()) -> dict:
    return dict(
        id=n,
        title=title,
        abstract="",
        starts_at=utc(day, *start),
        duration_minutes=minutes,
        presenters=list(presenters),
    )


def long_snapshot(days: int = 3, talks_per_session: int = 4) -> dict:
    """Plenaries, breaks and four parallel rooms a day; every script among the speakers."""
    first = date(2024, 10, 29)
    sessions, n, t = [], 0, 0
    for d in range(days):
        day = first + timedelta(days=d)
        n += 1
        sessions.append(
            session(
                n,
                "plenary",
                f"Opening plenary of day {d + 1}",
                "Grand Ballroom",
                day,
                (9, 0),
                (10, 30),
                chairs=[person(n), person(n + 1)],
                description="Welcome by the hosts. " * 40,
                track="Inclusion and equity",
                track_colour="#7d3c98",
            )
        )
        n += 1
        sessions.append(
            session(n, "break", "Coffee break", "Garden Terrace", day, (10, 30), (11, 0))
        )
        for block, hour in enumerate([11, 14, 16]):
            for r, room in enumerate(ROOMS):
                n += 1
                talks = []
                for k in range(talks_per_session):
                    t += 1
                    talks.append(
                        talk(
                            t,
                            f"Talk {t}: learning city practice",
                            day,
                            (hour, 5 + 25 * k),
                            presenters=[person(t), person(t + 4)] if t % 5 == 0 else [person(t)],
                        )
                    )
                letter = chr(ord("A") + block * 4 + r)
                sessions.append(
                    session(
                        n,
                        "parallel",
                        f"Parallel session {d + 1}{letter}",
                        room,
                        day,
                        (hour, 0),
                        (hour + 2, 0),
                        talks=talks,
                        chairs=[person(n)],
                        track="Resilient cities",
                        track_colour="#1f77b4",
                    )
                )
            if block == 0:
                n += 1
                sessions.append(
                    session(n, "meal", "Lunch", "Garden Terrace", day, (13, 0), (14, 0))
                )
        n += 1
        sessions.append(
            session(n, "cultural", "Thai cultural evening", "Garden Terrace", day, (19, 0), (21, 0))
        )
    return {"timezone": "Asia/Bangkok", "sessions": sessions}


INFO = {
    "slug": "asean3-2024",
    "title": "ASEAN+3 Regional Learning Cities Conference",
    "start_date": date(2024, 10, 29),
    "end_date": date(2024, 10, 31),
    "timezone": "Asia/Bangkok",
    "city": "Bangkok",
    "venue": "Centara Grand at CentralWorld",
    "url": "https://conference.example.org/events/asean3-2024",
    "version": 3,
    "published_at": datetime(2024, 10, 20, 18, 30, tzinfo=UTC),  # 21 October in Bangkok
}


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    return subprocess.run(
        [tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def page_count(pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.M).group(1))


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return programme_pdf_bytes(INFO, long_snapshot())


def test_long_programme_is_a_multi_page_a4_pdf_numbered_x_of_y(long_pdf):
    info = poppler("pdfinfo", long_pdf)
    pages = page_count(long_pdf)
    assert pages > 3
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    text = flat(poppler("pdftotext", long_pdf))
    for number in (1, pages):
        assert f"Page {number} of {pages}" in text
    assert f"Page {pages + 1} of" not in text


def test_cover_states_event_version_publication_date_and_time_zone(long_pdf):
    text = flat(poppler("pdftotext", long_pdf, "-l", "1"))
    assert "ASEAN+3 Regional Learning Cities Conference" in text
    assert "29–31 October 2024" in text
    assert "Centara Grand at CentralWorld, Bangkok" in text
    # Published at 18:30 UTC on the 20th, which is already the 21st at the venue.
    assert "Programme — version 3, published 21 October 2024" in text
    assert "Asia/Bangkok (UTC+07:00)" in text


def test_titles_rooms_and_times_print_in_the_events_time_zone(long_pdf):
    text = flat(poppler("pdftotext", long_pdf))
    assert "Tuesday 29 October 2024" in text
    assert "Thursday 31 October 2024" in text
    assert "09:00–10:30" in text  # stored as 02:00 UTC
    assert "Opening plenary of day 1" in text
    assert "Parallel session 2F" in text
    assert "Talk 7: learning city practice" in text
    assert "11:30–11:50" in text  # a talk's start and end
    for room in ROOMS + ["Garden Terrace"]:
        assert room in text
    assert "Coffee break" in text
    assert "Thai cultural evening" in text


def test_presenters_and_chairs_print_latin_name_native_name_and_organisation(long_pdf):
    text = flat(poppler("pdftotext", long_pdf))
    # Every name as typed, so that searching or copying it from the PDF finds it.
    for name, native, _, organisation in PEOPLE:
        if native and native not in name:
            assert f"{name} ({native}), {organisation}" in text
    # A Vietnamese name is printed once (its native spelling is the Latin one).
    assert "Mr Hà Trung Chiến, Son La City People's Committee" in text
    assert "(Hà Trung Chiến)" not in text
    assert "Ms Aina Zulaikha Roslan, Kuala Lumpur City Hall" in text
    assert "Chairs:" in text and "Chair:" in text


def embedded_fonts(pdf: bytes) -> set[str]:
    lines = poppler("pdffonts", pdf).splitlines()[2:]
    fonts = set()
    for line in lines:
        name, *_ = line.split()
        fonts.add(name.split("+", 1)[-1])
        assert " yes yes " in line  # embedded and subset
    return fonts


def test_a_font_for_every_script_is_embedded(long_pdf):
    fonts = embedded_fonts(long_pdf)
    assert {
        "NotoSans-Regular",
        "NotoSans-Bold",
        "NotoSansThai-Regular",
        "NotoSansKhmer-Regular",
        "NotoSansLao-Regular",
        "NotoSansMyanmar-Regular",
        "WenQuanYiZenHei",
        "IPAexGothic",
        "NanumGothic",
    } <= fonts


@pytest.mark.parametrize(
    "country, wanted, unwanted",
    [("JP", "IPAexGothic", "WenQuanYiZenHei"), ("CN", "WenQuanYiZenHei", "IPAexGothic")],
)
def test_han_names_print_in_the_cjk_font_of_the_persons_country(country, wanted, unwanted):
    day = date(2024, 10, 29)
    speaker = person(0, name="Mr Masato Kimura", native_name="木村 正人", country=country)
    snap = {
        "timezone": "Asia/Bangkok",
        "sessions": [
            session(
                1,
                "keynote",
                "Keynote",
                "Grand Ballroom",
                day,
                (9, 0),
                (10, 0),
                talks=[talk(1, "Learning cities", day, (9, 5), presenters=[speaker])],
            )
        ],
    }
    fonts = embedded_fonts(programme_pdf_bytes(INFO, snap))
    assert wanted in fonts
    assert unwanted not in fonts


def test_mixed_lines_break_between_pieces_and_never_overlap():
    spans = [
        Span("Chair:", 8.5, bold=True),
        Span("Dr Pimchanok Srisuk", 9, country="TH", sep=" "),
        Span("(พิมพ์ชนก ศรีสุข)", 9, country="TH", sep=" "),
        Span("Education Department, Bangkok Metropolitan Administration " * 3, 8.5, sep=", "),
        Span("王晓明", 9, country="CN", sep="; "),
    ]
    lines = flow(spans, 200)
    assert len(lines) > 2
    for line in lines:
        end = 0.0
        for offset, span, text in line:
            assert offset >= end - 0.01  # each piece starts where the one before ended
            end = offset + text_width(text, span.size, country=span.country, bold=span.bold)
        assert end <= 200.01
    assert lines[0][0][2] == "Chair:"
    assert lines[-1][-1][2] == "; 王晓明"  # a separator goes with the piece, on its line


def words(pdf: bytes) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word), y measured from the top of the page."""
    html = poppler("pdftotext", pdf, "-bbox")
    found, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>',
            line,
        )
        if m:
            found.append((page, *map(float, m.groups()[:4]), m.group(5)))
    return found


def awkward_snapshot() -> dict:
    """Very long titles, names, rooms and organisations; a session of fifty talks; a
    session with more chairs, and a talk with more presenters, than a page holds."""
    day = date(2024, 10, 29)
    long_word = "Interdisciplinarylearningcitiesmethodology" * 3
    speaker = person(
        1,
        native_name="พิมพ์ชนกศรีสุขพิมพ์ชนกศรีสุขพิมพ์ชนกศรีสุขพิมพ์ชนกศรีสุขพิมพ์ชนก",
        organisation="Department of Lifelong Learning and Non-Formal Education " * 3,
    )
    talks = [
        talk(k, f"A long talk title about learning cities, number {k}, " * 3, day, (9, k))
        for k in range(1, 51)
    ]
    talks[0]["presenters"] = [speaker, person(5), person(6), person(7)]
    return {
        "timezone": "Asia/Bangkok",
        "sessions": [
            session(
                1,
                "parallel",
                f"Session with an unbreakable {long_word} and a long title " * 2,
                "The Very Long Name of a Room on the Twenty-Second Floor " * 2,
                day,
                (9, 0),
                (12, 0),
                talks=talks,
                chairs=[speaker, person(3)],
                track="A track with a name far longer than anyone would choose " * 2,
                track_colour="not a colour",
                description=long_word * 5,
            ),
            session(
                2,
                "parallel",
                "A session chaired by a crowd, with a talk by a crowd",
                "Orchid Room",
                day,
                (9, 0),
                (10, 0),
                chairs=[person(k) for k in range(70)],
                talks=[
                    talk(99, "Everyone", day, (9, 5), presenters=[person(k) for k in range(80)])
                ],
            ),
        ],
    }


@pytest.mark.parametrize("make", [long_snapshot, awkward_snapshot])
def test_nothing_is_printed_outside_the_margins(make):
    pdf = programme_pdf_bytes({**INFO, "title": "An event title " * 12}, make(), abstracts=True)
    found = words(pdf)
    assert found
    header_rule = HEIGHT - (HEADER_BASELINE - 4)
    footer_rule = HEIGHT - (FOOTER_BASELINE + 9)
    for page, x0, y0, x1, y1, word in found:
        assert MARGIN - 0.5 <= x0 and x1 <= WIDTH - MARGIN + 0.5, (page, word, x0, x1)
        # Either in the running head, or the footer, or the body between their rules.
        in_body = header_rule <= y0 and y1 <= footer_rule
        in_head = y1 <= header_rule
        in_foot = y0 >= footer_rule and y1 <= HEIGHT - 5
        assert in_body or in_head or in_foot, (page, word, y0, y1)


@pytest.mark.parametrize("make", [long_snapshot, awkward_snapshot])
def test_blocks_stay_between_the_margins_and_no_heading_ends_a_page(make):
    pages = paginate(programme_blocks(INFO, make(), abstracts=True))
    assert len(pages) > 1
    for page in pages:
        for block, top in page:
            assert top <= TOP + 0.01 and top - block.height >= BOTTOM - 0.01, block.kind
        # A heading goes onto the next page with what follows it, unless it starts its page
        # already (the session's chairs, or a talk's presenters, fill more than a page).
        content = [block for block, _ in page if block.kind != "continued"]
        if page is not pages[-1] and len(content) > 1:
            assert not content[-1].keep_with_next, content[-1].kind


def test_a_session_running_onto_the_next_page_is_named_again_there():
    pdf = programme_pdf_bytes(INFO, awkward_snapshot())
    assert page_count(pdf) > 2
    second = flat(poppler("pdftotext", pdf, "-f", "2", "-l", "2"))
    assert "Continued: 09:00–12:00 · The Very Long Name of a Room" in second


def test_sessions_in_parallel_are_grouped_under_their_time_slot(long_pdf):
    text = flat(poppler("pdftotext", long_pdf))
    assert text.count("4 sessions in parallel") >= 9  # three slots a day, three days
    # Under the band, each session is headed by its room.
    assert re.search(r"14:00–16:00 4 sessions in parallel Lotus Room", text)


def test_only_session_descriptions_print_and_they_are_cut_short():
    snap = long_snapshot(days=1)
    snap["sessions"][2]["talks"][0]["abstract"] = "An abstract nobody asked for."
    text = flat(poppler("pdftotext", programme_pdf_bytes(INFO, snap)))
    assert "Welcome by the hosts." in text
    assert text.count("Welcome by the hosts.") < 20  # forty in the description
    assert "…" in text
    assert "An abstract nobody asked for." not in text
    with_abstracts = programme_pdf_bytes(INFO, snap, abstracts=True)
    assert "An abstract nobody asked for." in flat(poppler("pdftotext", with_abstracts))


def test_times_follow_the_snapshots_zone_across_a_change_of_clocks():
    berlin = ZoneInfo("Europe/Berlin")
    days = [date(2024, 10, 26), date(2024, 10, 27)]
    snap = {
        "timezone": "Europe/Berlin",
        "sessions": [
            session(k, "plenary", f"Plenary {k}", "Saal 1", day, (9, 0), (10, 0), zone=berlin)
            for k, day in enumerate(days, start=1)
        ],
    }
    assert snap["sessions"][0]["starts_at"] == "2024-10-26T07:00:00+00:00"
    assert snap["sessions"][1]["starts_at"] == "2024-10-27T08:00:00+00:00"
    info = {**INFO, "timezone": "Europe/Berlin", "start_date": days[0], "end_date": days[1]}
    text = flat(poppler("pdftotext", programme_pdf_bytes(info, snap)))
    assert text.count("09:00–10:00") == 2  # summer time on the 26th, winter time on the 27th
    assert "Europe/Berlin (UTC+02:00 / UTC+01:00)" in text


def test_an_agenda_without_sessions_says_so():
    pdf = programme_pdf_bytes(INFO, {"timezone": "Asia/Bangkok", "sessions": []})
    assert page_count(pdf) == 1
    assert "No sessions are scheduled yet." in flat(poppler("pdftotext", pdf))


def test_programme_is_written_to_a_binary_file(tmp_path):
    path = tmp_path / "programme.pdf"
    with path.open("wb") as out:
        programme_pdf(INFO, long_snapshot(days=1), out)
    assert path.read_bytes().startswith(b"%PDF-")
    assert page_count(path.read_bytes()) >= 1


def test_published_snapshot_from_the_database_prints(db):
    event = make_event(title="Learning Cities Forum", city="Bangkok")
    speakers = make_category(event, "Speaker")
    thai = make_registration(
        event,
        speakers,
        given_name="Pimchanok",
        family_name="Srisuk",
        title="Dr",
        native_name="พิมพ์ชนก ศรีสุข",
        country="TH",
        organisation="Bangkok Metropolitan Administration",
    )
    room = Room(event_id=event.id, name="Lotus Room", capacity=80)
    db.session.add(room)
    day = event.start_date
    start = datetime(day.year, day.month, day.day, 13, 30, tzinfo=event.tz)
    block = AgendaSession(
        event_id=event.id,
        kind="parallel",
        title="Parallel session A",
        room=room,
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
    )
    block.chairs.append(thai)
    db.session.add(block)
    item = Talk(
        event_id=event.id,
        session=block,
        title="Bangkok: lifelong learning for climate resilience",
        starts_at=start + timedelta(minutes=5),
        duration_minutes=25,
    )
    item.presenters.append(thai)
    db.session.add(item)
    db.session.flush()
    publication = publish(event)
    assert publication.snapshot == snapshot(event)
    info = {
        "title": event.title,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "timezone": event.timezone,
        "city": event.city,
        "venue": event.venue,
        "version": publication.version,
        "published_at": publication.published_at,
    }
    buffer = io.BytesIO()
    programme_pdf(info, publication.snapshot, buffer)
    text = flat(poppler("pdftotext", buffer.getvalue()))
    assert "Programme — version 1" in text
    assert "13:30–15:00" in text
    assert "Dr Pimchanok Srisuk (พิมพ์ชนก " in text
    assert "), Bangkok Metropolitan Administration" in text
    assert "NotoSansThai-Regular" in embedded_fonts(buffer.getvalue())


def test_command_writes_the_published_programme(app, db, runner, tmp_path):
    from conference.agenda.cli import agenda_cli

    event = make_event(slug="forum-cli")
    room = Room(event_id=event.id, name="Grand Ballroom")
    db.session.add(room)
    day = event.start_date
    start = datetime(day.year, day.month, day.day, 9, tzinfo=event.tz)
    db.session.add(
        AgendaSession(
            event_id=event.id,
            kind="plenary",
            title="Opening plenary",
            room=room,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
    )
    db.session.flush()
    out = tmp_path / "programme.pdf"
    args = ["programme", "--event", "forum-cli", "--out", str(out)]
    result = runner.invoke(agenda_cli, args)
    assert result.exit_code != 0
    assert "not published yet" in result.output
    assert not out.exists()

    publish(event)
    db.session.commit()
    result = runner.invoke(agenda_cli, args)
    assert result.exit_code == 0, result.output
    assert "Programme version 1 written" in result.output
    text = flat(poppler("pdftotext", out.read_bytes()))
    assert "Opening plenary" in text
    assert "/events/forum-cli" in text


def test_command_names_an_unknown_event(runner, tmp_path):
    from conference.agenda.cli import agenda_cli

    result = runner.invoke(
        agenda_cli, ["programme", "--event", "nope", "--out", str(tmp_path / "p.pdf")]
    )
    assert result.exit_code != 0
    assert "There is no such event. (nope)" in result.output
