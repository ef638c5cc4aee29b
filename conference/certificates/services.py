"""Certificates of attendance: who gets one, what it prints, its signed address, and what
its public page says of it.

Decisions:
- A certificate is for a confirmed registration checked in at least once. A registration
  cancelled (or rejected) after its check-ins has none, and the page of one issued before
  says it is not valid; so does the page of one whose registration was erased, or whose
  check-ins were all undone.
- Its address is signed as a badge is (Ed25519, the event's badge keys, see
  :mod:`conference.badges.tokens`) under a domain of its own, so no badge code opens a
  certificate and no certificate a door. The signature is deterministic: a certificate
  keeps its address however often it is printed, until the event starts a new key; a key
  the organisers revoke makes the certificates it signed read as not valid.
- What it says is read from the check-ins when it is printed or checked, so a certificate
  downloaded again after a correction says what is true now.
"""

import itertools
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select

from conference.badges.selection import LOADED_AT_ONCE, Selection, badge_selection
from conference.badges.services import Signer, event_keys
from conference.badges.tokens import (
    Claims,
    TokenError,
    public_key_from_bytes,
    read_claims,
    sign_token,
    verify_token,
)
from conference.certificates.attendance import Attended, attendance, attendance_of, presence_text
from conference.checkin.models import CheckIn
from conference.errors import ValidationError
from conference.events.branding import event_brand
from conference.events.models import Event
from conference.extensions import db
from conference.formatting import country_name, format_date_range
from conference.ids import in_chunks
from conference.registration.models import Category, Registration, RegistrationStatus
from conference.registration.search import Filters, filtered_query
from conference.web import external_url

DOMAIN = b"conference-certificate:"
DEFAULT_COLOUR = "#1f4e79"


# Who gets one ----------------------------------------------------------------------------


def _checked_in():
    return exists().where(CheckIn.registration_id == Registration.id)


def certified_query(event, q: str = ""):
    """The select() of the event's registrations that get a certificate (matching ``q``)."""
    query = filtered_query(event, Filters(status=RegistrationStatus.CONFIRMED, q=q))
    return query.where(_checked_in())


def count_certified(event) -> int:
    """How many of the event's delegates get a certificate."""
    query = certified_query(event).order_by(None).with_only_columns(Registration.id).subquery()
    return db.session.scalar(select(func.count()).select_from(query))


def certified(event, ids: list[int] | None = None) -> Selection:
    """The registrations that get a certificate, in printing order (family name first, as
    badges are stacked); only those of ``ids`` when given."""
    query = certified_query(event).with_only_columns(Registration.id).order_by(None)
    if ids is None:
        chosen = list(db.session.scalars(query.execution_options(yield_per=2000)))
    else:
        chosen = [
            rid
            for chunk in in_chunks(ids)
            for rid in db.session.scalars(query.where(Registration.id.in_(chunk)))
        ]
    return badge_selection(event, ids=chosen)


def has_certificate(registration: Registration) -> bool:
    """Whether this registration gets a certificate (confirmed, checked in at least once)."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return False
    return bool(
        db.session.scalar(
            select(CheckIn.id).where(CheckIn.registration_id == registration.id).limit(1)
        )
    )


def own_certificate(registration: Registration) -> Attended:
    """What a delegate's own certificate lists; ValidationError, saying why, when they have
    none (yet)."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(
            "A certificate of attendance is for confirmed delegates; your registration is "
            f"{registration.status_label.lower()}."
        )
    attended = attendance_of(registration)
    if not attended.days:
        raise ValidationError(
            "Your certificate of attendance is ready once you have been checked in at the event."
        )
    return attended


# Its address ----------------------------------------------------------------------------


class CertificateSigner(Signer):
    """Signs the certificates of one event with its current badge key (for batches)."""

    def token(self, registration: Registration) -> str:
        claims = Claims(self.key.id, self.event_id, registration.id, 0)
        return sign_token(self._private, claims, DOMAIN)


def certificate_token(registration: Registration) -> str:
    """The signed token in this registration's certificate address."""
    return CertificateSigner(registration.event).token(registration)


def verification_url(token: str) -> str:
    """The public page that says whether the certificate is valid (its QR code's content)."""
    return external_url("certificates.verify", token=token)


def reference(event, registration_id: int) -> str:
    """The certificate's number, as letters are numbered: "ASEAN3-2024/CERT/0042"."""
    return f"{event.slug.upper()}/CERT/{registration_id:04d}"


# What it prints -------------------------------------------------------------------------


@dataclass(frozen=True)
class Branding:
    """The colour (and logo) an event's certificates print in."""

    colour: str = DEFAULT_COLOUR  # "#RRGGBB"
    logo: bytes | None = None  # PNG or JPEG


def branding(event) -> Branding:
    """The event's colour and logo for its certificates: the one place they are taken from.

    Those the organisers chose for the event (its branding, as on its pages and badges);
    without a colour of its own, the colour its badges print for delegates (that of the
    event's first category)."""
    brand = event_brand(event)
    colour = brand.primary if brand.colour_chosen else None
    if colour is None:
        colour = db.session.scalar(
            select(Category.badge_colour)
            .where(Category.event_id == event.id)
            .order_by(Category.position, Category.id)
            .limit(1)
        )
    return Branding(colour=colour or DEFAULT_COLOUR, logo=brand.logo)


def place(event) -> str:
    """Where the event is held: "Centara Grand, Bangkok, Thailand"."""
    return ", ".join(p for p in (event.venue, event.city, country_name(event.country)) if p)


def certificate_for(registration: Registration, attended: Attended, token: str, style: Branding):
    """What one certificate prints."""
    from conference.certificates.pdf import Certificate, SessionLine

    event = registration.event
    native, latin = registration.badge_names  # one name is never printed twice
    return Certificate(
        event_title=event.title,
        event_dates=format_date_range(event.start_date, event.end_date),
        place=place(event),
        native_name=native,
        latin_name=latin,
        country=registration.country,
        organisation=registration.organisation,
        country_name=country_name(registration.country),
        presence=presence_text(attended.days, len(event.days)),
        url=verification_url(token),
        reference=reference(event, registration.id),
        issued=", ".join(
            p for p in (event.city, f"{event.end_date.day} {event.end_date:%B %Y}") if p
        ),
        signatory_name=event.visa_signatory_name,
        signatory_title=event.visa_signatory_title,
        sessions=tuple(
            SessionLine(f"{s.starts:%A} {s.starts.day} {s.starts:%B}", f"{s.starts:%H:%M}", s.title)
            for s in attended.sessions
        ),
        colour=style.colour,
        logo=style.logo,
    )


def _with_attendance(event, registrations):
    """(registration, attendance) of each registration still checked in, a few hundred
    registrations at a time."""
    registrations = iter(registrations)
    while chunk := list(itertools.islice(registrations, LOADED_AT_ONCE)):
        attended = attendance(event, [r.id for r in chunk])
        for registration in chunk:
            if registration.id in attended:
                yield registration, attended[registration.id]


def render_certificates_for(event, registrations: Selection, out, *, progress=None) -> int:
    """Write the certificates of these registrations (from :func:`certified`) to ``out``;
    ValidationError when there is none."""
    from conference.certificates.pdf import NoCertificates, render_certificates

    if not len(registrations):
        raise ValidationError(
            f"Nobody has been checked in at {event.title} yet: certificates of attendance are "
            "for delegates who were checked in at least once."
        )
    signer = CertificateSigner(event)
    style = branding(event)
    total = len(registrations)

    def report(done):
        if progress is not None:
            progress(done, total, f"{done} of {total} certificates")

    try:
        return render_certificates(
            (
                certificate_for(r, attended, signer.token(r), style)
                for r, attended in _with_attendance(event, registrations)
            ),
            out,
            on_progress=report,
        )
    except NoCertificates:  # their check-ins were undone since they were chosen
        raise ValidationError("Nobody chosen is checked in any more.") from None


# Checking one ---------------------------------------------------------------------------


NOT_GENUINE = (
    "This is not a genuine certificate address: it was altered, cut short or never issued. "
    "Check that it was typed exactly as printed, or scan the certificate's QR code."
)


@dataclass
class Verdict:
    """What the public page says of a certificate address. ``reason``: "valid",
    "not_genuine", "revoked", "erased", "cancelled", "not_confirmed" or "not_attended"."""

    reason: str
    message: str
    event: Event | None = None
    registration: Registration | None = None
    attended: Attended = field(default_factory=Attended)

    @property
    def valid(self) -> bool:
        return self.reason == "valid"


def check_certificate(token: str) -> Verdict:
    """Whether the certificate whose address holds this token is valid, and whose it is."""
    try:
        claims = read_claims(token)[0]
    except TokenError:
        return Verdict("not_genuine", NOT_GENUINE)
    event = db.session.get(Event, claims.event_id)
    if event is None:
        return Verdict("not_genuine", NOT_GENUINE)
    keys = event_keys(event, include_revoked=True)
    public = {k.id: (k.event_id, public_key_from_bytes(k.public_key)) for k in keys}
    try:
        claims = verify_token(token, public, event.id, DOMAIN)
    except TokenError:
        return Verdict("not_genuine", NOT_GENUINE)
    if any(k.id == claims.key_id and k.revoked_at is not None for k in keys):
        return Verdict(
            "revoked",
            "This certificate is not valid: it was signed with a key the organisers have "
            "since revoked. Ask them for a new one.",
            event,
        )
    registration = db.session.get(Registration, claims.registration_id)
    if registration is None or registration.event_id != event.id:
        return Verdict(
            "erased",
            "This certificate is not valid: the registration it was issued for no longer exists.",
            event,
        )
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
        return Verdict(
            "cancelled",
            f"This certificate is not valid: the registration it was issued for was "
            f"{registration.status_label.lower()}.",
            event,
        )
    if registration.status != RegistrationStatus.CONFIRMED:
        return Verdict(
            "not_confirmed",
            "This certificate is not valid: the registration it was issued for is not confirmed.",
            event,
        )
    attended = attendance_of(registration)
    if not attended.days:
        return Verdict(
            "not_attended",
            "This certificate is not valid: no attendance is recorded for the person it was "
            "issued to.",
            event,
        )
    return Verdict(
        "valid", "This certificate of attendance is valid.", event, registration, attended
    )
