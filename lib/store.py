"""The run store: one folder per run holding its config, vocabulary, every epoch's vectors and metrics.

    runs/<run id>/
        config.json               {"train": asdict(TrainConfig), "corpus": asdict(CorpusConfig), "models": [...],
                                   "resolved": what ran (lib.provenance), "preset": the corpus's preset, ...}
        vocab.tsv                 word<TAB>count, most frequent first (the row order of every vector file)
        analogies.txt             the analogy questions this run is evaluated on, if any
        name.txt                  the name a user gave the run (optional; one line, NAME_MAX characters at most)
        status.json               {"state": "training" | "complete" | "incomplete", "pid", "host", "message", ...}
        progress.json             the trainer's position within the current epoch (for progress bars)
        <model>/epoch_000.npy     float32 (vocabulary × dim) input vectors after each epoch; 000 is the random start
        <model>/metrics.json      one object per finished epoch
        cache/                    projections and other derived data, recomputable

Every file is written to a temporary name and renamed into place, so a reader never sees half a file and a run
killed mid-training keeps every epoch it finished. A model's epoch counts as finished once its metrics entry is
written, which happens after its vectors file. Runs never share files, so several processes can write at once.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from gensim.models import KeyedVectors

from lib.config import CorpusConfig, TrainConfig, from_dict
from lib.vocab import Vocab

DEFAULT_RUNS_DIR = "runs"
STALE_AFTER = 600.0  # seconds without a heartbeat after which another machine's "training" run counts as stopped


def runs_dir(path: str | os.PathLike | None = None) -> Path:
    """--runs-dir, else $W2V_RUNS_DIR, else ./runs."""
    return Path(path or os.environ.get("W2V_RUNS_DIR") or DEFAULT_RUNS_DIR)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, json.dumps(obj, indent=1, default=_json_default).encode("utf-8"))


def atomic_save_npy(path: Path, array: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=np.float32))
    atomic_write_bytes(path, buffer.getvalue())


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
NAME_MAX = 60  # characters in a run's name
DELETING = ".deleting-"  # a run being deleted is first renamed to this prefix (hidden from listings), then removed


def new_run_id(corpus_name: str) -> str:
    """A fresh run id: UTC time, the corpus's name, 6 random hex digits (sorted by time; never the same twice)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    slug = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in corpus_name)[:40]
    return f"{stamp}-{slug}-{uuid.uuid4().hex[:6]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Run:
    """One run folder, for writing (Run.create) or reading (Run.open).

    >>> import tempfile
    >>> from lib.train import train_run
    >>> path = train_run(CorpusConfig("toy-pos", sentences=200), TrainConfig(epochs=1, dim=8, min_count=1,
    ...                  negative=3, workers=1), root=tempfile.mkdtemp(), run_id="example").path
    >>> run = Run.open(path)
    >>> run.id, run.train_config.dim, len(run.vocab())
    ('example', 8, 10)
    >>> run.vectors("pytorch", 1).shape, run.keyed_vectors("gensim", 0).vector_size
    ((10, 8), 8)
    """

    def __init__(self, path: Path):
        self.path = Path(path)

    # ------------------------------------------------------------ creating and writing

    @classmethod
    def create(cls, root: str | os.PathLike | None, corpus_cfg: CorpusConfig, train_cfg: TrainConfig,
               models: list[str], vocab: Vocab, *, corpus_name: str, n_tokens: int,
               analogies: str | None = None, extra: dict | None = None, run_id: str | None = None) -> "Run":
        run_id = run_id or new_run_id(corpus_name)
        if not RUN_ID.fullmatch(run_id):
            raise ValueError(f"A run id is letters, digits, '-' and '_' only (got {run_id!r}).")
        run = cls(runs_dir(root) / run_id)
        try:
            run.path.mkdir(parents=True)
        except FileExistsError:  # runs never share a folder
            raise ValueError(f"There is a run {run.id} already; choose another run id.") from None
        atomic_write_json(run.path / "config.json", {
            "train": asdict(train_cfg), "corpus": asdict(corpus_cfg), "models": list(models),
            "corpus_name": corpus_name, "n_tokens": n_tokens, "vocab_size": len(vocab),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), **(extra or {}),
        })
        lines = "".join(f"{w}\t{c}\n" for w, c in zip(vocab.words, vocab.counts.tolist()))
        atomic_write_bytes(run.path / "vocab.tsv", lines.encode("utf-8"))
        if analogies:
            atomic_write_bytes(run.path / "analogies.txt", analogies.encode("utf-8"))
        run.set_status("training")
        return run

    def set_status(self, state: str, message: str = "") -> None:
        atomic_write_json(self.path / "status.json", {
            "state": state, "message": message, "pid": os.getpid(), "host": socket.gethostname(),
            "updated": time.time(),
        })

    def write_epoch(self, model: str, epoch: int, vectors: np.ndarray, metrics: dict) -> None:
        """Vectors first, then the metrics entry that marks the epoch as finished."""
        atomic_save_npy(self.path / model / f"epoch_{epoch:03d}.npy", vectors)
        done = [m for m in self.metrics(model) if m["epoch"] != epoch]
        atomic_write_json(self.path / model / "metrics.json", sorted(done + [{"epoch": epoch, **metrics}],
                                                                      key=lambda m: m["epoch"]))

    def write_progress(self, model: str, epoch: int, done: float, loss: float | None) -> None:
        atomic_write_json(self.path / "progress.json", {"model": model, "epoch": epoch, "done": done, "loss": loss,
                                                        "updated": time.time(), "pid": os.getpid()})

    # ------------------------------------------------------------ reading

    @classmethod
    def open(cls, path: str | os.PathLike) -> "Run":
        """A run folder, checked enough to read: ValueError with the reason when it is damaged."""
        run = cls(Path(path))
        if not run.path.is_dir():
            raise ValueError(f"No run folder at {run.path}.")
        for name in ("config.json", "vocab.tsv"):
            if not (run.path / name).is_file():
                raise ValueError(f"Run {run.path.name} is damaged: {name} is missing.")
        try:
            run.config
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"Run {run.path.name} is damaged: config.json cannot be read ({exc}).") from None
        for model in run.models:
            run.metrics(model)  # ValueError when a metrics file is damaged
        return run

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def config(self) -> dict:
        cached = self.__dict__.get("_config")
        if cached is None:
            cached = json.loads((self.path / "config.json").read_text(encoding="utf-8"))
            cached["train"], cached["corpus"]  # noqa: B018 -- fail early on a config without them
            self.__dict__["_config"] = cached
        return cached

    @property
    def train_config(self) -> TrainConfig:
        return from_dict(TrainConfig, self.config["train"])

    @property
    def corpus_config(self) -> CorpusConfig:
        return from_dict(CorpusConfig, self.config["corpus"])

    @property
    def models(self) -> list[str]:
        return list(self.config["models"])

    def vocab(self) -> Vocab:
        words, counts = [], []
        for line in (self.path / "vocab.tsv").read_text(encoding="utf-8").splitlines():
            word, _, count = line.rpartition("\t")
            words.append(word)
            counts.append(int(count))
        return Vocab.from_counts(words, counts)

    def analogies_path(self) -> Path | None:
        path = self.path / "analogies.txt"
        return path if path.is_file() else None

    def metrics(self, model: str) -> list[dict]:
        path = self.path / model / "metrics.json"
        if not path.is_file():
            return []
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ValueError(f"Run {self.id} is damaged: {model}/metrics.json cannot be read.") from None

    def epochs(self, model: str) -> list[int]:
        """Finished epochs of a model whose vectors are on disk, 0 (the random start) first."""
        return [m["epoch"] for m in self.metrics(model)
                if (self.path / model / f"epoch_{m['epoch']:03d}.npy").is_file()]

    def common_epochs(self) -> list[int]:
        """Epochs finished by every model of the run."""
        sets = [set(self.epochs(m)) for m in self.models]
        return sorted(set.intersection(*sets)) if sets else []

    def vectors(self, model: str, epoch: int) -> np.ndarray:
        path = self.path / model / f"epoch_{epoch:03d}.npy"
        if not path.is_file():
            raise ValueError(f"Run {self.id} has no {model} vectors for epoch {epoch}.")
        return np.load(path)

    def keyed_vectors(self, model: str, epoch: int) -> KeyedVectors:
        """An epoch's vectors as gensim KeyedVectors, for every evaluation."""
        return to_keyed_vectors(self.vocab(), self.vectors(model, epoch))

    def status(self) -> dict:
        """status.json, with state "incomplete" for a run whose training process is gone before it finished."""
        try:
            status = json.loads((self.path / "status.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {"state": "incomplete", "message": "status.json is missing or unreadable"}
        if status.get("state") == "training" and not self._trainer_alive(status):
            status = {**status, "state": "incomplete",
                      "message": status.get("message") or "training stopped before the last epoch"}
        return status

    def _trainer_alive(self, status: dict) -> bool:
        if status.get("host") == socket.gethostname() and isinstance(status.get("pid"), int):
            return _pid_alive(status["pid"])
        heartbeat = max(status.get("updated", 0), self.progress().get("updated", 0))
        return time.time() - heartbeat < STALE_AFTER

    def progress(self) -> dict:
        try:
            return json.loads((self.path / "progress.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}

    @property
    def name(self) -> str:
        """The name a user gave the run, "" when none (or when name.txt cannot be read)."""
        try:
            return (self.path / "name.txt").read_text(encoding="utf-8").strip()[:NAME_MAX]
        except (OSError, UnicodeDecodeError):
            return ""

    def rename(self, name: str) -> None:
        """Give the run a name (an empty name removes it); ValueError for names that cannot be one."""
        name = " ".join(name.split())  # one line, single spaces
        if len(name) > NAME_MAX:
            raise ValueError(f"A run name has at most {NAME_MAX} characters (this one has {len(name)}).")
        if any(not ch.isprintable() for ch in name):
            raise ValueError("A run name cannot hold control characters.")
        if name:
            atomic_write_bytes(self.path / "name.txt", name.encode("utf-8"))
        else:
            (self.path / "name.txt").unlink(missing_ok=True)

    def cache_dir(self) -> Path:
        path = self.path / "cache"
        path.mkdir(exist_ok=True)
        return path

    def summary(self) -> dict:
        """One row for run lists: corpus, settings, state and each model's last metrics."""
        cfg = self.config
        row = {"run": self.id, "name": self.name, "corpus": cfg.get("corpus_name", cfg["corpus"].get("name")),
               "created": cfg.get("created", ""), "state": self.status()["state"], "vocab": cfg.get("vocab_size"),
               "tokens": cfg.get("n_tokens"), "models": ",".join(self.models)}
        t = cfg["train"]
        row.update({k: t.get(k) for k in ("architecture", "loss", "dim", "window", "negative", "min_count",
                                           "sample", "epochs", "seed")})
        for model in self.models:
            done = self.metrics(model)
            last = done[-1] if done else {}
            row[f"{model}_epochs"] = max(0, len(done) - 1)
            for key in ("loss", "words_per_sec", "analogy_accuracy", "ws353_spearman", "neighbor_precision",
                        "category_purity"):
                if last.get(key) is not None:
                    row[f"{model}_{key}"] = last[key]
        return row


def run_label(row: dict) -> str:
    """A run's one-line label for selectors, from its summary(): its name, else corpus · epochs · key settings;
    then its state when not complete, and the last 6 characters of its id, so no two runs read the same.

    >>> run_label({"run": "20261202-101500-toy-proximity-3f2a1c", "name": "", "corpus": "toy-proximity",
    ...            "state": "complete", "architecture": "skipgram", "loss": "negative", "dim": 20, "window": 2,
    ...            "epochs": 5, "pytorch_epochs": 5, "gensim_epochs": 5})
    'toy-proximity · 5 epochs · skipgram negative d20 w2 · 3f2a1c'
    >>> run_label({"run": "x-9c0d1e", "name": "Workshop demo", "state": "incomplete", "epochs": 5,
    ...            "pytorch_epochs": 5, "gensim_epochs": 2})
    'Workshop demo · incomplete · 9c0d1e'
    """
    parts = [row["name"]] if row.get("name") else [
        str(row.get("corpus")), _epochs_text(row), f"{row.get('architecture')} {row.get('loss')} d{row.get('dim')} "
                                                   f"w{row.get('window')}"]
    if row.get("state") != "complete":
        parts.append(str(row.get("state")))
    return " · ".join(parts + [row["run"][-6:]])


def _epochs_text(row: dict) -> str:
    """"5 epochs", or "2–5 of 5 epochs" while the models have finished different numbers of them."""
    done = sorted({v for k, v in row.items() if k.endswith("_epochs") and isinstance(v, int)})
    planned = row.get("epochs")
    if done and (done[0] != planned or done[-1] != planned):
        span = f"{done[0]}" if len(done) == 1 else f"{done[0]}–{done[-1]}"
        return f"{span} of {planned} epochs"
    return f"{planned} epochs"


def to_keyed_vectors(vocab: Vocab, vectors: np.ndarray) -> KeyedVectors:
    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors(list(vocab.words), vectors.astype(np.float32))
    for word, count in zip(vocab.words, vocab.counts.tolist()):
        kv.set_vecattr(word, "count", count)
    return kv


def list_runs(root: str | os.PathLike | None = None) -> list[Run]:
    """Readable runs under root, newest first; damaged folders are skipped (see damaged_runs)."""
    root = runs_dir(root)
    if not root.is_dir():
        return []
    runs = []
    for path in sorted(root.iterdir(), reverse=True):
        if path.is_dir() and not path.name.startswith("."):
            try:
                runs.append(Run.open(path))
            except ValueError:
                continue
    return runs


def damaged_runs(root: str | os.PathLike | None = None) -> list[tuple[str, str]]:
    """(folder name, reason) for each folder under root that is not a readable run."""
    root = runs_dir(root)
    bad = []
    for path in sorted(root.iterdir()) if root.is_dir() else []:
        if path.is_dir() and not path.name.startswith("."):
            try:
                Run.open(path)
            except ValueError as exc:
                bad.append((path.name, str(exc)))
    return bad


def delete_run(run: Run) -> None:
    """Delete a run's folder with everything in it; refused while the run is training. The folder is first renamed
    to a hidden name, so no page ever lists a half-deleted run."""
    if run.status()["state"] == "training":
        raise ValueError(f"Run {run.id} is still training: cancel it first, then delete it.")
    hidden = run.path.with_name(f"{DELETING}{run.id}-{uuid.uuid4().hex[:6]}")
    try:
        os.rename(run.path, hidden)
    except FileNotFoundError:
        raise ValueError(f"Run {run.id} is already gone.") from None
    shutil.rmtree(hidden, ignore_errors=True)


def find_run(run_id: str, root: str | os.PathLike | None = None) -> Run:
    path = Path(run_id)
    if not path.is_dir():
        path = runs_dir(root) / run_id
    return Run.open(path)
