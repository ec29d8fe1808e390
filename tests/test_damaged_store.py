"""One damaged run never takes the others down: every kind of damage × the store, the command line and every page."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lib import cli, train
from lib.config import CorpusConfig, TrainConfig
from lib.runs.listing import damaged_runs, find_run, list_runs

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
HEALTHY, DAMAGED = "healthy", "damaged"


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    path.write_text(json.dumps(change(data)))


def _without(key):
    return lambda d: {k: v for k, v in d.items() if k != key}


def _npy(run: Path, array: np.ndarray, allow_pickle=False) -> None:
    np.save(run / "pytorch" / "epoch_001.npy", array, allow_pickle=allow_pickle)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-7])


def _shorter_vocab(run: Path) -> None:
    """A vocabulary two words shorter than the vectors (and than config.json's vocab_size)."""
    lines = (run / "vocab.tsv").read_text().splitlines(keepends=True)
    (run / "vocab.tsv").write_text("".join(lines[:-2]))


def _link_outside(run: Path) -> None:
    outside = run.parent.parent / "outside"
    shutil.move(run, outside)
    run.symlink_to(outside, target_is_directory=True)


def _stray_file(run: Path) -> None:
    shutil.rmtree(run)
    run.write_text("not a run\n")


def _folder_instead(path: Path) -> None:
    """A file the server cannot read as one (as root, chmod 000 would not stop the reader)."""
    path.unlink()
    path.mkdir()


DAMAGE = {
    "config missing": lambda r: (r / "config.json").unlink(),
    "config not JSON": lambda r: (r / "config.json").write_text("{not json"),
    "config not UTF-8": lambda r: (r / "config.json").write_bytes(b'{"models": "\xff\xfe"}'),
    "config without models": lambda r: _edit_json(r / "config.json", _without("models")),
    "config models a string": lambda r: _edit_json(r / "config.json", lambda d: {**d, "models": "pytorch"}),
    "config train not a dict": lambda r: _edit_json(r / "config.json", lambda d: {**d, "train": [1, 2]}),
    "config dim a string": lambda r: _edit_json(
        r / "config.json", lambda d: {**d, "train": {**d["train"], "dim": "8"}}
    ),
    "config without counts": lambda r: _edit_json(r / "config.json", _without("vocab_size")),
    "config unreadable (a folder)": lambda r: _folder_instead(r / "config.json"),
    "vocab missing": lambda r: (r / "vocab.tsv").unlink(),
    "vocab shorter than vectors": _shorter_vocab,
    "vocab non-integer counts": lambda r: (r / "vocab.tsv").write_text("aaa\tmany\nbbb\t3\n"),
    "vocab not UTF-8": lambda r: (r / "vocab.tsv").write_bytes(b"\xff\xfe\t3\n"),
    "metrics a dict": lambda r: (r / "pytorch" / "metrics.json").write_text('{"epoch": 0}'),
    "metrics a string": lambda r: (r / "gensim" / "metrics.json").write_text('"done"'),
    "metrics entries without epoch": lambda r: _edit_json(
        r / "pytorch" / "metrics.json", lambda d: [_without("epoch")(m) for m in d]
    ),
    "metrics loss a string": lambda r: _edit_json(
        r / "gensim" / "metrics.json", lambda d: [{**m, "loss": "low"} for m in d]
    ),
    "epoch truncated": lambda r: _truncate(r / "pytorch" / "epoch_001.npy"),
    "epoch wrong shape": lambda r: _npy(r, np.zeros((5, 3), dtype=np.float32)),
    "epoch 1-D": lambda r: _npy(r, np.zeros(26 * 8, dtype=np.float32)),
    "epoch integer dtype": lambda r: _npy(r, np.zeros((26, 8), dtype=np.int64)),
    "epoch pickled objects": lambda r: _npy(r, np.array([[object()] * 8] * 26, dtype=object), allow_pickle=True),
    "epoch not an npy": lambda r: (r / "gensim" / "epoch_000.npy").write_bytes(b"hello"),
    "epoch unreadable (a folder)": lambda r: _folder_instead(r / "gensim" / "epoch_001.npy"),
    "analogies not UTF-8": lambda r: (r / "analogies.txt").write_bytes(b"aaa bbb \xff ddd\n"),
    "analogies a folder": lambda r: (r / "analogies.txt").mkdir(),
    "status not UTF-8": lambda r: (r / "status.json").write_bytes(b"\xff\xfe"),
    "status a list": lambda r: (r / "status.json").write_text("[]"),
    "run folder a link outside": _link_outside,
    "stray file": _stray_file,
}


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    """One tiny toy-proximity run (26 words aaa … zzz, dim 8, epochs 0 and 1), copied into every case."""
    root = tmp_path_factory.mktemp("healthy")
    cfg = TrainConfig(epochs=1, dim=8, min_count=1, negative=3, window=2, workers=1)
    return train.train_run(CorpusConfig("toy-proximity", sentences=200), cfg, root=str(root), run_id=HEALTHY).path


@pytest.fixture(params=sorted(DAMAGE))
def store(request, healthy, tmp_path, monkeypatch):
    """A runs folder with the healthy run and a copy of it damaged one way; W2V_RUNS_DIR points at it."""
    root = tmp_path / "runs"
    shutil.copytree(healthy, root / HEALTHY)
    shutil.copytree(healthy, root / DAMAGED)
    DAMAGE[request.param](root / DAMAGED)
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    return root


def test_the_store_lists_the_healthy_run_and_says_why_the_other_is_skipped(store):
    assert [r.id for r in list_runs(store)] == [HEALTHY]
    ((name, why),) = damaged_runs(store)
    assert name == DAMAGED and why
    with pytest.raises(ValueError):
        find_run(DAMAGED, store)


def test_the_command_line_lists_the_healthy_run_and_refuses_the_damaged_one(store, capsys):
    assert cli.main(["--list-runs", "--runs-dir", str(store)]) == 0
    out, err = capsys.readouterr()
    assert HEALTHY in out and DAMAGED not in out
    assert err.startswith(f"warning: skipped {DAMAGED}: ") and err.count("\n") == 1
    assert cli.main(["--show-run", DAMAGED, "--runs-dir", str(store)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: ") and err.count("\n") == 1


def test_the_command_line_in_its_own_process(healthy, tmp_path):
    root = tmp_path / "runs"
    shutil.copytree(healthy, root / HEALTHY)
    shutil.copytree(healthy, root / DAMAGED)
    DAMAGE["epoch pickled objects"](root / DAMAGED)
    listed = subprocess.run(
        [sys.executable, "-m", "lib.train", "--list-runs", "--runs-dir", str(root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0 and HEALTHY in listed.stdout and "Traceback" not in listed.stderr
    shown = subprocess.run(
        [sys.executable, "-m", "lib.train", "--show-run", DAMAGED, "--runs-dir", str(root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 2 and shown.stdout == ""
    assert shown.stderr == (
        f"error: Run {DAMAGED} is damaged: pytorch/epoch_001.npy: it holds Python objects, not numbers.\n"
    )


def open_page(name: str, run_id: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    at.query_params["run"] = run_id
    return at.run()


def test_home_lists_the_damaged_run_and_opens_on_the_healthy_one(store):
    at = open_page("home", DAMAGED)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["run"] == HEALTHY
    assert at.dataframe[0].value["run"].tolist() == [HEALTHY]
    (warning,) = at.warning
    assert DAMAGED in warning.value and "Showing the newest readable run instead" in warning.value
    (damaged,) = [e for e in at.expander if e.label.startswith("Damaged runs: 1 entry")]
    assert DAMAGED in damaged.markdown[0].value


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in PAGES if p != "home"])
def test_every_page_asked_for_the_damaged_run_says_so_and_shows_the_healthy_one(store, page):
    at = open_page(page, DAMAGED)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    if "run" in at.session_state:  # the pages with the run selector (the experiment pages show their own pairs)
        assert at.session_state["run"] == HEALTHY
        assert any(DAMAGED in w.value for w in at.warning)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_vectors_damaged_after_the_run_was_opened_give_a_message(healthy, tmp_path, monkeypatch, page):
    """A file damaged between Run.open's check and the page reading it (here: the check is told all is well)."""
    from lib.runs import store as store_module

    root = tmp_path / "runs"
    shutil.copytree(healthy, root / HEALTHY)
    _npy(root / HEALTHY, np.zeros((5, 3), dtype=np.float32))
    monkeypatch.setattr(store_module, "npy_shape", lambda path: ((26, 8), np.dtype("float32")))
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = open_page(page, HEALTHY)
    assert not at.exception, [e.value for e in at.exception]
    assert all("Run healthy is damaged" in e.value and "epoch\\_001" in e.value for e in at.error)
    if page in ("analogies", "embedding_space", "neighbours", "similarity"):  # the pages that read epoch 1's vectors
        assert at.error
