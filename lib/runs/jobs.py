"""Background training: run `python -m lib.train` as a subprocess into a run folder it names, follow it, cancel it.

A Job is a handle a page keeps in its session state; the training process itself lives on after page switches and
browser reruns, and writes everything it does into its own run folder (see lib.runs.store), which every page reads.

    job = start(CorpusConfig("toy-proximity"), TrainConfig(epochs=5), root="runs")
    job.poll()     # JobStatus: "queued" (with its place), "starting", "training", "complete", "incomplete", "failed"
    job.cancel()   # leaves the queue, or SIGTERM: the trainer marks its run incomplete and keeps every finished epoch

Trainings wait in a file-based queue shared by every session (lib.runs.training_queue): at most max_trainings() run at
once, niced, and a reaper thread waits for each trainer so none stays a zombie. Nothing waits for a server to come
back: every server process watches the queue (watch_queue), and a trainer whose server died hands its slot on as it
ends (hand_on), so a restart or a closed tab never strands the trainings waiting.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field, fields
from pathlib import Path

from lib.config import MODELS, CorpusConfig, TrainConfig, cli_flag
from lib.runs import training_queue
from lib.runs.progress import ModelProgress, model_progress
from lib.runs.store import Run, new_run_id, runs_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_DIR = ".logs"  # under the runs folder; list_runs skips names starting with "."
FINISHED = ("complete", "incomplete", "failed")


# ------------------------------------------------------------ the command line a job runs


def command(
    corpus_cfg: CorpusConfig,
    train_cfg: TrainConfig,
    models=MODELS,
    root: str | os.PathLike | None = None,
    analogies: str | os.PathLike | None = None,
    categories: str | os.PathLike | None = None,
    run_id: str | None = None,
) -> list[str]:
    """The `python -m lib.train` argument list for these settings (every setting spelled out)."""
    models = [m for m in MODELS if m in models]
    args = [
        sys.executable,
        "-m",
        "lib.train",
        "--corpus",
        corpus_cfg.name,
        "--models",
        ",".join(models),
        "--runs-dir",
        str(Path(runs_dir(root)).resolve()),
        "--json",
        "--quiet",
    ]
    if run_id:
        args += ["--run-id", run_id]
    for cfg in (train_cfg, corpus_cfg):
        for f in fields(cfg):
            value, flag = getattr(cfg, f.name), cli_flag(type(cfg), f.name)
            if isinstance(value, bool):
                args += [flag if value else "--no-" + flag[2:]]
            elif f.name != "name":  # the corpus's name is --corpus, above
                args += [flag, str(value)]
    if analogies:
        args += ["--analogies", str(analogies)]
    if categories:
        args += ["--categories", str(categories)]
    return args


# ------------------------------------------------------------ following a run


@dataclass
class JobStatus:
    """What a page shows about a job."""

    state: str  # "queued", "starting", "training", "complete", "incomplete" or "failed"
    run_id: str | None = None  # once its folder exists
    message: str = ""  # the run's status message, the failed start's one-line error, or the place in the queue
    models: list[ModelProgress] = field(default_factory=list)
    place: int | None = None  # while queued: 1 for the next to start

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


@dataclass
class Job:
    """A training in the queue (lib.runs.training_queue), then a trainer process, and the run folder it was told to make
    (run_id, under root). Any session may start it; this handle follows it by its ticket and run id."""

    root: str
    log: str
    created: float
    args: list[str]
    run_id: str
    ticket: str
    cancelled: bool = False

    # -------------------------------------------------------- process

    @property
    def pid(self) -> int | None:
        """The trainer's pid once started (None while queued, and once its record is dropped after it ended)."""
        with _LOCK:
            process = _CHILDREN.get(self.run_id)
        if process is not None:
            return process.pid
        record = training_queue.started(self.ticket, self.root)
        return record.pid if record else None

    def returncode(self) -> int | None:
        """None while queued or running; its exit status after (-1 when another process started it and it is gone)."""
        with _LOCK:
            if self.run_id in _EXIT_CODES:
                return _EXIT_CODES[self.run_id]
            if self.run_id in _CHILDREN:
                return None
        if training_queue.place(self.ticket, self.root) is not None:
            return None
        record = training_queue.started(self.ticket, self.root)
        return None if record is not None and training_queue.alive(record) else -1

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the queue to start the process and for it to end (None after timeout seconds)."""
        end = None if timeout is None else time.monotonic() + timeout
        while (code := self.returncode()) is None:
            if end is not None and time.monotonic() > end:
                return None
            dispatch(self.root)
            time.sleep(0.1)
        return code

    def log_text(self) -> str:
        try:
            return Path(self.log).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def error_line(self) -> str:
        """The trainer's one-line "error: ..." (without the prefix), else the log's last line."""
        lines = [line.strip() for line in self.log_text().splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("error: ")]
        if errors:
            return errors[-1][len("error: ") :]
        return lines[-1] if lines else "the training process ended without saying why"

    # -------------------------------------------------------- run folder

    def find_run(self) -> Run | None:
        """This job's run folder, once the trainer has made it (after checking the corpus and settings)."""
        run = Run(Path(self.root) / self.run_id)
        return run if (run.path / "config.json").is_file() else None

    def poll(self) -> JobStatus:
        """Where the job is: its place in the queue, else read from its run folder, which the trainer keeps up to date
        (lib.runs.store). Polling also starts waiting tickets when a slot is free (dispatch)."""
        dispatch(self.root)
        waiting = training_queue.place(self.ticket, self.root)
        if waiting is not None:
            place, of = waiting
            return JobStatus("queued", message=f"place {place} of {of} in the queue", place=place)
        code = self.returncode()
        run = self.find_run()
        if run is None:
            if code is None:
                return JobStatus("starting")
            why = "left the queue before training started" if self.cancelled else self.error_line()
            return JobStatus("failed", message=why)
        status = run.status()
        state = status["state"]
        if state == "training" and code is not None:  # process gone, status not final (killed hard)
            state = "incomplete"
        message = status.get("message", "")
        if state == "incomplete" and code and not self.cancelled:  # the trainer's own error line says more
            message = self.error_line() if message in ("", "training stopped before the last epoch") else message
        return JobStatus(state, run.id, message, model_progress(run))

    def cancel(self, wait: float = 10.0) -> None:
        """Leave the queue if still waiting; else SIGTERM the trainer (it marks its run incomplete, keeping finished
        epochs), SIGKILL after `wait` s."""
        self.cancelled = True
        if training_queue.leave(self.ticket, self.root) or self.returncode() is not None:
            return
        pid = self.pid
        if pid is None:
            return
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if self.wait(wait) is None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait(5)


# ------------------------------------------------------------ starting, through the queue

# The trainers this server process started, by run id, until a reaper thread has waited for them; then their exit
# status (the newest KEEP_EXIT_CODES of them).
_LOCK = threading.Lock()
_CHILDREN: dict[str, subprocess.Popen] = {}
_EXIT_CODES: dict[str, int] = {}
KEEP_EXIT_CODES = 1000
NICENESS = 10  # trainers run at a lower priority than the server, so pages keep answering while they work
PARENT_ENV = "W2V_QUEUE_PARENT"  # set for each trainer the queue starts: the pid of the process that started it
ROOT_ENV = "W2V_QUEUE_ROOT"  # ... and the runs folder whose queue it came from
WATCH_SECONDS = 2.0  # how often a server process's queue watcher looks for waiting tickets
_WATCHERS: dict[str, threading.Thread] = {}  # runs folder -> this process's queue watcher


def max_trainings() -> int:
    """How many trainers run at once: $W2V_MAX_TRAININGS, else half the cores (at least 1). Each trainer keeps about
    one core busy; the other half stays free for the Streamlit server and its pages."""
    value = os.environ.get("W2V_MAX_TRAININGS", "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise ValueError(f"W2V_MAX_TRAININGS must be a whole number (got {value!r}).") from None
    return max(1, (os.cpu_count() or 2) // 2)


def _reap(run_id: str, process: subprocess.Popen, root: str) -> None:
    """Wait for a trainer (so it leaves no zombie), keep its exit status, and start the next waiting ticket."""
    code = process.wait()
    with _LOCK:
        _CHILDREN.pop(run_id, None)
        _EXIT_CODES[run_id] = code
        while len(_EXIT_CODES) > KEEP_EXIT_CODES:
            del _EXIT_CODES[next(iter(_EXIT_CODES))]
    try:
        dispatch(root)
    except OSError:
        pass  # the runs folder went away: nothing left to start


def _launch(ticket: training_queue.Ticket, root: str) -> int | None:
    """Start one ticket's trainer, niced, in its own process group; a reaper thread waits for it."""
    nice = shutil.which("nice")
    args = ([nice, "-n", str(NICENESS)] if nice else []) + ticket.args
    env = {**os.environ, PARENT_ENV: str(os.getpid()), ROOT_ENV: root}
    with open(ticket.log, "ab") as out:
        try:
            process = subprocess.Popen(
                args,
                cwd=REPO_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=env,
            )
        except OSError as exc:
            out.write(f"error: the training process could not start: {exc}\n".encode())
            return None
    with _LOCK:
        _CHILDREN[ticket.run_id] = process
    threading.Thread(
        target=_reap, args=(ticket.run_id, process, root), name=f"reap {ticket.run_id}", daemon=True
    ).start()
    return process.pid


def dispatch(root: str | os.PathLike | None = None) -> list[training_queue.Ticket]:
    """Start waiting trainings while fewer than max_trainings() run (any session may call it:
    lib.runs.training_queue)."""
    root = str(Path(runs_dir(root)).resolve())
    return training_queue.dispatch(root, max_trainings(), lambda ticket: _launch(ticket, root))


def _nudge(root: str) -> list[training_queue.Ticket]:
    """dispatch(root) when tickets wait (a look at one folder, no lock or write, when none do); a full or read-only
    disk or a bad $W2V_MAX_TRAININGS leaves the queue as it is (Start says why)."""
    try:
        return dispatch(root) if training_queue.waiting(root) else []
    except (OSError, ValueError):
        return []


def _watch(root: str, interval: float) -> None:
    while True:
        _nudge(root)
        time.sleep(interval)


def watch_queue(root: str | os.PathLike | None = None, interval: float = WATCH_SECONDS) -> None:
    """Start waiting trainings now if there is room, and keep doing so: the first call in a process (per runs folder)
    starts a daemon thread that looks every `interval` s. So a ticket whose turn comes when a trainer that another
    (dead) server started ends, or after a closed tab, starts without any session polling it. Never raises; each
    look while nothing waits is one folder listing. The app calls it on every page run."""
    root = str(Path(runs_dir(root)).resolve())
    with _LOCK:
        watcher = _WATCHERS.get(root)
        if watcher is None or not watcher.is_alive():
            watcher = _WATCHERS[root] = threading.Thread(
                target=_watch, args=(root, interval), daemon=True, name=f"queue watcher {root}"
            )
            watcher.start()
    _nudge(root)


def hand_on() -> list[training_queue.Ticket]:
    """For a trainer the queue started, as it ends (lib.train calls it last): when the process that started it is
    gone (a server killed or restarted, whose reaper thread would have started the next ticket), start the next
    waiting tickets itself, its own slot counted free. Nothing for a trainer whose server is alive, or one run from
    the command line. Never raises."""
    parent, root = os.environ.get(PARENT_ENV, ""), os.environ.get(ROOT_ENV, "")
    try:
        if not root or not parent or os.getppid() == int(parent):
            return []
        return training_queue.dispatch(root, max_trainings(), lambda ticket: _launch(ticket, root), ending=os.getpid())
    except (OSError, ValueError):
        return []


def start(
    corpus_cfg: CorpusConfig,
    train_cfg: TrainConfig,
    models=MODELS,
    root: str | os.PathLike | None = None,
    analogies: str | os.PathLike | None = None,
    categories: str | os.PathLike | None = None,
) -> Job:
    """Queue a training and return its handle at once (it starts now if a slot is free); ValueError for settings that
    cannot work or a full queue (corpus problems only show once the trainer has loaded it: Job.poll's "failed")."""
    train_cfg.validate()
    corpus_cfg.validate()
    if not [m for m in MODELS if m in models]:
        raise ValueError(f"Choose at least one model of {', '.join(MODELS)}.")
    limit = max_trainings()  # a bad $W2V_MAX_TRAININGS says so before anything is queued
    root_path = Path(runs_dir(root)).resolve()
    logs = root_path / LOG_DIR
    try:
        logs.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        training_queue.raise_plain(exc, logs)  # "read-only disk", "disk full": no server path
    log = logs / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.log"
    run_id = new_run_id(Path(corpus_cfg.name).name)
    args = command(corpus_cfg, train_cfg, models, root_path, analogies, categories, run_id)
    ticket = training_queue.enqueue(run_id, args, str(log), root_path)
    training_queue.dispatch(str(root_path), limit, lambda t: _launch(t, str(root_path)))
    return Job(str(root_path), str(log), ticket.created, args, run_id, ticket.id)


def queued(root: str | os.PathLike | None = None) -> list[training_queue.Ticket]:
    """Trainings waiting for a slot (any session), first in line first."""
    return training_queue.waiting(root)


def training_runs(root: str | os.PathLike | None = None) -> list[Run]:
    """Runs whose trainer is still at work (any session, any process)."""
    from lib.runs.listing import list_runs

    return [r for r in list_runs(root) if r.status()["state"] == "training"]
