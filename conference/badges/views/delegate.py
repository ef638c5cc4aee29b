"""The delegate's own badge, through their private link: the page, its PDF, its worker."""

import io

from flask import Response, render_template, url_for

from conference.assets import worker_assets
from conference.badges.qr import qr_svg
from conference.badges.selection import badge_selection
from conference.badges.services import badge_token, render_badges_for
from conference.badges.views import bp
from conference.errors import ValidationError
from conference.events.services import get_event
from conference.extensions import db
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
    render_badges_for(event, badge_selection(event, ids=[registration.id]), out)
    db.session.commit()
    return pdf_response(out.getvalue(), "badge.pdf")


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
