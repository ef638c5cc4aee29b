import re

import pytest

from conference.web import is_local_path
from tests.factories import (
    bearer,
    make_event,
    make_user,
)


def test_pages_carry_the_security_headers(client, db):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, db, login):
    organiser = make_user(is_admin=True)
    event = make_event(organiser)
    login(organiser)
    for url in [
        "/",
        f"/events/{event.slug}/",
        "/events/new",
        f"/events/{event.slug}/edit",
        f"/events/{event.slug}/team",
        "/account",
        "/admin/outbox/",
        "/nope",
    ]:
        html = client.get(url).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, f"inline script on {url}"
        assert not re.search(r"\son\w+=", html), f"inline handler on {url}"
        assert " style=" not in html, f"inline style on {url}"


def set_cookie(response, name: str) -> str:
    """The Set-Cookie header of one cookie."""
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def test_session_cookie_is_httponly_and_lax(client, db):
    make_user("ada@example.org")
    response = client.post(
        "/login", data={"email": "ada@example.org", "password": "correct horse battery staple"}
    )
    for name in ("session", "known_device"):
        cookie = set_cookie(response, name)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookies_are_secure_when_configured_for_https(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    with app.app_context():
        make_user("ada@example.org")
    response = client.post(
        "/login", data={"email": "ada@example.org", "password": "correct horse battery staple"}
    )
    for name in ("session", "known_device"):
        assert "Secure" in set_cookie(response, name)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("status", [404, 403])
def test_error_pages_are_pages_in_the_site_style(client, db, login, status):
    event = make_event()
    if status == 403:
        login(make_user())
        url = f"/events/{event.slug}/edit"
    else:
        url = "/no/such/page"
    response = client.get(url)
    assert response.status_code == status
    assert 'class="navbar' in response.text
    assert f">{status}<" in response.text


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_too_large_body_gets_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "larger than this site accepts" in response.text


def test_500_page_hides_the_details(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret internals" not in response.text


def test_health_check_reports_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_is_503_when_the_database_is_unreachable(tmp_path):
    from conference import create_app
    from tests.conftest import base_config, free_port

    # Nothing listens on that port: the database is down.
    config = base_config(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none", tmp_path)
    app = create_app(config)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_proxy_headers_are_trusted_only_when_configured(make_app):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "conf.example.org"}
    plain = make_app().test_client().get("/events/new", headers=headers)
    assert plain.headers["Location"].startswith("/login")  # relative, never the forged host
    app = make_app(PROXY_FIX=1)

    @app.get("/whereami")
    def whereami():
        from flask import request

        return request.url

    assert (
        app.test_client()
        .get("/whereami", headers=headers)
        .text.startswith("https://conf.example.org/")
    )


def test_forwarded_prefix_is_never_trusted(make_app):
    # A client's X-Forwarded-Prefix would move every generated link under its path; a
    # sub-path install sets SCRIPT_NAME in gunicorn's environment instead.
    app = make_app(PROXY_FIX=1)

    @app.get("/whereami")
    def whereami():
        from flask import request, url_for

        return f"{request.url} {url_for('auth.login', _external=True)}"

    text = app.test_client().get("/whereami", headers={"X-Forwarded-Prefix": "/evil"}).text
    assert "/evil" not in text


def test_json_logs_carry_the_request_id(make_app, capfd):
    import json

    app = make_app(LOG_FORMAT="json")
    response = app.test_client().get("/healthz", headers={"X-Request-ID": "scan-42"})
    assert response.headers["X-Request-ID"] == "scan-42"
    lines = [
        json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")
    ]
    access = [e for e in lines if e["logger"] == "conference.access"]
    assert access[-1]["request_id"] == "scan-42"
    assert access[-1]["status"] == 200 and access[-1]["path"] == "/healthz"


def test_pages_offer_the_vendored_fonts_for_scripts_a_device_may_lack(client, db):
    page = client.get("/").text
    assert "/static/css/fonts.css" in page
    css = client.get("/static/css/fonts.css").text
    fonts = re.findall(r'url\("\.\./(fonts/[^"]+)"\)', css)
    assert len(fonts) == 8  # Thai, Lao, Khmer, Burmese; regular and bold
    for font in fonts:
        response = client.get(f"/static/{font}")
        assert response.status_code == 200
        assert response.data[:4] == b"\x00\x01\x00\x00"  # a TrueType font
        response.close()


def test_the_scanner_keeps_those_fonts_for_offline_use(client, db):
    event = make_event()
    worker = client.get(f"/events/{event.slug}/checkin/sw.js").text
    for script in ("Thai", "Lao", "Khmer", "Myanmar"):
        assert f"/static/fonts/noto/NotoSans{script}-Regular.ttf" in worker


@pytest.mark.parametrize("url", ["/api/v1/me", "/api/v1/events", "/healthz"])
def test_method_not_allowed_says_which_methods_are(client, url):
    response = client.delete(url)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    if url.startswith("/api/"):
        assert response.get_json()["status"] == 405


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/events/a%00b", 404),
        ("/api/v1/events/a%00b", 404),
        ("/api/v1/events/a%00b/agenda", 404),
        ("/api/v1/jobs/a%00b", 404),
        ("/api/v1/events?q%00=1", 400),
    ],
)
def test_a_null_character_in_the_address_is_refused(client, db, url, status):
    # PostgreSQL refuses NUL in text: it must never reach a query (a 500).
    response = client.get(url)
    assert response.status_code == status
    assert "null character" in response.text


def test_a_null_character_in_a_search_is_taken_out_before_any_query(client, db):
    # Query-string values arrive without control characters (conference/request_text.py).

    organiser = make_user()
    event = make_event(organiser)
    for query in ("q", "country", "status"):
        response = client.get(
            f"/api/v1/events/{event.slug}/registrations",
            query_string={query: "a\x00b"},
            headers=bearer(organiser),
        )
        assert response.status_code == 200, query
        assert "\x00" not in response.text


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/account",
        "/events/asean3/agenda?day=2024-10-29#now",
        "/events/%2F%2Fevil.example",
    ],
)
def test_paths_on_this_site_are_local(target):
    assert is_local_path(target)


@pytest.mark.parametrize(
    "target",
    [
        "",
        None,
        "account",
        "https://evil.example/",
        "//evil.example",
        "////evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\x00",
        " /account",
        "https:evil.example",
        "javascript:alert(1)",
        "/" + "a" * 3000,
    ],
)
def test_anything_but_a_path_on_this_site_is_not_local(target):
    assert not is_local_path(target)


def test_a_connection_the_database_dropped_costs_no_request(make_app, tmp_path):
    # A restart or failover of PostgreSQL closes the pool's connections under it; without
    # a check before use, the next request on each of them failed (a 500, here a 503).
    from sqlalchemy import create_engine, text

    from conference.extensions import db
    from tests.conftest import postgres_url

    url = postgres_url()
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.commit()
    admin = create_engine(url)
    with admin.begin() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
