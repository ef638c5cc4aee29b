"""Calls for papers, submissions and what the paper pages receive."""

import hashlib
import io
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from conference.extensions import db
from conference.papers.calls import CallDetails, CriterionDetails, call_for, save_call
from conference.papers.decisions import decide
from conference.papers.models import Paper
from conference.papers.storage import storage_from_config
from conference.papers.submissions import AuthorDetails, SubmissionDetails, submit
from conference.papers.uploads import receive
from conference.registration.links import manage_token
from tests.factories.agenda import make_track
from tests.factories.events import make_event
from tests.factories.registration import delegate, make_category
from tests.papers.samples import pdf_bytes

TITLE = "Building a learning city where no one is left behind"
ABSTRACT = "Son La's community learning centres reach ethnic minority villages."

# A call of 2024, for the services' tests that say when things happen (``now=``).
OPENS = datetime(2024, 5, 1, 9, tzinfo=UTC)
DURING = datetime(2024, 6, 1, 12, tzinfo=UTC)
CLOSES = datetime(2024, 7, 1, 9, tzinfo=UTC)
BEFORE_EDIT_DEADLINE = datetime(2024, 7, 15, tzinfo=UTC)
EDIT_DEADLINE = datetime(2024, 8, 1, 9, tzinfo=UTC)
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

CRITERIA = (
    CriterionDetails("Relevance", max_score=5, weight=2),
    CriterionDetails("Clarity", max_score=10, weight=1),
)


# The call ----------------------------------------------------------------------------


def make_call(event, **overrides):
    """The 2024 call (OPENS to CLOSES, new versions until EDIT_DEADLINE), two criteria."""
    values = {
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "edit_deadline": EDIT_DEADLINE,
        "abstract_word_limit": 50,
        "criteria": CRITERIA,
    }
    values.update(overrides)
    call = save_call(event, CallDetails(**values))
    db.session.commit()
    return call


def open_call(event, tracks=(), **overrides):
    """A call open now, with two criteria; new versions for a month after it closes."""
    now = datetime.now(UTC)
    values = {
        "opens_at": now - timedelta(days=10),
        "closes_at": now + timedelta(days=20),
        "edit_deadline": now + timedelta(days=50),
        "topic_ids": tuple(t.id for t in tracks),
        "criteria": CRITERIA,
    }
    values.update(overrides)
    call = save_call(event, CallDetails(**values))
    db.session.commit()
    return call


def dated_call_setting(organisation="Son La City People's Committee"):
    """An event with the 2024 call, a category, and a confirmed submitter:
    ``event, category, call, submitter``."""
    event = make_event()
    category = make_category(event, "Speaker")
    call = make_call(event)
    submitter = delegate(event, category, email="chien@sonla.example", organisation=organisation)
    return event, category, call, submitter


def open_call_setting(**call_overrides):
    """An event with a topic, an open call, a speaker category and one confirmed delegate:
    ``event, category, track, call, chien``."""
    event = make_event()
    category = make_category(event, "Speaker")
    track = make_track(event)
    call = open_call(event, [track], **call_overrides)
    chien = delegate(
        event,
        category,
        email="chien@sonla.example",
        given_name="Trung Chiến",
        family_name="Hà",
        organisation="Son La City People's Committee",
    )
    return event, category, track, call, chien


# Submissions through the services ----------------------------------------------------


@dataclass
class Received:
    """Stands in for uploads.ReceivedFile: what the upload layer tells the services."""

    key: str
    size: int
    sha256: str
    filename: str
    kind: str = "pdf"
    extension: str = "pdf"
    mime_type: str = "application/pdf"


def received(content: bytes = PDF, filename: str = "paper.pdf", kind: str = "pdf") -> Received:
    """A file as if received (nothing stored)."""
    return Received(
        key=uuid.uuid4().hex,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        filename=filename,
        kind=kind,
        extension=kind,
    )


def submission_details(presenter_email, *co_authors, **overrides) -> SubmissionDetails:
    """A submission by Hà Trung Chiến (presenting) and ``co_authors``."""
    values = {
        "title": TITLE,
        "abstract": ABSTRACT,
        "authors": [
            AuthorDetails(
                "Hà Trung Chiến", "Son La City People's Committee", presenter_email, True
            ),
            *co_authors,
        ],
    }
    values.update(overrides)
    return SubmissionDetails(**values)


def make_paper(event, submitter, *co_authors, now=DURING, file=None, **overrides) -> Paper:
    """A paper submitted to the 2024 call while it is open, its file only ``received``."""
    paper = submit(
        event,
        submitter,
        submission_details(submitter.email, *co_authors, **overrides),
        file or received(),
        now=now,
    )
    db.session.commit()
    return paper


def stored_paper(event, registration, title, *, track=None, content=None, filename="paper.pdf"):
    """A paper submitted through the services, its file received into the app's storage;
    its topic is the call's first unless given."""
    if track is None:
        track = next(iter(call_for(event).topics), None)
    storage = storage_from_config(current_app)
    file = receive(
        io.BytesIO(content or pdf_bytes(title)), filename, storage=storage, max_bytes=1 << 24
    )
    paper = submit(
        event,
        registration,
        SubmissionDetails(
            title=title,
            abstract=ABSTRACT,
            track_id=track.id if track else None,
            authors=[
                AuthorDetails(
                    registration.full_name, registration.organisation, registration.email, True
                )
            ],
        ),
        file,
    )
    db.session.commit()
    return paper


def accept(paper, session=None, position=0):
    """Accept the paper; its talk goes to ``session`` at ``position`` if given."""
    decide(paper, "accept", "", None)
    if session is not None:
        paper.talk.session_id, paper.talk.position = session.id, position
        paper.talk.starts_at = session.starts_at + timedelta(minutes=15 * position)
    db.session.commit()


def scores(call, relevance=4, clarity=8):
    """A review's scores for the call's two criteria, by criterion id."""
    relevance_id, clarity_id = (c.id for c in call.criteria)
    return {relevance_id: relevance, clarity_id: clarity}


# Through the client -------------------------------------------------------------------


def papers_url(event, registration, rest=""):
    """The delegate's papers pages, through their private link."""
    return f"/events/{event.slug}/manage/{manage_token(registration)}/papers{rest}"


def submission(registration, track, content, filename, **overrides):
    """The submission form's fields, with the file to upload."""
    data = {
        "title": TITLE,
        "abstract": ABSTRACT,
        "track_id": str(track.id),
        "authors-0-name": "Hà Trung Chiến",
        "authors-0-organisation": "Son La City People's Committee",
        "authors-0-email": registration.email,
        "authors-1-name": "",
        "authors-1-organisation": "",
        "authors-1-email": "",
        "presenting": "0",
        "file": (io.BytesIO(content), filename),
    }
    data.update(overrides)
    return data


def post_form(client, url, data, headers=None):
    """A multipart POST encoded in memory (the test client would spool a large body to a
    temporary file that it never closes)."""
    fields = {
        name: FileStorage(value[0], filename=value[1]) if isinstance(value, tuple) else value
        for name, value in data.items()
    }
    boundary, body = encode_multipart(fields)
    return client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )


def submit_paper(client, event, registration, track, content, filename, **overrides):
    """Submit a paper through the delegate's form."""
    data = submission(registration, track, content, filename, **overrides)
    return post_form(client, papers_url(event, registration, "/new"), data)


def paper_with_co_author(client, co_author_email):
    """A paper submitted through the form in an open call by its confirmed delegate, with
    Nguyễn Thị Lan (not registered) as co-author at ``co_author_email``:
    ``event, category, paper_id``."""
    event, category, track, _, chien = open_call_setting()
    response = submit_paper(
        client,
        event,
        chien,
        track,
        pdf_bytes(),
        "paper.pdf",
        **{"authors-1-name": "Nguyễn Thị Lan", "authors-1-organisation": "Son La DoET"},
        **{"authors-1-email": co_author_email},
    )
    assert response.status_code == 302, "the paper was not submitted"
    return event, category, int(response.headers["Location"].rsplit("/", 1)[1])


def stored_files(app) -> list[Path]:
    """Every file in the papers' storage folder (partial ones included)."""
    root = Path(app.instance_path) / "uploads" / "papers"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def writes_then_fails(error: int):
    """A copy (for shutil.copyfileobj) that writes a first chunk to the partial file, then
    fails as the disk would."""

    def copy(source, out, length=0):
        out.write(source.read(4096))
        out.flush()
        raise OSError(error, os.strerror(error))

    return copy
