"""Ways a built e-mail leaves the building: SMTP, or .eml files when no server is set."""

import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from conference.files import atomic_write

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The server refused this message for good (5xx): retrying will not help."""


class SMTPTransport:
    """One SMTP connection, opened on enter and closed on exit."""

    def __init__(self, config: dict):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def __enter__(self):
        cfg = self.config
        context = ssl.create_default_context()
        if cfg["MAIL_USE_SSL"]:
            conn = smtplib.SMTP_SSL(
                cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"], context=context
            )
        else:
            conn = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
            if cfg["MAIL_USE_TLS"]:
                conn.starttls(context=context)
        if cfg["MAIL_USERNAME"]:
            conn.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        self.connection = conn
        return self

    def send(self, message: EmailMessage) -> None:
        try:
            refused = self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise
        if refused:
            raise PermanentFailure(f"recipient refused: {refused}")

    def __exit__(self, *exc_info):
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()


class FileTransport:
    """Writes each message to ``<directory>/<message id>.eml`` and logs it."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def __enter__(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def send(self, message: EmailMessage) -> None:
        name = message["Message-ID"].strip("<>").replace("/", "_").split("@")[0] + ".eml"
        target = self.directory / name
        # Whole or not at all, so a half-written file never looks like a message; a partial
        # name of its own, so two workers sending the same message never share one.
        partial = target.with_name(f"{target.name}.{secrets.token_hex(8)}.part")
        with atomic_write(target, partial) as out:
            out.write(bytes(message))
        log.info("mail to %s (%s) written to %s", message["To"], message["Subject"], target)

    def __exit__(self, *exc_info):
        return None


def transport_for(config: dict):
    """SMTP when MAIL_SERVER is set, else .eml files in OUTBOX_DIR."""
    if config["MAIL_SERVER"]:
        return SMTPTransport(config)
    return FileTransport(config["OUTBOX_DIR"])
