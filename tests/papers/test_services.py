"""Calls for papers and submissions: dates, authors, versions, withdrawal, who sees what."""

import hashlib
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from conference.agenda.models import Track
from conference.errors import PermissionDenied, ValidationError
from conference.extensions import db as _db
from conference.mail.models import OutboxMessage
from conference.papers.authors import is_author
from conference.papers.calls import CallDetails, CriterionDetails, save_call
from conference.papers.models import CallForPapers, Paper, PaperAuthor, PaperVersion
from conference.papers.submissions import (
    AuthorDetails,
    SubmissionDetails,
    add_version,
    check_submission,
    submit,
    withdraw,
)
from conference.registration.links import email_proof, verify_email
from conference.registration.places import change_status
from tests.factories import (
    BEFORE_EDIT_DEADLINE,
    CLOSES,
    DURING,
    EDIT_DEADLINE,
    OPENS,
    PDF,
    Received,
    dated_call_setting,
    delegate,
    give_role,
    make_call,
    make_category,
    make_event,
    make_paper,
    make_user,
    received,
    submission_details,
)


def opened_their_mail(registration):
    """The delegate opened the management link from their e-mail: their address is theirs."""
    assert verify_email(registration, email_proof(registration))
    return registration


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def nothing_saved():
    return count(Paper) == count(PaperAuthor) == count(PaperVersion) == count(OutboxMessage) == 0


# The call ----------------------------------------------------------------------------


def test_call_keeps_local_times_in_utc_and_the_defaults(db):
    event = make_event(timezone="Asia/Bangkok")
    call = save_call(
        event, CallDetails(opens_at=datetime(2024, 5, 1, 9), closes_at=datetime(2024, 7, 1, 17))
    )
    db.session.commit()
    assert call.opens_at == datetime(2024, 5, 1, 2, tzinfo=UTC)  # 09:00 in Bangkok
    assert call.last_edit_at == call.closes_at  # no edit deadline: until the call closes
    assert call.allowed_kinds == ["pdf", "docx", "pptx", "odt", "odp"]
    assert call.max_bytes == 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_at": OPENS}, "closes_at"),
        ({"edit_deadline": CLOSES - timedelta(days=1)}, "edit_deadline"),
        ({"allowed_kinds": ("pdf", "exe")}, "allowed_kinds"),
        ({"allowed_kinds": ()}, "allowed_kinds"),
        ({"max_bytes": 0}, "max_bytes"),
        ({"max_bytes": 64 * 1024 * 1024}, "max_bytes"),  # above the server's request limit
        ({"abstract_word_limit": 0}, "abstract_word_limit"),
        (
            {"criteria": (CriterionDetails("Clarity"), CriterionDetails(" clarity "))},
            "criteria-1-name",
        ),
        ({"criteria": (CriterionDetails("Clarity", max_score=0),)}, "criteria-0-max_score"),
    ],
)
def test_a_bad_call_is_refused_and_nothing_is_saved(db, overrides, field):
    event = make_event()
    values = {"opens_at": OPENS, "closes_at": CLOSES, **overrides}
    with pytest.raises(ValidationError) as refused:
        save_call(event, CallDetails(**values))
    assert refused.value.field == field
    db.session.rollback()
    assert count(CallForPapers) == 0


def test_call_topics_must_be_tracks_of_the_event(db):
    event, other = make_event(), make_event()
    foreign = Track(event_id=other.id, name="Elsewhere")
    mine = Track(event_id=event.id, name="Inclusion and equity")
    db.session.add_all([foreign, mine])
    db.session.commit()
    with pytest.raises(ValidationError, match="this event's tracks"):
        make_call(event, topic_ids=(foreign.id,))
    db.session.rollback()
    call = make_call(event, topic_ids=(mine.id,))
    assert [t.name for t in call.topics] == ["Inclusion and equity"]


# Submitting --------------------------------------------------------------------------


def test_submission_keeps_the_paper_its_authors_and_version_one(db):
    event, category, _, submitter = dated_call_setting()
    co_author = delegate(event, category, email="lan@hcmc.example", organisation="HCMC Open U")
    paper = make_paper(
        event,
        submitter,
        AuthorDetails("Nguyễn Thị Lan", "HCMC Open University", "LAN@hcmc.example"),
        AuthorDetails("Kim Min-jun", "Suwon Lifelong Learning", "kim@suwon.example"),
        file=received(filename="son-la.pdf"),
    )

    assert paper.status == "submitted"
    assert [(a.position, a.email, a.is_presenting) for a in paper.authors] == [
        (0, "chien@sonla.example", True),
        (1, "lan@hcmc.example", False),
        (2, "kim@suwon.example", False),
    ]
    # Co-authors who are registered are linked, so their own management link shows it.
    assert [a.registration_id for a in paper.authors] == [submitter.id, co_author.id, None]
    [version] = paper.versions
    assert (version.number, version.original_filename, version.size) == (1, "son-la.pdf", len(PDF))
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.uploaded_by_id == submitter.id and version.uploaded_at == DURING
    # Every author is told, once each.
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert [m.recipient for m in mails] == [
        "chien@sonla.example",
        "kim@suwon.example",
        "lan@hcmc.example",
    ]
    assert all(m.subject.startswith("Paper received") for m in mails)
    assert "We have received your paper" in mails[0].body_text
    assert "naming you as an author" in mails[1].body_text
    assert "register to follow the paper" in mails[1].body_text  # Kim is not registered
    assert "Follow the paper with your private registration link" in mails[2].body_text


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (OPENS - timedelta(minutes=1), "opens on 1 May 2024, 16:00 \\(Asia/Bangkok\\)"),
        (CLOSES, "closed on 1 Jul 2024, 16:00 \\(Asia/Bangkok\\)"),
    ],
)
def test_submission_outside_the_call_is_refused(db, now, message):
    event, _, _, submitter = dated_call_setting()
    with pytest.raises(ValidationError, match=message):
        submit(event, submitter, submission_details(submitter.email), received(), now=now)
    db.session.rollback()
    assert nothing_saved()


def test_an_event_without_a_call_takes_no_papers(db):
    event = make_event()
    submitter = delegate(event, make_category(event))
    with pytest.raises(ValidationError, match="has no call for papers"):
        submit(event, submitter, submission_details(submitter.email), received(), now=DURING)


def bad_submissions(event, category):
    lan = delegate(event, category, email="lan@hcmc.example")
    long_abstract = " ".join(["word"] * 51)
    presenter = "chien@sonla.example"
    co_author = AuthorDetails("Nguyễn Thị Lan", "HCMC Open University", lan.email)
    return [
        (submission_details(presenter, title="   "), "title", "title"),
        (submission_details(presenter, title="x" * 301), "title", "at most 300"),
        (submission_details(presenter, abstract=""), "abstract", "Write an abstract"),
        (
            submission_details(presenter, abstract=long_abstract),
            "abstract",
            "51 words; the limit is 50",
        ),
        (submission_details(presenter, track_id=999), "track_id", "call's topics"),
        (submission_details(presenter, authors=[]), "authors", "at least one author"),
        (
            submission_details(presenter, AuthorDetails("Lan", "HCMC", "not-an-address")),
            "authors-1-email",
            "valid e-mail",
        ),
        (
            submission_details(
                presenter, AuthorDetails("Chiến again", "Son La", presenter.upper())
            ),
            "authors-1-email",
            "listed twice",
        ),
        (
            submission_details(presenter, AuthorDetails("", "HCMC", lan.email)),
            "authors-1-name",
            "name",
        ),
        (
            submission_details(presenter, AuthorDetails("Lan", " ", lan.email)),
            "authors-1-organisation",
            "Independent",
        ),
        (
            submission_details(presenter, AuthorDetails("Lan", "HCMC", lan.email, True)),
            "authors",
            "Only one author can present",
        ),
        (
            SubmissionDetails("T", "A", authors=[co_author]),
            "authors",
            "Choose one presenting author",
        ),
        (
            submission_details("nobody@example.org"),
            "authors",
            "nobody@example.org\\) must be registered",
        ),
    ]


def test_bad_submissions_are_refused_with_the_field_and_nothing_is_saved(db):
    event, category, _, submitter = dated_call_setting()
    for data, field, message in bad_submissions(event, category):
        with pytest.raises(ValidationError, match=message) as refused:
            submit(event, submitter, data, received(), now=DURING)
        assert refused.value.field == field
        db.session.rollback()
        assert nothing_saved(), field


def test_check_submission_reports_every_problem_at_once(db):
    event, category, _, submitter = dated_call_setting()
    topic = Track(event_id=event.id, name="Inclusion and equity")
    db.session.add(topic)
    db.session.commit()
    call = make_call(event, topic_ids=(topic.id,))
    data = SubmissionDetails(
        title="Building a learning city where no one is left behind",
        abstract=" ".join(["word"] * 51),
        authors=[
            AuthorDetails("Hà Trung Chiến", "Son La", submitter.email),
            AuthorDetails("Nguyễn Thị Lan", "HCMC", "not-an-address"),
            AuthorDetails("Kim Min-jun", "Suwon", "kim@"),
        ],
    )

    problems = check_submission(call, data)

    assert [p.field for p in problems] == [
        "abstract",
        "track_id",
        "authors-1-email",
        "authors-2-email",
        "authors",
    ]
    assert "Choose one presenting author." in problems[-1].message
    assert nothing_saved()
    assert check_submission(call, submission_details(submitter.email, track_id=topic.id)) == []


def test_the_presenter_may_be_a_registered_co_author(db):
    event, category, _, submitter = dated_call_setting()
    lan = delegate(event, category, email="lan@hcmc.example")
    data = submission_details(
        submitter.email, AuthorDetails("Nguyễn Thị Lan", "HCMC", lan.email, True)
    )
    data.authors[0].presenting = False
    paper = submit(event, submitter, data, received(), now=DURING)
    assert paper.presenting_author.email == "lan@hcmc.example"


def test_a_cancelled_presenter_cannot_present(db):
    event, category, _, submitter = dated_call_setting()
    lan = delegate(event, category, email="lan@hcmc.example")
    change_status(lan, "cancel", notify_delegate=False)
    db.session.commit()
    data = submission_details(
        submitter.email, AuthorDetails("Nguyễn Thị Lan", "HCMC", lan.email, True)
    )
    data.authors[0].presenting = False
    with pytest.raises(ValidationError, match="must be registered"):
        submit(event, submitter, data, received(), now=DURING)


def test_topic_must_be_one_of_the_calls_topics(db):
    event = make_event()
    other = make_event()
    topic = Track(event_id=event.id, name="Inclusion and equity")
    foreign = Track(event_id=other.id, name="Inclusion and equity")
    db.session.add_all([topic, foreign])
    db.session.commit()
    make_call(event, topic_ids=(topic.id,))
    submitter = delegate(event, make_category(event), email="chien@sonla.example")
    with pytest.raises(ValidationError, match="Choose a topic") as refused:
        submit(event, submitter, submission_details(submitter.email), received(), now=DURING)
    assert refused.value.field == "track_id"
    with pytest.raises(ValidationError, match="call's topics"):
        submit(
            event,
            submitter,
            submission_details(submitter.email, track_id=foreign.id),
            received(),
            now=DURING,
        )
    paper = make_paper(event, submitter, track_id=topic.id)
    assert paper.track.name == "Inclusion and equity"


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            received(b"<html>", "paper.html", kind="html"),
            "accepts PDF, DOCX.* files; “paper.html” is HTML",
        ),
        (received(b"", "empty.pdf"), "“empty.pdf” is empty"),
    ],
)
def test_a_file_the_call_does_not_accept_is_refused(db, file, message):
    event, _, _, submitter = dated_call_setting()
    with pytest.raises(ValidationError, match=message) as refused:
        submit(event, submitter, submission_details(submitter.email), file, now=DURING)
    assert refused.value.field == "file"
    db.session.rollback()
    assert nothing_saved()


def test_a_file_over_the_calls_size_limit_is_refused(db):
    event, _, call, submitter = dated_call_setting()
    call.max_bytes = 1024 * 1024
    db.session.commit()
    big = received(b"%PDF" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        submit(event, submitter, submission_details(submitter.email), big, now=DURING)


def test_cancelled_or_foreign_registrations_cannot_submit(db):
    event, category, _, submitter = dated_call_setting()
    stranger_event = make_event()
    stranger = delegate(stranger_event, make_category(stranger_event))
    with pytest.raises(PermissionDenied):
        submit(event, stranger, submission_details(stranger.email), received(), now=DURING)
    change_status(submitter, "cancel", notify_delegate=False)
    db.session.commit()
    with pytest.raises(ValidationError, match="cancelled"):
        submit(event, submitter, submission_details(submitter.email), received(), now=DURING)


# Versions ----------------------------------------------------------------------------


def test_new_versions_are_numbered_and_every_version_is_kept(db):
    event, category, _, submitter = dated_call_setting()
    lan = opened_their_mail(delegate(event, category, email="lan@hcmc.example"))
    paper = make_paper(event, submitter, AuthorDetails("Lan", "HCMC", lan.email))
    add_version(paper, received(PDF + b"v2", "v2.pdf"), submitter, now=DURING)
    # A co-author uploads through their own registration.
    third = add_version(paper, received(PDF + b"v3", "v3.pdf"), lan, now=BEFORE_EDIT_DEADLINE)
    db.session.commit()
    assert third.number == 3 and third.uploaded_by_id == lan.id
    assert [(v.number, v.original_filename) for v in paper.versions] == [
        (1, "paper.pdf"),
        (2, "v2.pdf"),
        (3, "v3.pdf"),
    ]
    assert paper.latest_version.number == 3


def test_no_new_version_after_the_edit_deadline(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    with pytest.raises(ValidationError, match="until 1 Aug 2024, 16:00 \\(Asia/Bangkok\\)"):
        add_version(paper, received(PDF + b"late"), submitter, now=EDIT_DEADLINE)
    db.session.rollback()
    assert [v.number for v in paper.versions] == [1]
    assert paper.version_count == 1


def test_only_authors_upload_versions(db):
    event, category, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    stranger = delegate(event, category)
    with pytest.raises(PermissionDenied):
        add_version(paper, received(PDF + b"x"), stranger, now=DURING)


def test_the_same_file_again_is_not_a_new_version(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    with pytest.raises(ValidationError, match="same as version 1"):
        add_version(paper, received(), submitter, now=DURING)


def test_a_revision_request_allows_a_version_after_the_deadline(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    paper.status = "revise"
    db.session.commit()
    version = add_version(paper, received(PDF + b"revised"), submitter, now=EDIT_DEADLINE)
    assert version.number == 2
    assert paper.status == "submitted"  # back for the organisers' decision


def test_a_revised_paper_goes_back_to_its_reviewers(db):
    from conference.papers.assigning import assign_reviewer

    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    reviewer = make_user(name="Ada Reviewer")
    give_role(event, reviewer, "reviewer")
    assign_reviewer(paper, reviewer)
    paper.status = "revise"
    db.session.commit()

    add_version(paper, received(PDF + b"revised"), submitter, now=DURING)

    assert paper.status == "under_review"  # not "submitted": the reviewers are still on it


def test_simultaneous_uploads_get_consecutive_numbers(make_app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("needs PostgreSQL: concurrent writers (SQLite serialises writes anyway)")
    app = make_app(MAIL_DELIVER_AFTER_COMMIT=False)
    with app.app_context():
        event, _, _, submitter = dated_call_setting()
        paper_id = make_paper(event, submitter).id
        submitter_id = submitter.id

    start = threading.Barrier(8)
    errors = []

    def upload(n):
        from conference.registration.models import Registration

        with app.app_context():
            try:
                paper = _db.session.get(Paper, paper_id)
                by = _db.session.get(Registration, submitter_id)
                start.wait()
                add_version(paper, received(PDF + str(n).encode()), by, now=DURING)
                _db.session.commit()
            except Exception as exc:  # every failure is a test failure, reported below
                errors.append(repr(exc))
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with app.app_context():
        numbers = _db.session.scalars(
            select(PaperVersion.number).where(PaperVersion.paper_id == paper_id)
        ).all()
        assert sorted(numbers) == list(range(1, 10))
        assert _db.session.get(Paper, paper_id).version_count == 9


# Changing and withdrawing ------------------------------------------------------------


def test_an_author_withdraws_and_the_versions_stay(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    withdraw(paper, submitter, now=DURING)
    db.session.commit()
    assert paper.status == "withdrawn" and paper.withdrawn_at == DURING
    assert len(paper.versions) == 1
    with pytest.raises(ValidationError, match="withdrawn already"):
        withdraw(paper, submitter)
    with pytest.raises(ValidationError, match="withdrawn: it cannot change"):
        add_version(paper, received(PDF + b"2"), submitter, now=DURING)


def test_a_stranger_cannot_withdraw_and_an_accepted_paper_is_withdrawn_by_organisers(db):
    event, category, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    with pytest.raises(PermissionDenied):
        withdraw(paper, delegate(event, category))
    paper.status = "accepted"
    db.session.commit()
    with pytest.raises(ValidationError, match="write to the organisers"):
        withdraw(paper, submitter)
    assert paper.status == "accepted"


# Who sees what -----------------------------------------------------------------------


def test_delegates_see_their_own_and_co_authored_papers_only(db):
    from conference.papers.authors import papers_visible_to

    event, category, _, submitter = dated_call_setting()
    lan = delegate(event, category, email="lan@hcmc.example")
    paper = make_paper(
        event,
        submitter,
        AuthorDetails("Lan", "HCMC", lan.email),
        AuthorDetails("Kim", "Suwon", "kim@suwon.example"),
    )
    stranger = delegate(event, category, email="somchai@bangkok.example")
    # Kim registers after the submission: the e-mail address still finds the paper, once
    # she has opened her link from the e-mail (anyone can type her address in the form).
    kim = delegate(event, category, email="kim@suwon.example")
    assert papers_visible_to(kim) == [] and not is_author(paper, kim)
    opened_their_mail(kim)
    opened_their_mail(lan)
    # The same address at another event sees nothing of this one.
    other = make_event()
    elsewhere = opened_their_mail(delegate(other, make_category(other), email="lan@hcmc.example"))

    for who in (submitter, lan, kim):
        assert papers_visible_to(who) == [paper]
        assert is_author(paper, who)
    for who in (stranger, elsewhere):
        assert papers_visible_to(who) == []
        assert not is_author(paper, who)
    assert not is_author(paper, None)


def test_a_registration_that_took_an_authors_address_and_left_it_gets_no_access(db):
    from conference.papers.authors import papers_visible_to
    from conference.registration.registering import update_registration
    from tests.factories import registration_data

    event, category, _, submitter = dated_call_setting()
    # A stranger registers with Lan's address before the paper names her: the paper's
    # author row is linked to the stranger's registration...
    stranger = delegate(event, category, email="lan@hcmc.example")
    paper = make_paper(event, submitter, AuthorDetails("Lan", "HCMC", "lan@hcmc.example"))
    assert paper.authors[1].registration_id == stranger.id
    # ...who then moves the registration to an address of their own and proves that one.
    update_registration(stranger, registration_data(category, email="mallory@evil.example"))
    opened_their_mail(stranger)
    _db.session.commit()

    assert not is_author(paper, stranger)
    assert papers_visible_to(stranger) == []
    with pytest.raises(PermissionDenied):
        withdraw(paper, stranger)


def test_organisers_list_the_papers_by_status_and_topic(db):
    from conference.papers.overview import event_papers

    event = make_event()
    topics = [Track(event_id=event.id, name=name) for name in ("Inclusion", "Green cities")]
    db.session.add_all(topics)
    db.session.commit()
    make_call(event, topic_ids=tuple(t.id for t in topics))
    submitter = delegate(event, make_category(event), email="chien@sonla.example")
    first = make_paper(event, submitter, title="First", track_id=topics[0].id)
    second = make_paper(event, submitter, title="Second", track_id=topics[1].id)
    withdraw(second, submitter)
    other = make_event()
    make_call(other)
    make_paper(other, delegate(other, make_category(other)))

    assert event_papers(event) == [first, second]
    assert event_papers(event, status="withdrawn") == [second]
    assert event_papers(event, track_id=topics[0].id) == [first]


# Storage quotas (issue 11, #4) -------------------------------------------------------


def sized(size: int, tag: str) -> Received:
    """A received PDF of ``size`` bytes (nothing on disk: the services only count)."""
    return Received(
        key=uuid.uuid4().hex,
        size=size,
        sha256=hashlib.sha256(tag.encode()).hexdigest(),
        filename=f"{tag}.pdf",
    )


MB = 1024 * 1024


def test_versions_are_kept_until_the_paper_s_quota_and_the_one_past_it_is_refused(app, db):
    from conference.papers.quotas import StorageQuotaExceeded

    app.config.update(PAPER_STORAGE_QUOTA=50 * MB)
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter, file=sized(20 * MB, "v1"))
    add_version(paper, sized(20 * MB, "v2"), submitter, now=DURING)
    db.session.commit()

    with pytest.raises(StorageQuotaExceeded) as caught:
        add_version(paper, sized(11 * MB, "v3"), submitter, now=DURING)
    db.session.rollback()

    assert caught.value.field == "file"
    assert caught.value.message.startswith(
        "This file (11 MB) does not fit: the paper's earlier versions take 40 MB of the "
        "50 MB kept for each paper."
    )
    assert "write to the organisers" in caught.value.message
    assert [v.number for v in paper.versions] == [1, 2]
    add_version(paper, sized(10 * MB, "v3"), submitter, now=DURING)  # exactly at the quota
    db.session.commit()
    with pytest.raises(StorageQuotaExceeded, match="take all of the 50 MB kept for each paper"):
        add_version(paper, sized(1, "v4"), submitter, now=DURING)


def test_the_delegate_s_quota_counts_what_they_uploaded_to_every_paper(app, db):
    from conference.papers.quotas import StorageQuotaExceeded

    app.config.update(DELEGATE_STORAGE_QUOTA=30 * MB)
    event, category, _, submitter = dated_call_setting()
    first = make_paper(event, submitter, file=sized(15 * MB, "a"))
    make_paper(event, submitter, file=sized(10 * MB, "b"), title="Another paper")

    with pytest.raises(StorageQuotaExceeded, match="the files you have uploaded take 25 MB"):
        submit(
            event, submitter, submission_details(submitter.email), sized(6 * MB, "c"), now=DURING
        )
    db.session.rollback()
    with pytest.raises(StorageQuotaExceeded, match="kept for each delegate"):
        add_version(first, sized(6 * MB, "d"), submitter, now=DURING)
    db.session.rollback()
    assert count(Paper) == 2 and count(PaperVersion) == 2


def test_a_co_author_s_uploads_count_against_their_own_quota(app, db):
    app.config.update(DELEGATE_STORAGE_QUOTA=30 * MB)
    event, category, _, submitter = dated_call_setting()
    lan = opened_their_mail(delegate(event, category, email="lan@sonla.example"))
    paper = make_paper(
        event,
        submitter,
        AuthorDetails("Lan", "Son La", "lan@sonla.example"),
        file=sized(20 * MB, "a"),
    )
    add_version(paper, sized(20 * MB, "b"), lan, now=DURING)
    db.session.commit()
    assert [v.uploaded_by_id for v in paper.versions] == [submitter.id, lan.id]


def test_a_delegate_whose_quota_is_used_up_is_told_before_sending_a_file(app, db):
    from conference.papers.quotas import StorageQuotaExceeded
    from conference.papers.submissions import check_can_submit

    app.config.update(DELEGATE_STORAGE_QUOTA=10 * MB)
    event, _, _, submitter = dated_call_setting()
    make_paper(event, submitter, file=sized(10 * MB, "a"))
    with pytest.raises(StorageQuotaExceeded, match="take all of the 10 MB kept for each delegate"):
        check_can_submit(event, submitter, now=DURING)


def test_simultaneous_uploads_by_one_delegate_cannot_pass_the_quota_together(
    make_app, database_url, monkeypatch
):
    if database_url.startswith("sqlite"):
        pytest.skip("needs PostgreSQL: concurrent writers (SQLite serialises writes anyway)")
    import time

    from conference.papers import quotas

    counted = quotas.delegate_storage_used

    def slowly_counted(registration):
        time.sleep(0.2)  # widens the moment between adding a version and counting
        return counted(registration)

    monkeypatch.setattr(quotas, "delegate_storage_used", slowly_counted)
    app = make_app(MAIL_DELIVER_AFTER_COMMIT=False, DELEGATE_STORAGE_QUOTA=35 * MB)
    with app.app_context():
        event, _, _, submitter = dated_call_setting()
        paper_ids = [
            make_paper(event, submitter, file=sized(10 * MB, f"p{n}"), title=f"Paper {n}").id
            for n in range(3)
        ]
        submitter_id = submitter.id

    start = threading.Barrier(6)
    outcomes = []

    def upload(n):
        from conference.papers.quotas import StorageQuotaExceeded
        from conference.registration.models import Registration

        with app.app_context():
            try:
                paper = _db.session.get(Paper, paper_ids[n % 3])
                by = _db.session.get(Registration, submitter_id)
                start.wait()
                add_version(paper, sized(4 * MB, f"new{n}"), by, now=DURING)
                _db.session.commit()
                outcomes.append("kept")
            except StorageQuotaExceeded:
                _db.session.rollback()
                outcomes.append("refused")
            except Exception as exc:  # every other failure is a test failure
                outcomes.append(repr(exc))
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # 30 MB are used; 35 MB leave room for one 4 MB file, whichever comes first.
    assert sorted(outcomes) == ["kept"] + ["refused"] * 5
    with app.app_context():
        total = _db.session.scalar(select(func.sum(PaperVersion.size)))
        assert total == 34 * MB
