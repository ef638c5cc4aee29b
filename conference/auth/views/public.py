"""Anyone: signing in and out, and resetting a forgotten password."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from conference.auth.devices import COOKIE_NAME, device_cookie, known_device
from conference.auth.forms import (
    ConfirmForm,
    LoginForm,
    NewPasswordForm,
    ResetRequestForm,
)
from conference.auth.services import (
    authenticate,
    end_session,
    landing_page,
    normalise_email,
    send_password_reset,
    set_password,
    start_session,
    user_from_reset_token,
)
from conference.auth.views import bp
from conference.errors import ValidationError
from conference.extensions import db, limiter
from conference.pages import attempt, render_form
from conference.web import safe_next


def _posted_email() -> str:
    return normalise_email(request.form.get("email", ""))


def _device() -> str | None:
    """This browser's device id when its known-device cookie is for the posted account."""
    if "known_device" not in g:
        g.known_device = known_device(
            current_app.config["SECRET_KEY"],
            request.cookies.get(COOKIE_NAME),
            _posted_email(),
            current_app.config["KNOWN_DEVICE_DAYS"] * 86400,
        )
    return g.known_device


def _email_key() -> str:
    return "login-email:" + _posted_email()


def _device_key() -> str:
    return f"login-device:{_device()}"


def _remember_device(response, email: str):
    """Mark this browser as known for the account (keeping its id, and budget, if it was)."""
    config = current_app.config
    value, _ = device_cookie(config["SECRET_KEY"], email, _device())
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=config["KNOWN_DEVICE_DAYS"] * 86400,
        path=url_for("auth.login"),
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _sign_out() -> None:
    """End this browser's session here and on the server (a copy of its cookie is dead)."""
    if current_user.is_authenticated:
        end_session(current_user.session_id)
        db.session.commit()
    logout_user()


def _landing(user) -> str:
    """Where to go once signed in: the page asked for (``next``), else the account's own
    start (conference.auth.services.landing_page), else the events list."""
    found = landing_page(user)
    default = url_for(found[0], slug=found[1]) if found else None
    return safe_next(request.args.get("next"), default)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
# Per account, for browsers not known to it; a known browser has a budget of its own.
@limiter.limit(
    lambda: current_app.config["LOGIN_EMAIL_RATE_LIMIT"],
    key_func=_email_key,
    methods=["POST"],
    exempt_when=lambda: _device() is not None,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_EMAIL_RATE_LIMIT"],
    key_func=_device_key,
    methods=["POST"],
    exempt_when=lambda: _device() is None,
)
def login():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("The e-mail address or the password is not right.")
        else:
            start_session(user)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome, {user.display_name}.", "success")
            return _remember_device(redirect(_landing(user)), user.email)
    return render_form("auth/login.html", form)


@bp.post("/logout")
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        _sign_out()
        flash("You are signed out.", "info")
    return redirect(url_for("events.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        send_password_reset(form.email.data)
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
        with attempt(form, field="password") as done:
            set_password(user, form.password.data)
        if done:
            _sign_out()
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user)
