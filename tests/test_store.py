"""Run store: atomic per-epoch files, statuses, damaged folders, several writers at once."""

import json
import multiprocessing
import subprocess
import sys
import types

import numpy as np
import pytest

from lib.config import CorpusConfig, TrainConfig
from lib.store import Run, damaged_runs, find_run, list_runs, runs_dir
from lib.vocab import Vocab

VOCAB = Vocab.from_counts(["a", "b", "c", "d"], [9, 5, 3, 2])


def make_run(root, models=("pytorch", "gensim")):
    return Run.create(root, CorpusConfig("toy-random"), TrainConfig(dim=3), list(models), VOCAB,
                      corpus_name="toy-random", n_tokens=19)


def test_roundtrip(tmp_path):
    run = make_run(tmp_path)
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3)
    for model in run.models:
        run.write_epoch(model, 0, vectors, {"loss": 1.0})
        run.write_epoch(model, 1, vectors + 1, {"loss": 0.5})
    again = find_run(run.id, tmp_path)
    assert again.train_config == TrainConfig(dim=3)
    assert again.vocab().words == VOCAB.words
    assert again.common_epochs() == [0, 1]
    assert [m["loss"] for m in again.metrics("gensim")] == [1.0, 0.5]
    kv = again.keyed_vectors("pytorch", 1)
    assert np.allclose(kv["c"], vectors[2] + 1) and kv.get_vecattr("a", "count") == 9
    assert again.status()["state"] == "training"  # this process is alive and has not finished
    again.set_status("complete")
    assert again.status()["state"] == "complete"
    assert not list(again.path.rglob("*.tmp"))


def test_rewriting_an_epoch_replaces_it(tmp_path):
    run = make_run(tmp_path, ["pytorch"])
    run.write_epoch("pytorch", 0, np.zeros((4, 3)), {"loss": 2.0})
    run.write_epoch("pytorch", 0, np.ones((4, 3)), {"loss": 1.0})
    assert run.metrics("pytorch") == [{"epoch": 0, "loss": 1.0}]
    assert np.all(run.vectors("pytorch", 0) == 1)


def test_a_run_whose_process_died_is_incomplete(tmp_path):
    run = make_run(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    status = json.loads((run.path / "status.json").read_text())
    status["pid"] = dead.pid
    (run.path / "status.json").write_text(json.dumps(status))
    assert run.status()["state"] == "incomplete"


def test_an_epoch_without_its_metrics_entry_is_not_finished(tmp_path):
    run = make_run(tmp_path, ["pytorch"])
    run.write_epoch("pytorch", 0, np.zeros((4, 3)), {})
    np.save(run.path / "pytorch" / "epoch_001.npy", np.zeros((4, 3)))  # killed before its metrics were written
    assert run.epochs("pytorch") == [0]


def test_damaged_folders_are_reported_not_fatal(tmp_path):
    good = make_run(tmp_path)
    (tmp_path / "no-config").mkdir()
    bad_json = tmp_path / "bad-json"
    bad_json.mkdir()
    (bad_json / "config.json").write_text("{not json")
    (bad_json / "vocab.tsv").write_text("a\t1\n")
    bad_metrics = make_run(tmp_path)
    (bad_metrics.path / "pytorch").mkdir()
    (bad_metrics.path / "pytorch" / "metrics.json").write_text("[{")
    assert [r.id for r in list_runs(tmp_path)] == [good.id]
    reasons = dict(damaged_runs(tmp_path))
    assert "pytorch/metrics.json cannot be read" in reasons[bad_metrics.id]
    assert "config.json is missing" in reasons["no-config"]
    assert "cannot be read" in reasons["bad-json"]
    with pytest.raises(ValueError, match="damaged"):
        Run.open(bad_json)
    with pytest.raises(ValueError, match="No run folder"):
        find_run("nothing-here", tmp_path)


def test_runs_dir_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    assert runs_dir() == tmp_path
    assert runs_dir("elsewhere").name == "elsewhere"


def _write_run(root, seed):
    run = make_run(root)
    rng = np.random.default_rng(seed)
    for epoch in range(5):
        for model in run.models:
            run.write_epoch(model, epoch, rng.normal(size=(4, 3)), {"loss": float(epoch)})
    run.set_status("complete")


def test_several_processes_write_runs_at_once(tmp_path, monkeypatch):
    # A spawned process first runs the parent's __main__ file again; after Streamlit's AppTest in this pytest
    # process that can be a page script, which fails outside Streamlit. A bare __main__ keeps the children clean.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_run, args=(str(tmp_path), s)) for s in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    runs = list_runs(tmp_path)
    assert len(runs) == 3 and len({r.id for r in runs}) == 3
    assert all(r.common_epochs() == [0, 1, 2, 3, 4] and r.status()["state"] == "complete" for r in runs)
    assert not list(tmp_path.rglob("*.tmp"))  # every write was renamed into place
    # every process's draws landed in a run of their own: the vectors of seeds 0, 1, 2 (4 × 3 each, pytorch first)
    firsts = sorted(float(r.vectors("pytorch", 0)[0, 0]) for r in runs)
    want = sorted(float(np.random.default_rng(s).normal(size=(4, 3))[0, 0]) for s in range(3))
    assert firsts == pytest.approx(want, rel=1e-6)  # stored as float32
    assert all([m["loss"] for m in r.metrics(model)] == [0, 1, 2, 3, 4] for r in runs for model in r.models)
