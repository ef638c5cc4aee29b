"""Badge keys, tokens and their verification; which registrations get badges."""

import base64
import logging
import time
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from conference.badges.models import BadgeKey
from conference.badges.tokens import (
    Claims,
    TokenError,
    new_private_key,
    public_key_from_bytes,
    read_claims,
    sign_token,
    verify_token,
)
from conference.dbtypes import utcnow
from conference.errors import ValidationError
from conference.extensions import db
from conference.ids import in_chunks
from conference.registration.history import SYSTEM, Actor, Kind, record, record_many
from conference.registration.models import STATUS_LABELS, Registration, RegistrationStatus

log = logging.getLogger(__name__)


# Keys ------------------------------------------------------------------------------


def _fernet() -> Fernet:
    """Encryption for private keys, derived from the app's secret key."""
    secret = current_app.config["SECRET_KEY"].encode()
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"conference-badge-keys", info=b"fernet"
    ).derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


def new_key_material() -> tuple[bytes, str]:
    """A new key pair: the raw public key, and the private key encrypted for storage."""
    private = new_private_key()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return public, _fernet().encrypt(raw_private).decode("ascii")


def create_key(event) -> BadgeKey:
    """A new signing key for the event; it signs every badge from now on."""
    forget_keys(event.id)
    public, private_encrypted = new_key_material()
    key = BadgeKey(event_id=event.id, public_key=public, private_key_encrypted=private_encrypted)
    db.session.add(key)
    db.session.flush()
    return key


def event_keys(event, *, include_revoked: bool = False) -> list[BadgeKey]:
    """The event's keys, newest first."""
    query = select(BadgeKey).where(BadgeKey.event_id == event.id)
    if not include_revoked:
        query = query.where(BadgeKey.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(BadgeKey.id.desc())))


def signing_key(event) -> BadgeKey:
    """The key that signs new badges: the newest unrevoked one.

    An event always has one: made with the event, replaced when the last is revoked (and
    made by a migration for events from before), so reading it never writes."""
    keys = event_keys(event)
    if not keys:
        raise RuntimeError(f"Event {event.id} has no badge signing key: run `flask db upgrade`.")
    return keys[0]


def rotate_key(event) -> BadgeKey:
    """Start signing with a new key; badges signed with older keys stay valid."""
    return create_key(event)


def revoke_key(event, key_id: int) -> BadgeKey:
    """Badges signed with this key are refused from now on (reprint them)."""
    key = db.session.get(BadgeKey, key_id)
    if key is None or key.event_id != event.id:
        raise ValidationError("There is no such key.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    db.session.flush()
    forget_keys(event.id)
    if not event_keys(event):
        create_key(event)  # the event keeps a key to sign with
    return key


def _private_key(key: BadgeKey):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        raw = _fernet().decrypt(key.private_key_encrypted.encode("ascii"))
    except InvalidToken:
        raise RuntimeError(
            "The badge signing key cannot be decrypted: SECRET_KEY changed since it was "
            "made. Restore the old SECRET_KEY, or rotate the key and reprint the badges."
        ) from None
    return Ed25519PrivateKey.from_private_bytes(raw)


class Signer:
    """Signs many tokens for one event with one decrypted key (for batches)."""

    def __init__(self, event):
        self.key = signing_key(event)
        self.event_id = event.id
        self._private = _private_key(self.key)

    def token(self, registration: Registration) -> str:
        return sign_token(
            self._private,
            Claims(self.key.id, self.event_id, registration.id, registration.badge_reissue),
        )


def badge_token(registration: Registration) -> str:
    """The token printed in this registration's QR code."""
    return Signer(registration.event).token(registration)


def public_keys_json(event) -> list[dict]:
    """The public keys a scanner needs, with those revoked (so it refuses their badges)."""
    return [
        {
            "key_id": key.id,
            "algorithm": "Ed25519",
            "public_key": base64.urlsafe_b64encode(key.public_key).rstrip(b"=").decode(),
            "created_at": key.created_at.isoformat(),
            "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
        }
        for key in event_keys(event, include_revoked=True)
    ]


# Verifying -------------------------------------------------------------------------


@dataclass
class Verdict:
    """The answer to a scanned token: ``result`` is "ok", "invalid", "revoked",
    "wrong_event" or "not_approved" (the check-in API answers with the same codes)."""

    result: str
    message: str
    registration: Registration | None = None

    @property
    def ok(self) -> bool:
        return self.result == "ok"


@dataclass(frozen=True)
class _KnownKeys:
    loaded: float
    public: dict  # key id -> (event id, Ed25519PublicKey)
    revoked: frozenset


KEY_CACHE_SECONDS = 5.0


def _key_cache() -> dict[int, _KnownKeys]:
    # Per app (and so per database), per process.
    return current_app.extensions.setdefault("badge_key_cache", {})


def _known_keys(event) -> _KnownKeys:
    """The event's public keys, kept a few seconds per process (scanners send hundreds a second).

    A key revoked (or made) elsewhere is seen here within KEY_CACHE_SECONDS; a token signed
    by a key not in the cache triggers an immediate reload.
    """
    cached = _key_cache().get(event.id)
    if cached is not None and time.monotonic() - cached.loaded < KEY_CACHE_SECONDS:
        return cached
    keys = event_keys(event, include_revoked=True)
    known = _KnownKeys(
        time.monotonic(),
        {k.id: (k.event_id, public_key_from_bytes(k.public_key)) for k in keys},
        frozenset(k.id for k in keys if k.revoked_at is not None),
    )
    _key_cache()[event.id] = known
    return known


def forget_keys(event_id: int) -> None:
    """Drop the cached keys of an event (after a rotation or revocation here)."""
    _key_cache().pop(event_id, None)


def verify_scan(event, token: str):
    """(claims, key revoked?) of a genuine token of this event; raises TokenError."""
    known = _known_keys(event)
    claims = read_claims(token)[0]
    if claims.key_id not in known.public and claims.event_id == event.id:
        forget_keys(event.id)  # a key newer than the cache
        known = _known_keys(event)
    claims = verify_token(token, known.public, event.id)
    return claims, claims.key_id in known.revoked


def refusal(status: str, reissue: int, claims=None, key_revoked: bool = False):
    """(result, message) when this badge or registration may not pass, else None."""
    if key_revoked:
        return "revoked", (
            "This badge was signed with a key the organisers have revoked: print a new badge."
        )
    if claims is not None and claims.reissue != reissue:
        return "revoked", "This badge was replaced by a newer one: use the new badge."
    if status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
        return "revoked", f"This registration is {status}."
    if status != RegistrationStatus.CONFIRMED:
        label = STATUS_LABELS[status].lower()
        return "not_approved", f"This registration is not confirmed ({label})."
    return None


def check_badge(event, token: str) -> Verdict:
    """Whether a scanned token lets its holder in, and who it is."""
    try:
        claims, key_revoked = verify_scan(event, token)
    except TokenError as exc:
        return Verdict(exc.reason, exc.message)
    registration = db.session.scalar(
        select(Registration)
        .where(Registration.id == claims.registration_id)
        .options(joinedload(Registration.category), joinedload(Registration.delegation))
    )
    if registration is None or registration.event_id != event.id:
        return Verdict("invalid", "This badge's registration does not exist.")
    refused = refusal(registration.status, registration.badge_reissue, claims, key_revoked)
    if refused:
        return Verdict(*refused, registration)
    return Verdict("ok", "Valid badge.", registration)


# Printing --------------------------------------------------------------------------


def reissue_badge(registration: Registration, actor: Actor | None = None) -> str:
    """Invalidate the printed badge (``actor``: who, for the history); returns the new
    token."""
    registration.badge_reissue += 1
    record(
        registration,
        Kind.BADGE_REISSUED,
        "Badge reissued: the badge printed before is refused at the door",
        actor or SYSTEM,
        {"reissue": registration.badge_reissue},
    )
    db.session.flush()
    return badge_token(registration)


def mark_printed(registration_ids: list[int]) -> None:
    """Count one more print for each registration (a statement per few thousand, so any
    number of badges is counted)."""
    printed_at = utcnow()
    for chunk in in_chunks(registration_ids):
        db.session.execute(
            update(Registration)
            .where(Registration.id.in_(chunk))
            .values(
                badge_printed_count=Registration.badge_printed_count + 1,
                badge_printed_at=printed_at,
            )
            .execution_options(synchronize_session=False)
        )


def printable(selection):
    """Badges are printed for confirmed registrations only; refuse an empty selection.
    (``selection``: a badges.selection.Selection.)"""
    chosen = selection.confirmed()
    if not chosen:
        raise ValidationError(
            "No confirmed registration in this selection: badges are printed for confirmed "
            "delegates only."
        )
    return chosen


def badge_for(registration: Registration, token: str):
    """What one badge prints."""
    from conference.badges.pdf import Badge
    from conference.formatting import country_name, format_date_range

    event = registration.event
    native, latin = registration.badge_names  # one name is never printed twice
    return Badge(
        event_title=event.title,
        event_dates=format_date_range(event.start_date, event.end_date),
        native_name=native,
        latin_name=latin,
        organisation=registration.organisation,
        country_name=country_name(registration.country),
        country=registration.country,
        category=registration.category.name,
        colour=registration.category.badge_colour,
        token=token,
        delegation=registration.delegation.name if registration.delegation else "",
    )


def render_badges_for(
    event,
    registrations,
    out,
    *,
    layout="a6",
    cut_marks=False,
    back_side=False,
    progress=None,
    count_printed=False,
    actor: Actor | None = None,
) -> int:
    """Write the badges of these registrations to ``out``, in the event's colour and with
    its logo when it has them; with ``count_printed``, count them as printed. The count is
    of badges the organisers and the door print (their print page, its background job, the
    CLI, the badge desk); a delegate downloading their own badge, or a head their
    delegation's, is no print. A print is in each registration's history too, as
    ``actor``'s (the organiser, the desk's staff, the command line)."""
    from conference.badges.pdf import render_badges
    from conference.events.branding import event_brand

    chosen = printable(registrations)
    signer = Signer(event)
    total = len(chosen)

    def report(done):
        if progress is not None:
            progress(done, total, f"{done} of {total} badges")

    count = render_badges(
        (badge_for(r, signer.token(r)) for r in chosen),
        out,
        layout=layout,
        cut_marks=cut_marks,
        back_side=back_side,
        on_progress=report,
        brand=event_brand(event),
    )
    if count_printed:
        mark_printed(chosen.ids)
        what = "Badge printed" if total == 1 else f"Badge printed (a batch of {total})"
        record_many(
            event.id,
            chosen.ids,
            Kind.BADGE_PRINTED,
            what,
            actor or SYSTEM,
            {"layout": layout, "batch": total},
        )
    return count
