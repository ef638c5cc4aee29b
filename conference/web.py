"""Cross-cutting web concerns: security headers, error pages, health check, proxies."""

import gzip
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Response,
    current_app,
    has_request_context,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from conference import formatting
from conference.countries import country_datalist_options
from conference.errors import ConferenceError
from conference.extensions import db, login_manager
from conference.forms import error_items
from conference.ids import MAX_ID
from conference.languages import N_

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# (title, message) of each status's page, in the page's language; the JSON API's
# ``error`` keeps the English title (clients may read it), its ``message`` is translated.
ERROR_TEXT = {
    400: (
        N_("Bad request"),
        N_("The request could not be understood. Please check what you sent."),
    ),
    401: (N_("Sign-in needed"), N_("Please sign in to continue.")),
    403: (N_("Not allowed"), N_("You do not have permission to see this page.")),
    404: (N_("Not found"), N_("There is nothing at this address.")),
    405: (N_("Not allowed"), N_("This address does not accept that kind of request.")),
    413: (N_("Too large"), N_("What you sent is larger than this site accepts.")),
    429: (N_("Too many attempts"), N_("Please wait a minute before trying again.")),
    500: (N_("Something went wrong"), N_("An error occurred on our side. It has been logged.")),
    503: (
        N_("Unavailable"),
        N_("The service is temporarily unavailable. Please try again soon."),
    ),
    507: (N_("No room left"), N_("The server has no room left for files. Please try again later.")),
}


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number beyond the database's integer matches no route
    (404) instead of reaching a query, where it would overflow (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def wants_json() -> bool:
    """API clients get JSON errors; browsers get pages."""
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def error_response(status: int, message: str | None = None, headers: dict | None = None):
    """The error page (or JSON body) for an HTTP status, with an optional specific message
    and headers the status needs (``Allow`` for a 405, ``Retry-After``)."""
    title, default = ERROR_TEXT.get(status, (N_("Error"), N_("An error occurred.")))
    detail = str(message) if message else gettext(default)
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if wants_json():
        body = {"error": title, "message": detail, "status": status}
        return jsonify(body), status, headers
    try:
        page = render_template(
            "errors/error.html", status=status, title=gettext(title), message=detail
        )
    except Exception:  # the page itself failed (database down?): plain text still helps
        log.exception("could not render the %s page", status)
        return f"{status} {title}: {detail}", status, {"Content-Type": "text/plain"}
    return page, status, headers


def is_local_path(target: str | None) -> bool:
    r"""True for a path on this site (``/account?x=1``), and for nothing a browser could
    read as another site: ``//host``, ``/\host``, schemes, or control characters (which
    browsers drop, turning ``/<TAB>/host`` into ``//host``)."""
    if not target or len(target) > 2000 or not target.startswith("/"):
        return False
    if target.startswith("//") or "\\" in target:
        return False
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str | None = None) -> str:
    """Where to go back to: a path on this site only (an open redirect would help
    phishing), else ``default`` or the events page."""
    if is_local_path(target):
        return target
    return default or url_for("events.index")


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on the site's own address (BASE_URL), for e-mails, exports,
    calendars and PDFs; never the request's Host header, which the sender chooses."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def pdf_response(content: bytes, name: str) -> Response:
    """A PDF download that is never cached (it holds personal data)."""
    return Response(
        content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def accepts_gzip() -> bool:
    """Whether the client takes gzip'd bodies (every browser does)."""
    return request.accept_encodings["gzip"] > 0


@dataclass(frozen=True)
class PreparedJson:
    """A JSON answer encoded once (and gzip'd when worth it), to send many times."""

    data: bytes
    gzipped: bytes | None

    @classmethod
    def of(cls, body, minimum: int = 1024) -> "PreparedJson":
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        gzipped = gzip.compress(data, compresslevel=5, mtime=0) if len(data) >= minimum else None
        return cls(data, gzipped)


def compressed_json(body) -> Response:
    """A JSON answer (a body, or one prepared), gzip'd when the client takes it and it is
    worth it, with an ETag that answers a repeat (If-None-Match) with 304."""
    prepared = body if isinstance(body, PreparedJson) else PreparedJson.of(body)
    response = Response(prepared.data, mimetype="application/json")
    response.add_etag()  # of the JSON itself: the same answer has the same tag, gzip'd or not
    if prepared.gzipped is not None and accepts_gzip():
        response.set_data(prepared.gzipped)
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def init_app(app) -> None:
    """Attach headers, error handlers, proxy handling and the health check to the app."""
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        # Never X-Forwarded-Prefix: a proxy that passes a client's own would let it move
        # every generated link; a sub-path install sets SCRIPT_NAME for gunicorn instead.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from conference.i18n import current_locale

    formatting.register(app, current_locale)
    app.add_template_global(error_items, "error_items")  # the forms' error summary
    app.jinja_env.globals["site_name"] = app.config["SITE_NAME"]  # pages and e-mails
    app.add_template_global(country_datalist_options, "country_datalist_options")

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id):
        from conference.auth.services import load_user_from_session

        return load_user_from_session(user_id)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for

        if wants_json():
            return error_response(401, "Authentication required.")
        flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.context_processor
    def navigation():
        """The events where the signed-in user holds a role, for the menu."""
        if not has_request_context() or not current_user or not current_user.is_authenticated:
            return {"my_events": []}
        from conference.auth.services import events_with_roles

        return {"my_events": events_with_roles(current_user)}

    @app.before_request
    def refuse_null_characters():
        """No address holds a NUL: PostgreSQL refuses it in text, so it never reaches a
        query (a slug, a parameter's name) to turn a bad request into a 500."""
        if "\x00" in request.path:
            return error_response(
                404, gettext("There is nothing at this address (a null character).")
            )
        # Values arrive without control characters (request_text); a name with one is no
        # parameter of ours.
        if any("\x00" in key for key in request.args):
            return error_response(400, "The address contains a null character.")
        return None

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if current_user and current_user.is_authenticated and "Cache-Control" not in headers:
            headers["Cache-Control"] = "private, no-store"
        return response

    @app.errorhandler(SecurityError)
    def untrusted_host(exc):
        # No page: it would link to the host asked for, and links need a trusted one.
        message = f"{exc.description} This site answers at its own address only."
        if wants_json():
            return error_response(400, message)
        return f"400 Bad request: {message}", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_response(
            400,
            gettext("The form expired or was sent from elsewhere. Reload the page and try again."),
        )

    @app.errorhandler(ConferenceError)
    def conference_error(exc):
        db.session.rollback()
        return error_response(exc.status_code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # The exception's own headers (Allow, Retry-After), but our body and its type.
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        if exc.code == 429:
            return error_response(
                429,
                gettext("Too many attempts (%(limit)s). Please wait.", limit=exc.description),
                headers,
            )
        message = None
        if (
            exc.code in (400, 404)
            and exc.description
            and not exc.description.startswith(
                ("The browser (or proxy)", "The requested URL was not found")
            )
        ):
            message = exc.description
        return error_response(exc.code or 500, message, headers)

    @app.errorhandler(500)
    def unexpected_error(exc):
        # Flask logs the traceback; tests see the exception itself (PROPAGATE_EXCEPTIONS).
        db.session.rollback()
        return error_response(500)

    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # any failure to reach the database is unhealthy
            log.error("health check: database unreachable: %s", exc)
            db.session.rollback()
            return jsonify({"status": "error", "database": "unreachable"}), 503
        return jsonify({"status": "ok", "database": "ok"})
