"""The site in the delegate's language: Flask-Babel set up, each request's language chosen
(``conference/languages.py`` says in which order), remembered, and offered on every page.

- ``?lang=CODE`` on any page chooses a language: it is remembered in a cookie, and on the
  signed-in account; on a page that knows the delegate's registration (``use_language_of``),
  on the registration too, which every e-mail to that delegate then uses.
- ``in_language(code)`` renders something (an e-mail) in a language other than the page's:
  the recipient's, never the sender's.
- Dates, time zones and countries read as the language writes them (the ``datetime``,
  ``daterange``, ``timezone_name`` and ``country_name`` filters of conference/formatting.py,
  given ``current_locale``).

The catalogues are compiled from ``conference/translations/<locale>/LC_MESSAGES/
messages.po`` when the app starts, if a compiled copy is missing or older
(``conference/catalogues.py``; docs/decisions/0005-compiled-catalogues.md), and each is
read once per process, when a page first needs it.
"""

import logging
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from flask import g, has_app_context, has_request_context, request
from flask_babel import force_locale, get_locale, refresh
from flask_login import current_user

from conference import catalogues, languages
from conference.languages import ENGLISH, LANGUAGES

log = logging.getLogger(__name__)

SOURCE = Path(__file__).resolve().parent / "translations"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def current_language() -> str:
    """The code of the language being rendered ("th", "zh-Hans"): the page's, or the one an
    ``in_language`` block asked for; English outside any app."""
    if not has_app_context():
        return ENGLISH
    return languages.code_of(get_locale())


def current_locale() -> str:
    """The Babel locale being rendered ("th", "zh_Hans")."""
    return LANGUAGES[current_language()].locale


@contextmanager
def in_language(code: str | None):
    """Render (an e-mail, a subject) in this language, whatever the page's; English for a
    code we do not know."""
    with force_locale(languages.locale_of(code)):
        yield


def _signed_in_language() -> str | None:
    try:
        if current_user and current_user.is_authenticated:
            return getattr(current_user, "language", None)
    except Exception:  # the account could not be loaded (database down): no preference
        log.debug("no account language", exc_info=True)
    return None


def request_language() -> str:
    """The language of this request: asked for, remembered, stored, accepted, or English."""
    return languages.choose_language(
        request.args.get("lang"),
        request.cookies.get(COOKIE),
        (g.get("registration_language"), _signed_in_language()),
        request.accept_languages,
    )


def select_locale() -> str | None:
    """Flask-Babel's locale selector: the request's language; the default (English) where
    there is no request (a job, a command), which ``in_language`` overrides."""
    if not has_request_context():
        return None
    return languages.locale_of(request_language())


def use_language_of(registration) -> None:
    """On a page that knows the delegate's registration: its stored language comes before
    the browser's; a language chosen on it (``?lang=``) is stored with it, for the e-mails
    (the view commits)."""
    chosen = g.get("language_chosen")
    if chosen and registration.language != chosen:
        registration.language = chosen
    g.registration_language = registration.language
    refresh()  # a message translated earlier in the request used the browser's language


def language_links() -> list[dict]:
    """The switcher's entries: each language's own name and this very page in it (the same
    address and query, ``lang`` changed), the current one marked."""
    if not has_request_context():
        return []
    current = current_language()
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    path = request.script_root + request.path
    return [
        {
            "code": language.code,
            "name": language.name,
            "url": f"{path}?{urlencode([*kept, ('lang', language.code)])}",
            "current": language.code == current,
        }
        for language in LANGUAGES.values()
    ]


def language_name(code: str | None) -> str:
    """A language as the page names it, with its own name beside: "Thai (ไทย)" on an English
    page, "English" for English (the code itself if unknown)."""
    language = LANGUAGES.get(code or "")
    if language is None:
        return code or ""
    here = Locale.parse(language.locale).get_display_name(current_locale()) or language.name
    return language.name if here == language.name else f"{here} ({language.name})"


# Setting it up --------------------------------------------------------------------------


def init_app(app) -> None:
    """Compile the catalogues if needed, start Flask-Babel, remember a language chosen."""
    from conference.extensions import babel, db

    directory = catalogues.ensure_compiled(SOURCE, Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(directory))
    babel.init_app(app, locale_selector=select_locale)
    # A trans block's text is one line whatever its layout in the template (and so is its
    # message id: babel.cfg extracts with the same policy).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.add_template_global(current_language, "current_language")
    app.add_template_global(language_links, "language_links")
    app.add_template_filter(language_name, "language_name")

    @app.before_request
    def remember_chosen_language():
        """A language asked for in the address is the person's choice: remembered on their
        account now, and in a cookie with the answer."""
        asked = request.args.get("lang")
        code = languages.read_language(asked) if asked else None
        if code is None:
            return
        g.language_chosen = code
        if current_user.is_authenticated and current_user.language != code:
            current_user.language = code
            db.session.commit()

    @app.after_request
    def language_cookie(response):
        chosen = g.get("language_chosen")
        if chosen:
            response.set_cookie(
                COOKIE,
                chosen,
                max_age=COOKIE_MAX_AGE,
                secure=app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
        if response.mimetype == "text/html":  # one address, a page in each language
            response.vary.update(("Cookie", "Accept-Language"))
        return response
