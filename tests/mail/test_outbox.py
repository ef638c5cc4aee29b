import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from conference.dbtypes import utcnow
from conference.extensions import db as _db
from conference.mail.models import OutboxMessage
from conference.mail.services import deliver_outbox, queue_mail


def count(status=None):
    query = select(func.count(OutboxMessage.id))
    if status:
        query = query.where(OutboxMessage.status == status)
    return _db.session.scalar(query)


def test_message_is_stored_with_the_change_and_lost_with_its_rollback(mail_app, smtp_server):
    with mail_app.app_context():
        queue_mail("ada@example.org", "Hello", "Body")
        _db.session.rollback()
        assert count() == 0
        assert smtp_server.envelopes == []


def test_committed_message_is_delivered_over_smtp_right_after(mail_app, smtp_server):
    with mail_app.app_context():
        queue_mail("ada@example.org", "Your registration", "Thank you, Ada.", "<p>Thank you</p>")
        _db.session.commit()  # delivery runs after the commit (sync mode in tests)
        [message] = smtp_server.messages()
        assert message["To"] == "ada@example.org"
        assert message["Subject"] == "Your registration"
        assert message.get_body(("plain",)).get_content().strip() == "Thank you, Ada."
        assert "<p>Thank you</p>" in message.get_body(("html",)).get_content()
        assert count("sent") == 1


def test_unicode_names_and_subjects_survive_the_trip(mail_app, smtp_server):
    with mail_app.app_context():
        queue_mail("chien@sonla.example", "Xác nhận đăng ký – 確認", "Kính gửi ông Hà Trung Chiến")
        _db.session.commit()
        [message] = smtp_server.messages()
        assert message["Subject"] == "Xác nhận đăng ký – 確認"
        assert "Hà Trung Chiến" in message.get_content()


def test_mail_waits_while_the_server_is_down_and_is_sent_once_it_is_back(make_app, smtp_server):
    from tests.conftest import free_port

    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    with app.app_context():
        queue_mail("ada@example.org", "Hello", "Body")
        _db.session.commit()
        assert count("pending") == 1
        app.config["MAIL_PORT"] = smtp_server.port
        report = deliver_outbox()
        assert report.sent == 1
        assert len(smtp_server.envelopes) == 1
        # Running the worker again sends nothing twice.
        assert deliver_outbox().sent == 0
        assert len(smtp_server.envelopes) == 1


def test_temporary_failure_is_retried_later_with_backoff(mail_app, smtp_server):
    smtp_server.refuse = "451 Try again later"
    with mail_app.app_context():
        message = queue_mail("ada@example.org", "Hello", "Body")
        _db.session.commit()
        _db.session.refresh(message)
        assert message.status == "pending"
        assert message.attempts == 1
        assert message.next_attempt_at > utcnow() + timedelta(seconds=30)
        assert "451" in message.last_error
        # Not due yet: a run now does nothing.
        smtp_server.refuse = None
        assert deliver_outbox().sent == 0
        _db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        _db.session.commit()
        assert deliver_outbox().sent == 1
        assert len(smtp_server.envelopes) == 1


def test_permanent_refusal_marks_the_message_failed(mail_app, smtp_server):
    smtp_server.refuse = "550 No such mailbox"
    with mail_app.app_context():
        message = queue_mail("nobody@example.org", "Hello", "Body")
        _db.session.commit()
        _db.session.refresh(message)
        assert message.status == "failed"
        assert "550" in message.last_error


def test_gives_up_after_the_maximum_attempts(make_app, smtp_server):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_MAX_ATTEMPTS=2)
    smtp_server.refuse = "421 Busy"
    with app.app_context():
        message = queue_mail("ada@example.org", "Hello", "Body")
        _db.session.commit()
        _db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        _db.session.commit()
        deliver_outbox()
        _db.session.refresh(message)
        assert (message.status, message.attempts) == ("failed", 2)


def test_concurrent_workers_send_each_message_once(make_app, smtp_server, database_url):
    if database_url.startswith("sqlite"):
        import pytest

        pytest.skip("needs PostgreSQL: in-memory SQLite has one shared connection")
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, TASKS_MODE="thread")
    with app.app_context():
        app.config["TASKS_MODE"] = "sync"
        for n in range(30):
            _db.session.add(
                OutboxMessage(
                    message_id=f"<m{n}@test>",
                    sender="a@test",
                    recipient=f"r{n}@example.org",
                    subject=f"Message {n}",
                    body_text="x",
                )
            )
        _db.session.commit()

    def worker():
        with app.app_context():
            deliver_outbox()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    subjects = [m["Subject"] for m in smtp_server.messages()]
    assert sorted(subjects) == sorted(f"Message {n}" for n in range(30))
    with app.app_context():
        assert count("sent") == 30


def test_message_of_a_worker_that_died_is_sent_again_later(mail_app, smtp_server):
    with mail_app.app_context():
        _db.session.add(
            OutboxMessage(
                message_id="<stuck@test>",
                sender="a@test",
                recipient="r@example.org",
                subject="Stuck",
                body_text="x",
                status="sending",
                attempts=1,
                claimed_at=utcnow() - timedelta(hours=1),
            )
        )
        _db.session.commit()
        assert deliver_outbox().sent == 1
        [message] = smtp_server.messages()
        assert message["Message-ID"] == "<stuck@test>"


def test_without_smtp_messages_become_eml_files(app):
    with app.app_context():
        queue_mail("ada@example.org", "Hello Ada", "Body text")
        _db.session.commit()
        [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
        content = eml.read_text()
        assert "Subject: Hello Ada" in content and "Body text" in content
        assert count("sent") == 1


def test_mail_send_command_delivers_what_is_due(make_app, smtp_server):
    from tests.conftest import free_port

    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.app_context():
        queue_mail("ada@example.org", "Hello", "Body")
        _db.session.commit()
    app.config["MAIL_PORT"] = smtp_server.port
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(smtp_server.envelopes) == 1


def test_delivery_can_be_left_to_the_mail_send_command(make_app, smtp_server):
    app = make_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_DELIVER_AFTER_COMMIT=False
    )
    with app.app_context():
        queue_mail("ada@example.org", "Hello", "Body")
        _db.session.commit()
        assert smtp_server.envelopes == []
        assert deliver_outbox().sent == 1


def test_a_subject_with_line_breaks_is_sent_on_one_line(mail_app, smtp_server):
    with mail_app.app_context():
        queue_mail("ada@example.org", "Your registration\r\nBcc: evil@example.org", "Body")
        _db.session.commit()
        [message] = smtp_server.messages()
        assert message["Subject"] == "Your registration Bcc: evil@example.org"
        assert message["Bcc"] is None
        assert [e.rcpt_tos for e in smtp_server.envelopes] == [["ada@example.org"]]
        assert count("sent") == 1


def test_an_event_title_stored_with_a_line_break_still_gets_its_mail_out(mail_app, smtp_server):
    """A title from before titles were checked: its e-mails go out, their subject on one
    line, instead of failing as transient errors forever."""
    from conference.events.models import Event
    from tests.factories import make_category, make_event, make_registration

    with mail_app.app_context():
        event = make_event(title="Learning Cities Forum")
        category = make_category(event, "Delegate")
        _db.session.execute(
            update(Event).where(Event.id == event.id).values(title="Learning Cities\r\nForum")
        )
        _db.session.commit()
        _db.session.expire_all()
        make_registration(event, category, email="chien@sonla.example")
        [message] = smtp_server.messages()
        assert message["Subject"].endswith("Learning Cities Forum")
        assert count("sent") == 1 and count("pending") == 0


def _row(n, **values):
    return OutboxMessage(
        message_id=f"<batch{n}@test>",
        sender=values.pop("sender", "Conference <a@test>"),
        recipient=values.pop("recipient", f"r{n}@example.org"),
        subject=values.pop("subject", f"Message {n}"),
        body_text="x",
        **values,
    )


def test_a_message_that_cannot_be_built_fails_alone_and_the_batch_goes_on(make_app, smtp_server):
    app = make_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_DELIVER_AFTER_COMMIT=False
    )
    with app.app_context():
        _db.session.add_all(
            [
                _row(1),
                _row(2, recipient="ada@example.org\r\nBcc: evil@example.org"),
                _row(3, sender="Conference\n <a@test>"),
                _row(4),
            ]
        )
        _db.session.commit()
        report = deliver_outbox()
        assert (report.sent, report.failed, report.retried) == (2, 2, 0)
        assert sorted(m["Subject"] for m in smtp_server.messages()) == ["Message 1", "Message 4"]
        failed = _db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == "failed").order_by(OutboxMessage.id)
        ).all()
        assert [m.message_id for m in failed] == ["<batch2@test>", "<batch3@test>"]
        assert all(m.last_error.startswith("cannot be built:") for m in failed)
        assert all(m.attempts == 1 for m in failed)
        # Failed for good: the next run leaves them alone.
        assert deliver_outbox().sent == 0


def test_a_temporary_smtp_error_still_waits_for_the_next_run(make_app, smtp_server):
    app = make_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_DELIVER_AFTER_COMMIT=False
    )
    smtp_server.refuse = "451 Try again later"
    with app.app_context():
        _db.session.add_all([_row(1), _row(2)])
        _db.session.commit()
        report = deliver_outbox()
        assert (report.sent, report.failed, report.retried) == (0, 0, 1)
        assert count("pending") == 2 and count("failed") == 0
