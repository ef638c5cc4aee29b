"""A paper's authors: who counts as one, the papers a delegate sees, linking authors to
their registrations, and telling them by e-mail.

Authorship is the submitter, or a co-author by e-mail address once that address is verified
(see ``is_author``); every other id answers as if the paper did not exist.
"""

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from conference.errors import NotFound, PermissionDenied
from conference.extensions import db
from conference.i18n import in_language
from conference.mail.services import queue_templated_mail
from conference.papers.models import Paper, PaperAuthor
from conference.registration.models import Registration

NO_SUCH_PAPER = "There is no such paper."


def get_paper(event, paper_id) -> Paper:
    """One paper of this event, or NotFound."""
    paper = db.session.get(Paper, paper_id)
    if paper is None or paper.event_id != event.id:
        raise NotFound(NO_SUCH_PAPER)
    return paper


def is_author(paper: Paper, registration: Registration | None) -> bool:
    """The submitter, or a co-author whose registration has the author's e-mail address,
    once that address is verified (its management link opened from the e-mail): anyone
    can register with someone else's address, only its owner can read its mail. Only the
    address counts, not the author's link to a registration: that registration may have
    been made with the address by someone else, who then moved it to an address of theirs."""
    if registration is None or registration.event_id != paper.event_id:
        return False
    if paper.submitter_id == registration.id:
        return True
    return registration.email_verified_at is not None and any(
        a.email == registration.email for a in paper.authors
    )


def require_author(paper: Paper, registration: Registration | None) -> None:
    if not is_author(paper, registration):
        raise PermissionDenied("Only the paper's authors can change it.")


def author_paper(event, registration: Registration, paper_id) -> Paper:
    """A paper of this event that the delegate wrote or is named on; NotFound for every
    other id (not 403: ids are not to be probed)."""
    paper = get_paper(event, paper_id)
    if not is_author(paper, registration):
        raise NotFound(NO_SUCH_PAPER)
    return paper


def papers_visible_to(registration: Registration) -> list[Paper]:
    """The papers a delegate submitted or is named on (by e-mail address, once it is
    verified: see ``is_author``)."""
    mine = Paper.submitter_id == registration.id
    if registration.email_verified_at is not None:
        named = select(PaperAuthor.paper_id).where(PaperAuthor.email == registration.email)
        mine = or_(mine, Paper.id.in_(named))
    return list(
        db.session.scalars(
            select(Paper)
            .where(Paper.event_id == registration.event_id, mine)
            .options(selectinload(Paper.authors), selectinload(Paper.versions))
            .order_by(Paper.created_at, Paper.id)
        )
    )


def registration_by_email(event, email: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.email == email)
    )


def link_registrations(paper: Paper) -> None:
    """Point each author at the event's registration with their e-mail, if there is one."""
    emails = [a.email for a in paper.authors]
    found = dict(
        db.session.execute(
            select(Registration.email, Registration.id).where(
                Registration.event_id == paper.event_id, Registration.email.in_(emails)
            )
        ).all()
    )
    for author in paper.authors:
        author.registration_id = found.get(author.email, author.registration_id)


def notify_authors(paper: Paper, template: str, subject: str, **context) -> int:
    """Queue ``templates/mail/<template>`` to the submitter and every author (once per
    address), each with their own management link when they are registered."""
    from conference.registration.links import emailed_manage_url

    event = paper.event
    recipients = {paper.submitter.email: (paper.submitter.display_name, paper.submitter)}
    for author in paper.authors:
        recipients.setdefault(author.email, (author.name, author.registration))
    for email, (name, registration) in recipients.items():
        # Each in their own language: a registered author's, else the account's, else English.
        language = getattr(registration, "language", None)
        with in_language(language):
            queue_templated_mail(
                email,
                f"{subject} – {event.title}",
                template,
                event=event,
                paper=paper,
                name=name,
                address=email,
                link=emailed_manage_url(registration) if registration is not None else None,
                **context,
            )
    return len(recipients)
