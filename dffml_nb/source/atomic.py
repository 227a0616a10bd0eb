"""Atomic file replacement: a crash mid-write never leaves a half-written file."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", **open_kwargs) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it replaces ``path``.

    The temporary file lives in the same directory so that ``os.replace`` is a
    rename on one file system (atomic on POSIX and Windows). On any exception
    the temporary file is removed and ``path`` is left exactly as it was.
    """
    target = Path(path)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    # "x" mode: never clobber, and normal umask-based permissions (unlike mkstemp's 0600)
    handle = open(temp, mode.replace("w", "x"), **open_kwargs)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp, target.stat().st_mode & 0o7777)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
