"""The training queue every session and process shares: one file per waiting ticket, started in order, at most a limit
at once.

    <runs>/.queue/<ticket>.json          waiting: its run id, trainer argument list and log file, oldest name first
    <runs>/.queue/running/<ticket>.json  started: the same, with the trainer's pid (dropped once that process is gone)
    <runs>/.queue/.lock                  dispatch, enqueue and leave take it (fcntl.flock), so no ticket starts twice

There is no daemon: whoever calls dispatch (a page polling its job, a finished trainer's reaper thread, every server
process's queue watcher, a trainer whose server died as it ends: lib.runs.jobs) starts the oldest waiting tickets while
fewer than `limit` trainers are alive. Tickets are plain files, so a server restart keeps the queue, and trainers
still alive from before the restart still count against the limit. A full or read-only disk is lib.runs.store's
StoreError in plain words ("read-only disk"), never a raw OSError with the server's path.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from lib.runs.files import _plain_error, atomic_write_json
from lib.runs.store import runs_dir

QUEUE_DIR = ".queue"  # under the runs folder; list_runs skips names starting with "."
RUNNING_DIR = "running"
LOCK_FILE = ".lock"
MAX_WAITING = 100  # more waiting tickets than this are refused (the queue stays small on disk and on screen)


@dataclass(frozen=True)
class Ticket:
    """One training waiting for (or holding) a slot; `id` sorts in the order the tickets were made."""

    id: str
    run_id: str
    args: list[str]
    log: str
    created: float
    pid: int | None = None  # the trainer's, once started


def queue_dir(root: str | os.PathLike | None = None) -> Path:
    return runs_dir(root) / QUEUE_DIR


@contextmanager
def locked(root: str | os.PathLike | None = None) -> Iterator[None]:
    """Hold the queue's lock (across threads and processes: each call opens its own file description)."""
    folder = queue_dir(root)
    try:
        (folder / RUNNING_DIR).mkdir(parents=True, exist_ok=True)
        handle = open(folder / LOCK_FILE, "a")
    except OSError as exc:
        raise_plain(exc, folder / LOCK_FILE)
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def raise_plain(exc: OSError, path: Path):
    """Raise lib.runs.files' StoreError in plain words for a full or read-only disk (no server path), else exc
    itself."""
    plain = _plain_error(exc, path)
    if plain is exc:
        raise exc
    raise plain from exc


def _unlink(path: Path, missing_ok: bool = False) -> None:
    try:
        path.unlink(missing_ok=missing_ok)
    except OSError as exc:
        raise_plain(exc, path)


def _read(path: Path) -> Ticket | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Ticket(**data)
    except (OSError, ValueError, TypeError):
        return None  # gone meanwhile (started or left), or not a ticket


def _tickets(folder: Path) -> list[Ticket]:
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return [t for t in map(_read, paths) if t is not None]


def waiting(root: str | os.PathLike | None = None) -> list[Ticket]:
    """Tickets not started yet, first in line first."""
    return _tickets(queue_dir(root))


def enqueue(run_id: str, args: list[str], log: str, root: str | os.PathLike | None = None) -> Ticket:
    """Put a training at the end of the line; ValueError when MAX_WAITING tickets already wait."""
    ticket = Ticket(f"{time.time_ns():020d}-{uuid.uuid4().hex[:6]}", run_id, list(args), str(log), time.time())
    with locked(root):
        if len(waiting(root)) >= MAX_WAITING:
            raise ValueError(f"{MAX_WAITING} trainings are already waiting: try again when the queue is shorter.")
        atomic_write_json(queue_dir(root) / f"{ticket.id}.json", asdict(ticket))
    return ticket


def place(ticket_id: str, root: str | os.PathLike | None = None) -> tuple[int, int] | None:
    """(place in line counting from 1, tickets waiting), or None once the ticket has started or left."""
    ids = [t.id for t in waiting(root)]
    return (ids.index(ticket_id) + 1, len(ids)) if ticket_id in ids else None


def leave(ticket_id: str, root: str | os.PathLike | None = None) -> bool:
    """Take a waiting ticket out of the line; False if it has already started (or left)."""
    with locked(root):
        try:
            _unlink(queue_dir(root) / f"{ticket_id}.json")
        except FileNotFoundError:
            return False
    return True


def started(ticket_id: str, root: str | os.PathLike | None = None) -> Ticket | None:
    """The started ticket (with its pid) while its record is kept; None before it starts or after it was dropped."""
    return _read(queue_dir(root) / RUNNING_DIR / f"{ticket_id}.json")


def alive(ticket: Ticket) -> bool:
    """Whether the ticket's trainer still runs: its pid is no zombie, and its command line names the ticket's run id
    (so a reused pid does not count; the command line is briefly empty while the process starts)."""
    if ticket.pid is None:
        return False
    proc = Path(f"/proc/{ticket.pid}")
    if not Path("/proc/self").exists():  # no /proc (macOS): whether the pid exists is all we can know
        try:
            os.kill(ticket.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes()
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X") and (not cmdline or ticket.run_id.encode() in cmdline)


def running(root: str | os.PathLike | None = None) -> list[Ticket]:
    """Started tickets whose trainer is still alive."""
    return [t for t in _tickets(queue_dir(root) / RUNNING_DIR) if alive(t)]


def dispatch(
    root: str | os.PathLike | None, limit: int, launch: Callable[[Ticket], int | None], ending: int | None = None
) -> list[Ticket]:
    """Start the oldest waiting tickets while fewer than `limit` trainers are alive; returns the ones started.

    launch(ticket) starts the trainer and returns its pid (None if it could not start: the ticket is dropped).
    ending: the pid of a trainer about to exit (the caller itself, handing its slot on): its ticket counts as ended."""
    out = []
    with locked(root):
        folder = queue_dir(root)
        active = 0
        for ticket in _tickets(folder / RUNNING_DIR):
            if alive(ticket) and ticket.pid != ending:
                active += 1
            else:
                _unlink(folder / RUNNING_DIR / f"{ticket.id}.json", missing_ok=True)
        for ticket in waiting(root)[: max(0, limit - active)]:
            pid = launch(ticket)
            if pid is not None:  # the running record first, so a reader never finds the ticket in neither place
                ticket = replace(ticket, pid=pid)
                atomic_write_json(folder / RUNNING_DIR / f"{ticket.id}.json", asdict(ticket))
                out.append(ticket)
            _unlink(folder / f"{ticket.id}.json", missing_ok=True)
    return out
