"""What the benchmarks share: a fresh PostgreSQL database, gunicorn, the load generator.

Everything stays on this machine's loopback; the database is dropped afterwards.
"""

import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
# flask and gunicorn from the environment running the benchmark (.venv/bin/python ...),
# so that a worktree can use the main checkout's virtual environment.
BIN = Path(sys.executable).parent


def _loadgen() -> Path:
    if "LOADGEN" in os.environ:
        return Path(os.environ["LOADGEN"])
    # Beside the checkout, or beside the folder of a git worktree (wt/<name>).
    shared = [base / "shared" / "bench" / "loadgen.py" for base in ROOT.parents[:2]]
    return next((path for path in shared if path.exists()), shared[0])


LOADGEN = _loadgen()
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


FLASK = [str(BIN / "flask"), "--app", "conference"]


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
        # This checkout's code, whichever environment's packages run it.
        "PYTHONPATH": str(ROOT),
    }
    try:
        subprocess.run(
            [*FLASK, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        yield env, url, tmp
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def run_python(env: dict, script: str) -> str:
    """Run a setup script with the app's environment; its standard output."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@dataclass
class Server:
    """A running gunicorn: its port and its master's process id."""

    port: int
    pid: int

    def worker_pids(self) -> list[int]:
        """The master's children: its workers."""
        return children(self.pid)


@contextmanager
def gunicorn(env: dict, workers: int):
    """gunicorn with sync workers on a free loopback port, ready; yields the port."""
    with gunicorn_server(env, workers) as server:
        yield server.port


@contextmanager
def gunicorn_server(env: dict, workers: int):
    """gunicorn with sync workers on a free loopback port, ready; yields its Server."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
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
        yield Server(port, server.pid)
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


def children(pid: int) -> list[int]:
    """The process ids of a process's children (Linux)."""
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident now, resident peak) of a process in MiB, from /proc; zeros once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0, 0.0
    kib = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
    return int(kib.get("VmRSS", 0)) / 1024, int(kib.get("VmHWM", 0)) / 1024


def run_measured(
    command: list[str], env: dict, timeout: float = 900
) -> tuple[float, float, int, str]:
    """Run a command; (wall seconds, its own peak resident MiB, exit status, output).

    The peak is the process's ru_maxrss from wait4, not that of this process's other
    children. Output (standard output and error together) goes through a temporary file,
    so a chatty command never blocks on a full pipe.
    """
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text_out = output.read().decode(errors="replace")
    return seconds, usage.ru_maxrss / 1024, process.returncode, text_out
