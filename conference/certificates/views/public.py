"""The public page a certificate's QR code opens: whether it is valid, and for whom."""

from flask import render_template

from conference.certificates.attendance import days_text
from conference.certificates.services import check_certificate, place
from conference.certificates.views import bp
from conference.extensions import db

# The answer to an address that is no certificate, or to one no longer valid.
STATUS = {"valid": 200, "not_genuine": 404}


@bp.get("/certificates/<token>")
def verify(token):
    verdict = check_certificate(token)
    db.session.commit()
    page = render_template(
        "certificates/verify.html",
        verdict=verdict,
        event=verdict.event,
        days=days_text(verdict.attended.days),
        place=place(verdict.event) if verdict.event else "",
    )
    # Whoever holds the certificate may show it; search engines need not index it.
    headers = {"X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}
    return page, STATUS.get(verdict.reason, 410), headers
