"""Whether a run's trainer still runs: its process (PID and the process's start time) and the heartbeat it writes
into status.json while it trains."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lib.runs.store import Run

log = logging.getLogger(__name__)


HEARTBEAT_SECONDS = 5.0  # a training process rewrites its status.json this often (Heartbeat)


STALE_AFTER = 6 * HEARTBEAT_SECONDS  # a "training" run without a heartbeat for this long has stopped


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


def process_start(pid: int) -> int | None:
    """When a process started (clock ticks after boot, /proc/<pid>/stat field 22), to tell a reused PID from the
    process that wrote it; None where /proc cannot say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat[stat.rindex(")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return None


class Heartbeat:
    """While training, a background thread rewrites the run's status.json every `seconds` (a status "training"
    without a fresh heartbeat means the trainer is gone, whatever process has its PID now). Use as a context
    manager around the training; it stops before the final status is written."""

    def __init__(self, run: "Run", seconds: float = HEARTBEAT_SECONDS):
        self.run, self.seconds = run, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{run.id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                self.run.set_status("training")
            except (OSError, ValueError) as exc:  # a full disk: the trainer reports it; try again next beat
                log.warning("heartbeat of run %s not written: %s", self.run.id, exc)
