"""The signed-in user's own account: the password and personal API tokens."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from conference.auth.forms import ApiTokenForm, ChangePasswordForm, ConfirmForm
from conference.auth.services import (
    authenticate,
    create_api_token,
    revoke_api_token,
    set_password,
)
from conference.auth.views import bp
from conference.extensions import db
from conference.pages import attempt


def _account_page(password_form=None, token_form=None):
    """The account page; a form given with errors is shown with them, with status 422."""
    failed = password_form is not None or token_form is not None
    page = render_template(
        "auth/account.html",
        password_form=password_form or ChangePasswordForm(formdata=None),
        token_form=token_form or ApiTokenForm(formdata=None),
        revoke_form=ConfirmForm(),
        tokens=sorted(current_user.api_tokens, key=lambda t: t.created_at, reverse=True),
    )
    return page, 422 if failed else 200


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if authenticate(current_user.email, form.current.data) is None:
            form.current.errors.append("This is not your current password.")
        else:
            with attempt(form, field="password") as done:
                set_password(current_user, form.password.data)
            if done:
                # Keep this session (same id, the new stamp); the others are out.
                login_user(current_user._get_current_object())
                flash("Your password has been changed.", "success")
                return redirect(url_for("auth.account"))
    db.session.rollback()
    return _account_page(password_form=form)


@bp.post("/account/tokens")
@login_required
def create_token():
    form = ApiTokenForm()
    if form.validate_on_submit():
        token, plain = create_api_token(current_user, form.name.data)
        db.session.commit()
        return render_template("auth/token_created.html", token=token, plain=plain)
    return _account_page(token_form=form)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    form = ConfirmForm()
    if form.validate_on_submit():
        token = revoke_api_token(current_user, token_id)
        db.session.commit()
        flash(f"The token “{token.name}” is revoked.", "info")
    return redirect(url_for("auth.account"))
