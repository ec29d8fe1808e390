"""The runs folder as a whole: listing its runs (and why other entries are skipped), labels for selectors,
deleting a run, installing the example run the app ships, finding a run by id."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from lib.runs.files import PLAIN_ERRNO, StoreError, _plain_error, _reason
from lib.runs.store import DELETING, Run, runs_dir


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
    parts = (
        [row["name"]]
        if row.get("name")
        else [
            str(row.get("corpus")),
            _epochs_text(row),
            f"{row.get('architecture')} {row.get('loss')} d{row.get('dim')} w{row.get('window')}",
        ]
    )
    if row.get("state") != "complete":
        parts.append(str(row.get("state")))
    return " · ".join(parts + [row["run"][-6:]])


def _epochs_text(row: dict) -> str:
    """ "5 epochs", or "2–5 of 5 epochs" while the models have finished different numbers of them."""
    done = sorted({v for k, v in row.items() if k.endswith("_epochs") and isinstance(v, int)})
    planned = row.get("epochs")
    if done and (done[0] != planned or done[-1] != planned):
        span = f"{done[0]}" if len(done) == 1 else f"{done[0]}–{done[-1]}"
        return f"{span} of {planned} epoch{'s' if planned != 1 else ''}"
    return f"{planned} epoch{'s' if planned != 1 else ''}"


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
            bad.append(
                (path.name, f"{path.name} is a link, not a run folder: runs are read only from inside the runs folder.")
            )
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


EXAMPLE_RUNS = Path(__file__).resolve().parents[2] / "data" / "example-run"  # made by scripts/make_example_run.py


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
