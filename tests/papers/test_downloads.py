"""From papers to the exporters: ZIP entries with readable names, the book grouped by session."""

import io
import zipfile
from datetime import datetime, timedelta

from flask import current_app

from conference.agenda.models import AgendaSession, Room
from conference.extensions import db as _db
from conference.papers.archive import zip_stream
from conference.papers.decisions import decide
from conference.papers.downloads import (
    book_groups,
    book_info,
    papers_for_download,
    write_book,
    zip_entries,
)
from conference.papers.storage import storage_from_config
from conference.papers.submissions import withdraw
from tests.factories import (
    accept,
    make_track,
    open_call,
    open_call_setting,
    stored_paper,
)


def session_at(event, title, hour, room_name="Chao Phraya 1"):
    room = Room(event_id=event.id, name=room_name)
    starts = datetime.combine(event.start_date, datetime.min.time(), event.tz).replace(hour=hour)
    session = AgendaSession(
        event_id=event.id,
        kind="parallel",
        title=title,
        room=room,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
    )
    _db.session.add_all([room, session])
    _db.session.commit()
    return session


def test_downloads_leave_withdrawn_papers_out_unless_asked_for(db):
    event, category, track, _, chien = open_call_setting()
    kept = stored_paper(event, chien, "Learning for all")
    gone = stored_paper(event, chien, "A withdrawn paper")
    withdraw(gone, chien)
    db.session.commit()

    assert [p.id for p in papers_for_download(event)] == [kept.id]
    assert [p.id for p in papers_for_download(event, ["all"])] == [kept.id]
    assert [p.id for p in papers_for_download(event, ["withdrawn"])] == [gone.id]
    assert papers_for_download(event, ["accepted"]) == []


def test_zip_entries_name_the_latest_versions_readably_and_open_their_files(db):
    event, category, track, _, chien = open_call_setting()
    paper = stored_paper(event, chien, "Building a learning city: no one left behind / 2024")
    storage = storage_from_config(current_app)

    entries = zip_entries(papers_for_download(event), storage)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zip_stream(entries))))

    (name,) = archive.namelist()
    assert name.startswith(f"{paper.id:03d} - Hà Trung Chiến - Building a learning city")
    assert name.endswith(".pdf") and "/" not in name
    with storage.open(paper.latest_version.storage_key) as stored:
        assert archive.read(name) == stored.read()


def test_a_file_missing_from_storage_is_left_out_not_cut_halfway(db):
    event, category, track, _, chien = open_call_setting()
    lost = stored_paper(event, chien, "Lost on disk")
    kept = stored_paper(event, chien, "Still here")
    storage = storage_from_config(current_app)
    storage.delete(lost.latest_version.storage_key)

    entries = zip_entries(papers_for_download(event), storage)

    assert [name.split(" - ")[0] for name, _ in entries] == [f"{kept.id:03d}"]


def test_the_book_groups_placed_papers_by_session_and_the_rest_by_topic(db):
    event, category, track, _, chien = open_call_setting()
    other_track = make_track(event, "Digital learning")
    morning = session_at(event, "Parallel session 1A", 9)
    afternoon = session_at(event, "Parallel session 2B", 14, "Room 2")
    open_call(event, [track, other_track])
    late = stored_paper(event, chien, "Second in the morning", track=track)
    first = stored_paper(event, chien, "First in the morning", track=track)
    after = stored_paper(event, chien, "In the afternoon", track=track)
    waiting = stored_paper(event, chien, "Waiting for a slot", track=other_track)
    no_topic = stored_paper(event, chien, "No topic")
    no_topic.track = None  # its track was deleted from the agenda
    refused = stored_paper(event, chien, "Not accepted", track=track)
    accept(late, morning, position=1)
    accept(first, morning, position=0)
    accept(after, afternoon)
    accept(waiting)
    accept(no_topic)
    decide(refused, "reject", "", None)
    db.session.commit()

    groups = book_groups(event, papers_for_download(event, ["accepted"]))

    assert [(g["heading"], [p["title"] for p in g["papers"]]) for g in groups] == [
        ("Parallel session 1A", ["First in the morning", "Second in the morning"]),
        ("Parallel session 2B", ["In the afternoon"]),
        ("Digital learning", ["Waiting for a slot"]),
        ("Other papers", ["No topic"]),
    ]
    local = morning.starts_at.astimezone(event.tz)
    assert groups[0]["details"] == (
        f"{local:%A} {local.day} {local:%B %Y}, 09:00–10:30 (Asia/Bangkok) · Chao Phraya 1"
    )
    assert groups[2]["details"] == "Not yet scheduled"
    (author,) = groups[0]["papers"][0]["authors"]
    assert author == {
        "name": "Hà Trung Chiến",
        "native_name": chien.native_name,
        "organisation": "Son La City People's Committee",
        "country": "VN",
        "presenting": True,
    }
    assert groups[0]["papers"][0]["topic"] == track.name


def test_the_book_of_abstracts_is_a_pdf_with_the_accepted_papers(db, tmp_path):
    event, category, track, _, chien = open_call_setting()
    accept(stored_paper(event, chien, "Learning parks and streets", track=track))
    stored_paper(event, chien, "Still under review", track=track)
    out = io.BytesIO()

    count = write_book(event, out)

    assert count == 1
    assert out.getvalue().startswith(b"%PDF-")
    assert book_info(event)["title"] == event.title


def test_papers_for_download_filters_by_topic(db):
    event, category, track, _, chien = open_call_setting()
    other = make_track(event, "Digital learning")
    open_call(event, [track, other])
    stored_paper(event, chien, "On inclusion", track=track)
    digital = stored_paper(event, chien, "On digital skills", track=other)

    assert [p.id for p in papers_for_download(event, track_id=other.id)] == [digital.id]
