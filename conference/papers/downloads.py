"""From papers to what the exporters take: entries for the ZIP, groups for the book.

The web routes and the CLI share these, so a download and ``flask papers zip`` give the
same archive. The archive and the book know nothing of models (``archive.py``,
``book.py``); this module is the only place that knows both.
"""

import logging
from collections.abc import Callable
from functools import partial
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.agenda.models import AgendaSession, Talk
from conference.extensions import db
from conference.formatting import format_date_range
from conference.papers.archive import paper_arcname
from conference.papers.book import book_of_abstracts
from conference.papers.models import Paper, PaperAuthor, PaperStatus
from conference.papers.storage import Storage

log = logging.getLogger(__name__)

ALL = "all"  # every paper that is not withdrawn
OTHER_TOPICS = "Other papers"


def papers_for_download(event, statuses=None, track_id: int | None = None) -> list[Paper]:
    """The event's papers of these statuses (None or "all": every one not withdrawn), oldest
    first, optionally of one topic, with what the exporters read loaded."""
    query = (
        select(Paper)
        .where(Paper.event_id == event.id)
        .options(
            selectinload(Paper.authors).selectinload(PaperAuthor.registration),
            selectinload(Paper.versions),
            selectinload(Paper.track),
            selectinload(Paper.talk).selectinload(Talk.session).selectinload(AgendaSession.room),
        )
        .order_by(Paper.created_at, Paper.id)
    )
    statuses = [s for s in (statuses or []) if s != ALL]
    query = (
        query.where(Paper.status.in_(statuses))
        if statuses
        else query.where(Paper.status != "withdrawn")
    )
    if track_id:
        query = query.where(Paper.track_id == track_id)
    return list(db.session.scalars(query))


def zip_entries(papers: list[Paper], storage: Storage) -> list[tuple[str, Callable[[], BinaryIO]]]:
    """(readable name, opener) for the latest version of each paper, for ``zip_stream``.

    A file missing from the storage is left out (and logged) before streaming starts,
    rather than cutting the archive short halfway through.
    """
    entries = []
    for paper in papers:
        version = paper.latest_version
        if version is None:
            continue
        if not storage.exists(version.storage_key):
            log.error("paper %s version %s: stored file missing", paper.id, version.number)
            continue
        name = paper_arcname(paper.id, paper.title, [a.name for a in paper.authors], version.kind)
        entries.append((name, partial(storage.open, version.storage_key)))
    return entries


def book_info(event) -> dict:
    """The cover of the book of abstracts."""
    return {
        "title": event.title,
        "subtitle": "Book of abstracts",
        "dates": format_date_range(event.start_date, event.end_date),
        "venue": event.venue or "",
        "city": ", ".join(p for p in (event.city, event.country_name) if p),
    }


def _book_paper(paper: Paper) -> dict:
    return {
        "title": paper.title,
        "abstract": paper.abstract,
        "topic": paper.track.name if paper.track else "",
        "authors": [
            {
                "name": a.name,
                "native_name": a.registration.native_name if a.registration else "",
                "organisation": a.organisation,
                "country": a.registration.country if a.registration else "",
                "presenting": a.is_presenting,
            }
            for a in paper.authors
        ],
    }


def session_line(event, session: AgendaSession) -> str:
    """'Tuesday 29 October 2024, 13:30–15:00 (Asia/Bangkok) · Room 1', in the event's time."""
    starts, ends = event.local(session.starts_at), event.local(session.ends_at)
    when = f"{starts:%A} {starts.day} {starts:%B %Y, %H:%M}–{ends:%H:%M}"
    zone = event.timezone.replace("_", " ")
    room = f" · {session.room.name}" if session.room else ""
    return f"{when} ({zone}){room}"


def book_groups(event, papers: list[Paper]) -> list[dict]:
    """The papers as the book groups them: by agenda session, in programme order, for those
    whose talk is placed; the others by topic (track), then those without one."""
    sessions: dict[int, tuple[AgendaSession, list]] = {}
    topics: dict[str, list] = {}
    for paper in papers:
        talk = paper.talk
        if talk is not None and talk.session is not None:
            _, placed = sessions.setdefault(talk.session.id, (talk.session, []))
            placed.append((talk.position, paper.id, paper))
        else:
            topics.setdefault(paper.track.name if paper.track else "", []).append(paper)

    groups = [
        {
            "heading": session.title,
            "details": session_line(event, session),
            "papers": [_book_paper(paper) for *_, paper in sorted(placed)],
        }
        for session, placed in sorted(
            sessions.values(), key=lambda item: (item[0].starts_at, item[0].id)
        )
    ]
    unscheduled = "Not yet scheduled" if sessions else ""
    for topic in sorted(topics, key=lambda name: (name == "", name.casefold())):
        groups.append(
            {
                "heading": topic or OTHER_TOPICS,
                "details": unscheduled,
                "papers": [_book_paper(paper) for paper in topics[topic]],
            }
        )
    return groups


def write_book(event, out: BinaryIO) -> int:
    """Write the book of abstracts of the event's accepted papers to out; how many are in it."""
    papers = papers_for_download(event, [PaperStatus.ACCEPTED])
    book_of_abstracts(book_info(event), book_groups(event, papers), out)
    return len(papers)
