"""The delegate's own certificate, through their private management link."""

import io

from conference.certificates.services import (
    certified,
    own_certificate,
    render_certificates_for,
)
from conference.certificates.views import bp
from conference.events.services import get_event
from conference.registration.links import registration_from_token
from conference.web import pdf_response


@bp.get("/events/<slug>/manage/<token>/certificate.pdf")
def own_pdf(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    own_certificate(registration)  # says why there is none (yet)
    out = io.BytesIO()
    render_certificates_for(event, certified(event, ids=[registration.id]), out)
    return pdf_response(out.getvalue(), "certificate-of-attendance.pdf")
