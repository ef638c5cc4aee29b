"""A registration's private management link: its signed token, its addresses and the proof
of the mailbox an e-mailed link carries. (The pages it opens are sent with
``conference.pages.private_page``.)"""

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from conference import signing
from conference.dbtypes import utcnow
from conference.errors import NotFound
from conference.extensions import db
from conference.registration.history import Actor, Kind, record
from conference.registration.models import Registration
from conference.web import external_url


def _link_serializer() -> URLSafeSerializer:
    return signing.serializer(current_app.config["SECRET_KEY"], salt="registration-manage")


def manage_token(registration: Registration) -> str:
    """The private token of a registration's management link (stable until rotated)."""
    return _link_serializer().dumps([registration.id, registration.manage_nonce])


def _proof_serializer() -> URLSafeSerializer:
    return signing.serializer(current_app.config["SECRET_KEY"], salt="registration-email-proof")


def email_proof(registration: Registration) -> str:
    """A proof, carried only by links sent by e-mail, that whoever opens it reads the
    registration's mailbox (the link shown after registering on the site has none)."""
    return _proof_serializer().dumps([registration.id, registration.email])


def manage_url(registration: Registration) -> str:
    """The full management link as pages and the API may show it: it proves nothing about
    the address (anyone can register with anyone's address and be shown this)."""
    return external_url(
        "registration.manage", slug=registration.event.slug, token=manage_token(registration)
    )


def emailed_manage_url(registration: Registration) -> str:
    """The management link for e-mails to the registration's address only: it also carries
    the proof that opening it verifies the address, so it must travel by e-mail alone."""
    return external_url(
        "registration.manage",
        slug=registration.event.slug,
        token=manage_token(registration),
        verify=email_proof(registration),
    )


def verify_email(registration: Registration, proof: str | None) -> bool:
    """Record that the address is verified when the proof (from an e-mailed link) is this
    registration's, for its current address. Co-authors' access to papers relies on it."""
    if not proof:
        return False
    try:
        registration_id, email = _proof_serializer().loads(proof)
    except (BadSignature, ValueError, TypeError):
        return False
    if registration_id != registration.id or email != registration.email:
        return False
    if registration.email_verified_at is None:
        registration.email_verified_at = utcnow()
        record(
            registration,
            Kind.EMAIL_VERIFIED,
            f"E-mail address {registration.email} verified (link opened from the e-mail)",
            Actor.delegate(registration),
        )
    return True


def registration_from_token(event, token: str) -> Registration:
    """The registration a management link belongs to; NotFound for anything else."""
    try:
        registration_id, nonce = _link_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This management link is not valid. Ask for a new one below.") from None
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.event_id != event.id
        or not secrets.compare_digest(registration.manage_nonce, str(nonce))
    ):
        raise NotFound("This management link is not valid. Ask for a new one below.")
    return registration
