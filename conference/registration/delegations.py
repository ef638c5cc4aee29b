"""Delegations: groups travelling together, whose head registers and manages members."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.registration.models import HOLDS_PLACE, Delegation, Registration
from conference.registration.registering import Context, register
from conference.registration.validation import RegistrationData


def delegations_for(event, *, with_members: bool = False) -> list[Delegation]:
    """The event's delegations, by country then name (optionally with members loaded)."""
    query = (
        select(Delegation)
        .where(Delegation.event_id == event.id)
        .order_by(Delegation.country, Delegation.name)
    )
    if with_members:
        query = query.options(selectinload(Delegation.members))
    return list(db.session.scalars(query))


def require_head(registration: Registration) -> Registration:
    """The registration itself if it leads a delegation; refused otherwise."""
    if not registration.is_head:
        raise ValidationError("Only the head of a delegation can add members.")
    return registration


def add_member(head: Registration, data: RegistrationData) -> Registration:
    """A head of delegation registers a member, who gets their own link by e-mail."""
    require_head(head)
    if head.status not in HOLDS_PLACE:
        raise ValidationError("Your own registration is not active.")
    data.category_id = head.category_id  # members take part as their head does
    data.leads_delegation = False
    data.new_delegation_name = ""
    data.delegation_id = None
    data.privacy_accepted = True  # the head confirms it on the members form
    return register(
        head.event,
        data,
        Context(source="delegation", delegation=head.delegation, invitation_code=None),
    )


def member_of(head: Registration, member_id) -> Registration:
    """A member of the head's own delegation, or NotFound."""
    member = db.session.get(Registration, member_id)
    if (
        member is None
        or not head.is_head
        or member.delegation_id != head.delegation_id
        or member.id == head.id
    ):
        raise NotFound("There is no such member in your delegation.")
    return member
