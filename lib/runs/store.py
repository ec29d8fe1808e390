"""The run store: one folder per run holding its config, vocabulary, every epoch's vectors and metrics.

    runs/<run id>/
        config.json               {"train": asdict(TrainConfig), "corpus": asdict(CorpusConfig), "models": [...],
                                   "resolved": what ran (lib.runs.provenance), "preset": the corpus's preset, ...}
        vocab.tsv                 word<TAB>count, most frequent first (the row order of every vector file)
        analogies.txt             the analogy questions this run is evaluated on, if any
        name.txt                  the name a user gave the run (optional; one line, NAME_MAX characters at most)
        status.json               {"state": "training" | "complete" | "incomplete", "message", "pid", "pid_start",
                                   "host", "updated": the trainer's heartbeat (see Heartbeat)}
        progress.json             the trainer's position within the current epoch (for progress bars)
        <model>/epoch_000.npy     float32 (vocabulary × dim) input vectors after each epoch; 000 is the random start
        <model>/out_000.npy       float32 (vocabulary × dim) output weights after each epoch: word rows, or for
                                  hierarchical softmax the Huffman tree's inner nodes (the last row unused).
                                  Runs saved before these files have none; Run.out_vectors says so.
        <model>/metrics.json      one object per finished epoch
        cache/                    projections and other derived data, recomputable

data/example-run/<run id>/ is such a folder, shipped with the app: install_example copies it into an empty runs folder.

Every file is written to a temporary name and renamed into place, so a reader never sees half a file and a run
killed mid-training keeps every epoch it finished. A model's epoch counts as finished once its metrics entry is
written, which happens after its vectors file. Runs never share files, so several processes can write at once.
Files get the permissions open() would give (0o666 less the umask), so a server running as another user can read
runs trained from the command line; a full or read-only disk is a StoreError in plain words.

Run.open is the one place that decides whether a run can be shown: it checks every file cheaply (the config's
types, the vocabulary, the metrics, each vectors file's header and size) and refuses links out of the run folder;
scan_runs lists the runs that pass and says why every other entry of the runs folder is skipped.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import uuid
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lib.config import CorpusConfig, TrainConfig, from_dict
from lib.data.vocab import Vocab
from lib.runs import cache
from lib.runs.checks import (
    _check_text,
    _is_int,
    _is_number,
    _read_vocab,
    _stamp,
    _vectors_problem,
    check_config,
    check_metrics,
    check_status,
    npy_shape,
)
from lib.runs.files import _plain_error, _reason, atomic_save_npy, atomic_write_bytes, atomic_write_json
from lib.runs.liveness import STALE_AFTER, _pid_alive, process_start

if TYPE_CHECKING:  # gensim is imported where vectors become KeyedVectors, so listing runs stays light
    from gensim.models import KeyedVectors

DEFAULT_RUNS_DIR = "runs"


def runs_dir(path: str | os.PathLike | None = None) -> Path:
    """--runs-dir, else $W2V_RUNS_DIR, else ./runs."""
    return Path(path or os.environ.get("W2V_RUNS_DIR") or DEFAULT_RUNS_DIR)


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
NAME_MAX = 60  # characters in a run's name
DELETING = ".deleting-"  # a run being deleted is first renamed to this prefix (hidden from listings), then removed


def new_run_id(corpus_name: str) -> str:
    """A fresh run id: UTC time, the corpus's name, 6 random hex digits (sorted by time; never the same twice)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    slug = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in corpus_name)[:40]
    return f"{stamp}-{slug}-{uuid.uuid4().hex[:6]}"


# ------------------------------------------------------------ what a readable run looks like


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
    def create(
        cls,
        root: str | os.PathLike | None,
        corpus_cfg: CorpusConfig,
        train_cfg: TrainConfig,
        models: list[str],
        vocab: Vocab,
        *,
        corpus_name: str,
        n_tokens: int,
        analogies: str | None = None,
        extra: dict | None = None,
        run_id: str | None = None,
    ) -> "Run":
        run_id = run_id or new_run_id(corpus_name)
        if not RUN_ID.fullmatch(run_id):
            raise ValueError(f"A run id is letters, digits, '-' and '_' only (got {run_id!r}).")
        run = cls(runs_dir(root) / run_id)
        try:
            run.path.mkdir(parents=True)
        except FileExistsError:  # runs never share a folder
            raise ValueError(f"There is a run {run.id} already; choose another run id.") from None
        except OSError as exc:
            raise _plain_error(exc, run.path) from exc
        run.set_status("training")
        lines = "".join(f"{w}\t{c}\n" for w, c in zip(vocab.words, vocab.counts.tolist()))
        atomic_write_bytes(run.path / "vocab.tsv", lines.encode("utf-8"))
        if analogies:
            atomic_write_bytes(run.path / "analogies.txt", analogies.encode("utf-8"))
        # config.json last: a folder with one is a whole run to every reader (jobs.Job.find_run, scan_runs)
        atomic_write_json(
            run.path / "config.json",
            {
                "train": asdict(train_cfg),
                "corpus": asdict(corpus_cfg),
                "models": list(models),
                "corpus_name": corpus_name,
                "n_tokens": n_tokens,
                "vocab_size": len(vocab),
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                **(extra or {}),
            },
        )
        return run

    def set_status(self, state: str, message: str = "") -> None:
        """status.json: the state, and who writes it (pid, the process's start time, host) and when (the
        heartbeat, see Heartbeat)."""
        atomic_write_json(
            self.path / "status.json",
            {
                "state": state,
                "message": message,
                "pid": os.getpid(),
                "pid_start": process_start(os.getpid()),
                "host": socket.gethostname(),
                "updated": time.time(),
            },
        )

    def write_epoch(
        self, model: str, epoch: int, vectors: np.ndarray, metrics: dict, out_vectors: np.ndarray | None = None
    ) -> None:
        """Vectors (and the output weights, when given) first, then the metrics entry that marks the epoch as
        finished."""
        if out_vectors is not None:
            atomic_save_npy(self.path / model / f"out_{epoch:03d}.npy", out_vectors)
        atomic_save_npy(self.path / model / f"epoch_{epoch:03d}.npy", vectors)
        done = [m for m in self.metrics(model) if m["epoch"] != epoch]
        atomic_write_json(
            self.path / model / "metrics.json", sorted(done + [{"epoch": epoch, **metrics}], key=lambda m: m["epoch"])
        )

    def write_progress(self, model: str, epoch: int, done: float, loss: float | None) -> None:
        atomic_write_json(
            self.path / "progress.json",
            {"model": model, "epoch": epoch, "done": done, "loss": loss, "updated": time.time(), "pid": os.getpid()},
        )

    # ------------------------------------------------------------ reading

    @classmethod
    def open(cls, path: str | os.PathLike) -> "Run":
        """A run folder, checked enough to show: its config's types, its vocabulary, its status, every model's
        metrics and every finished epoch's vectors file (its header and size: dtype float, shape vocabulary ×
        dim, not truncated). ValueError names the run, the file and what is wrong with it."""
        run = cls(Path(path))
        if not run.path.is_dir():
            raise ValueError(f"No run folder at {run.path}.")
        for name in ("config.json", "vocab.tsv"):
            if not run._file(name).exists():
                raise run._damaged(name, "it is missing")
        cfg = run.config
        vocab = run.vocab()
        if len(vocab) != cfg["vocab_size"]:
            raise run._damaged("vocab.tsv", f"it has {len(vocab)} words, config.json says {cfg['vocab_size']}")
        if os.path.lexists(run._file("analogies.txt")):
            try:
                _check_text(str(run.path / "analogies.txt"), _stamp(run.path / "analogies.txt"))
            except (OSError, ValueError) as exc:
                raise run._damaged("analogies.txt", _reason(exc)) from None
        if run._file("status.json").exists():
            run._read_json("status.json", check_status)
        dim = run.train_config.dim
        for model in run.models:
            for entry in run.metrics(model):
                name = f"{model}/epoch_{entry['epoch']:03d}.npy"
                if not os.path.lexists(run._file(name)):
                    continue  # an epoch whose vectors were never written is not finished (see epochs)
                try:
                    shape, dtype = npy_shape(run._file(name))
                except (OSError, ValueError, EOFError) as exc:
                    raise run._damaged(name, _reason(exc)) from None
                why = _vectors_problem(shape, dtype, len(vocab), dim)
                if why:
                    raise run._damaged(name, why)
        return run

    def _damaged(self, name: str, why: str) -> ValueError:
        return ValueError(f"Run {self.id} is damaged: {name}: {why}.")

    def _file(self, name: str) -> Path:
        """A file of the run; ValueError when a link leads it out of the run folder."""
        path = self.path / name
        if os.path.realpath(path) != os.path.join(os.path.realpath(self.path), name):
            raise self._damaged(name, "a link leads it out of the run folder")
        return path

    def _read_json(self, name: str, check=None):
        """A JSON file of the run, checked by check (returns why it is wrong, or None)."""
        try:
            data = json.loads(self._file(name).read_bytes().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise self._damaged(name, _reason(exc)) from None
        why = check(data) if check else None
        if why:
            raise self._damaged(name, why)
        return data

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def config(self) -> dict:
        cached = self.__dict__.get("_config")
        if cached is None:
            cached = self.__dict__["_config"] = self._read_json("config.json", check_config)
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
        path = self._file("vocab.tsv")
        try:
            return _read_vocab(str(path), _stamp(path))
        except (OSError, ValueError) as exc:
            raise self._damaged("vocab.tsv", _reason(exc)) from None

    def analogies_path(self) -> Path | None:
        path = self.path / "analogies.txt"
        return path if path.is_file() and not path.is_symlink() else None

    def metrics(self, model: str) -> list[dict]:
        """One entry per finished epoch of a model ([] before the first); ValueError when the file is damaged."""
        name = f"{model}/metrics.json"
        if not os.path.lexists(self.path / name):
            return []
        return self._read_json(name, check_metrics)

    def epochs(self, model: str) -> list[int]:
        """Finished epochs of a model whose vectors are on disk, 0 (the random start) first."""
        return [
            m["epoch"] for m in self.metrics(model) if (self.path / model / f"epoch_{m['epoch']:03d}.npy").is_file()
        ]

    def common_epochs(self) -> list[int]:
        """Epochs finished by every model of the run."""
        sets = [set(self.epochs(m)) for m in self.models]
        return sorted(set.intersection(*sets)) if sets else []

    def _table(self, name: str) -> np.ndarray | None:
        """A vocabulary × dim table of the run (vectors or output weights), checked; None when the file is absent."""
        path = self._file(name)
        if not path.is_file():
            return None
        try:
            table = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise self._damaged(name, _reason(exc)) from None
        why = _vectors_problem(table.shape, table.dtype, len(self.vocab()), self.train_config.dim)
        if why:
            raise self._damaged(name, why)
        return table

    def vectors(self, model: str, epoch: int) -> np.ndarray:
        """An epoch's vectors, checked against the vocabulary and dim; ValueError naming the run and file."""
        vectors = self._table(f"{model}/epoch_{epoch:03d}.npy")
        if vectors is None:
            raise ValueError(f"Run {self.id} has no {model} vectors for epoch {epoch}.")
        return vectors

    def out_epochs(self, model: str) -> list[int]:
        """Finished epochs of a model whose output weights are on disk too."""
        return [e for e in self.epochs(model) if (self.path / model / f"out_{e:03d}.npy").is_file()]

    def out_vectors(self, model: str, epoch: int) -> np.ndarray | None:
        """An epoch's output weights, or None for a run saved before they were kept (ValueError naming the run and
        file when the file is damaged). Checked here, not in open: a damaged one only affects what reads it."""
        return self._table(f"{model}/out_{epoch:03d}.npy")

    def keyed_vectors(self, model: str, epoch: int) -> KeyedVectors:
        """An epoch's vectors as gensim KeyedVectors, for every evaluation."""
        return to_keyed_vectors(self.vocab(), self.vectors(model, epoch))

    def status(self) -> dict:
        """status.json, with state "incomplete" for a run whose trainer is gone before it finished (see
        trainer_alive)."""
        try:
            status = json.loads((self.path / "status.json").read_bytes().decode("utf-8"))
        except (OSError, ValueError):
            return {"state": "incomplete", "message": "status.json is missing or unreadable"}
        if check_status(status):
            return {"state": "incomplete", "message": "status.json has no state"}
        if status["state"] == "training" and not self.trainer_alive(status):
            status = {
                **status,
                "state": "incomplete",
                "message": status.get("message") or "training stopped before the last epoch",
            }
        return status

    def trainer_alive(self, status: dict) -> bool:
        """Whether the process that wrote a "training" status still trains: on its host, its PID is alive and
        started when the status says (not a reused PID); anywhere, its heartbeat is younger than STALE_AFTER."""
        pid = status.get("pid")
        if status.get("host") == socket.gethostname() and _is_int(pid):
            if not _pid_alive(pid):
                return False
            started = status.get("pid_start")
            if _is_int(started) and process_start(pid) not in (None, started):
                return False
        beats = [status.get("updated"), self.progress().get("updated")]
        heartbeat = max((b for b in beats if _is_number(b)), default=0)
        return time.time() - heartbeat < STALE_AFTER

    def progress(self) -> dict:
        try:
            progress = json.loads((self.path / "progress.json").read_bytes().decode("utf-8"))
        except (OSError, ValueError):
            return {}
        return progress if isinstance(progress, dict) else {}

    # ------------------------------------------------------------ derived data (recomputable)

    @property
    def name(self) -> str:
        """The name a user gave the run, "" when none (or when name.txt cannot be read)."""
        try:
            return self._file("name.txt").read_bytes().decode("utf-8").strip()[:NAME_MAX]
        except (OSError, ValueError):
            return ""

    def rename(self, name: str) -> None:
        """Give the run a name (an empty name removes it); ValueError for names that cannot be one."""
        name = " ".join(name.split())  # one line, single spaces
        if len(name) > NAME_MAX:
            raise ValueError(f"A run name has at most {NAME_MAX} characters (this one has {len(name)}).")
        if any(not ch.isprintable() for ch in name):
            raise ValueError("A run name cannot hold control characters.")
        if name:
            atomic_write_bytes(self._file("name.txt"), name.encode("utf-8"))
        else:
            self._file("name.txt").unlink(missing_ok=True)

    def cache_dir(self) -> Path:
        """The run's cache/ folder (read and write it with read_cache and write_cache)."""
        return self.path / "cache"

    def read_cache(self, *parts: str) -> bytes | None:
        """A cached file's bytes, or None when it is not there (or cannot be read): lib.runs.cache.read."""
        return cache.read(self, parts)

    def write_cache(self, *parts: str, data: bytes) -> bool:
        """Keep derived data under cache/, or return False where it cannot be kept: lib.runs.cache.write."""
        return cache.write(self, parts, data)

    def summary(self) -> dict:
        """One row for run lists: corpus, settings, state and each model's last metrics."""
        cfg = self.config
        row = {
            "run": self.id,
            "name": self.name,
            "corpus": cfg.get("corpus_name") or cfg["corpus"].get("name"),
            "created": cfg.get("created", ""),
            "state": self.status()["state"],
            "vocab": cfg.get("vocab_size"),
            "tokens": cfg.get("n_tokens"),
            "models": ",".join(self.models),
        }
        train = asdict(self.train_config)
        row.update(
            {
                k: train[k]
                for k in ("architecture", "loss", "dim", "window", "negative", "min_count", "sample", "epochs", "seed")
            }
        )
        for model in self.models:
            done = self.metrics(model)
            last = done[-1] if done else {}
            row[f"{model}_epochs"] = max(0, len(done) - 1)
            for key in (
                "loss",
                "words_per_sec",
                "analogy_accuracy",
                "ws353_spearman",
                "neighbor_precision",
                "category_purity",
            ):
                if last.get(key) is not None:
                    row[f"{model}_{key}"] = last[key]
        return row


def to_keyed_vectors(vocab: Vocab, vectors: np.ndarray) -> KeyedVectors:
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors(list(vocab.words), vectors.astype(np.float32))
    for word, count in zip(vocab.words, vocab.counts.tolist()):
        kv.set_vecattr(word, "count", count)
    return kv
