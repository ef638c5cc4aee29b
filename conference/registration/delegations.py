"""Delegations: groups travelling together, whose head registers and manages members."""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.registration.models import HOLDS_PLACE, Delegation, Registration
from conference.registration.registering import Context, register
from conference.registration.validation import RegistrationData


def _by_country_and_name(event, *columns):
    return (
        select(*columns)
        .where(Delegation.event_id == event.id)
        .order_by(Delegation.country, Delegation.name)
    )


def delegations_for(event) -> list[Delegation]:
    """The event's delegations, by country then name."""
    return list(db.session.scalars(_by_country_and_name(event, Delegation)))


def delegation_choices(event) -> list:
    """(id, name) of the event's delegations, by country then name: a list filter's
    choices, without loading each as an object (an event may have a thousand)."""
    return list(db.session.execute(_by_country_and_name(event, Delegation.id, Delegation.name)))


@dataclass
class DelegationSummary:
    """A delegation as the organisers' overview shows it."""

    delegation: Delegation
    head: Registration | None
    coming: int  # holding a place
    registered: int


def delegation_overview(event) -> list[DelegationSummary]:
    """The event's delegations with their heads and counts, counted by the database (one
    GROUP BY), not by loading every member."""
    holds_place = case((Registration.status.in_(HOLDS_PLACE), 1), else_=0)
    in_delegations = (Registration.event_id == event.id, Registration.delegation_id.is_not(None))
    counts = {
        delegation_id: (registered, coming)
        for delegation_id, registered, coming in db.session.execute(
            select(Registration.delegation_id, func.count(), func.sum(holds_place))
            .where(*in_delegations)
            .group_by(Registration.delegation_id)
        )
    }
    heads = {
        head.delegation_id: head
        for head in db.session.scalars(
            select(Registration).where(*in_delegations, Registration.is_delegation_head)
        )
    }
    return [
        DelegationSummary(
            delegation=d,
            head=heads.get(d.id),
            coming=int(counts.get(d.id, (0, 0))[1] or 0),
            registered=counts.get(d.id, (0, 0))[0],
        )
        for d in delegations_for(event)
    ]


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
