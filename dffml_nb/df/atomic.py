"""Atomic file replacement, the one way dffml_nb writes a file (sources, models, flows).

A crash or an exception mid-write never leaves a half-written file: the data
goes to a temporary file beside the target, is flushed to disk, and is renamed
over the target in one step. Standard library only (``dffml_nb.df`` is the
bottom layer; everything above it may use this).

What a user expects of "save" is kept too:

- saving through a symbolic link writes the file it points to; the link stays;
- an existing file keeps its permission bits (and, where allowed, its owner);
  a new file gets the umask's default, as any program's ``open(path, "w")``;
- the temporary file is removed when the write fails (only ``SIGKILL`` or a
  power cut can leave one behind, named ``.<name>.<random>.tmp``; the target
  is intact either way);
- a directory that does not exist or cannot be written is an ``OSError`` whose
  message names the directory, not the temporary file.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal, overload

__all__ = ["atomic_write", "write_atomic"]

_TEXT_MODES = ("w", "wt")
_BINARY_MODES = ("wb",)


def _target(path: str | os.PathLike[str]) -> Path:
    """The file to replace: ``path`` with every symbolic link followed.

    A dangling link resolves to the file it names, so that file is created.
    """
    return Path(os.path.realpath(os.fspath(path)))


def _open_temporary(target: Path) -> tuple[Path, int]:
    """A new temporary file beside ``target``: ``(path, descriptor)``.

    ``O_EXCL`` never opens someone else's file; mode ``0o666`` lets the umask
    decide the permissions of a new file, as ``open(path, "w")`` would (not
    ``mkstemp``'s 0600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            raise _directory_error(target, error) from error
    raise FileExistsError(errno.EEXIST, f"cannot create a temporary file beside {target}")


def _directory_error(target: Path, error: OSError) -> OSError:
    """``error`` re-worded to name the file being saved and its directory."""
    directory = target.parent
    if isinstance(error, FileNotFoundError):
        reason = f"directory {str(directory)!r} does not exist"
    elif isinstance(error, NotADirectoryError):
        reason = f"{str(directory)!r} (or a folder above it) is not a directory"
    elif isinstance(error, PermissionError):
        reason = f"no permission to create files in directory {str(directory)!r}"
    else:
        reason = f"cannot create a file in directory {str(directory)!r}: {error.strerror or error}"
    message = f"cannot save {str(target)!r}: {reason}"
    return type(error)(error.errno, message)


def _copy_ownership(temporary: Path, descriptor: int, target: Path) -> None:
    """Give the new file the mode (and owner, when allowed) of the one it replaces."""
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        return  # a new file: the umask's default, set when it was created
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, existing.st_mode & 0o7777)
    else:  # Windows: only the read-only bit exists
        os.chmod(temporary, existing.st_mode & 0o7777)
    if hasattr(os, "fchown"):
        current = os.fstat(descriptor)
        if (current.st_uid, current.st_gid) != (existing.st_uid, existing.st_gid):
            # only root (or the owner, for the group) may do this; a copy owned by us is fine
            with contextlib.suppress(OSError):
                os.fchown(descriptor, existing.st_uid, existing.st_gid)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


@overload
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["w", "wt"] = ...,
    *,
    encoding: str | None = ...,
    newline: str | None = ...,
) -> contextlib.AbstractContextManager[IO[str]]: ...


@overload
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["wb"],
    *,
    encoding: None = ...,
    newline: None = ...,
) -> contextlib.AbstractContextManager[IO[bytes]]: ...


def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = None,
    newline: str | None = None,
) -> contextlib.AbstractContextManager[IO[Any]]:
    """A file to write; when the ``with`` block ends without an error it replaces ``path``.

    ``mode`` is ``"w"`` (text; ``encoding`` default UTF-8) or ``"wb"``. On any
    exception the temporary file is removed and ``path`` is left as it was.
    """
    if mode not in _TEXT_MODES + _BINARY_MODES:
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', not {mode!r}")
    if mode in _TEXT_MODES:
        codecs.lookup(encoding or "utf-8")  # an unknown encoding fails before any file exists
    return _atomic_write(path, mode, encoding, newline)


@contextlib.contextmanager
def _atomic_write(
    path: str | os.PathLike[str], mode: str, encoding: str | None, newline: str | None
) -> Iterator[IO[Any]]:
    target = _target(path)
    temporary, descriptor = _open_temporary(target)
    handle: IO[Any] | None = None
    try:
        _copy_ownership(temporary, descriptor, target)
        if mode in _BINARY_MODES:
            handle = os.fdopen(descriptor, "wb")
        else:
            handle = os.fdopen(descriptor, "w", encoding=encoding or "utf-8", newline=newline)
        with handle:  # from here on the handle owns (and closes) the descriptor
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        if handle is None:
            with contextlib.suppress(OSError):
                os.close(descriptor)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8"
) -> Path:
    """Replace ``path`` with ``data`` (text or bytes) atomically; returns the file written
    (``path`` with symbolic links followed)."""
    if isinstance(data, bytes):
        with atomic_write(path, "wb") as binary:
            binary.write(data)
    else:
        with atomic_write(path, "w", encoding=encoding) as text:
            text.write(data)
    return _target(path)
