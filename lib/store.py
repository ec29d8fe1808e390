"""The run store: one folder per run holding its config, vocabulary, every epoch's vectors and metrics.

    runs/<run id>/
        config.json               {"train": asdict(TrainConfig), "corpus": asdict(CorpusConfig), "models": [...],
                                   "resolved": what ran (lib.provenance), "preset": the corpus's preset, ...}
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

import errno
import functools
import io
import json
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import uuid
from dataclasses import MISSING, asdict, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lib.config import ARCHITECTURES, LOSSES, MODELS, OPTIMIZERS, CorpusConfig, TrainConfig, from_dict
from lib.vocab import Vocab

if TYPE_CHECKING:  # gensim is imported where vectors become KeyedVectors, so listing runs stays light
    from gensim.models import KeyedVectors

DEFAULT_RUNS_DIR = "runs"
HEARTBEAT_SECONDS = 5.0  # a training process rewrites its status.json this often (Heartbeat)
STALE_AFTER = 6 * HEARTBEAT_SECONDS  # a "training" run without a heartbeat for this long has stopped
log = logging.getLogger(__name__)


def runs_dir(path: str | os.PathLike | None = None) -> Path:
    """--runs-dir, else $W2V_RUNS_DIR, else ./runs."""
    return Path(path or os.environ.get("W2V_RUNS_DIR") or DEFAULT_RUNS_DIR)


class StoreError(ValueError):
    """A run file could not be written, said in plain words (disk full, read-only disk, permission denied)."""


PLAIN_ERRNO = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded", errno.EROFS: "read-only disk",
               errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.ENOTDIR: "the runs folder, or a folder in it, is a file", errno.EISDIR: "a folder is in the way",
               errno.ENAMETOOLONG: "file name too long", errno.EIO: "the disk failed to read or write"}


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
                view = view[os.write(fd, view):]
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
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


def process_start(pid: int) -> int | None:
    """When a process started (clock ticks after boot, /proc/<pid>/stat field 22), to tell a reused PID from the
    process that wrote it; None where /proc cannot say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


# ------------------------------------------------------------ what a readable run looks like


CONFIG_TYPES = {"corpus_name": str, "created": str, "groups": dict, "categories": dict, "true_neighbours": dict,
                "check_word": str, "description": str, "categories_source": str, "natural": bool, "ordered": bool,
                "preset": dict, "resolved": dict}  # optional keys of config.json, when present and not null
METRIC_NUMBERS = ("loss", "train_loss", "seconds", "words_per_sec", "pairs", "pair_seconds", "analogy_accuracy",
                  "analogy_coverage", "ws353_spearman", "neighbor_precision", "category_purity",
                  "category_purity_chance")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_fields(cls, data) -> str | None:
    """Why a config section saved with asdict() cannot be read back as cls, or None."""
    if not isinstance(data, dict):
        return f"its {cls.__name__} section is a {type(data).__name__}, not an object"
    for f in fields(cls):
        if f.name not in data:
            continue
        value, default = data[f.name], f.default if f.default is not MISSING else None
        ok = (isinstance(value, bool) if isinstance(default, bool) else _is_int(value) if isinstance(default, int)
              else _is_number(value) if isinstance(default, float) else isinstance(value, str)
              if isinstance(default, str) else True)
        if not ok:
            return f"{f.name} is {value!r}, not a {type(default).__name__}"
    return None


def check_config(cfg) -> str | None:
    """Why a config.json's contents are not safe to show, or None."""
    if not isinstance(cfg, dict):
        return f"it holds a {type(cfg).__name__}, not an object"
    models = cfg.get("models")
    if not isinstance(models, list) or not models or any(m not in MODELS for m in models) \
            or len(set(models)) != len(models):
        return f"models must be a list of {', '.join(MODELS)} (got {models!r})"
    for key, cls in (("train", TrainConfig), ("corpus", CorpusConfig)):
        if key not in cfg:
            return f"it has no {key} settings"
        why = _check_fields(cls, cfg[key])
        if why:
            return why
    train = from_dict(TrainConfig, cfg["train"])
    for name, allowed in (("architecture", ARCHITECTURES), ("loss", LOSSES), ("optimizer", OPTIMIZERS)):
        if getattr(train, name) not in allowed:
            return f"{name} is {getattr(train, name)!r}, not one of {', '.join(allowed)}"
    if train.dim <= 0:
        return f"dim is {train.dim}"
    for key in ("vocab_size", "n_tokens"):
        if not _is_int(cfg.get(key)) or cfg[key] < 0:
            return f"{key} is {cfg.get(key)!r}, not a count"
    for key, kind in CONFIG_TYPES.items():
        if cfg.get(key) is not None and not isinstance(cfg[key], kind):
            return f"{key} is a {type(cfg[key]).__name__}, not a {kind.__name__}"
    return None


def check_status(status) -> str | None:
    """Why a status.json's contents are not a status, or None."""
    return None if isinstance(status, dict) and isinstance(status.get("state"), str) else "it has no state"


def check_metrics(entries) -> str | None:
    """Why a metrics.json's contents are not a list of epoch entries, or None."""
    if not isinstance(entries, list):
        return f"it holds a {type(entries).__name__}, not a list"
    for entry in entries:
        if not isinstance(entry, dict) or not _is_int(entry.get("epoch")) or entry["epoch"] < 0:
            return f"an entry has no epoch number ({str(entry)[:60]})"
        bad = next((k for k in METRIC_NUMBERS if entry.get(k) is not None and not _is_number(entry[k])), None)
        if bad:
            return f"epoch {entry['epoch']}'s {bad} is {entry[bad]!r}, not a number"
    return None


def npy_shape(path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """An .npy file's shape and dtype from its header; ValueError when it is not a whole, plain .npy file."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(f"it is an .npy file of version {version}, which is not read here")
        shape, _, dtype = read_header(f)
        size = os.fstat(f.fileno()).st_size
        expected = f.tell() + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if dtype.hasobject:
        raise ValueError("it holds Python objects, not numbers")
    if size != expected:
        raise ValueError(f"it is {size} bytes, not the {expected} its header promises (truncated?)")
    return shape, dtype


def _stamp(path: Path) -> tuple:
    """What tells a changed file from the one read before: its inode, size and time."""
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


@functools.lru_cache(maxsize=64)
def _check_text(path: str, _stamp: tuple) -> None:
    """ValueError when a file is not UTF-8 text (checked once while it is unchanged)."""
    Path(path).read_bytes().decode("utf-8")


@functools.lru_cache(maxsize=32)
def _read_vocab(path: str, _stamp: tuple) -> Vocab:
    """vocab.tsv parsed, kept while the file is unchanged."""
    words, counts = [], []
    text = Path(path).read_bytes().decode("utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        word, tab, count = line.rpartition("\t")
        if not tab or not word or not count.strip().isdigit():
            raise ValueError(f"line {number} is not word<TAB>count ({line[:40]!r})")
        words.append(word)
        counts.append(int(count))
    if not words:
        raise ValueError("it is empty")
    return Vocab.from_counts(words, counts)


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
        except OSError as exc:
            raise _plain_error(exc, run.path) from exc
        run.set_status("training")
        lines = "".join(f"{w}\t{c}\n" for w, c in zip(vocab.words, vocab.counts.tolist()))
        atomic_write_bytes(run.path / "vocab.tsv", lines.encode("utf-8"))
        if analogies:
            atomic_write_bytes(run.path / "analogies.txt", analogies.encode("utf-8"))
        # config.json last: a folder with one is a whole run to every reader (jobs.Job.find_run, scan_runs)
        atomic_write_json(run.path / "config.json", {
            "train": asdict(train_cfg), "corpus": asdict(corpus_cfg), "models": list(models),
            "corpus_name": corpus_name, "n_tokens": n_tokens, "vocab_size": len(vocab),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), **(extra or {}),
        })
        return run

    def set_status(self, state: str, message: str = "") -> None:
        """status.json: the state, and who writes it (pid, the process's start time, host) and when (the
        heartbeat, see Heartbeat)."""
        atomic_write_json(self.path / "status.json", {
            "state": state, "message": message, "pid": os.getpid(), "pid_start": process_start(os.getpid()),
            "host": socket.gethostname(), "updated": time.time(),
        })

    def write_epoch(self, model: str, epoch: int, vectors: np.ndarray, metrics: dict,
                    out_vectors: np.ndarray | None = None) -> None:
        """Vectors (and the output weights, when given) first, then the metrics entry that marks the epoch as
        finished."""
        if out_vectors is not None:
            atomic_save_npy(self.path / model / f"out_{epoch:03d}.npy", out_vectors)
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
        return [m["epoch"] for m in self.metrics(model)
                if (self.path / model / f"epoch_{m['epoch']:03d}.npy").is_file()]

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
            status = {**status, "state": "incomplete",
                      "message": status.get("message") or "training stopped before the last epoch"}
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

    def _cache_file(self, parts: tuple[str, ...], create: bool) -> Path | None:
        """A file under the run's cache/ folder, or None when it would lead out of the run folder (a link) or,
        with create, its folder cannot be made (a read-only or full disk)."""
        path = self.path.joinpath("cache", *parts)
        expected = os.path.join(os.path.realpath(self.path), "cache", *parts)
        try:
            inside = os.path.realpath(path) == expected  # no link on the way, checked before any folder is made
            if inside and create:
                path.parent.mkdir(parents=True, exist_ok=True)
                inside = os.path.realpath(path) == expected
        except OSError as exc:
            _skip_caching(self, str(_plain_error(exc, path)))
            return None
        if not inside:
            _skip_caching(self, "its cache folder or file is a link out of the run folder")
            return None
        return path

    def read_cache(self, *parts: str) -> bytes | None:
        """A cached file's bytes, or None when it is not there (or cannot be read)."""
        path = self._cache_file(parts, create=False)
        try:
            return path.read_bytes() if path is not None and path.is_file() else None
        except OSError:
            return None

    def write_cache(self, *parts: str, data: bytes) -> bool:
        """Keep derived data under cache/; on a read-only or full disk, or a cache folder that is a link out of
        the run, nothing is kept (said once in the log) and False is returned: the caller goes on without it."""
        path = self._cache_file(parts, create=True)
        if path is None:
            return False
        try:
            atomic_write_bytes(path, data)
        except (OSError, StoreError) as exc:
            _skip_caching(self, str(exc))
            return False
        return True

    def summary(self) -> dict:
        """One row for run lists: corpus, settings, state and each model's last metrics."""
        cfg = self.config
        row = {"run": self.id, "name": self.name, "corpus": cfg.get("corpus_name") or cfg["corpus"].get("name"),
               "created": cfg.get("created", ""), "state": self.status()["state"], "vocab": cfg.get("vocab_size"),
               "tokens": cfg.get("n_tokens"), "models": ",".join(self.models)}
        train = asdict(self.train_config)
        row.update({k: train[k] for k in ("architecture", "loss", "dim", "window", "negative", "min_count",
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
        return f"{span} of {planned} epoch{'s' if planned != 1 else ''}"
    return f"{planned} epoch{'s' if planned != 1 else ''}"


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


def _vectors_problem(shape: tuple, dtype: np.dtype, n_words: int, dim: int) -> str | None:
    if dtype.kind != "f":
        return f"its numbers are {dtype}, not floats"
    if shape != (n_words, dim):
        return f"its shape is {shape}, not ({n_words}, {dim}) (vocabulary × dim)"
    return None


_SKIPPED_CACHES: set[str] = set()  # run folders whose caching was refused, so the log says it once


def _skip_caching(run: Run, why: str) -> None:
    if str(run.path) not in _SKIPPED_CACHES:
        _SKIPPED_CACHES.add(str(run.path))
        log.warning("run %s: derived data is not cached (%s); it is computed each time", run.id, why)


def to_keyed_vectors(vocab: Vocab, vectors: np.ndarray) -> KeyedVectors:
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors(list(vocab.words), vectors.astype(np.float32))
    for word, count in zip(vocab.words, vocab.counts.tolist()):
        kv.set_vecattr(word, "count", count)
    return kv


def scan_runs(root: str | os.PathLike | None = None) -> tuple[list[Run], list[tuple[str, str]]]:
    """The readable runs under root, newest first, and (name, reason) for every other entry there: damaged
    folders, links (a run is read only from inside the runs folder) and stray files. Names starting with "." are
    the app's own (logs, uploads) and are left out."""
    root = runs_dir(root)
    runs, bad = [], []
    try:
        entries = sorted((p for p in root.iterdir() if not p.name.startswith(".")), reverse=True)
    except OSError:
        return [], []
    for path in entries:
        if path.is_symlink():
            bad.append((path.name, f"{path.name} is a link, not a run folder: runs are read only from inside "
                                   "the runs folder."))
        elif not path.is_dir():
            bad.append((path.name, f"{path.name} is a file, not a run folder."))
        else:
            try:
                runs.append(Run.open(path))
            except ValueError as exc:
                bad.append((path.name, str(exc)))
            except OSError as exc:
                bad.append((path.name, f"Run {path.name} cannot be read: {_reason(exc)}."))
    return runs, sorted(bad)


def list_runs(root: str | os.PathLike | None = None) -> list[Run]:
    """Readable runs under root, newest first; damaged folders are skipped (see damaged_runs)."""
    return scan_runs(root)[0]


def damaged_runs(root: str | os.PathLike | None = None) -> list[tuple[str, str]]:
    """(name, reason) for each entry under root that is not a readable run."""
    return scan_runs(root)[1]


def delete_run(run: Run) -> None:
    """Delete a run's folder with everything in it; refused while the run is training. The folder is first renamed
    to a hidden name, so no page ever lists a half-deleted run."""
    if run.status()["state"] == "training":
        raise ValueError(f"Run {run.id} is still training: cancel it first, then delete it.")
    discard_run(run)


def discard_run(run: Run) -> None:
    """Remove a run's folder whatever its state (delete_run's last step; train_run's for a run that saved nothing).
    ValueError says in plain words why it could not be removed."""
    hidden = run.path.with_name(f"{DELETING}{run.id}-{uuid.uuid4().hex[:6]}")
    try:
        os.rename(run.path, hidden)
    except FileNotFoundError:
        raise ValueError(f"Run {run.id} is already gone.") from None
    except OSError as exc:  # a read-only disk: say so without the server's path
        why = PLAIN_ERRNO.get(exc.errno, exc.strerror or "cannot rename it")
        raise StoreError(f"Cannot delete run {run.id}: {why}.") from None
    shutil.rmtree(hidden, ignore_errors=True)


EXAMPLE_RUNS = Path(__file__).resolve().parent.parent / "data" / "example-run"  # made by scripts/make_example_run.py


def example_id() -> str | None:
    """The id of the run shipped in data/example-run/, or None when the app ships none."""
    shipped = sorted(p.name for p in EXAMPLE_RUNS.glob("*") if p.is_dir()) if EXAMPLE_RUNS.is_dir() else []
    return shipped[0] if shipped else None


def install_example(root: str | os.PathLike | None = None) -> Run | None:
    """Copy the shipped example run into root (copied to a hidden name, then renamed into place, so no page sees
    half of it; a second session doing the same at once finds it there) and return it; None when none ships."""
    run_id = example_id()
    if run_id is None:
        return None
    dest = runs_dir(root) / run_id
    if not dest.exists():
        tmp = dest.with_name(f".installing-{run_id}-{uuid.uuid4().hex[:6]}")
        try:
            tmp.mkdir(parents=True)
            for src in sorted((EXAMPLE_RUNS / run_id).rglob("*")):  # files get the store's permissions, not the repo's
                to = tmp / src.relative_to(EXAMPLE_RUNS / run_id)
                to.mkdir() if src.is_dir() else shutil.copyfile(src, to)
            os.rename(tmp, dest)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if not dest.is_dir():  # not another session's copy in place first: say why in plain words
                raise _plain_error(exc, Path(run_id)) from exc
    return Run.open(dest)


def find_run(run_id: str, root: str | os.PathLike | None = None) -> Run:
    """A run by id under root (or by folder path, for the command line); ValueError when it cannot be shown."""
    path = Path(run_id)
    if not path.is_dir():
        path = runs_dir(root) / run_id
        if path.is_symlink():
            raise ValueError(f"{run_id} is a link, not a run folder: runs are read only from inside the runs folder.")
    try:
        return Run.open(path)
    except OSError as exc:
        raise ValueError(f"Run {path.name} cannot be read: {_reason(exc)}.") from None
