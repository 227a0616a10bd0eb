"""Has a file changed since a source read it? (CSV and JSON sources rewrite
the whole file on save: without this, a save would silently undo what another
writer saved in between.)"""

from __future__ import annotations

import os
from pathlib import Path

from dffml_nb.source.errors import WriteConflictError

#: what identifies a file's contents cheaply: inode (every atomic save makes a new
#: one), size and modification time; None when there is no file
Stamp = tuple[int, int, int] | None

#: a source that has not read its file yet
NOT_READ = (-1, -1, -1)


def stamp(path: Path) -> Stamp:
    """The stamp of ``path`` now (taken *before* reading it, so that a change made
    while it is read shows as a change, never the other way round)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def check_unchanged(path: Path, read: Stamp, origin: str) -> None:
    """WriteConflictError if ``path`` is not the file that was read (stamp ``read``)."""
    if read == NOT_READ:
        return
    now = stamp(path)
    if now == read:
        return
    what = (
        "was created by another writer"
        if read is None
        else "was deleted"
        if now is None
        else "was changed by another writer"
    )
    raise WriteConflictError(
        f"{origin} {what} since this source read it; nothing was saved (saving would "
        "undo that change): read the file again (a new source), apply your change and save"
    )
