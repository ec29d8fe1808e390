"""Background training: run `python -m lib.train` as a subprocess into a run folder it names, follow it, cancel it.

A Job is a handle a page keeps in its session state; the training process itself lives on after page switches and
browser reruns, and writes everything it does into its own run folder (see lib.store), which every page reads.

    job = start(CorpusConfig("toy-proximity"), TrainConfig(epochs=5), root="runs")
    job.poll()     # JobStatus: state "starting" | "training" | "complete" | "incomplete" | "failed", progress
    job.cancel()   # SIGTERM: the trainer marks its run incomplete ("cancelled") and keeps every finished epoch
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field, fields
from pathlib import Path

from lib.categories import read_categories
from lib.config import MODELS, CorpusConfig, TrainConfig, cli_flag
from lib.corpora import check_text, decode_text
from lib.presets import preset_config
from lib.questions import validate_question_text
from lib.store import Run, atomic_write_bytes, new_run_id, runs_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ".logs"  # under the runs folder; list_runs skips names starting with "."
UPLOAD_DIR = ".uploads"  # under the runs folder (list_runs skips "." names): checked uploaded files
NOT_RUNS = {UPLOAD_DIR}  # folders under the runs folder that are not runs
FINISHED = ("complete", "incomplete", "failed")
# What Home trains by itself on a machine with no runs: the Train page's default run, toy-proximity with its preset
# (seconds of work; its designed neighbours, the letters within ±2, come out clearly in both models).
FIRST_RUN_CORPUS = CorpusConfig("toy-proximity")
FIRST_RUN_TRAIN = preset_config(FIRST_RUN_CORPUS.name)


# ------------------------------------------------------------ uploads


def save_upload(data: bytes, filename: str, root: str | os.PathLike | None = None, kind: str = "corpus") -> Path:
    """Check an uploaded corpus ("corpus"), analogy file ("analogies") or category file ("categories") and store it as
    ROOT/.uploads/<content hash>/<file name>, so the run shows the file's own name as its corpus.

    ValueError says what is wrong with it: empty, not UTF-8, no words, over the corpus size cap, analogy lines
    without 4 words, or category lines that are not word<TAB>category. A corpus is checked a piece at a time
    (lib.corpora.check_text), never decoded and tokenized whole."""
    if kind == "corpus":
        payload = check_text(data, filename)
    elif kind in ("categories", "analogies"):
        text = decode_text(data, filename)
        if kind == "categories":
            read_categories(data, filename)
        else:
            validate_question_text(text, filename)
        payload = text.encode("utf-8")
    else:
        raise ValueError(f"kind must be 'corpus', 'analogies' or 'categories' (got {kind!r}).")
    folder = runs_dir(root) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    safe_name = re.sub(r"[^\w.-]+", "_", Path(filename).name).strip("._") or "upload.txt"
    path = folder / hashlib.sha256(data).hexdigest()[:16] / safe_name
    if not path.exists():
        atomic_write_bytes(path, payload)
    return path.resolve()  # absolute: the trainer runs in the repo root, wherever the app was started


# ------------------------------------------------------------ the command line a job runs


def command(corpus_cfg: CorpusConfig, train_cfg: TrainConfig, models=MODELS, root: str | os.PathLike | None = None,
            analogies: str | os.PathLike | None = None, categories: str | os.PathLike | None = None,
            run_id: str | None = None) -> list[str]:
    """The `python -m lib.train` argument list for these settings (every setting spelled out)."""
    models = [m for m in MODELS if m in models]
    args = [sys.executable, "-m", "lib.train", "--corpus", corpus_cfg.name, "--models", ",".join(models),
            "--runs-dir", str(Path(runs_dir(root)).resolve()), "--json", "--quiet"]
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
class ModelProgress:
    """How far one model of a run is: finished epochs, and the share of all its epochs done."""

    model: str
    epochs: int  # epochs to train
    finished: int  # epochs finished (vectors and metrics written), not counting the random start
    epoch: int | None = None  # the epoch being trained now, if this model is the one training
    done: float = 0.0  # share of all epochs done, 0..1
    epoch_done: float = 0.0  # share of the current epoch done, 0..1
    loss: float | None = None  # running training loss of the current epoch (or the last finished one)

    @property
    def text(self) -> str:
        if self.finished >= self.epochs:
            return f"{self.model}: all {self.epochs} epochs done" + (f", loss {self.loss:.4f}" if self.loss else "")
        if self.epoch is None:
            return f"{self.model}: {self.finished}/{self.epochs} epochs done"
        loss = f", loss so far {self.loss:.4f}" if self.loss is not None else ""
        return f"{self.model}: epoch {self.epoch}/{self.epochs}, {self.epoch_done:.0%} of it{loss}"


def model_progress(run: Run) -> list[ModelProgress]:
    """One ModelProgress per model of the run, from its metrics files and progress.json."""
    epochs = run.train_config.epochs
    live = run.progress() if run.status()["state"] == "training" else {}
    out = []
    for model in run.models:
        metrics = run.metrics(model)
        finished = max(0, len(metrics) - 1)
        last_loss = metrics[-1].get("train_loss") if finished else None
        p = ModelProgress(model, epochs, finished, done=finished / epochs, loss=last_loss)
        if live.get("model") == model and finished < epochs:
            p.epoch = int(live.get("epoch") or finished + 1)
            share = p.epoch_done = float(live.get("done") or 0.0)
            p.done = min(1.0, (p.epoch - 1 + share) / epochs)
            p.loss = live.get("loss")
        out.append(p)
    return out


@dataclass
class JobStatus:
    """What a page shows about a job."""

    state: str  # "starting", "training", "complete", "incomplete" or "failed"
    run_id: str | None = None  # once its folder exists
    message: str = ""  # the run's status message, or the failed start's one-line error
    models: list[ModelProgress] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


@dataclass
class Job:
    """A training subprocess and the run folder it was told to make (run_id, under root)."""

    pid: int
    root: str
    log: str
    started: float
    args: list[str]
    run_id: str
    cancelled: bool = False
    process: subprocess.Popen | None = field(default=None, repr=False, compare=False)

    # -------------------------------------------------------- process

    def returncode(self) -> int | None:
        """None while the process runs; its exit status after (reaping it, so its pid is free again)."""
        if self.process is not None:
            return self.process.poll()
        try:  # a handle without its Popen (another process made it): alive or not is all we can know
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return -1
        except PermissionError:  # the pid exists but is not ours to signal: it is running
            return None
        return None

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the process to end (None after timeout seconds)."""
        end = None if timeout is None else time.monotonic() + timeout
        while (code := self.returncode()) is None:
            if end is not None and time.monotonic() > end:
                return None
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
            return errors[-1][len("error: "):]
        return lines[-1] if lines else "the training process ended without saying why"

    # -------------------------------------------------------- run folder

    def find_run(self) -> Run | None:
        """This job's run folder, once the trainer has made it (after checking the corpus and settings)."""
        run = Run(Path(self.root) / self.run_id)
        return run if (run.path / "config.json").is_file() else None

    def poll(self) -> JobStatus:
        """Where the job is: read from its run folder, which the trainer keeps up to date (lib.store)."""
        code = self.returncode()
        run = self.find_run()
        if run is None:
            if code is None:
                return JobStatus("starting")
            why = "cancelled before training started" if self.cancelled else self.error_line()
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
        """SIGTERM the trainer (it marks its run incomplete, keeping finished epochs); SIGKILL after `wait` s."""
        if self.returncode() is not None:
            return
        self.cancelled = True
        try:
            os.killpg(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if self.wait(wait) is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.wait(5)


def start(corpus_cfg: CorpusConfig, train_cfg: TrainConfig, models=MODELS, root: str | os.PathLike | None = None,
          analogies: str | os.PathLike | None = None, categories: str | os.PathLike | None = None) -> Job:
    """Start training in the background and return its handle at once; ValueError for settings that cannot work
    (corpus problems only show once the process has loaded it: see Job.poll's "failed" state)."""
    train_cfg.validate()
    corpus_cfg.validate()
    if not [m for m in MODELS if m in models]:
        raise ValueError(f"Choose at least one model of {', '.join(MODELS)}.")
    root_path = Path(runs_dir(root)).resolve()
    logs = root_path / LOG_DIR
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.log"
    run_id = new_run_id(Path(corpus_cfg.name).name)
    args = command(corpus_cfg, train_cfg, models, root_path, analogies, categories, run_id)
    started = time.time()
    with open(log, "wb") as out:
        process = subprocess.Popen(args, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    return Job(process.pid, str(root_path), str(log), started, args, run_id, process=process)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def training_runs(root: str | os.PathLike | None = None) -> list[Run]:
    """Runs whose trainer is still at work (any session, any process)."""
    from lib.store import list_runs

    return [r for r in list_runs(root) if r.status()["state"] == "training"]
