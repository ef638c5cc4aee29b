"""The supported deployment of docs/deployment.md, run as the guide writes it.

The guide's nginx site and gunicorn command sit between ``<!-- deployment:NAME -->``
markers; these tests take them from there verbatim, changing only ports and paths, so the
guide cannot drift from what is tested. Slow clients ("slowloris": a request body at ten
bytes a second) hold gunicorn's sync workers for as long as they like; nginx reads each
body completely before a worker sees it, so the site keeps answering.
"""

import email
import json
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email import policy
from http.client import HTTPConnection, HTTPSConnection
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "deployment.md"
HOST = "conference.example.org"  # the guide's server_name
GUIDE_APP_ADDRESS = "127.0.0.1:8000"  # the guide's gunicorn --bind and nginx upstream
GUIDE_DOWNLOADS_ADDRESS = "127.0.0.1:8001"  # the offline lists' gunicorn and upstream


def guide_block(name: str) -> str:
    """The text of the guide's code block marked ``<!-- deployment:name -->``."""
    match = re.search(
        rf"<!-- deployment:{name} -->\s*```[a-z]*\n(.*?)```\s*<!-- /deployment:{name} -->",
        GUIDE.read_text(encoding="utf-8"),
        re.DOTALL,
    )
    assert match, f"docs/deployment.md has no code block marked <!-- deployment:{name} -->"
    return match.group(1)


def templated(block: str, replacements: dict[str, str]) -> str:
    """The block with its ports and paths replaced; each one must still be in the guide."""
    for old, new in replacements.items():
        assert old in block, f"the guide's block no longer contains {old!r}; update this test"
        block = block.replace(old, new)
    return block


def nginx_binary() -> str:
    """nginx, or skip (fail under REQUIRE_NGINX=1, as .ci/run sets)."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found:
        return found
    if os.environ.get("REQUIRE_NGINX") == "1":
        pytest.fail("REQUIRE_NGINX=1 but nginx is not installed (apt-get install nginx)")
    pytest.skip("needs nginx (apt-get install nginx); set REQUIRE_NGINX=1 to fail instead")


def gunicorn_command(
    port: int, block_name: str = "gunicorn", address: str = GUIDE_APP_ADDRESS
) -> tuple[dict[str, str], list[str]]:
    """A gunicorn command of the guide: its environment assignments and its arguments."""
    block = templated(guide_block(block_name), {address: f"127.0.0.1:{port}"})
    lines = [line for line in block.splitlines() if not line.lstrip().startswith("#")]
    words = shlex.split("\n".join(lines).replace("\\\n", " "))
    env = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    assert words and words[0] == "gunicorn", f"the guide's command should run gunicorn: {words}"
    return env, [sys.executable, "-m", "gunicorn", *words[1:]]


def workers_in(command: list[str]) -> int:
    """The number of workers the command starts."""
    for flag in ("--workers", "-w"):
        if flag in command:
            return int(command[command.index(flag) + 1])
    raise AssertionError("the guide's gunicorn command should say how many workers it starts")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for HOST, written to directory."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 20) -> None:
    """Return once something listens on port; fail with the log if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listens on {port}:\n{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop a server this module started (SIGTERM, then SIGKILL)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Deployment:
    """nginx on HTTP and HTTPS ports in front of gunicorn, on loopback."""

    def __init__(self, app_port, http_port, https_port, certificate, outbox, workers):
        self.app_port = app_port
        self.http_port = http_port
        self.https_port = https_port
        self.outbox = outbox
        self.workers = workers
        self.tls = ssl.create_default_context(cafile=str(certificate))

    def connect(self, proxied: bool = True) -> socket.socket:
        """A raw connection: TLS to nginx, or plain TCP straight to gunicorn."""
        if not proxied:
            return socket.create_connection(("127.0.0.1", self.app_port), timeout=10)
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=10)
        return self.tls.wrap_socket(raw, server_hostname=HOST)

    def request(self, method, path, *, proxied=True, timeout=5.0, headers=None, body=None):
        """One request (Host: HOST); the response with its body read."""
        if proxied:
            conn = HTTPSConnection("127.0.0.1", self.https_port, timeout=timeout)
            conn.sock = self.connect(proxied=True)
            conn.sock.settimeout(timeout)
        else:
            conn = HTTPConnection("127.0.0.1", self.app_port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
            response = conn.getresponse()
            response.body = response.read()
            return response
        finally:
            conn.close()

    def healthz(self, proxied: bool = True, timeout: float = 5.0) -> None:
        """/healthz answers 200 (raises TimeoutError when no answer comes within timeout:
        a site whose workers are all held by slow clients never answers)."""
        response = self.request("GET", "/healthz", proxied=proxied, timeout=timeout)
        assert response.status == 200, response.body


class SlowUpload:
    """A client sending a form body at ten bytes a second, as a slow or hostile one does."""

    def __init__(self, sock: socket.socket, size: int = 100_000):
        self.sock = sock
        self.sock.sendall(
            (
                f"POST /login HTTP/1.1\r\nHost: {HOST}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {size}\r\n\r\nemail="
            ).encode()
        )
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)
        self.thread.start()

    def trickle(self) -> None:
        while not self.stopped.wait(0.1):
            try:
                self.sock.sendall(b"a")
            except OSError:
                return

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.sock.close()


class SlowUploads:
    """Slow uploads a test opens; all are closed at its end."""

    def __init__(self):
        self.opened: list[SlowUpload] = []

    def open(self, connect, count: int) -> None:
        self.opened.extend(SlowUpload(connect()) for _ in range(count))
        time.sleep(0.5)  # each one is now in a worker (bare gunicorn) or in nginx

    def close(self) -> None:
        while self.opened:
            self.opened.pop().close()


@pytest.fixture
def slow_uploads():
    uploads = SlowUploads()
    yield uploads
    uploads.close()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    nginx = nginx_binary()
    tmp = tmp_path_factory.mktemp("deployment")
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    downloads_port = free_port()

    # The app: a SQLite database with one account (for the reset-link test).
    database = f"sqlite:///{tmp / 'conference.db'}"
    env_file_settings = {
        "SECRET_KEY": "deployment-test-secret-key-long-enough",
        "DATABASE_URL": database,
        "CONFERENCE_INSTANCE_PATH": str(tmp / "instance"),
        "OUTBOX_DIR": str(tmp / "outbox"),
        "BASE_URL": f"https://{HOST}",
        "SESSION_COOKIE_SECURE": "true",
        "TASKS_MODE": "sync",
        "REDIS_URL": "",
        "MAIL_SERVER": "",
        "HOME": str(tmp),  # gunicorn's control socket goes to ~/.gunicorn
    }
    from conference import create_app
    from conference.extensions import db
    from tests.factories import make_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "x" * 32})
    with app.app_context():
        db.create_all()
        make_user("delegate@example.org")
        db.engine.dispose()

    guide_env, command = gunicorn_command(app_port)
    app_log = tmp / "gunicorn.log"
    with app_log.open("wb") as log:
        gunicorn = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env_file_settings, **guide_env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    downloads_env, downloads_command = gunicorn_command(
        downloads_port, "gunicorn-downloads", GUIDE_DOWNLOADS_ADDRESS
    )
    downloads_log = tmp / "gunicorn-downloads.log"
    with downloads_log.open("wb") as log:
        downloads = subprocess.Popen(
            downloads_command,
            cwd=ROOT,
            env={**os.environ, **env_file_settings, **downloads_env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(app_port, gunicorn, app_log)
        wait_for_port(downloads_port, downloads, downloads_log)

        certificate, key = self_signed_certificate(tmp)
        site = templated(
            guide_block("nginx"),
            {
                "listen 80;": f"listen 127.0.0.1:{http_port};",
                "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
                f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(certificate),
                f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(key),
                GUIDE_APP_ADDRESS: f"127.0.0.1:{app_port}",
                GUIDE_DOWNLOADS_ADDRESS: f"127.0.0.1:{downloads_port}",
                "/srv/conference/static/": f"{ROOT / 'static'}/",
            },
        )
        # What Debian's /etc/nginx/nginx.conf around the site provides, with every path
        # under tmp so that nginx runs without touching the system's files.
        temp = {kind: tmp / kind for kind in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for path in temp.values():
            path.mkdir()
        mime_types = Path("/etc/nginx/mime.types")
        config = tmp / "nginx.conf"
        config.write_text(
            "\n".join(
                [
                    "user root;" if os.geteuid() == 0 else "",  # workers reach tmp's files
                    "worker_processes 1;",
                    f"pid {tmp / 'nginx.pid'};",
                    "events { worker_connections 256; }",
                    "http {",
                    f"include {mime_types};" if mime_types.exists() else "",
                    "default_type application/octet-stream;",
                    f"access_log {tmp / 'access.log'};",
                    f"client_body_temp_path {temp['body']};",
                    f"proxy_temp_path {temp['proxy']};",
                    f"fastcgi_temp_path {temp['fastcgi']};",
                    f"uwsgi_temp_path {temp['uwsgi']};",
                    f"scgi_temp_path {temp['scgi']};",
                    site,
                    "}",
                ]
            )
        )
        nginx_log = tmp / "nginx-error.log"
        proxy = subprocess.Popen(
            [nginx, "-p", str(tmp), "-c", str(config), "-e", str(nginx_log), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(https_port, proxy, nginx_log)
            deployed = Deployment(
                app_port, http_port, https_port, certificate, tmp / "outbox", workers_in(command)
            )
            deployed.healthz(timeout=30)  # waits for a worker to load the app
            yield deployed
        finally:
            stop(proxy)
    finally:
        stop(gunicorn)
        stop(downloads)


def test_slow_uploads_through_nginx_leave_the_site_answering(deployment, slow_uploads):
    # More slow clients than gunicorn has workers: nginx holds their bodies, not a worker.
    slow_uploads.open(deployment.connect, deployment.workers + 2)
    for _ in range(3):
        deployment.healthz()  # answers while every slow client is still sending
        time.sleep(0.5)
    assert deployment.request("GET", "/login").status == 200


def test_slow_uploads_straight_to_gunicorn_starve_it(deployment, slow_uploads):
    # The baseline the guide explains: without the proxy, one slow client per worker stops
    # the site, health check included.
    slow_uploads.open(lambda: deployment.connect(proxied=False), deployment.workers)
    with pytest.raises(TimeoutError):
        deployment.healthz(proxied=False, timeout=5.0)
    slow_uploads.close()  # the workers are free again once the slow clients go
    deployment.healthz(proxied=False, timeout=10.0)


def test_the_door_phones_offline_lists_have_workers_of_their_own(deployment, slow_uploads):
    # Every worker of the site held: the offline list is still answered (here a 401, for a
    # phone without its token), by the workers the guide gives it.
    slow_uploads.open(lambda: deployment.connect(proxied=False), deployment.workers)
    offline = deployment.request(
        "GET", "/api/v1/events/asean3/checkin/offline", timeout=5.0, headers={"Accept": "*/*"}
    )
    assert offline.status == 401
    assert json.loads(offline.body)["status"] == 401  # the app's answer, not nginx's
    with pytest.raises(TimeoutError):
        deployment.healthz(proxied=True, timeout=3.0)  # the rest of the site waits
    slow_uploads.close()
    deployment.healthz(timeout=10.0)


def test_body_limit_of_nginx_is_the_apps(deployment):
    from conference.config import Defaults

    limit = Defaults.MAX_CONTENT_LENGTH

    def upload(size: int):
        """A multipart upload of exactly size bytes (a file part; no CSRF token)."""
        boundary = "deploymenttestboundary"
        head = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="paper.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        body = head + b"%" * (size - len(head) - len(tail)) + tail
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return deployment.request("POST", "/login", headers=headers, body=body, timeout=30)

    # (A body of exactly the limit is refused by the app: Werkzeug's reader raises 413 when
    # it looks for more after the last byte allowed.)
    within = upload(limit - 1)
    assert within.status == 400  # through nginx to the app, which wants its CSRF token
    assert within.getheader("X-Request-ID")
    over = upload(limit + 1)
    assert over.status == 413
    assert over.getheader("X-Request-ID") is None  # nginx refused it; no worker was used


def test_static_files_are_served_by_nginx(deployment):
    response = deployment.request("GET", "/static/css/app.css")
    assert response.status == 200
    assert response.body == (ROOT / "static" / "css" / "app.css").read_bytes()
    assert response.getheader("Content-Type").startswith("text/css")
    assert response.getheader("X-Request-ID") is None  # the app never saw it


def test_plain_http_is_redirected_to_https(deployment):
    conn = HTTPConnection("127.0.0.1", deployment.http_port, timeout=5)
    conn.request("GET", "/events/?page=2", headers={"Host": HOST})
    response = conn.getresponse()
    conn.close()
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/events/?page=2"


def test_forged_forwarding_headers_do_not_reach_links(deployment):
    # A client's own X-Forwarded-Host/-Prefix and gunicorn's SCRIPT_NAME header must not
    # change the links the app writes (here the password-reset link in an e-mail).
    forged = {
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Prefix": "/evil",
        "X-Forwarded-Proto": "http",
        "SCRIPT_NAME": "/evil",
    }
    page = deployment.request("GET", "/reset", headers=forged)
    assert page.status == 200
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.body)
    cookie = page.getheader("Set-Cookie").split(";")[0]
    answer = deployment.request(
        "POST",
        "/reset",
        headers={
            **forged,
            "Cookie": cookie,
            "Referer": f"https://{HOST}/reset",  # Flask-WTF checks it on HTTPS
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=f"csrf_token={token.group(1).decode()}&email=delegate%40example.org",
    )
    assert answer.status == 302, answer.body
    messages = list(deployment.outbox.glob("*.eml"))
    assert len(messages) == 1
    message = email.message_from_bytes(messages[0].read_bytes(), policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"\S+/reset/\S+", text)
    assert links and all(link.startswith(f"https://{HOST}/reset/") for link in links), text


def test_a_request_line_nginx_accepts_reaches_the_app(deployment):
    # nginx takes request lines up to its 8 KiB header buffer; gunicorn's own limit must
    # not be lower, or a long (hostile or merely generous) query gets gunicorn's bare HTML
    # 414 instead of the app's JSON answer. Longer still, nginx answers 414 itself.
    long_query = "/api/v1/events/no-such-event/registrations?q=" + "a" * 7000
    answer = deployment.request("GET", long_query)
    assert answer.getheader("X-Request-ID"), answer.body[:300]  # the app answered
    assert answer.status == 401
    assert answer.getheader("Content-Type") == "application/json"

    too_long = deployment.request("GET", "/api/v1/events?q=" + "a" * 9000)
    assert too_long.status == 414
    assert too_long.getheader("X-Request-ID") is None  # nginx refused it; no worker was used
