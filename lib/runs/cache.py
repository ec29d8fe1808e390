"""A run's cache/ folder: derived data (projections, scores) kept beside the run, recomputable, and skipped, said
once in the log, where the disk is read-only or full or the folder is a link out of the run."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from lib.runs.files import StoreError, _plain_error, atomic_write_bytes

if TYPE_CHECKING:
    from lib.runs.store import Run

log = logging.getLogger(__name__)


_SKIPPED_CACHES: set[str] = set()  # run folders whose caching was refused, so the log says it once


def _skip_caching(run: Run, why: str) -> None:
    if str(run.path) not in _SKIPPED_CACHES:
        _SKIPPED_CACHES.add(str(run.path))
        log.warning("run %s: derived data is not cached (%s); it is computed each time", run.id, why)


def cache_file(run: Run, parts: tuple[str, ...], create: bool) -> Path | None:
    """A file under the run's cache/ folder, or None when it would lead out of the run folder (a link) or,
    with create, its folder cannot be made (a read-only or full disk)."""
    path = run.path.joinpath("cache", *parts)
    expected = os.path.join(os.path.realpath(run.path), "cache", *parts)
    try:
        inside = os.path.realpath(path) == expected  # no link on the way, checked before any folder is made
        if inside and create:
            path.parent.mkdir(parents=True, exist_ok=True)
            inside = os.path.realpath(path) == expected
    except OSError as exc:
        _skip_caching(run, str(_plain_error(exc, path)))
        return None
    if not inside:
        _skip_caching(run, "its cache folder or file is a link out of the run folder")
        return None
    return path


def read(run: Run, parts: tuple[str, ...]) -> bytes | None:
    """A cached file's bytes, or None when it is not there (or cannot be read)."""
    path = cache_file(run, parts, create=False)
    try:
        return path.read_bytes() if path is not None and path.is_file() else None
    except OSError:
        return None


def write(run: Run, parts: tuple[str, ...], data: bytes) -> bool:
    """Keep derived data under cache/; on a read-only or full disk, or a cache folder that is a link out of
    the run, nothing is kept (said once in the log) and False is returned: the caller goes on without it."""
    path = cache_file(run, parts, create=True)
    if path is None:
        return False
    try:
        atomic_write_bytes(path, data)
    except (OSError, StoreError) as exc:
        _skip_caching(run, str(exc))
        return False
    return True
