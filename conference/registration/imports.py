"""Importing registrations from a CSV or XLSX file: every row checked first (the preview),
the file kept until the organiser confirms, then every row imported or none."""

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from conference.errors import ValidationError
from conference.extensions import db
from conference.files import atomic_write
from conference.names import full_name
from conference.registration.delegations import delegations_for
from conference.registration.exports import read_table
from conference.registration.fields import PERSONAL_FIELDS
from conference.registration.models import Delegation
from conference.registration.registering import Context, register
from conference.registration.search import find_by_email
from conference.registration.settings import categories_for, questions_for
from conference.registration.validation import (
    Errors,
    RegistrationData,
    clean_registration,
)

CLAIMED = ".importing"  # the suffix of a kept file once its import has started


@dataclass
class PreviewRow:
    """One row of the file as the import would register it, with its problems."""

    number: int
    data: RegistrationData
    errors: Errors
    delegation_name: str = ""
    head: bool = False

    @property
    def name(self) -> str:
        return full_name(self.data.given_name, self.data.family_name, self.data.name_order)


def _truthy(value: str) -> bool:
    return str(value).strip().lower() in {"1", "yes", "y", "true", "x"}


def preview_import(event, rows) -> list[PreviewRow]:
    """Check every row as the import would, without writing anything."""
    categories = {c.name.casefold(): c for c in categories_for(event)}
    questions = questions_for(event)
    by_label = {q.label.casefold(): q for q in questions}
    seen_emails: dict[str, int] = {}
    preview = []
    for row in rows:
        values = row.values
        category = categories.get(values.get("category", "").casefold())
        data = RegistrationData(
            category_id=category.id if category else None,
            **{name: values.get(name, "") for name in PERSONAL_FIELDS},
            single_name=_truthy(values.get("single_name", "")),
            list_consent=_truthy(values.get("list_consent", "")),
            answers={
                by_label[key.replace("_", " ")].id: value
                for key, value in values.items()
                if key.replace("_", " ") in by_label and value != ""
            },
        )
        for question in questions:
            if question.type == "multiple_choice" and question.id in data.answers:
                data.answers[question.id] = [
                    v.strip() for v in str(data.answers[question.id]).split(";") if v.strip()
                ]
        cleaned, errors = clean_registration(data, questions, date.today(), require_privacy=False)
        if category is None:
            errors.pop("category_id", None)
            names = ", ".join(c.name for c in categories.values())
            errors.add("category", f"Unknown category “{values.get('category', '')}”; use {names}.")
        if cleaned.email:
            if cleaned.email in seen_emails:
                errors.add("email", f"The same address is on row {seen_emails[cleaned.email]}.")
            elif find_by_email(event, cleaned.email) is not None:
                errors.add("email", "This address is registered for the event already.")
            seen_emails.setdefault(cleaned.email, row.number)
        preview.append(
            PreviewRow(
                row.number,
                cleaned,
                errors,
                delegation_name=" ".join(values.get("delegation", "").split())[:200],
                head=_truthy(values.get("head_of_delegation", "")),
            )
        )
    return preview


def keep_upload(folder: Path, event, content: bytes) -> str:
    """Keep a checked file in ``folder`` until the organiser confirms its import; nothing
    is imported yet. Returns the token that names it."""
    token = secrets.token_urlsafe(16)
    suffix = ".xlsx" if content[:4] == b"PK\x03\x04" else ".csv"
    with atomic_write(folder / f"{event.id}-{token}{suffix}") as out:
        out.write(content)
    return token


def claim_upload(folder: Path, event, token: str) -> tuple[Path, int]:
    """The kept file of this token, renamed first so that it cannot be imported twice;
    returns its new path and its number of rows."""
    if not token.replace("-", "").replace("_", "").isalnum():
        raise ValidationError("The import form expired; upload the file again.")
    matches = [
        path for path in folder.glob(f"{event.id}-{token}.*") if path.suffix in (".csv", ".xlsx")
    ]
    if not matches:
        raise ValidationError(
            "This import was done already, or has expired; upload the file again."
        )
    path = matches[0]
    rows = read_table(path.name, path.read_bytes())
    claimed = path.with_name(path.name + CLAIMED)
    path.rename(claimed)
    return claimed, len(rows)


def run_import(event, rows, *, send_emails: bool, progress=None, actor=None) -> int:
    """Import every row, or none: raises ValidationError if any row has a problem. The
    history records each as registered by ``actor`` (the organiser who started it)."""
    preview = preview_import(event, rows)
    bad = [p for p in preview if p.errors]
    if bad:
        raise ValidationError(f"{len(bad)} row(s) have problems; nothing was imported.")
    delegations = {d.name.casefold(): d for d in delegations_for(event)}
    for done, row in enumerate(preview, start=1):
        delegation = None
        if row.delegation_name:
            delegation = delegations.get(row.delegation_name.casefold())
            if delegation is None:
                delegation = Delegation(
                    event_id=event.id, name=row.delegation_name, country=row.data.country
                )
                db.session.add(delegation)
                delegations[row.delegation_name.casefold()] = delegation
        registration = register(
            event,
            row.data,
            Context(
                source="import",
                by_organiser=True,
                delegation=delegation,
                notify=send_emails,
                actor=actor,
            ),
        )
        registration.is_delegation_head = bool(delegation and row.head)
        if progress is not None:
            progress(done, len(preview), f"{done} of {len(preview)} imported")
    db.session.flush()
    return len(preview)
