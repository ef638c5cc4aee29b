"""Delegations: groups travelling together, whose head registers and manages members."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.i18n import in_language
from conference.ids import is_id
from conference.mail.services import queue_templated_mail
from conference.names import sort_key
from conference.registration.emails import notify
from conference.registration.history import Actor
from conference.registration.links import manage_token
from conference.registration.models import (
    HOLDS_PLACE,
    STATUS_LABELS,
    Category,
    Delegation,
    Registration,
    RegistrationStatus,
)
from conference.registration.registering import (
    Context,
    RegistrationInvalid,
    register,
    update_registration,
)
from conference.registration.settings import categories_for, questions_for
from conference.registration.validation import (
    Errors,
    RegistrationData,
    clean_registration,
    clean_text,
    normalise_email,
)
from conference.registration.visa import LetterOffer, letter_offer, visa_letter_for
from conference.web import external_url

# How many members one "add several members" form registers at most.
MAX_ROWS = 50
# A member who is given an address gets the e-mail of their status, as if just registered.
_WELCOMED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.PENDING_APPROVAL,
    RegistrationStatus.WAITLISTED,
)


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


def get_delegation(event, delegation_id) -> Delegation:
    """One delegation of this event, or NotFound."""
    found = db.session.get(Delegation, delegation_id) if is_id(delegation_id) else None
    if found is None or found.event_id != event.id:
        raise NotFound("There is no such delegation.")
    return found


def require_head(registration: Registration) -> Registration:
    """The registration itself if it leads a delegation; refused otherwise."""
    if not registration.is_head:
        raise ValidationError("Only the head of a delegation can add members.")
    return registration


def address_optional(registration: Registration) -> bool:
    """A delegation's member (not its head) may have no address: the head manages them."""
    return registration.delegation_id is not None and not registration.is_head


def head_manages(head: Registration, member: Registration) -> bool:
    """The head sees all of this member's details, changes them and downloads their visa
    letter: themselves, the members they registered, and members without an address.
    Members who registered on their own keep their details (their passport) to themselves."""
    if not head.is_head or member.delegation_id != head.delegation_id:
        return False
    return member.id == head.id or member.source == "delegation" or member.email is None


def _active_head(head: Registration) -> Registration:
    require_head(head)
    if head.status not in HOLDS_PLACE:
        raise ValidationError("Your own registration is not active.")
    return head


def member_categories(event) -> list[Category]:
    """The categories a head may register members in, in the event's order: those open to
    everyone (not by invitation) and open now. A full one stays on the list: its members
    join the waiting list, as anyone registering would."""
    return [c for c in categories_for(event, public_only=True) if c.is_open()]


def default_member_category(head: Registration, categories: list[Category]) -> Category | None:
    """The category a new member of ``head`` is offered first: the head's own when members
    may take it, else the first open one; None when no category is open to members."""
    if head.category in categories:
        return head.category
    return categories[0] if categories else None


def _member_category(head: Registration, data: RegistrationData) -> Category:
    """The category a member is registered in: the one chosen if members may take it, the
    default one when none is chosen; refused otherwise (an invitation-only category, one
    closed or of another event) with the row's other problems, before anything is written."""
    category_id = data.category_id
    categories = member_categories(head.event)
    if category_id is None:
        chosen = default_member_category(head, categories)
    else:
        chosen = db.session.get(Category, category_id) if is_id(category_id) else None
    errors = Errors()
    if chosen is None or chosen.event_id != head.event_id:
        errors.add(
            "category_id",
            "Choose how they take part."
            if categories
            else "No category is open to new members now: ask the organisers.",
        )
    elif not chosen.is_public:
        errors.add(
            "category_id",
            f"{chosen.name} is by invitation only: a head of delegation cannot register "
            "members in it. Choose another category; the organisers invite their speakers "
            "and guests themselves.",
        )
    elif chosen not in categories:
        errors.add("category_id", f"Registration as {chosen.name} is closed.")
    if errors:
        # The row's other problems too, so that the head corrects them all at once.
        others = clean_registration(
            data,
            questions_for(head.event),
            date.today(),
            require_privacy=False,
            require_email=False,
        )[1]
        raise RegistrationInvalid(Errors({**others, **errors}))
    return chosen


def add_member(head: Registration, data: RegistrationData) -> Registration:
    """A head of delegation registers a member, who gets their own link by e-mail; a
    member without an address gets no e-mail, and their head manages their registration.
    The member takes part in the category chosen (``data.category_id``) among those open
    to members, by default the head's own (see ``default_member_category``); places and
    the waiting list apply to each member as to anyone registering."""
    _active_head(head)
    data.category_id = _member_category(head, data).id
    data.leads_delegation = False
    data.new_delegation_name = ""
    data.delegation_id = None
    data.privacy_accepted = True  # the head confirms it on the members form
    return register(
        head.event,
        data,
        Context(
            source="delegation",
            delegation=head.delegation,
            invitation_code=None,
            email_optional=True,
            actor=Actor.head(head),
            language=head.language,  # a member's e-mails speak their head's language
        ),
    )


class MembersInvalid(ValidationError):
    """Rows of an "add several members" form have problems; nothing was registered.
    ``errors`` maps each row's index (in the list given) to its field errors."""

    status_code = 422

    def __init__(self, errors: dict[int, Errors]):
        count = len(errors)
        super().__init__(
            f"Nothing was registered: {count} {'row has' if count == 1 else 'rows have'} "
            "a problem. Correct the marked rows and send the list again."
        )
        self.errors = errors


def add_members(head: Registration, rows: list[RegistrationData]) -> list[Registration]:
    """Register several members at once, all of them or none: any row with a problem
    (an address twice in the list, one registered already, a missing name) and nothing is
    registered, so that sending the corrected list again never registers anyone twice.
    Rows are registered in their order (when places run out, the later ones wait)."""
    _active_head(head)
    if not rows:
        raise ValidationError("Fill in at least one row: a member's given and family name.")
    if len(rows) > MAX_ROWS:
        raise ValidationError(f"Add at most {MAX_ROWS} members at a time.")
    errors: dict[int, Errors] = {}
    first_row_of: dict[str, int] = {}
    added = []
    for index, data in enumerate(rows):
        # Members come from the head's organisation and country unless a row says otherwise.
        data.organisation = data.organisation or head.organisation
        data.country = data.country or head.country
        address = normalise_email(data.email)[0] if clean_text(data.email) else ""
        if address in first_row_of:
            errors[index] = Errors()
            errors[index].add("email", f"The same address is on row {first_row_of[address] + 1}.")
            continue
        if address:
            first_row_of[address] = index
        try:
            added.append(add_member(head, data))
        except RegistrationInvalid as exc:  # refused before anything of the row was added
            errors[index] = exc.errors
    if errors:
        raise MembersInvalid(errors)
    return added


def member_of(head: Registration, member_id) -> Registration:
    """A member of the head's own delegation, or NotFound."""
    member = db.session.get(Registration, member_id) if is_id(member_id) else None
    if (
        member is None
        or not head.is_head
        or member.delegation_id != head.delegation_id
        or member.id == head.id
    ):
        raise NotFound("There is no such member in your delegation.")
    return member


def update_member(head: Registration, member: Registration, data: RegistrationData):
    """The head changes a member's details (one they manage); a member given an address
    for the first time is e-mailed their own link, and manages their registration too."""
    if not head_manages(head, member):
        raise ValidationError(
            f"{member.display_name} registered on their own: they change their details "
            "through their own link."
        )
    had_address = member.email is not None
    update_registration(member, data, email_optional=True, actor=Actor.head(head))
    if not had_address and member.email and member.status in _WELCOMED:
        notify(member, member.status)
    return member


# The sheet -------------------------------------------------------------------------


@dataclass
class MemberRow:
    """One person of a delegation sheet, with what its reader may do for them."""

    registration: Registration
    is_head: bool
    managed: bool  # the reader (the head, or an organiser) sees and changes every detail
    badge_ready: bool
    visa_letter: LetterOffer | None  # for the reader: None when they cannot download it


@dataclass
class DelegationSheet:
    """A whole delegation as its head (or an organiser) reads it."""

    delegation: Delegation
    head: Registration | None
    rows: list[MemberRow]

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(status, label, how many), for the statuses present, in the usual order."""
        found = [row.registration.status for row in self.rows]
        return [(s, STATUS_LABELS[s], found.count(s)) for s in STATUS_LABELS if s in found]

    @property
    def badge_count(self) -> int:
        return sum(row.badge_ready for row in self.rows)

    @property
    def letter_count(self) -> int:
        return sum(row.visa_letter == LetterOffer.READY for row in self.rows)

    @property
    def letters_later(self) -> int:
        return sum(row.visa_letter == LetterOffer.LATER for row in self.rows)


def _sheet_order(registration: Registration):
    return (
        not registration.is_delegation_head,
        *sort_key(registration.given_name, registration.family_name),
        registration.id,
    )


def delegation_sheet(delegation: Delegation, head: Registration | None = None) -> DelegationSheet:
    """Everyone in the delegation, its head first then by name. Read by its ``head``, the
    rows they do not manage offer no visa letter; read by an organiser (no ``head``),
    every row is managed."""
    members = db.session.scalars(
        select(Registration)
        .where(Registration.delegation_id == delegation.id)
        .options(selectinload(Registration.category), selectinload(Registration.visa))
    )
    rows = []
    for member in sorted(members, key=_sheet_order):
        managed = head is None or head_manages(head, member)
        rows.append(
            MemberRow(
                registration=member,
                is_head=member.is_head,
                managed=managed,
                badge_ready=member.status == RegistrationStatus.CONFIRMED,
                visa_letter=letter_offer(member) if managed else None,
            )
        )
    leader = next((row.registration for row in rows if row.is_head), None)
    return DelegationSheet(delegation=delegation, head=leader, rows=rows)


def badge_ids(sheet: DelegationSheet) -> list[int]:
    """The ids of the sheet's confirmed people: those who get a badge."""
    return [row.registration.id for row in sheet.rows if row.badge_ready]


def visa_letters(sheet: DelegationSheet, *, issued_by=None, actor: Actor | None = None) -> list:
    """The visa letters the sheet's reader may download, ready now (recording each one's
    date of issue, and who made it: ``issued_by`` an organiser's account, else the head,
    ``actor``); refused when there is none."""
    ready = [row.registration for row in sheet.rows if row.visa_letter == LetterOffer.READY]
    if not ready:
        raise ValidationError(
            "No visa letter is ready: letters are for confirmed members who asked for one."
        )
    return [
        visa_letter_for(registration, issued_by=issued_by, actor=actor) for registration in ready
    ]


def sheet_url(head: Registration) -> str:
    """The full address of the head's delegation sheet (through their private link)."""
    return external_url(
        "registration.delegation_sheet", slug=head.event.slug, token=manage_token(head)
    )


def send_summary(head: Registration) -> None:
    """E-mail the head, through the outbox, the list of their delegation's members with
    each one's status, badge and visa letter."""
    require_head(head)
    if not head.email:
        raise ValidationError("Your registration has no e-mail address to send it to.")
    sheet = delegation_sheet(head.delegation, head)
    event = head.event
    with in_language(head.language):  # the head's, whoever asked for it
        queue_templated_mail(
            head.email,
            f"Your delegation {head.delegation.name} – {event.title}",
            "delegation_summary",
            registration_id=head.id,
            event=event,
            head=head,
            sheet=sheet,
            link=sheet_url(head),
        )
