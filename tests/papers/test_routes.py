"""Paper pages through the client: real files submitted, refused or kept; who may download
what; reviews, decisions and the organisers' downloads."""

import html
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from conference.agenda.models import Talk
from conference.errors import ValidationError
from conference.extensions import db as _db
from conference.papers.assigning import assign_reviewer
from conference.papers.models import CallForPapers, Paper, PaperVersion, Review
from conference.papers.views import delegate as delegate_views
from conference.registration.links import emailed_manage_url, manage_token, manage_url
from tests.conftest import redis_db_url
from tests.factories import (
    TITLE,
    accept,
    delegate,
    give_role,
    make_organiser,
    make_reviewer,
    make_user,
    open_call_setting,
    other_spellings,
    paper_with_co_author,
    papers_url,
    post_form,
    registration_form,
    stored_files,
    stored_paper,
    submission,
    submit_paper,
    writes_then_fails,
)
from tests.papers.samples import (
    docx_bytes,
    executable_with_pdf_marker,
    html_bytes,
    pdf_bytes,
    pptx_bytes,
    svg_with_pdf_marker,
    zip_bomb_docx,
)

# Helpers -----------------------------------------------------------------------------


def paper_count(db) -> int:
    return db.session.scalar(select(func.count(Paper.id)))


# Submitting real files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "filename", "kind"),
    [
        (pdf_bytes, "paper.pdf", "pdf"),
        (docx_bytes, "paper.docx", "docx"),
        (pptx_bytes, "slides.pptx", "pptx"),
    ],
)
def test_a_delegate_submits_a_real_pdf_docx_or_pptx(client, db, app, make, filename, kind):
    event, category, track, call, chien = open_call_setting()
    content = make()

    response = submit_paper(client, event, chien, track, content, filename)

    assert response.status_code == 302
    paper = db.session.scalar(select(Paper))
    assert response.headers["Location"].endswith(papers_url(event, chien, f"/{paper.id}"))
    (version,) = paper.versions
    assert (version.number, version.kind, version.size) == (1, kind, len(content))
    assert version.original_filename == filename
    (stored,) = stored_files(app)
    assert stored.name == version.storage_key and stored.read_bytes() == content

    page = client.get(papers_url(event, chien, f"/{paper.id}"))
    assert page.status_code == 200 and TITLE in page.text and filename in page.text
    assert page.headers["Cache-Control"] == "private, no-store"

    download = client.get(papers_url(event, chien, f"/{paper.id}/versions/1"))
    assert download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    assert download.mimetype == version.mime_type


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (html_bytes(), "paper.pdf", "This file is a web page (HTML), not a document."),
        (pdf_bytes(), "paper.docx", "This file is a PDF but its name"),
        (b"", "paper.pdf", "The file is empty."),
        (svg_with_pdf_marker(), "paper.pdf", "This file is not a PDF that can be opened"),
        (executable_with_pdf_marker(), "paper.pdf", "This file is not a PDF that can be opened"),
    ],
    ids=["html-named-pdf", "pdf-named-docx", "empty", "svg-with-a-pdf-marker", "executable"],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_kept(
    client, db, app, content, filename, message
):
    event, category, track, call, chien = open_call_setting()

    response = submit_paper(client, event, chien, track, content, filename)

    assert response.status_code == 422
    assert message in response.text
    assert stored_files(app) == []
    assert paper_count(db) == 0


def test_a_zip_bomb_disguised_as_docx_is_refused_and_nothing_is_kept(client, db, app):
    event, category, track, call, chien = open_call_setting()

    response = submit_paper(client, event, chien, track, zip_bomb_docx(), "paper.docx")

    assert response.status_code == 422
    assert "compressed-archive bomb" in response.text
    assert stored_files(app) == []
    assert paper_count(db) == 0


@pytest.mark.parametrize("size", [1536 * 1024, 3 * 1024 * 1024], ids=["within-slack", "beyond"])
def test_a_file_over_the_limit_gets_a_413_page_naming_the_limit(client, db, app, size):
    event, category, track, call, chien = open_call_setting(max_bytes=1024 * 1024)
    content = b"%PDF-1.7\n" + b" " * (size - 16) + b"\n%%EOF\n"

    response = submit_paper(client, event, chien, track, content, "big.pdf")

    assert response.status_code == 413
    assert "larger than 1 MB" in response.text
    assert "<html" in response.text  # the site's error page, not a bare message
    assert stored_files(app) == []
    assert paper_count(db) == 0


def test_an_unregistered_presenter_is_refused_and_nothing_is_kept(client, db, app):
    event, category, track, call, chien = open_call_setting()

    response = submit_paper(
        client,
        event,
        chien,
        track,
        pdf_bytes(),
        "paper.pdf",
        **{"authors-1-name": "Guest", "authors-1-organisation": "Elsewhere"},
        **{"authors-1-email": "guest@example.org", "presenting": "1"},
    )

    assert response.status_code == 422
    assert "must be registered" in response.text
    assert "choose the file again" in response.text
    assert stored_files(app) == []
    assert paper_count(db) == 0


def test_a_refusal_by_the_rules_after_the_upload_deletes_the_stored_file(
    client, db, app, monkeypatch
):
    event, category, track, call, chien = open_call_setting()

    def closed_meanwhile(*args, **kwargs):
        raise ValidationError("The call for papers closed while your file was on its way.")

    monkeypatch.setattr(delegate_views, "submit", closed_meanwhile)
    response = submit_paper(client, event, chien, track, pdf_bytes(), "paper.pdf")

    assert response.status_code == 422
    assert "closed while your file was on its way" in response.text
    assert "choose the file again" in response.text
    assert stored_files(app) == []
    assert paper_count(db) == 0


def test_every_problem_with_the_form_is_shown_at_once_before_the_file_is_received(
    client, db, app, monkeypatch
):
    event, category, track, call, chien = open_call_setting(abstract_word_limit=5)
    monkeypatch.setattr(
        delegate_views, "_receive", lambda *args: pytest.fail("the file was received")
    )

    response = submit_paper(
        client,
        event,
        chien,
        track,
        pdf_bytes(),
        "paper.pdf",
        abstract="one two three four five six",
        track_id="",
        presenting="2",  # a blank row: none of the authors presents
        **{"authors-1-name": "Nguyễn Thị Lan", "authors-1-organisation": "Son La DoET"},
        **{"authors-1-email": "lan@", "authors-2-name": "", "authors-2-email": ""},
    )

    assert response.status_code == 422
    for message in (
        "The abstract has 6 words; the limit is 5.",
        "Choose a topic.",
        "Author 2: Enter a valid e-mail address",
        "Choose one presenting author.",
        "Please choose the file again: nothing was kept.",
    ):
        assert message in response.text
    authors = response.text.index(">Authors</legend>")
    assert response.text.rindex("Choose one presenting author.") > authors  # beside the rows
    assert stored_files(app) == []
    assert paper_count(db) == 0


def test_a_problem_with_an_author_is_shown_beside_their_own_row(client, db):
    event, category, track, call, chien = open_call_setting()

    # Row 1 is left blank, so the second author named is the form's third row.
    response = submit_paper(
        client,
        event,
        chien,
        track,
        pdf_bytes(),
        "paper.pdf",
        **{"authors-2-name": "Nguyễn Thị Lan", "authors-2-organisation": "Son La DoET"},
        **{"authors-2-email": "lan@"},
    )

    assert response.status_code == 422
    inputs = {
        n: re.search(rf'<input[^>]*id="authors-{n}-email"[^>]*>', response.text).group(0)
        for n in (1, 2)
    }
    assert "is-invalid" in inputs[2] and "is-invalid" not in inputs[1]
    assert 'id="authors-2-email-error"' in response.text
    assert 'id="authors-1-email-error"' not in response.text


def test_a_text_field_over_the_form_limit_is_named_instead_of_the_file(client, db, app):
    event, category, track, call, chien = open_call_setting()
    abstract = "word " * 120_000  # 600 KB, over the server's limit for one form field

    response = submit_paper(
        client, event, chien, track, pdf_bytes(), "paper.pdf", abstract=abstract
    )

    assert response.status_code == 413
    assert "A field of the form is too long (the abstract, perhaps)" in response.text
    assert "larger than" not in response.text
    assert stored_files(app) == []
    assert paper_count(db) == 0


@pytest.mark.parametrize(
    "filename",
    ["../../../../etc/passwd.pdf", "re\x07port\x1b[31m\u202eevil.pdf", "a" * 296 + ".pdf"],
    ids=["climbing", "control-characters", "300-characters"],
)
def test_hostile_file_names_are_stored_safely_and_downloaded_safely(client, db, app, filename):
    event, category, track, call, chien = open_call_setting()

    assert submit_paper(client, event, chien, track, pdf_bytes(), filename).status_code == 302

    version = db.session.scalar(select(PaperVersion))
    name = version.original_filename
    assert "/" not in name and ".." not in name and name.endswith(".pdf")
    assert not any(ord(c) < 32 or c == "\u202e" for c in name) and len(name) <= 150
    (stored,) = stored_files(app)
    assert re.fullmatch(r"[0-9a-f]{32}", stored.name)
    assert stored.parent.parent == Path(app.instance_path) / "uploads" / "papers"
    download = client.get(papers_url(event, chien, f"/{version.paper_id}/versions/1"))
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition and "\\" not in disposition
    assert not any(ord(c) < 32 or ord(c) > 126 for c in disposition)


def test_the_submission_form_checks_its_csrf_token(make_app, db):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        event, category, track, call, chien = open_call_setting()
        url = papers_url(event, chien, "/new")
        data = submission(chien, track, pdf_bytes(), "paper.pdf")

        refused = client.post(url, data=data, content_type="multipart/form-data")
        assert refused.status_code == 400
        assert stored_files(app) == []

        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).text)
        data = submission(chien, track, pdf_bytes(), "paper.pdf", csrf_token=token.group(1))
        accepted = client.post(url, data=data, content_type="multipart/form-data")
        assert accepted.status_code == 302
        assert len(stored_files(app)) == 1


def test_the_form_offers_the_call_s_topics_and_the_submitter_as_first_author(client, db):
    event, category, track, call, chien = open_call_setting()

    page = client.get(papers_url(event, chien, "/new"))

    assert page.status_code == 200
    assert track.name in page.text
    assert f'value="{chien.email}"' in page.text
    assert 'data-word-limit="300"' in page.text
    # The call has topics: choosing one is required, and the form says so.
    assert re.search(r'<select[^>]*id="track_id"[^>]*required', page.text)
    assert re.search(
        r'Topic</label> <span class="text-danger[^"]*" aria-hidden="true">\*</span>', page.text
    )
    assert 'accept=".pdf,.docx,.pptx,.odt,.odp"' in page.text


# Versions and withdrawal -------------------------------------------------------------


def test_new_versions_are_numbered_in_turn_and_every_version_is_kept(client, db, app):
    event, category, track, call, chien = open_call_setting()
    first = pdf_bytes("First draft")
    submit_paper(client, event, chien, track, first, "draft.pdf")
    paper = db.session.scalar(select(Paper))
    url = papers_url(event, chien, f"/{paper.id}/versions")

    for content, name in ((docx_bytes(), "second.docx"), (pdf_bytes("Final"), "final.pdf")):
        response = client.post(url, data={"file": (io.BytesIO(content), name)})
        assert response.status_code == 302

    db.session.expire_all()
    assert [(v.number, v.original_filename) for v in paper.versions] == [
        (1, "draft.pdf"),
        (2, "second.docx"),
        (3, "final.pdf"),
    ]
    assert len(stored_files(app)) == 3
    assert client.get(papers_url(event, chien, f"/{paper.id}/versions/1")).data == first


def test_uploads_are_rate_limited_per_delegate(make_app):
    app = make_app(RATELIMIT_ENABLED=True, UPLOAD_RATE_LIMIT="2 per hour")
    client = app.test_client()
    with app.app_context():
        event, category, track, call, chien = open_call_setting()
        lan = delegate(event, category, email="lan@sonla.example")
        paper = stored_paper(event, chien, "Houses of Wisdom")
        url = papers_url(event, chien, f"/{paper.id}/versions")
        for n in range(2):
            response = client.post(url, data={"file": (io.BytesIO(pdf_bytes(f"v{n}")), "v.pdf")})
            assert response.status_code == 302
        refused = client.post(url, data={"file": (io.BytesIO(pdf_bytes("v9")), "v.pdf")})
        assert refused.status_code == 429
        versions = select(func.count(PaperVersion.id)).where(PaperVersion.paper_id == paper.id)
        assert _db.session.scalar(versions) == 3  # the first and two new ones, not the third
        # Another delegate, from the same address, is not held back.
        assert client.get(papers_url(event, lan, "/new")).status_code in (200, 302)
        assert client.post(papers_url(event, lan, "/new"), data={}).status_code != 429


def test_a_refused_new_version_keeps_nothing_and_says_why(client, db, app):
    event, category, track, call, chien = open_call_setting()
    submit_paper(client, event, chien, track, pdf_bytes(), "paper.pdf")
    paper = db.session.scalar(select(Paper))

    response = client.post(
        papers_url(event, chien, f"/{paper.id}/versions"),
        data={"file": (io.BytesIO(html_bytes()), "new.pdf")},
    )

    assert response.status_code == 422
    assert "web page (HTML)" in response.text
    assert len(stored_files(app)) == 1
    assert db.session.scalar(select(func.count(PaperVersion.id))) == 1


def test_a_withdrawn_paper_takes_no_new_version(client, db, app):
    event, category, track, call, chien = open_call_setting()
    submit_paper(client, event, chien, track, pdf_bytes(), "paper.pdf")
    paper = db.session.scalar(select(Paper))

    assert client.post(papers_url(event, chien, f"/{paper.id}/withdraw")).status_code == 302
    db.session.expire_all()
    assert paper.status == "withdrawn"

    response = client.post(
        papers_url(event, chien, f"/{paper.id}/versions"),
        data={"file": (io.BytesIO(docx_bytes()), "late.docx")},
        follow_redirects=True,
    )
    assert "withdrawn: it cannot change" in response.text
    assert len(stored_files(app)) == 1


# Who may see what --------------------------------------------------------------------


def test_another_delegate_gets_404_for_the_paper_and_its_files(client, db):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    other = delegate(event, category, email="somchai@bangkok.example")

    for rest in (f"/{paper.id}", f"/{paper.id}/versions/1"):
        assert client.get(papers_url(event, other, rest)).status_code == 404
    assert client.post(papers_url(event, other, f"/{paper.id}/withdraw")).status_code == 404
    assert TITLE not in client.get(papers_url(event, other)).text


def test_a_co_author_sees_the_paper_through_their_own_link(client, db):
    event, category, track, call, chien = open_call_setting()
    lan = delegate(event, category, email="lan@sonla.example")
    response = submit_paper(
        client,
        event,
        chien,
        track,
        pdf_bytes(),
        "paper.pdf",
        **{"authors-1-name": "Nguyễn Thị Lan", "authors-1-organisation": "Son La DoET"},
        **{"authors-1-email": "lan@sonla.example"},
    )
    paper_id = int(response.headers["Location"].rsplit("/", 1)[1])
    paper_page = papers_url(event, lan, f"/{paper_id}")

    # Anyone could have registered with Lan's address: until its owner opens the link
    # from the e-mail, the address gives no access to the paper.
    assert client.get(paper_page).status_code == 404
    assert client.get(f"{paper_page}/versions/1").status_code == 404
    assert client.get(manage_url(lan)).status_code == 200  # the link pages show
    assert client.get(paper_page).status_code == 404
    assert client.get(emailed_manage_url(lan)).status_code == 200  # the link from her e-mail
    assert client.get(paper_page).status_code == 200
    assert client.get(f"{paper_page}/versions/1").status_code == 200
    assert f'href="{paper_page}"' in client.get(papers_url(event, lan)).text


def test_registering_with_a_co_authors_address_gives_no_access_to_the_paper(client, db):
    from conference.registration.search import find_by_email

    event, category, paper_id = paper_with_co_author(client, "lan@sonla.example")
    # A stranger registers with Lan's address: the answer shows no link at all...
    landing = client.post(
        f"/events/{event.slug}/register",
        data=registration_form(category, email="lan@sonla.example"),
        follow_redirects=True,
    )
    assert landing.status_code == 200 and "/manage/" not in landing.text
    # ...and even the link pages show (without the e-mail's proof) gives no access.
    page = manage_url(find_by_email(event, "lan@sonla.example"))
    assert client.get(page).status_code == 200
    assert client.get(f"{page}/papers/{paper_id}").status_code == 404
    assert client.get(f"{page}/papers/{paper_id}/versions/1").status_code == 404
    assert client.post(f"{page}/papers/{paper_id}/withdraw").status_code == 404
    assert db.session.get(Paper, paper_id).status == "submitted"


def test_a_reviewer_not_assigned_and_a_stranger_get_404(client, db, login):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    assigned = make_reviewer(event, "assigned@example.org")
    assignment = assign_reviewer(paper, assigned)
    db.session.commit()
    login(make_reviewer(event, "other@example.org"))

    for url in (
        f"/events/{event.slug}/reviews/{assignment.id}",
        f"/events/{event.slug}/reviews/{assignment.id}/paper",
        f"/events/{event.slug}/papers/{paper.id}/versions/1",
    ):
        assert client.get(url).status_code == 404, url


def test_a_reviewer_whose_role_is_taken_away_can_no_longer_download_the_paper(client, db, login):
    from conference.auth.services import revoke_role

    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    ada = make_user(name="Ada Reviewer")
    grant = give_role(event, ada, "reviewer")
    assignment = assign_reviewer(paper, ada)
    db.session.commit()
    login(ada)
    download = f"/events/{event.slug}/reviews/{assignment.id}/paper"
    assert client.get(download).status_code == 200

    revoke_role(event, grant.id)
    db.session.commit()

    assert client.get(download).status_code == 404
    assert client.get(f"/events/{event.slug}/reviews/{assignment.id}").status_code == 403


# Reviewing ---------------------------------------------------------------------------


def test_an_anonymous_review_hides_the_authors_and_the_file_name(client, db, login):
    event, category, track, call, chien = open_call_setting(anonymous_review=True)
    paper = stored_paper(event, chien, TITLE, filename="Son La People's Committee - Chien.pdf")
    ada = make_reviewer(event)
    assignment = assign_reviewer(paper, ada)
    db.session.commit()
    login(ada)

    page = client.get(f"/events/{event.slug}/reviews/{assignment.id}")

    assert page.status_code == 200 and TITLE in page.text
    for revealing in ("Chiến", "People&#39;s Committee", "sonla.example", "Chien.pdf"):
        assert revealing not in page.text
    download = client.get(f"/events/{event.slug}/reviews/{assignment.id}/paper")
    assert download.status_code == 200
    assert f'filename="Paper {paper.id} - version 1.pdf"' in download.headers["Content-Disposition"]


def test_a_reviewer_scores_every_criterion_and_recommends(client, db, login):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    ada = make_reviewer(event)
    assignment = assign_reviewer(paper, ada)
    db.session.commit()
    relevance, clarity = call.criteria
    login(ada)
    url = f"/events/{event.slug}/reviews/{assignment.id}"

    too_high = client.post(url, data={f"score_{relevance.id}": "9", f"score_{clarity.id}": "7"})
    assert too_high.status_code == 422
    assert db.session.scalar(select(func.count(Review.id))) == 0

    response = client.post(
        url,
        data={
            f"score_{relevance.id}": "4",
            f"score_{clarity.id}": "7",
            "recommendation": "accept",
            "comments_to_authors": "Clear and well argued.",
            "confidential_comments": "Strong candidate.",
        },
    )
    assert response.status_code == 302
    review = db.session.scalar(select(Review))
    assert review.scores == {str(relevance.id): 4, str(clarity.id): 7}
    assert review.recommendation == "accept"
    assert "Reviewed" in client.get(f"/events/{event.slug}/reviews").text


def test_the_recommendation_choices_are_one_named_group(client, db, login):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    ada = make_reviewer(event)
    assignment = assign_reviewer(paper, ada)
    db.session.commit()
    login(ada)

    page = client.get(f"/events/{event.slug}/reviews/{assignment.id}").text

    group = re.search(
        r"<fieldset[^>]*>\s*"
        r'<legend class="visually-hidden">Recommendation</legend>(.*?)</fieldset>',
        page,
        re.S,
    )
    assert group is not None
    assert re.findall(r'name="recommendation"[^>]*value="(\w+)"', group.group(1)) == [
        "accept",
        "revise",
        "reject",
    ]


# Organisers --------------------------------------------------------------------------


def test_organisers_see_reviews_side_by_side_with_averages(client, db, login):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    relevance, clarity = call.criteria
    for name, (r, c) in (("Ada", (4, 8)), ("Bao", (2, 6))):
        assignment = assign_reviewer(paper, make_reviewer(event, name=name))
        db.session.add(
            Review(
                assignment=assignment,
                scores={str(relevance.id): r, str(clarity.id): c},
                recommendation="accept",
                confidential_comments=f"{name} thinks so.",
            )
        )
    db.session.commit()
    login(make_organiser(event))

    page = client.get(f"/events/{event.slug}/papers/{paper.id}").text

    row = re.search(r"Relevance.*?</tr>", page, re.S).group(0)
    assert re.findall(r'class="score[^"]*">([^<]+)<', row) == ["4", "2", "3.0"]
    assert "Ada thinks so." in page and "Bao thinks so." in page
    assert "2 × accept" in page


def test_a_conflict_of_interest_is_refused_with_the_reason(client, db, login):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    colleague = make_reviewer(event, "colleague@sonla.example", name="Colleague")
    delegate(event, category, email="colleague@sonla.example", organisation=chien.organisation)
    login(make_organiser(event))

    response = client.post(
        f"/events/{event.slug}/papers/{paper.id}/reviewers", data={"reviewer_id": colleague.id}
    )

    assert response.status_code == 422
    assert "Conflict of interest: Colleague works at Son La City People" in response.text
    assert paper.assignments == []


def test_accepting_a_paper_leaves_a_talk_waiting_in_the_agenda_editor(client, db, login):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    login(make_organiser(event))

    response = client.post(
        f"/events/{event.slug}/papers/{paper.id}/decision",
        data={"decision": "accept", "note": "Welcome to Bangkok."},
        follow_redirects=True,
    )

    assert response.status_code == 200
    db.session.expire_all()
    assert paper.status == "accepted"
    talk = db.session.scalar(select(Talk))
    assert talk.title == TITLE and talk.session_id is None
    assert [p.id for p in talk.presenters] == [chien.id]
    assert f'href="/events/{event.slug}/agenda/edit"' in response.text
    authors_page = client.get(papers_url(event, chien, f"/{paper.id}")).text
    assert "Welcome to Bangkok." in authors_page


def test_a_revision_without_a_note_is_refused_and_nothing_changes(client, db, login):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    login(make_organiser(event))

    response = client.post(
        f"/events/{event.slug}/papers/{paper.id}/decision", data={"decision": "revise"}
    )

    assert response.status_code == 422
    assert "Tell the authors what to revise." in response.text
    db.session.expire_all()
    assert paper.status == "submitted"


def test_the_zip_streams_the_latest_versions_with_readable_names(client, db, login):
    event, category, track, call, chien = open_call_setting()
    first = stored_paper(event, chien, "Learning parks and streets")
    second = stored_paper(
        event, chien, "Son La: a learning city for all", content=docx_bytes(), filename="x.docx"
    )
    accept(second)
    login(make_organiser(event))

    response = client.get(f"/events/{event.slug}/papers.zip")

    assert response.status_code == 200
    assert "Content-Length" not in response.headers  # streamed, not built in memory
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    assert archive.namelist() == [
        f"{first.id:03d} - Hà Trung Chiến - Learning parks and streets.pdf",
        f"{second.id:03d} - Hà Trung Chiến - Son La - a learning city for all.docx",
    ]
    accepted = client.get(f"/events/{event.slug}/papers.zip?status=accepted")
    assert len(zipfile.ZipFile(io.BytesIO(accepted.data)).namelist()) == 1


def test_the_book_of_abstracts_downloads_as_a_pdf(client, db, login):
    event, category, track, call, chien = open_call_setting()
    accept(stored_paper(event, chien, TITLE))
    login(make_organiser(event))

    response = client.get(f"/events/{event.slug}/papers/book-of-abstracts.pdf")

    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_papers_list_filters_by_status_and_counts(client, db, login):
    event, category, track, call, chien = open_call_setting()
    stored_paper(event, chien, "Still under review")
    accept(stored_paper(event, chien, "Accepted one"))
    login(make_organiser(event))

    everything = client.get(f"/events/{event.slug}/papers").text
    accepted = client.get(f"/events/{event.slug}/papers?status=accepted").text

    assert "Still under review" in everything and "Accepted one" in everything
    assert "Accepted one" in accepted and "Still under review" not in accepted
    assert client.get(f"/events/{event.slug}/papers?status=nonsense").status_code == 400


def test_the_papers_list_links_keep_its_filters_and_nothing_else(client, db, login):
    event, category, track, call, chien = open_call_setting()
    stored_paper(event, chien, TITLE)
    login(make_organiser(event))

    page = client.get(
        f"/events/{event.slug}/papers?status=submitted&topic={track.id}"
        "&slug=elsewhere&_anchor=top&_external=1&per_paper=9"
    )

    assert page.status_code == 200
    # The page's own links; the language switcher's are this very address in each language.
    found = re.findall(r'href="([^"]*/papers[^"]*)"(?![^>]*data-language-switch)', page.text)
    links = [html.unescape(h) for h in found]
    assert not [link for link in links if re.search(r"^http|#|slug=|_external|per_paper", link)]
    zip_link = next(link for link in links if "/papers.zip" in link)
    assert parse_qs(urlsplit(zip_link).query) == {"status": ["submitted"], "topic": [str(track.id)]}
    every_status = html.unescape(re.search(r'href="([^"]*)">All <span', page.text).group(1))
    assert parse_qs(urlsplit(every_status).query) == {"topic": [str(track.id)]}


def test_only_organisers_reach_the_papers_pages(client, db, login):
    event, category, track, call, chien = open_call_setting()
    login(make_reviewer(event))

    assert client.get(f"/events/{event.slug}/papers").status_code == 403
    assert client.get(f"/events/{event.slug}/papers.zip").status_code == 403


def test_organisers_set_the_call_in_event_time(client, db, login):
    event, category, track, call, chien = open_call_setting()
    login(make_organiser(event))
    url = f"/events/{event.slug}/papers/call"
    form = {
        "opens_at": "2030-05-01T09:00",
        "closes_at": "2030-07-01T17:00",
        "edit_deadline": "",
        "allowed_kinds": ["pdf", "docx"],
        "max_mb": "10",
        "abstract_word_limit": "250",
        "talk_minutes": "20",
        "topic_ids": [str(track.id)],
        "anonymous_review": "y",
        "criteria-0-name": "Relevance",
        "criteria-0-max_score": "5",
        "criteria-0-weight": "2",
        "criteria-1-name": "",
    }

    assert "Asia/Bangkok (UTC+07:00)" in client.get(url).text
    assert client.post(url, data=form).status_code == 302

    db.session.expire_all()
    saved = db.session.scalar(select(CallForPapers))
    assert saved.opens_at.astimezone(event.tz).strftime("%Y-%m-%d %H:%M") == "2030-05-01 09:00"
    assert saved.opens_at.hour == 2  # stored in UTC
    assert (saved.allowed_kinds, saved.max_bytes) == (["pdf", "docx"], 10 * 1024 * 1024)
    assert saved.anonymous_review and [c.name for c in saved.criteria] == ["Relevance"]

    backwards = client.post(url, data={**form, "closes_at": "2030-04-01T09:00"})
    assert backwards.status_code == 422
    assert "The call must close after it opens." in backwards.text
    db.session.expire_all()
    assert db.session.scalar(select(CallForPapers)).closes_at.month == 7


def test_the_public_call_page_tells_how_to_submit(client, db):
    event, category, track, call, chien = open_call_setting()

    page = client.get(f"/events/{event.slug}/call-for-papers").text

    assert track.name in page and "at most 300 words" in page and "20 MB" in page
    assert f"/events/{event.slug}/lost-link" in page
    assert f"/events/{event.slug}/register" in page


def test_paper_pages_have_no_inline_script_or_style(client, db, login):
    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, TITLE)
    organiser = make_organiser(event)
    assignment = assign_reviewer(paper, organiser)
    db.session.commit()
    login(organiser)

    for url in (
        f"/events/{event.slug}/call-for-papers",
        papers_url(event, chien),
        papers_url(event, chien, "/new"),
        papers_url(event, chien, f"/{paper.id}"),
        f"/events/{event.slug}/papers",
        f"/events/{event.slug}/papers/call",
        f"/events/{event.slug}/papers/{paper.id}",
        f"/events/{event.slug}/reviews",
        f"/events/{event.slug}/reviews/{assignment.id}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        for tag in re.findall(r"<script[^>]*>", response.text):
            assert "src=" in tag, f"inline script on {url}"
        assert not re.search(r"\son\w+=", response.text), f"inline handler on {url}"
        assert " style=" not in response.text, f"inline style on {url}"


def test_a_new_person_registers_and_reaches_the_paper_form_from_the_e_mail(client, db):
    from conference.mail.models import OutboxMessage

    event, category, track, call, chien = open_call_setting()
    response = client.post(
        f"/events/{event.slug}/register?then=paper",
        data=registration_form(category, email="lan@sonla.example", given_name="Thị Lan"),
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Check your e-mail" in response.text and "submit your paper" in response.text
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "lan@sonla.example")
    )
    link = re.search(r"http://conference\.test/\S+/manage/\S+", mail.body_text).group(0)
    page = client.get(link)
    papers = re.search(r'href="(/events/[^"]+/papers)"', page.text).group(1)
    assert client.get(f"{papers}/new").status_code == 200


# Upload limits, storage quotas, a full disk (issue 11, #4 and #18) -------------------


def redis_db5() -> str:
    """Redis database 5 (an xdist worker's own), emptied (the counters of an earlier run
    would count), or skip."""
    from redis import Redis
    from redis.exceptions import ConnectionError

    url = redis_db_url(5)
    try:
        Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run has it)")
    return url


def new_version(client, url, n: int):
    return post_form(client, url, {"file": (io.BytesIO(pdf_bytes(f"Version {n}")), f"v{n}.pdf")})


def version_count(paper_id) -> int:
    return _db.session.scalar(
        select(func.count(PaperVersion.id)).where(PaperVersion.paper_id == paper_id)
    )


def test_the_31st_upload_in_an_hour_is_refused_across_app_servers_sharing_redis(
    make_app, database_url, tmp_path
):
    shared = database_url
    if database_url.startswith("sqlite"):
        shared = f"sqlite:///{tmp_path / 'shared.db'}"  # both servers see one database
    # REDIS_URL alone, as a production install sets it: the limits use it too.
    settings = {"RATELIMIT_ENABLED": True, "REDIS_URL": redis_db5(), "DATABASE_URL": shared}
    settings["SQLALCHEMY_DATABASE_URI"] = shared
    first = make_app(**settings)
    assert first.config["UPLOAD_RATE_LIMIT"] == "30 per hour"
    with first.app_context():
        event, category, track, call, chien = open_call_setting()
        paper = stored_paper(event, chien, "Houses of Wisdom")
        paper_id, url = paper.id, papers_url(event, chien, f"/{paper.id}/versions")
    for n in range(15):
        assert new_version(first.test_client(), url, n).status_code == 302
    # A second app server starts (its limiter connects afresh) and takes the next 15.
    second = make_app(**settings)
    for n in range(15, 30):
        assert new_version(second.test_client(), url, n).status_code == 302

    refused = new_version(second.test_client(), url, 30)

    assert refused.status_code == 429
    assert "30 uploads an hour" in refused.text
    with first.app_context():
        assert version_count(paper_id) == 31  # the first version and 30 new ones


def test_the_upload_limit_counts_the_delegate_however_their_link_is_spelled(make_app):

    app = make_app(RATELIMIT_ENABLED=True, UPLOAD_RATE_LIMIT="3 per hour")
    client = app.test_client()
    with app.app_context():
        event, category, track, call, chien = open_call_setting()
        paper = stored_paper(event, chien, "Houses of Wisdom")
        token = manage_token(chien)
        urls = [
            f"/events/{event.slug}/manage/{spelling}/papers/{paper.id}/versions"
            for spelling in [token, *other_spellings(token)]
        ]
        statuses = [new_version(client, url, n).status_code for n in range(4) for url in urls]
        assert statuses.count(302) == 3
        assert version_count(paper.id) == 1 + 3
        assert new_version(client, urls[0], 99).status_code == 429


def test_the_upload_limit_is_a_moving_hour_not_a_window_that_starts_afresh(make_app, monkeypatch):
    # A window that starts afresh lets a whole limit through at its end and another at the
    # start of the next one: twice the limit within a minute.
    from types import SimpleNamespace

    import limits.storage.memory

    now = [1_000_000.0]
    monkeypatch.setattr(limits.storage.memory, "time", SimpleNamespace(time=lambda: now[0]))
    app = make_app(RATELIMIT_ENABLED=True, UPLOAD_RATE_LIMIT="3 per hour")
    client = app.test_client()
    with app.app_context():
        event, category, track, call, chien = open_call_setting()
        paper = stored_paper(event, chien, "Houses of Wisdom")
        url = papers_url(event, chien, f"/{paper.id}/versions")
        assert new_version(client, url, 1).status_code == 302
        now[0] += 59 * 60
        assert [new_version(client, url, n).status_code for n in (2, 3)] == [302, 302]
        now[0] += 2 * 60  # the first upload is more than an hour old: one more may go
        assert [new_version(client, url, n).status_code for n in (4, 5)] == [302, 429]


def test_a_version_beyond_the_paper_s_storage_quota_is_refused_and_nothing_is_kept(make_app):
    app = make_app(PAPER_STORAGE_QUOTA=len(pdf_bytes("Version 1")) * 5 // 2)
    client = app.test_client()
    with app.app_context():
        event, category, track, call, chien = open_call_setting()
        paper = stored_paper(event, chien, "Houses of Wisdom")
        url = papers_url(event, chien, f"/{paper.id}/versions")
        assert new_version(client, url, 1).status_code == 302
        files = stored_files(app)

        refused = new_version(client, url, 2)

        assert refused.status_code == 422
        text = html.unescape(refused.text)
        assert "kept for each paper" in text and "does not fit" in text
        assert "write to the organisers" in text
        assert stored_files(app) == files
        assert version_count(paper.id) == 2


def test_a_delegate_beyond_their_storage_quota_cannot_submit_another_paper(make_app):
    size = len(pdf_bytes("Houses of Wisdom"))
    app = make_app(DELEGATE_STORAGE_QUOTA=size * 3 // 2)
    client = app.test_client()
    with app.app_context():
        event, category, track, call, chien = open_call_setting()
        stored_paper(event, chien, "Houses of Wisdom")
        files = stored_files(app)

        refused = submit_paper(client, event, chien, track, pdf_bytes("Another one"), "p.pdf")

        assert refused.status_code == 422
        assert "kept for each delegate" in html.unescape(refused.text)
        assert stored_files(app) == files
        assert paper_count(_db) == 1


def test_a_paper_whose_quota_is_used_up_says_so_and_receives_no_file(make_app, monkeypatch):
    app = make_app(PAPER_STORAGE_QUOTA=len(pdf_bytes("Houses of Wisdom")))
    client = app.test_client()
    with app.app_context():
        event, category, track, call, chien = open_call_setting()
        paper = stored_paper(event, chien, "Houses of Wisdom")
        page = client.get(papers_url(event, chien, f"/{paper.id}"))
        assert "take all of the" in html.unescape(page.text)

        def never(*args, **kwargs):
            raise AssertionError("the upload was read")

        monkeypatch.setattr(delegate_views, "_read_upload", never)
        response = new_version(client, papers_url(event, chien, f"/{paper.id}/versions"), 2)
        assert response.status_code == 302
        assert "take all of the" in html.unescape(client.get(response.location).text)
        assert version_count(paper.id) == 1


def test_a_full_disk_answers_507_with_a_clear_message_and_keeps_nothing(
    client, db, app, monkeypatch
):
    import errno
    import shutil

    event, category, track, call, chien = open_call_setting()
    monkeypatch.setattr(shutil, "copyfileobj", writes_then_fails(errno.ENOSPC))

    page = submit_paper(client, event, chien, track, pdf_bytes(), "paper.pdf")

    assert page.status_code == 507
    assert "no room left for files" in page.text and "<html" in page.text
    assert stored_files(app) == [] and paper_count(db) == 0

    api = post_form(
        client,
        papers_url(event, chien, "/new"),
        submission(chien, track, pdf_bytes(), "paper.pdf"),
        headers={"Accept": "application/json"},
    )
    assert api.status_code == 507
    assert "no room left for files" in api.json["message"]
    assert stored_files(app) == [] and paper_count(db) == 0


def test_an_upload_folder_that_cannot_be_used_answers_503_and_keeps_nothing(make_app, tmp_path):
    blocked = tmp_path / "uploads-is-a-file"
    blocked.write_text("the volume is not mounted")
    app = make_app(PAPERS_UPLOAD_DIR=str(blocked / "papers"))
    client = app.test_client()
    with app.app_context():
        event, category, track, call, chien = open_call_setting()

        response = submit_paper(client, event, chien, track, pdf_bytes(), "paper.pdf")

        assert response.status_code == 503
        assert "cannot store files right now" in response.text
        assert paper_count(_db) == 0


def test_a_full_disk_while_the_form_is_read_answers_507(client, db, app, monkeypatch):
    import errno

    from flask import Request

    event, category, track, call, chien = open_call_setting()

    class FullSpool(io.BytesIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Request, "_get_file_stream", lambda self, *args, **kwargs: FullSpool())

    response = submit_paper(client, event, chien, track, pdf_bytes(), "paper.pdf")

    assert response.status_code == 507
    assert "no room left for files" in response.text
    assert stored_files(app) == [] and paper_count(db) == 0
