"""Messages to delegates, without HTTP: who a filter selects, who a message goes to (an
address, and consent for news), what each delegate receives, and that a sending run
again (its worker died, or someone resumed it) sends nobody a second copy."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from conference.dbtypes import utcnow
from conference.errors import ValidationError
from conference.extensions import db as _db
from conference.jobs.models import Job, JobStatus
from conference.jobs.services import reap_dead_jobs
from conference.mail.models import OutboxMessage
from conference.messages import services
from conference.messages.audience import Audience, count_audience, read_audience, recipients_query
from conference.messages.models import EventMessage, MessageRecipient
from conference.messages.services import (
    preview_draft,
    preview_token,
    read_draft,
    resume_sending,
    send_test,
    start_sending,
)
from tests.factories import (
    bulk_registrations,
    delegate,
    make_category,
    make_event,
    make_user,
    organiser_of,
)

BODY = (
    "Dear {formal_name},\n\nThe shuttle leaves at 8:00.\n"
    "Your agenda: {agenda_link}\nYour registration: {manage_link}"
)


def _ids(forum, kind="registration", **filters):
    query = recipients_query(forum.event, Audience(**filters), kind)
    return [r.id for r in _db.session.scalars(query)]


def test_each_filter_selects_its_delegates(forum):
    f = forum
    assert _ids(f) == [f.khai.id, f.somchai.id, f.pending.id, f.head.id]
    assert _ids(f, status="pending_approval") == [f.pending.id]
    assert _ids(f, status="confirmed", category_id=f.delegates.id) == [f.khai.id, f.head.id]
    assert _ids(f, country="TH") == [f.somchai.id]
    assert _ids(f, delegation_id=f.head.delegation_id) == [f.head.id]
    assert _ids(f, session_id=f.session.id) == [f.khai.id]
    assert _ids(f, arrived="yes") == [f.somchai.id]
    assert _ids(f, arrived="no") == [f.khai.id, f.pending.id, f.head.id]
    assert _ids(f, country="TH", arrived="no") == []


def test_members_without_an_address_are_skipped_and_counted(forum):
    count = count_audience(
        forum.event, Audience(delegation_id=forum.head.delegation_id), "registration"
    )
    assert (count.selected, count.recipients, count.no_address, count.no_consent) == (2, 1, 1, 0)
    assert forum.member.id not in _ids(forum)


def test_news_goes_only_to_those_who_consented(forum):
    assert _ids(forum, kind="news") == [forum.khai.id, forum.head.id]
    count = count_audience(forum.event, Audience(), "news")
    assert (count.selected, count.recipients, count.no_address, count.no_consent) == (5, 2, 1, 2)
    # About their own registration: everyone with an address, consent or not.
    assert count_audience(forum.event, Audience(), "registration").recipients == 4


def test_a_filter_naming_another_events_rows_is_refused(forum):
    other = make_event()
    elsewhere = make_category(other, "Delegate")
    with pytest.raises(ValidationError) as refused:
        read_audience(forum.event, {"category_id": str(elsewhere.id)})
    assert (refused.value.field, refused.value.message) == (
        "category_id",
        "This event has no such category.",
    )
    with pytest.raises(ValidationError) as refused:
        read_audience(forum.event, {"status": "everyone"})
    assert refused.value.field == "status"
    with pytest.raises(ValidationError) as refused:
        read_audience(forum.event, {"session_id": "1.5"})
    assert refused.value.field == "session_id"


def test_a_draft_with_unknown_or_malformed_placeholders_is_refused_naming_them(forum):
    with pytest.raises(ValidationError) as refused:
        read_draft(forum.event, "registration", "Hello {frist_name}", "Body", {})
    assert refused.value.field == "subject"
    assert "Unknown placeholder: {frist_name}." in refused.value.message
    with pytest.raises(ValidationError) as refused:
        read_draft(forum.event, "news", "Hello", "{name.__class__.__init__.__globals__}", {})
    assert refused.value.field == "body"
    assert "Not a placeholder: {name.__class__.__init__.__globals__}" in refused.value.message
    with pytest.raises(ValidationError) as refused:
        read_draft(forum.event, "spam", "Hello", "Body", {})
    assert refused.value.field == "kind"


def _draft(forum, kind="registration", body=BODY, **filters):
    return read_draft(forum.event, kind, "Shuttle for {name}", body, filters)


def test_the_preview_is_the_chosen_recipients_e_mail_without_the_mailbox_proof(forum):
    preview = preview_draft(forum.event, _draft(forum), forum.somchai.id)
    assert preview.count.recipients == 4
    assert [rid for rid, _ in preview.choices] == [
        forum.khai.id,
        forum.somchai.id,
        forum.pending.id,
        forum.head.id,
    ]
    rendered = preview.rendered
    assert rendered.recipient.id == forum.somchai.id
    assert rendered.subject == "Shuttle for Somchai Jaidee"
    assert rendered.text.startswith("Dear Dr Somchai Jaidee,\n\nThe shuttle leaves at 8:00.")
    assert "/agenda" in rendered.text and "verify=" not in rendered.text
    # Someone the message does not go to (no address) is not previewed: the first is.
    assert preview_draft(forum.event, _draft(forum), forum.member.id).rendered.recipient.id == (
        forum.khai.id
    )


def _send(forum, draft, user=None):
    preview = preview_draft(forum.event, draft)
    message = start_sending(
        forum.event,
        draft,
        user or organiser_of(forum.event),
        previewed=preview.token,
        expected=preview.count.recipients,
    )
    _db.session.commit()  # the job runs (inline in the tests)
    _db.session.refresh(message)
    return message


def _outbox(subject_start="Shuttle"):
    return list(
        _db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subject.startswith(subject_start))
            .order_by(OutboxMessage.id)
        )
    )


def test_sending_queues_each_recipients_own_e_mail_and_records_it(forum):
    message = _send(forum, _draft(forum, status="confirmed"))
    assert message.finished_at is not None and message.job.status == JobStatus.FINISHED
    assert (message.selected_count, message.planned_count, message.no_address_count) == (4, 3, 1)
    assert message.sent_count == 3
    assert message.filter_summary == "Confirmed"
    sent = _outbox()
    assert [m.recipient for m in sent] == [
        "khai@hanoi.example",
        "somchai@bangkok.example",
        "sokha@pp.example",
    ]
    khai = sent[0]
    assert khai.subject == "Shuttle for Nguyễn Thị Minh Khai"
    assert khai.reply_to == "team@forum.example"
    assert khai.registration_id == forum.khai.id
    assert "Dear Ms Nguyễn Thị Minh Khai," in khai.body_text
    assert "Dear Ms Nguyễn Thị Minh Khai," in khai.body_html
    # The e-mail to the delegate's own address carries the link that proves the mailbox.
    assert "verify=" in khai.body_text
    recipients = _db.session.scalars(
        select(MessageRecipient).where(MessageRecipient.message_id == message.id)
    ).all()
    assert {(r.registration_id, r.outbox_message_id) for r in recipients} == {
        (m.registration_id, m.id) for m in sent
    }


def test_news_is_sent_with_a_way_to_stop_it(forum):
    message = _send(forum, _draft(forum, kind="news", body="Our next forum is in Suwon."))
    assert message.sent_count == 2 and message.no_consent_count == 2
    sent = _outbox()
    assert [m.registration_id for m in sent] == [forum.khai.id, forum.head.id]
    assert "because you chose to appear in its participant list" in sent[0].body_text
    assert "verify=" in sent[0].body_text  # the link to untick it


def test_a_delegates_name_is_never_markup_nor_a_placeholder(forum):
    event = forum.event
    odd = delegate(
        event,
        forum.delegates,
        given_name='<img src=x onerror="alert(1)">',
        family_name="{manage_link}",
        native_name="",
        country="TH",
        email="odd@example.org",
    )
    rendered = preview_draft(event, _draft(forum), odd.id).rendered
    assert "<img" not in rendered.html and "&lt;img src=x" in rendered.html
    assert '<img src=x onerror="alert(1)"> {manage_link}' in rendered.subject
    assert "Dear Mr <img src=x" in rendered.text  # the text part is text: shown as typed


def test_sending_asks_for_the_draft_and_count_that_were_previewed(forum):
    draft = _draft(forum)
    preview = preview_draft(forum.event, draft)
    changed = read_draft(forum.event, "registration", "Shuttle", "Another text", {})
    with pytest.raises(ValidationError, match="changed since the preview"):
        start_sending(
            forum.event,
            changed,
            organiser_of(forum.event),
            previewed=preview.token,
            expected=preview.count.recipients,
        )
    delegate(forum.event, forum.delegates, email="late@example.org")  # the selection grew
    with pytest.raises(ValidationError, match="now selects 5 recipients, not 4"):
        start_sending(
            forum.event,
            draft,
            organiser_of(forum.event),
            previewed=preview.token,
            expected=preview.count.recipients,
        )
    nobody = _draft(forum, country="JP")
    with pytest.raises(ValidationError, match="no one to send it to"):
        start_sending(
            forum.event,
            nobody,
            organiser_of(forum.event),
            previewed=preview_token(nobody),
            expected=0,
        )
    assert _db.session.scalar(select(func.count(EventMessage.id))) == 0


def test_a_test_goes_to_the_organiser_alone_and_is_no_message(forum):
    organiser = make_user(email="olivia@forum.example")
    queued = send_test(forum.event, _draft(forum), organiser, forum.khai.id)
    _db.session.commit()
    assert queued.recipient == "olivia@forum.example"
    assert queued.subject == "[Test] Shuttle for Nguyễn Thị Minh Khai"
    assert queued.registration_id is None
    assert "A test, sent to you alone" in queued.body_text
    assert "verify=" not in queued.body_text  # no proof of the delegate's mailbox
    assert [m.recipient for m in _outbox("[Test]")] == ["olivia@forum.example"]
    assert _outbox() == []
    assert _db.session.scalar(select(func.count(EventMessage.id))) == 0


def test_a_sending_cut_short_is_resumed_and_nobody_gets_it_twice(forum, monkeypatch):
    monkeypatch.setattr(services, "CHUNK", 2)
    real_queue = services.queue_mail
    calls = []

    def dies_on_the_third(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 3:
            raise ConnectionError("the database went away")
        return real_queue(*args, **kwargs)

    monkeypatch.setattr(services, "queue_mail", dies_on_the_third)
    message = _send(forum, _draft(forum))
    # The first chunk (two people) was committed; the run stopped in the second.
    assert message.job.status == JobStatus.FAILED
    assert message.state == "stopped" and message.sent_count == 2
    assert len(_outbox()) == 2

    monkeypatch.setattr(services, "queue_mail", real_queue)
    resume_sending(message, organiser_of(forum.event))
    _db.session.commit()
    _db.session.refresh(message)
    assert message.state == "sent" and message.sent_count == 4
    sent = [m.registration_id for m in _outbox()]
    assert sorted(sent) == sorted(
        [forum.khai.id, forum.somchai.id, forum.pending.id, forum.head.id]
    )
    with pytest.raises(ValidationError, match="sent to everyone already"):
        resume_sending(message, organiser_of(forum.event))


def test_a_job_restarted_after_its_worker_died_sends_nobody_twice(forum):
    message = _send(forum, _draft(forum))
    assert len(_outbox()) == 4
    # The worker died after the last chunk, before recording the job's end: the reaper
    # finds the lease run out and starts the job over.
    _db.session.execute(
        update(Job)
        .where(Job.id == message.job_id)
        .values(status=JobStatus.RUNNING, lease_expires_at=utcnow() - timedelta(seconds=1))
    )
    _db.session.commit()
    assert [j.id for j in reap_dead_jobs()] == [message.job_id]
    _db.session.commit()  # the job runs again
    job = _db.session.get(Job, message.job_id)
    _db.session.refresh(job)
    assert (job.status, job.attempts) == (JobStatus.FINISHED, 2)
    assert len(_outbox()) == 4
    assert job.result["sent"] == 4


def test_the_database_refuses_a_second_copy_for_one_delegate(forum):
    message = _send(forum, _draft(forum))
    _db.session.add(
        MessageRecipient(
            message_id=message.id, registration_id=forum.khai.id, email="khai@hanoi.example"
        )
    )
    with pytest.raises(IntegrityError):
        _db.session.flush()
    _db.session.rollback()


def test_a_large_selection_is_queued_a_chunk_at_a_time(db, monkeypatch):
    from conference.jobs import services as jobs

    event = make_event()
    ids = bulk_registrations(event, make_category(event, "Delegate"), 120)
    monkeypatch.setattr(services, "CHUNK", 50)
    reported = []
    report = jobs.Progress.__call__

    def spy(progress, done, total=None, message=None):
        reported.append((done, total))
        return report(progress, done, total, message)

    monkeypatch.setattr(jobs.Progress, "__call__", spy)
    draft = read_draft(event, "registration", "Programme", "Dear {name}, the programme.", {})
    message = _send(SimpleNamespace(event=event), draft)
    # Each chunk was committed, then reported: never more than a chunk loaded at once.
    assert reported == [(0, 120), (50, 120), (100, 120), (120, 120)]
    assert message.sent_count == 120
    queued = _db.session.scalars(
        select(OutboxMessage.registration_id).where(OutboxMessage.subject == "Programme")
    ).all()
    assert sorted(queued) == ids
