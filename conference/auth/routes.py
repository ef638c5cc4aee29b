"""Sign-in, sign-out, password reset and the account page."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from conference.auth import bp
from conference.auth.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
)
from conference.auth.services import (
    authenticate,
    create_api_token,
    find_user,
    normalise_email,
    password_reset_token,
    revoke_api_token,
    set_password,
    user_from_reset_token,
)
from conference.errors import ValidationError
from conference.extensions import db, limiter
from conference.mail.services import queue_templated_mail
from conference.web import external_url, safe_next


def _email_key() -> str:
    return "login-email:" + normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_EMAIL_RATE_LIMIT"], key_func=_email_key, methods=["POST"]
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("The e-mail address or the password is not right.")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome, {user.display_name}.", "success")
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("events.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.active:
            link = external_url("auth.reset", token=password_reset_token(user))
            minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
            queue_templated_mail(
                user.email, "Reset your password", "password_reset", link=link, minutes=minutes
            )
            db.session.commit()
        # The same answer whether or not the address has an account.
        flash(
            "If an account uses that address, a reset link is on its way. "
            "It works once, within the hour.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token):
    try:
        user = user_from_reset_token(token)
    except ValidationError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("auth.reset_request"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data)
        except ValidationError as exc:
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            logout_user()
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user)


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
            try:
                set_password(current_user, form.password.data)
            except ValidationError as exc:
                form.password.errors.append(exc.message)
            else:
                db.session.commit()
                # Keep this session (its stamp changed with the password); others are out.
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
