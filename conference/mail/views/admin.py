"""Site administrators see what the outbox holds and can retry failed messages."""

from flask import flash, redirect, render_template, request, url_for

from conference.auth.decorators import admin_required
from conference.auth.forms import ConfirmForm
from conference.extensions import db
from conference.mail.services import outbox_counts, outbox_page, retry_failed
from conference.mail.views import bp


@bp.get("/")
@admin_required
def index():
    status = request.args.get("status") or None
    return render_template(
        "mail/outbox.html",
        messages=outbox_page(status),
        counts=outbox_counts(),
        status=status,
        form=ConfirmForm(),
    )


@bp.post("/retry")
@admin_required
def retry():
    form = ConfirmForm()
    if form.validate_on_submit():
        count = retry_failed()
        db.session.commit()
        flash(f"{count} failed message(s) will be tried again.", "info")
    return redirect(url_for("mail.index"))
