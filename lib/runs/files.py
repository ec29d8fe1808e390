"""Writing a run's files: to a temporary name renamed into place, with the permissions open() would give, and
every disk error (full, read-only, not allowed) and unreadable file said in plain words."""

from __future__ import annotations

import errno
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np


class StoreError(ValueError):
    """A run file could not be written, said in plain words (disk full, read-only disk, permission denied)."""


PLAIN_ERRNO = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only disk",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "the runs folder, or a folder in it, is a file",
    errno.EISDIR: "a folder is in the way",
    errno.ENAMETOOLONG: "file name too long",
    errno.EIO: "the disk failed to read or write",
}


def _plain_error(exc: OSError, path: Path) -> OSError | StoreError:
    why = PLAIN_ERRNO.get(exc.errno)
    where = "/".join(Path(path).parts[-3:])  # within the runs folder: messages reach browsers, not server paths
    return StoreError(f"Cannot write {where}: {why}.") if why else exc


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows (/proc), else set and restored."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary name and rename into place, with the permissions open() would give (0o666 & ~umask).
    StoreError says in plain words when the disk is full or read-only, or the folder is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _plain_error(exc, path) from exc
    try:
        try:
            os.fchmod(fd, 0o666 & ~_umask())
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _plain_error(exc, path) from exc
        raise


def json_bytes(obj: Any) -> bytes:
    """obj as UTF-8 JSON text (numpy numbers and arrays as plain ones)."""
    return json.dumps(obj, indent=1, default=_json_default).encode("utf-8")


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, json_bytes(obj))


def npy_bytes(array: np.ndarray) -> bytes:
    """An array as the bytes of a float32 .npy file."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=np.float32))
    return buffer.getvalue()


def atomic_save_npy(path: Path, array: np.ndarray) -> None:
    atomic_write_bytes(path, npy_bytes(array))


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def _reason(exc: BaseException) -> str:
    """An exception reading a run file, in words."""
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(exc, json.JSONDecodeError):
        return f"it is not JSON ({exc.msg}, line {exc.lineno})"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a file"
    if isinstance(exc, FileNotFoundError):
        return "it is missing"
    if isinstance(exc, PermissionError):
        return "the server may not read it (permission denied)"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc) or type(exc).__name__
