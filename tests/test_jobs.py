"""Background training through lib.runs.jobs: real subprocesses that finish, get cancelled, or fail to start."""

import errno
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lib.cli import _config_from_args, build_parser
from lib.config import CorpusConfig, TrainConfig
from lib.runs import jobs, progress, uploads
from lib.runs.files import StoreError
from lib.runs.listing import list_runs
from lib.runs.store import Run, new_run_id

TINY_CORPUS = CorpusConfig("toy-pos", sentences=300)
TINY = TrainConfig(epochs=2, dim=8, min_count=1, negative=3, workers=1)


def wait_until(job: jobs.Job, done, timeout: float = 180.0) -> jobs.JobStatus:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status = job.poll()
        if done(status):
            return status
        time.sleep(0.2)
    job.cancel()
    raise AssertionError(f"job did not get there in {timeout} s; log:\n{job.log_text()}")


def test_two_jobs_at_once_each_finish_in_their_own_run(tmp_path):
    first = jobs.start(TINY_CORPUS, TINY, root=tmp_path)
    second = jobs.start(CorpusConfig("toy-pos", sentences=200, seed=2), TINY, models=["gensim"], root=tmp_path)
    a = wait_until(first, lambda s: s.finished)
    b = wait_until(second, lambda s: s.finished)
    assert (a.state, b.state) == ("complete", "complete"), (first.log_text(), second.log_text())
    assert (a.run_id, b.run_id) == (first.run_id, second.run_id)  # the folders the jobs named, not found by time
    assert a.run_id != b.run_id and first.args[first.args.index("--run-id") + 1] == first.run_id
    assert [m.model for m in a.models] == ["pytorch", "gensim"] and [m.model for m in b.models] == ["gensim"]
    assert all(m.finished == 2 and m.done == 1.0 for m in a.models + b.models)
    run = Run.open(tmp_path / a.run_id)
    assert run.status()["state"] == "complete" and run.common_epochs() == [0, 1, 2]
    assert Run.open(tmp_path / b.run_id).config["corpus"]["seed"] == 2
    assert sorted(r.id for r in list_runs(tmp_path)) == sorted([a.run_id, b.run_id])  # logs are not runs
    assert first.wait(60) == 0 and "run " + a.run_id in first.log_text()  # the trainer prints its table last


def test_cancel_marks_the_run_incomplete_and_keeps_finished_epochs(tmp_path):
    job = jobs.start(
        CorpusConfig("toy-proximity", sentences=3000),
        TrainConfig(epochs=200, dim=16, workers=1),
        models=["pytorch"],
        root=tmp_path,
    )
    status = wait_until(job, lambda s: s.models and s.models[0].finished >= 1)
    assert status.state == "training"
    job.cancel()
    status = job.poll()
    assert status.state == "incomplete" and status.message == "cancelled"
    assert job.returncode() is not None
    run = Run.open(tmp_path / status.run_id)
    assert run.status()["state"] == "incomplete"
    epochs = run.epochs("pytorch")
    assert 1 <= epochs[-1] < 200
    kv = run.keyed_vectors("pytorch", epochs[-1])
    assert kv.vector_size == 16 and "aaa" in kv.key_to_index


def test_bad_input_fails_with_the_trainers_error_line(tmp_path):
    job = jobs.start(TINY_CORPUS, TrainConfig(min_count=10**9, epochs=1), root=tmp_path)
    job.wait(120)
    status = job.poll()
    assert status.state == "failed" and status.run_id is None
    assert "min_count" in status.message and not status.message.startswith("error:")
    assert list_runs(tmp_path) == []


def test_a_missing_wikitext_folder_fails_fast_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKITEXT2_DIR", str(tmp_path / "nowhere"))  # the server's setting reaches the job
    job = jobs.start(CorpusConfig("wikitext-2"), TINY, root=tmp_path)
    job.wait(120)
    message = job.poll().message
    assert "is not a folder" in message and "nowhere" not in message


def test_start_rejects_settings_before_starting_anything(tmp_path):
    with pytest.raises(ValueError, match="dim"):
        jobs.start(TINY_CORPUS, TrainConfig(dim=0), root=tmp_path)
    with pytest.raises(ValueError, match="model"):
        jobs.start(TINY_CORPUS, TINY, models=[], root=tmp_path)
    assert not (tmp_path / jobs.LOG_DIR).exists() or not any((tmp_path / jobs.LOG_DIR).iterdir())


def test_the_command_line_carries_every_setting():
    train = TrainConfig(dim=33, alpha=0.0125, shared_negatives=True, optimizer="adam", sample=1e-5)
    corpus = CorpusConfig("toy-analogy", seed=7, sentences=123, max_tokens=999)
    args = build_parser().parse_args(jobs.command(corpus, train, ["gensim"], "/tmp/x")[3:])
    assert _config_from_args(args, TrainConfig) == train
    assert (args.corpus, args.models, args.json, args.quiet) == ("toy-analogy", "gensim", True, True)
    parsed = _config_from_args(args, CorpusConfig)
    assert (parsed.seed, parsed.sentences, parsed.max_tokens) == (7, 123, 999)


def test_uploads_are_checked_and_stored_by_content(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        uploads.save_upload(b"  \n", "empty.txt", tmp_path)
    with pytest.raises(ValueError, match="not UTF-8"):
        uploads.save_upload("café au lait".encode("latin-1"), "latin.txt", tmp_path)
    with pytest.raises(ValueError, match="no words"):
        uploads.save_upload(b"... !!!\n", "punct.txt", tmp_path)
    with pytest.raises(ValueError, match="4 words"):
        uploads.save_upload(b"king queen man\n", "q.txt", tmp_path, kind="analogies")
    path = uploads.save_upload(b"the cat sat\nthe dog ran\n", "mine.txt", tmp_path)
    assert path.parent.parent == tmp_path / uploads.UPLOAD_DIR and path.read_text() == "the cat sat\nthe dog ran\n"
    assert path.name == "mine.txt"
    assert uploads.save_upload(b"the cat sat\nthe dog ran\n", "mine.txt", tmp_path) == path
    assert uploads.save_upload(b": s\nking queen man woman\n", "q.txt", tmp_path, kind="analogies") != path


@pytest.mark.parametrize(
    "data, message",
    [
        (b"apple fruit\npear fruit\n", "write word<TAB>category"),
        (b"apple\tfruit\npear\tfruit\n", "at least two categories"),
        ("caf\xe9\tdrink\ntea\tdrink\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_category_uploads_say_what_to_fix(tmp_path, data, message):
    with pytest.raises(ValueError, match=message):
        uploads.save_upload(data, "cats.tsv", tmp_path, kind="categories")
    assert not (tmp_path / uploads.UPLOAD_DIR).exists() or not any((tmp_path / uploads.UPLOAD_DIR).rglob("*.tsv"))


def test_a_category_upload_reaches_the_trainer_command(tmp_path):
    path = uploads.save_upload(b"aaa\tstart\nbbb\tstart\nyyy\tend\nzzz\tend\n", "my cats.tsv", tmp_path, "categories")
    assert path.name == "my_cats.tsv" and path.is_absolute()
    args = jobs.command(CorpusConfig("toy-proximity"), TrainConfig(), root=tmp_path, categories=path)
    assert args[args.index("--categories") + 1] == str(path)


def test_progress_shows_the_probe_loss_and_labels_the_running_loss(proximity_run):
    """Both models' lines show metrics' "loss" (the same probe for both), never the trainers' own train_loss."""
    done = {p.model: p for p in progress.model_progress(proximity_run)}
    for model, p in done.items():
        last = proximity_run.metrics(model)[-1]
        assert f"{last['loss']:.4f}" != f"{last['train_loss']:.4f}"  # so the line tells which one it shows
        assert p.text == f"{model}: all 3 epochs done, probe loss {last['loss']:.4f}"
    training = progress.ModelProgress("gensim", 5, 2, epoch=3, epoch_done=0.4, loss=1.8446, running_loss=0.9304)
    assert (
        training.text == "gensim: epoch 3/5, 40% of it, running loss (gensim's own) 0.9304, probe loss 1.8446 "
        "after epoch 2"
    )
    starting = progress.ModelProgress("gensim", 5, 2, epoch=3, epoch_done=0.0, loss=1.8446)
    assert starting.text == "gensim: epoch 3/5, probe loss 1.8446 after epoch 2"  # no "0% of it" for a fresh epoch


def zombie_children() -> list[int]:
    """Pids of this process's children that ended without being waited for (state Z in /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields_ = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields_[0] == "Z" and int(fields_[1]) == os.getpid():
            out.append(int(stat.parent.name))
    return out


def test_a_finished_trainer_is_reaped_though_nobody_polls_it(tmp_path):
    job = jobs.start(
        TINY_CORPUS, TrainConfig(epochs=1, dim=8, min_count=1, workers=1), models=["gensim"], root=tmp_path
    )
    run_id, ticket = job.run_id, job.ticket
    del job  # the page went away: nothing polls it again
    record = None
    end = time.monotonic() + 120
    while time.monotonic() < end:
        record = record or jobs.training_queue.started(ticket, tmp_path)
        if record and not Path(f"/proc/{record.pid}").exists():
            break
        time.sleep(0.2)
    assert record is not None and not Path(f"/proc/{record.pid}").exists()  # gone, not a zombie
    assert zombie_children() == []
    assert Run.open(tmp_path / run_id).status()["state"] == "complete"


def test_trainings_queue_one_at_a_time_know_their_place_and_can_leave(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_MAX_TRAININGS", "1")
    three = [
        jobs.start(CorpusConfig("toy-pos", sentences=300, seed=s), TINY, models=["gensim"], root=tmp_path)
        for s in (1, 2, 3)
    ]
    first, second, third = (j.poll() for j in three)
    assert first.state in ("starting", "training") and first.place is None
    assert (second.state, second.place, third.state, third.place) == ("queued", 1, "queued", 2)
    assert second.message == "place 1 of 2 in the queue"
    three[1].cancel()  # leaves the queue
    assert three[2].poll().place == 1
    done = [wait_until(j, lambda s: s.finished) for j in three]
    assert [s.state for s in done] == ["complete", "failed", "complete"]
    assert done[1].message == "left the queue before training started" and done[1].run_id is None
    assert sorted(r.id for r in list_runs(tmp_path)) == sorted([three[0].run_id, three[2].run_id])
    starts = [Run.open(tmp_path / j.run_id).config for j in (three[0], three[2])]
    assert [c["corpus"]["seed"] for c in starts] == [1, 3]


def test_max_trainings_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("W2V_MAX_TRAININGS", "3")
    assert jobs.max_trainings() == 3
    monkeypatch.setenv("W2V_MAX_TRAININGS", "many")
    with pytest.raises(ValueError, match="W2V_MAX_TRAININGS"):
        jobs.start(TINY_CORPUS, TINY, root="/nonexistent-never-made")
    monkeypatch.delenv("W2V_MAX_TRAININGS")
    assert jobs.max_trainings() == max(1, (os.cpu_count() or 2) // 2)


@pytest.mark.slow
def test_a_ticket_a_dead_server_left_waiting_starts_once_any_process_watches_the_queue(tmp_path, monkeypatch):
    """A server died with one trainer running and one ticket waiting (both written the way its queue writes them);
    this process never started either. Watching the queue starts the ticket when the old trainer ends, though
    nobody polls, waits for or dispatches anything here."""
    monkeypatch.setenv("W2V_MAX_TRAININGS", "1")
    old = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3)", "--run-id", "run-old"])
    jobs.training_queue.enqueue("run-old", [], str(tmp_path / "old.log"), tmp_path)
    jobs.training_queue.dispatch(tmp_path, 1, lambda ticket: old.pid)  # the dead server's start of it
    run_id = new_run_id("toy-pos")
    args = jobs.command(TINY_CORPUS, TINY, ["gensim"], tmp_path, run_id=run_id)
    ticket = jobs.training_queue.enqueue(run_id, args, str(tmp_path / "waiting.log"), tmp_path)
    jobs.watch_queue(tmp_path, interval=0.2)
    jobs.watch_queue(tmp_path, interval=0.2)  # once per process: a second call starts no second watcher
    assert jobs.training_queue.place(ticket.id, tmp_path) == (1, 1)  # the old trainer still holds the one slot
    assert [t.name for t in threading.enumerate()].count(f"queue watcher {tmp_path.resolve()}") == 1
    state = ""
    end = time.monotonic() + 120
    while time.monotonic() < end and state != "complete":
        time.sleep(0.2)
        state = Run.open(tmp_path / run_id).status()["state"] if (tmp_path / run_id / "config.json").exists() else ""
    old.wait()
    assert state == "complete", (tmp_path / "waiting.log").read_text() if (tmp_path / "waiting.log").exists() else ""
    assert jobs.training_queue.waiting(tmp_path) == []


@pytest.mark.slow
def test_a_trainer_whose_server_was_killed_starts_the_next_ticket_as_it_ends(tmp_path):
    """kill -9 of a server with one training running and one waiting: the running one finishes, then starts the
    waiting one itself (no server, page or session in between), which finishes too."""
    script = (
        "import os, signal\n"
        "from lib.runs import jobs\n"
        "from lib.config import CorpusConfig, TrainConfig\n"
        "cfg = TrainConfig(epochs=2, dim=8, min_count=1, negative=3, workers=1)\n"
        f"a = jobs.start(CorpusConfig('toy-pos', sentences=300, seed=1), cfg, ['gensim'], {str(tmp_path)!r})\n"
        f"b = jobs.start(CorpusConfig('toy-pos', sentences=300, seed=2), cfg, ['gensim'], {str(tmp_path)!r})\n"
        "print(a.run_id, b.run_id, b.poll().state, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    server = subprocess.run(
        [sys.executable, "-c", script],
        cwd=jobs.REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "W2V_MAX_TRAININGS": "1"},
        timeout=120,
    )
    assert server.returncode == -9, server.stderr
    first, second, second_state = server.stdout.split()
    assert second_state == "queued"
    states = {}
    end = time.monotonic() + 180
    while time.monotonic() < end and list(states.values()) != ["complete", "complete"]:
        time.sleep(0.2)
        states = {r.id: r.status()["state"] for r in list_runs(tmp_path)}
    assert states == {first: "complete", second: "complete"}, [p.read_text() for p in (tmp_path / ".logs").iterdir()]
    assert Run.open(tmp_path / second).config["corpus"]["seed"] == 2
    for _ in range(100):  # the second trainer drops its record just after it wrote "complete"
        if not list((tmp_path / ".queue").glob("**/*.json")):
            break
        time.sleep(0.1)
    assert not list((tmp_path / ".queue").glob("**/*.json"))


def test_start_on_a_read_only_disk_says_so_without_the_servers_path(tmp_path, monkeypatch):
    def read_only(path, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    with monkeypatch.context() as patch:
        patch.setattr(Path, "mkdir", read_only)  # no .logs folder yet, and none can be made
        with pytest.raises(StoreError, match=r"\.logs: read-only disk\.$") as caught:
            jobs.start(TINY_CORPUS, TINY, root=tmp_path)
        assert str(tmp_path) not in str(caught.value)
    (tmp_path / jobs.LOG_DIR).mkdir()
    monkeypatch.setattr(jobs.training_queue, "open", read_only, raising=False)  # the queue's lock file
    with pytest.raises(StoreError) as caught:
        jobs.start(TINY_CORPUS, TINY, root=tmp_path)
    assert str(caught.value) == f"Cannot write {tmp_path.name}/.queue/.lock: read-only disk."
