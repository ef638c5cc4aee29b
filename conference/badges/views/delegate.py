"""The delegate's own badge, through their private link: the page, its PDF, its worker;
and for a head of delegation, the badges of the whole delegation or of one member."""

import io

from flask import Response, flash, redirect, render_template, url_for

from conference.assets import worker_assets
from conference.badges.qr import qr_svg
from conference.badges.selection import badge_selection
from conference.badges.services import badge_token, render_badges_for
from conference.badges.views import bp
from conference.errors import PermissionDenied, ValidationError
from conference.events.services import get_event
from conference.extensions import db
from conference.registration.delegations import badge_ids, delegation_sheet, member_of
from conference.registration.links import registration_from_token
from conference.registration.models import RegistrationStatus
from conference.web import pdf_response


def _own_confirmed(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(
            "Your badge is ready once your registration is confirmed "
            f"(it is {registration.status_label.lower()})."
        )
    return event, registration


@bp.get("/events/<slug>/manage/<token>/badge.pdf")
def own_badge_pdf(slug, token):
    event, registration = _own_confirmed(slug, token)
    out = io.BytesIO()
    # Not counted as printed: the count is of the badges organisers and the door print.
    render_badges_for(event, badge_selection(event, ids=[registration.id]), out)
    return pdf_response(out.getvalue(), "badge.pdf")


def _delegation_badges(slug, token, ids, filename):
    """These confirmed people's badges as one PDF (not counted as printed: the organisers'
    count is of the badges they print); back to the sheet, saying why, when none is."""
    event = get_event(slug)
    out = io.BytesIO()
    try:
        render_badges_for(event, badge_selection(event, ids=ids), out)
    except ValidationError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("registration.delegation_sheet", slug=slug, token=token))
    return pdf_response(out.getvalue(), filename)


def _head(slug, token):
    head = registration_from_token(get_event(slug), token)
    if not head.is_head:
        raise PermissionDenied("Only the head of a delegation has a delegation sheet.")
    return head


@bp.get("/events/<slug>/manage/<token>/delegation/badges.pdf")
def delegation_badges_pdf(slug, token):
    head = _head(slug, token)
    ids = badge_ids(delegation_sheet(head.delegation, head))
    return _delegation_badges(slug, token, ids, "delegation-badges.pdf")


@bp.get("/events/<slug>/manage/<token>/members/<int:member_id>/badge.pdf")
def member_badge_pdf(slug, token, member_id):
    member = member_of(_head(slug, token), member_id)
    return _delegation_badges(slug, token, [member.id], f"badge-{member.id}.pdf")


@bp.get("/events/<slug>/manage/<token>/badge")
def own_badge(slug, token):
    event, registration = _own_confirmed(slug, token)
    db.session.commit()
    page = render_template(
        "badges/mine.html",
        event=event,
        r=registration,
        token=token,
        qr=qr_svg(badge_token(registration)),
    )
    # Kept by the browser (and the page's service worker) for when the venue network drops.
    return (
        page,
        200,
        {
            "Cache-Control": "private, max-age=86400",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        },
    )


@bp.get("/events/<slug>/manage/<token>/badge-sw.js")
def own_badge_worker(slug, token):
    get_event(slug)
    script = render_template(
        "badges/badge-sw.js",
        page=url_for(".own_badge", slug=slug, token=token),
        **worker_assets("badges/mine.html"),
    )
    return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})
