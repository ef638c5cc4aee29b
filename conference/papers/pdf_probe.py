"""Whether a file is a PDF a reader can open, decided by parsing its structure.

A ``%PDF-`` header and an ``%%EOF`` marker prove little: an SVG, an executable or a web page
can carry both. qpdf (through pikepdf) reads the cross-reference table and trailer, the
document catalogue and every page, as a reader does before it shows the first one. A
hostile PDF can make that parse slow or huge (a 20 MB file of one long array takes qpdf
20 seconds and 1.4 GB), so it runs in a child process with a wall-clock limit and an
address-space limit: the worker that received the upload only waits, and a file that
passes a limit is refused.

Self-contained on purpose (the standard library and pikepdf, no project imports): run as
a script, it reads the file on standard input and prints one JSON line, which
:func:`probe` turns into a :class:`Verdict`. No Flask here.
"""

import io
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import BinaryIO

SECONDS = 10  # wall-clock time for one check; a genuine 20 MB paper takes well under one
MEMORY = 768 * 1024 * 1024  # address space of the child: Python and qpdf need ~250 MiB
UNAVAILABLE = 3  # the child's exit status when it cannot check at all (no pikepdf)

# What a check may find.
OK = "ok"
NOT_PDF = "not_pdf"  # no structure qpdf can read, even by recovery
ENCRYPTED = "encrypted"  # needs a password to open
NO_PAGES = "no_pages"
TOO_SLOW = "too_slow"  # passed the time limit
TOO_LARGE = "too_large"  # passed the memory limit (or crashed the parser)


@dataclass(frozen=True)
class Verdict:
    reason: str  # one of the names above
    pages: int = 0

    @property
    def ok(self) -> bool:
        return self.reason == OK


def probe(file: BinaryIO, *, seconds: float = SECONDS, memory: int = MEMORY) -> Verdict:
    """Parse the PDF in ``file`` in a child process bounded in time and memory.

    A file with a descriptor (the upload's temporary file) is handed to the child as its
    standard input; anything else is piped. RuntimeError when the check cannot run.
    """
    command = [sys.executable, "-I", os.path.abspath(__file__), str(memory), str(seconds)]
    file.seek(0)
    try:
        descriptor = file.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        descriptor = None
    try:
        if descriptor is not None:
            done = subprocess.run(  # noqa: S603  (our own script, no shell)
                command, stdin=descriptor, capture_output=True, timeout=seconds, check=False
            )
        else:
            done = subprocess.run(  # noqa: S603
                command, input=file.read(), capture_output=True, timeout=seconds, check=False
            )
    except subprocess.TimeoutExpired:  # run() has killed the child
        return Verdict(TOO_SLOW)
    finally:
        file.seek(0)
    if done.returncode == UNAVAILABLE:
        raise RuntimeError(f"the PDF check cannot run: {done.stderr.decode(errors='replace')}")
    if done.returncode == -signal.SIGXCPU:
        return Verdict(TOO_SLOW)
    try:
        answer = json.loads(done.stdout)
        return Verdict(str(answer["reason"]), int(answer.get("pages", 0)))
    except (ValueError, KeyError, TypeError):
        # Killed by the kernel, aborted on a failed allocation, or a crash in the parser:
        # whatever it was, this file made it happen.
        return Verdict(TOO_LARGE)


def check_bytes(data: bytes) -> dict:
    """The verdict on a PDF's bytes, parsed in this process (the child's part)."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            for page in pdf.pages:
                page.mediabox  # noqa: B018  (the page object and its inherited size, resolved)
            # qpdf repairs what it can and says so in warnings; running out of memory on
            # an object is one of them (the object is then dropped, a page with it).
            if any("bad_alloc" in warning for warning in pdf.get_warnings()):
                return {"reason": TOO_LARGE}
            if not pages:
                return {"reason": NO_PAGES}
            return {"reason": OK, "pages": pages}
    except pikepdf.PasswordError:
        return {"reason": ENCRYPTED}
    except MemoryError:
        return {"reason": TOO_LARGE}
    except Exception:  # a damaged or hostile file fails in many ways; each means "not a PDF"
        return {"reason": NOT_PDF}


def _limit(memory: int, seconds: float) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes no file


def _main(argv: list[str]) -> int:
    memory, seconds = int(argv[1]), float(argv[2])
    try:
        _limit(memory, seconds)
    except (ImportError, ValueError, OSError):
        pass  # no resource limits on this system: the parent's time limit still holds
    try:
        import pikepdf  # noqa: F401
    except ImportError as exc:
        print(f"pikepdf is not installed: {exc}", file=sys.stderr)
        return UNAVAILABLE
    except MemoryError:
        print(json.dumps({"reason": TOO_LARGE}))
        return 0
    data = sys.stdin.buffer.read()
    print(json.dumps(check_bytes(data)))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
