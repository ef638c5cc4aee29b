"""What the benchmarks share: a fresh PostgreSQL database, gunicorn, the load generator.

Everything stays on this machine's loopback; the database is dropped afterwards.
"""

import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
LOADGEN = Path(os.environ.get("LOADGEN", ROOT.parent / "shared" / "bench" / "loadgen.py"))
SERVER_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> str:
    """Cores, memory and CPU model, for the README's table."""
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        cpu = platform.processor()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {cpu.strip()}"


@contextmanager
def fresh_app_env(prefix: str):
    """(environment for the app, database URL, temp folder) on a new database, migrated."""
    name = f"conference_{prefix}_{os.getpid()}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    tmp = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "benchmark-secret-key-0123456789",
        "CONFERENCE_INSTANCE_PATH": str(tmp),
        "RATELIMIT_ENABLED": "false",
        "MAIL_DELIVER_AFTER_COMMIT": "false",
        "LOG_LEVEL": "WARNING",
    }
    try:
        flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "conference"]
        subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
        yield env, url, tmp
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_python(env: dict, script: str) -> str:
    """Run a setup script with the app's environment; its standard output."""
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


@contextmanager
def gunicorn(env: dict, workers: int):
    """gunicorn with sync workers on a free loopback port, ready; yields the port."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "conference:create_app()",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def loadgen(port: int, path: str, bodies: Path, *args: str) -> str:
    """Run the shared load generator against the server; its result line."""
    result = subprocess.run(
        [
            sys.executable,
            str(LOADGEN),
            "--url",
            f"http://127.0.0.1:{port}{path}",
            "--bodies",
            str(bodies),
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


def figure(line: str, name: str) -> float:
    """One number from a load generator line, e.g. figure(line, "rps")."""
    return float(re.search(rf"{name}=([\d.]+)", line).group(1))
