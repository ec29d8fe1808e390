"""Run store: atomic per-epoch files, permissions, full and read-only disks, links, liveness, damaged folders,
several writers at once."""

import errno
import json
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest

from lib.config import CorpusConfig, TrainConfig
from lib.data.vocab import Vocab
from lib.runs import files, listing, store
from lib.runs.files import StoreError
from lib.runs.listing import damaged_runs, find_run, list_runs
from lib.runs.liveness import STALE_AFTER, Heartbeat
from lib.runs.store import Run, runs_dir
from lib.train import train_run

VOCAB = Vocab.from_counts(["a", "b", "c", "d"], [9, 5, 3, 2])


def make_run(root, models=("pytorch", "gensim")):
    return Run.create(
        root, CorpusConfig("toy-random"), TrainConfig(dim=3), list(models), VOCAB, corpus_name="toy-random", n_tokens=19
    )


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


def test_a_run_folder_is_readable_whole_from_the_moment_its_config_appears(tmp_path, monkeypatch):
    """config.json is what readers take as "the run exists" (jobs.Job.find_run): after every file Run.create writes,
    a folder with a config.json has its status ("training", not "status.json is missing") and its vocabulary."""
    seen = []
    real = files.atomic_write_bytes

    def write_and_look(path, data):
        real(path, data)
        folder = Path(path).parent
        if (folder / "config.json").is_file():
            seen.append((Path(path).name, Run(folder).status()["state"], Run(folder).vocab().words))

    monkeypatch.setattr(store, "atomic_write_bytes", write_and_look)  # Run's own writes
    monkeypatch.setattr(files, "atomic_write_bytes", write_and_look)  # and through atomic_write_json
    make_run(tmp_path)
    assert seen and all(state == "training" and words == VOCAB.words for _, state, words in seen), seen


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
    assert "pytorch/metrics.json: it is not JSON" in reasons[bad_metrics.id]
    assert "config.json: it is missing" in reasons["no-config"]
    assert "config.json: it is not JSON" in reasons["bad-json"]
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


# ------------------------------------------------------------ permissions, full and read-only disks, links, liveness


def test_files_get_the_permissions_open_would_give(tmp_path):
    old = os.umask(0o022)
    try:
        run = make_run(tmp_path / "a")
        run.write_epoch("pytorch", 0, np.zeros((4, 3)), {})
        os.umask(0o077)
        other = make_run(tmp_path / "b")
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in run.path.rglob("*") if p.is_file()}
    assert modes == {
        "config.json": 0o644,
        "vocab.tsv": 0o644,
        "status.json": 0o644,
        "epoch_000.npy": 0o644,
        "metrics.json": 0o644,
    }  # readable by a server running as another user
    assert stat.S_IMODE((other.path / "config.json").stat().st_mode) == 0o600


def _failing_write(error, names):
    """os.write that fails with `error` for files whose name contains one of `names` (others are written)."""
    real = os.write

    def write(fd, data):
        target = os.readlink(f"/proc/self/fd/{fd}")
        if any(name in target for name in names):
            raise OSError(error, os.strerror(error))
        return real(fd, data)

    return write


def test_a_full_disk_is_said_in_plain_words_and_leaves_no_half_file(tmp_path, monkeypatch):
    run = make_run(tmp_path)
    run.write_epoch("pytorch", 0, np.zeros((4, 3)), {"loss": 1.0})
    monkeypatch.setattr(os, "write", _failing_write(errno.ENOSPC, ["epoch_001"]))
    with pytest.raises(StoreError, match=r"epoch_001\.npy: disk full\.$"):
        run.write_epoch("pytorch", 1, np.ones((4, 3)), {"loss": 0.5})
    assert run.epochs("pytorch") == [0] and not list(run.path.rglob("*.tmp"))


def test_a_read_only_disk_is_said_in_plain_words(tmp_path, monkeypatch):
    run = make_run(tmp_path)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(files.tempfile, "mkstemp", read_only)
    with pytest.raises(StoreError, match="read-only disk"):
        run.set_status("complete")
    with pytest.raises(StoreError, match="read-only disk"):
        make_run(tmp_path)


def test_deleting_a_run_on_a_read_only_disk_says_so_without_the_path_and_keeps_the_run(tmp_path, monkeypatch):
    run = make_run(tmp_path)
    run.set_status("complete")

    def read_only(src, dst, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(src))

    monkeypatch.setattr(store.os, "rename", read_only)
    with pytest.raises(StoreError, match=rf"^Cannot delete run {run.id}: read-only disk\.$"):
        listing.delete_run(run)
    monkeypatch.undo()
    assert [r.id for r in listing.list_runs(tmp_path)] == [run.id]


def test_training_on_a_full_disk_stops_keeping_finished_epochs(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "write", _failing_write(errno.ENOSPC, ["epoch_002"]))
    cfg = TrainConfig(epochs=3, dim=4, min_count=1, negative=2, workers=1)
    with pytest.raises(StoreError, match="disk full"):
        train_run(CorpusConfig("toy-proximity", sentences=100), cfg, models=["gensim"], root=str(tmp_path))
    (run,) = list_runs(tmp_path)
    assert run.epochs("gensim") == [0, 1]
    assert run.status()["state"] == "incomplete" and "disk full" in run.status()["message"]


def test_a_full_disk_that_also_refuses_the_status_does_not_hide_why(tmp_path, monkeypatch):
    full = _failing_write(errno.ENOSPC, ["epoch_001"])
    monkeypatch.setattr(
        os,
        "write",
        lambda fd, data: (
            full(fd, data)
            if b'"incomplete"' not in data
            else (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device"))
        ),
    )
    cfg = TrainConfig(epochs=2, dim=4, min_count=1, negative=2, workers=1)
    with pytest.raises(StoreError, match=r"epoch_001\.npy: disk full"):
        train_run(CorpusConfig("toy-proximity", sentences=100), cfg, models=["gensim"], root=str(tmp_path))


def test_pages_data_is_computed_without_a_cache_on_a_read_only_disk(analogy_run, tmp_path, monkeypatch, caplog):
    from lib.views import explain, projection

    run = Run.open(shutil.copytree(analogy_run.path, tmp_path / analogy_run.id))
    shutil.rmtree(run.cache_dir(), ignore_errors=True)  # what other tests' pages cached in the shared run

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(Path, "mkdir", read_only)
    frame = projection.projection_frame(run, "pca", n_words=10)
    assert len(frame) == 10 * len(run.models) * len(run.common_epochs())
    assert explain.exact_pairs(run) > 0
    assert not run.cache_dir().exists()
    (said,) = [r.message for r in caplog.records if "is not cached" in r.message]  # said once, not per file
    assert said.startswith(f"run {run.id}: derived data is not cached (Cannot write ") and "read-only disk" in said


def test_caches_are_never_written_through_a_link_out_of_the_run(analogy_run, tmp_path):
    from lib.views import projection

    run = Run.open(shutil.copytree(analogy_run.path, tmp_path / analogy_run.id, ignore=shutil.ignore_patterns("cache")))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (run.path / "cache").symlink_to(elsewhere, target_is_directory=True)
    assert len(projection.projection_frame(run, "pca", n_words=10)) > 0
    assert not run.write_cache("x.json", data=b"{}")
    assert list(elsewhere.iterdir()) == []


def test_run_files_are_not_read_through_a_link_out_of_the_run(tmp_path):
    run = make_run(tmp_path / "runs")
    outside = tmp_path / "vocab.tsv"
    outside.write_text((run.path / "vocab.tsv").read_text())
    (run.path / "vocab.tsv").unlink()
    (run.path / "vocab.tsv").symlink_to(outside)
    with pytest.raises(ValueError, match="vocab.tsv: a link leads it out of the run folder"):
        Run.open(run.path)


def test_an_unreadable_file_is_a_damaged_run(tmp_path, monkeypatch):
    """As root, chmod 000 does not stop a reader; a PermissionError from reading is what another user would get."""
    run = make_run(tmp_path)
    real = Path.read_bytes
    monkeypatch.setattr(
        Path,
        "read_bytes",
        lambda self: (
            (_ for _ in ()).throw(PermissionError(errno.EACCES, "Permission denied"))
            if self.name == "config.json"
            else real(self)
        ),
    )
    ((name, why),) = damaged_runs(tmp_path)
    assert name == run.id and why.endswith("config.json: the server may not read it (permission denied).")


def test_vectors_are_checked_against_the_vocabulary_and_dim_when_loaded(tmp_path):
    run = make_run(tmp_path, ["pytorch"])
    run.write_epoch("pytorch", 0, np.zeros((4, 3)), {})
    np.save(run.path / "pytorch" / "epoch_000.npy", np.zeros((4, 2), dtype=np.float32))  # after Run.open
    with pytest.raises(
        ValueError,
        match=rf"Run {run.id} is damaged: pytorch/epoch_000\.npy: its shape is \(4, 2\), "
        r"not \(4, 3\)",
    ):
        run.vectors("pytorch", 0)
    np.save(run.path / "pytorch" / "epoch_000.npy", np.array([[None] * 3] * 4), allow_pickle=True)
    with pytest.raises(ValueError, match="epoch_000.npy: .*pickle"):  # never unpickled
        run.vectors("pytorch", 0)


def test_training_with_a_live_but_unrelated_pid_and_a_stale_heartbeat_is_incomplete(tmp_path):
    run = make_run(tmp_path)
    status = json.loads((run.path / "status.json").read_text())
    assert status["pid"] == os.getpid() and run.status()["state"] == "training"
    (run.path / "status.json").write_text(
        json.dumps({**status, "pid_start": None, "updated": time.time() - STALE_AFTER - 1})
    )
    assert run.status()["state"] == "incomplete"  # this PID is alive, but nothing has beaten for too long


def test_a_reused_pid_is_seen_at_once_on_the_same_host(tmp_path):
    run = make_run(tmp_path)
    status = json.loads((run.path / "status.json").read_text())
    assert status["pid_start"] == int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
    (run.path / "status.json").write_text(json.dumps({**status, "pid_start": status["pid_start"] - 1}))
    assert run.status()["state"] == "incomplete"  # same PID, another process: the heartbeat is fresh, still not it


def test_the_heartbeat_keeps_a_training_run_alive_and_stops(tmp_path):
    run = make_run(tmp_path)

    def updated() -> float:
        return json.loads((run.path / "status.json").read_text())["updated"]

    first = updated()
    with Heartbeat(run, seconds=0.05):
        deadline = time.monotonic() + 10
        while updated() == first and time.monotonic() < deadline:  # however slow the machine: until it beats
            time.sleep(0.01)
        assert updated() > first and run.status()["state"] == "training"
    stopped = updated()
    time.sleep(0.25)  # five beats' time
    assert updated() == stopped  # no beat after the block


# ---------------------------------------------------------------- the example run the app ships


def test_the_shipped_example_installs_into_an_empty_runs_folder_once(tmp_path):
    run = listing.install_example(tmp_path)
    assert run.id == listing.example_id() and [r.id for r in list_runs(tmp_path)] == [run.id]
    assert run.status()["state"] == "complete" and run.name.startswith("Example")
    assert listing.install_example(tmp_path).id == run.id and len(list(tmp_path.iterdir())) == 1  # no second copy
    listing.delete_run(run)
    assert listing.install_example(tmp_path).id == run.id  # an empty folder gets it again


def test_the_shipped_example_keeps_both_models_output_weights_for_every_epoch(tmp_path):
    run = listing.install_example(tmp_path)  # so One training step opens it at any epoch (remake it when this fails)
    for model in run.models:
        assert run.out_epochs(model) == run.epochs(model) == list(range(run.train_config.epochs + 1))
        assert run.out_vectors(model, run.epochs(model)[-1]).shape == run.vectors(model, 0).shape


def test_installing_the_example_on_a_full_disk_says_so_and_leaves_nothing(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", full)
    with pytest.raises(StoreError, match="disk full"):
        listing.install_example(tmp_path / "runs")
    assert list((tmp_path / "runs").iterdir()) == []


def test_the_shipped_example_is_what_this_code_trains(tmp_path):
    """Its settings are toy-proximity's preset, its vocabulary is the corpus this code makes, and its saved
    neighbour precision is what its saved vectors give (recomputed here with numpy), so it is not stale or edited.
    Remake it with `python scripts/make_example_run.py` when this fails after a change."""
    from lib.data.presets import preset_config
    from lib.train import prepare

    run = listing.install_example(tmp_path)
    assert run.corpus_config == CorpusConfig("toy-proximity")
    assert run.train_config == preset_config("toy-proximity") and run.models == ["pytorch", "gensim"]
    made = prepare(run.corpus_config, run.train_config).vocab
    assert list(run.vocab().words) == list(made.words) and run.vocab().counts.tolist() == made.counts.tolist()
    truth = run.config["true_neighbours"]
    index = {w: i for i, w in enumerate(run.vocab().words)}
    for model in run.models:
        assert run.epochs(model) == [0, 1, 2, 3, 4, 5]
        for entry in run.metrics(model):
            v = run.vectors(model, entry["epoch"]).astype(np.float64)
            unit = v / np.linalg.norm(v, axis=1, keepdims=True)
            cos = unit @ unit.T
            np.fill_diagonal(cos, -np.inf)
            shares = [
                len({run.vocab().words[j] for j in np.argsort(-cos[index[w]])[: len(true)]} & set(true)) / len(true)
                for w, true in truth.items()
            ]
            assert entry["neighbor_precision"] == pytest.approx(np.mean(shares), abs=1e-9), (model, entry["epoch"])
        assert run.metrics(model)[-1]["neighbor_precision"] >= 0.85  # the designed neighbours, learned


def test_output_weights_are_kept_per_epoch_and_old_runs_say_they_have_none(tmp_path):
    run = make_run(tmp_path)
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3)
    out = -vectors
    run.write_epoch("pytorch", 0, vectors, {"loss": 1.0}, out_vectors=out)
    run.write_epoch("gensim", 0, vectors, {"loss": 1.0})  # as every run saved before output weights were kept
    again = find_run(run.id, tmp_path)
    assert np.array_equal(again.out_vectors("pytorch", 0), out)
    assert again.out_vectors("gensim", 0) is None
    assert again.out_vectors("pytorch", 1) is None


def test_a_damaged_output_file_names_itself_and_leaves_the_run_readable(tmp_path):
    run = make_run(tmp_path)
    run.write_epoch("pytorch", 0, np.zeros((4, 3)), {"loss": 1.0}, out_vectors=np.zeros((4, 3)))
    np.save(run.path / "pytorch" / "out_000.npy", np.zeros((3, 3), dtype=np.float32))  # a row short
    again = find_run(run.id, tmp_path)  # open does not read output weights: the run's other views still work
    assert again.vectors("pytorch", 0).shape == (4, 3)
    with pytest.raises(ValueError, match=r"out_000\.npy: its shape is \(3, 3\), not \(4, 3\)"):
        again.out_vectors("pytorch", 0)


def test_out_epochs_lists_the_epochs_whose_output_weights_are_kept(tmp_path):
    run = make_run(tmp_path, models=("pytorch",))
    run.write_epoch("pytorch", 0, np.zeros((4, 3)), {"loss": 1.0})
    run.write_epoch("pytorch", 1, np.zeros((4, 3)), {"loss": 1.0}, out_vectors=np.ones((4, 3)))
    assert find_run(run.id, tmp_path).out_epochs("pytorch") == [1]
