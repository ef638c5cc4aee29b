"""Writing a file whole or not at all.

A reader (a download, a job's result, the `.eml` outbox) sees either the old file or the
complete new one: the bytes go to a partial file beside the target, which is flushed to
disk and renamed over the target only when everything was written. On any failure, an
interruption included, the partial file is removed. No Flask and no database.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_write(
    target: Path, partial: Path | None = None, *, durable: bool = False
) -> Iterator[BinaryIO]:
    """Open ``partial`` (default ``<target>.part``) for writing; rename it to ``target``
    when the block ends normally. ``durable`` also fsyncs the file and its folder, so the
    file survives a power cut once the block has ended (uploads need this; files that can
    be made again do not)."""
    target = Path(target)
    partial = Path(partial) if partial is not None else target.with_name(target.name + ".part")
    renamed = False
    try:
        with partial.open("wb") as out:
            yield out
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(partial, target)
        renamed = True
        if durable:
            fsync_folder(target.parent)
    except BaseException:
        with suppress(OSError):
            # Renamed but not flushed to disk: not durable, so not kept either.
            (target if renamed else partial).unlink()
        raise


def fsync_folder(path: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
