"""lib.runs.training_queue with real processes: order, place in line, leaving, and never more than the limit at once."""

import errno
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lib.runs import training_queue as tq
from lib.runs.files import StoreError

REPO = Path(__file__).resolve().parents[1]


def sleeper(ticket: tq.Ticket, seconds: float = 60) -> subprocess.Popen:
    """A stand-in trainer: a real process whose command line names the ticket's run id, as the trainer's does."""
    return subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds})", "--run-id", ticket.run_id])


@pytest.fixture
def processes():
    started: list[subprocess.Popen] = []
    yield started
    for p in started:
        p.kill()
        p.wait()


def launcher(processes, launched: list[str]):
    def launch(ticket):
        p = sleeper(ticket)
        processes.append(p)
        launched.append(ticket.run_id)
        return p.pid

    return launch


def test_tickets_wait_in_order_and_know_their_place(tmp_path):
    tickets = [
        tq.enqueue(f"run-{i}", ["python", "-m", "lib.train"], str(tmp_path / f"{i}.log"), tmp_path) for i in range(3)
    ]
    assert [t.run_id for t in tq.waiting(tmp_path)] == ["run-0", "run-1", "run-2"]
    assert [tq.place(t.id, tmp_path) for t in tickets] == [(1, 3), (2, 3), (3, 3)]
    assert tq.leave(tickets[1].id, tmp_path) is True
    assert tq.leave(tickets[1].id, tmp_path) is False  # once only
    assert [tq.place(t.id, tmp_path) for t in tickets] == [(1, 2), None, (2, 2)]
    assert tq.waiting(tmp_path)[1].args == ["python", "-m", "lib.train"]


def test_three_tickets_with_one_slot_start_one_at_a_time_in_order(tmp_path, processes):
    launched: list[str] = []
    launch = launcher(processes, launched)
    tickets = [tq.enqueue(f"run-{i}", [], str(tmp_path / f"{i}.log"), tmp_path) for i in range(3)]
    assert [t.run_id for t in tq.dispatch(tmp_path, 1, launch)] == ["run-0"]
    assert tq.dispatch(tmp_path, 1, launch) == []  # the slot is taken
    assert tq.place(tickets[0].id, tmp_path) is None and tq.started(tickets[0].id, tmp_path).pid == processes[0].pid
    assert tq.place(tickets[2].id, tmp_path) == (2, 2)
    processes[0].kill()
    processes[0].wait()
    assert [t.run_id for t in tq.dispatch(tmp_path, 1, launch)] == ["run-1"]
    assert tq.started(tickets[0].id, tmp_path) is None  # the ended trainer's record is dropped
    assert tq.place(tickets[2].id, tmp_path) == (1, 1)
    assert [t.run_id for t in tq.dispatch(tmp_path, 2, launch)] == ["run-2"]  # a larger limit: one more at once
    assert launched == ["run-0", "run-1", "run-2"] and tq.waiting(tmp_path) == []
    assert [t.run_id for t in tq.running(tmp_path)] == ["run-1", "run-2"]


def test_a_zombie_or_a_reused_pid_does_not_hold_a_slot(tmp_path):
    finished = subprocess.Popen([sys.executable, "-c", "pass", "--run-id", "run-z"])
    time.sleep(1.0)  # ended, not waited for: a zombie with an empty command line
    assert Path(f"/proc/{finished.pid}").exists()
    assert not tq.alive(tq.Ticket("t", "run-z", [], "", 0.0, pid=finished.pid))
    finished.wait()
    assert not tq.alive(tq.Ticket("t", "some-other-run", [], "", 0.0, pid=os.getpid()))


@pytest.mark.parametrize("limit", [1, 2])
def test_concurrent_dispatchers_never_exceed_the_limit(tmp_path, processes, limit):
    """Eight threads here and three other processes dispatch the same six tickets at the same moment."""
    for i in range(6):
        tq.enqueue(f"run-{i}", [], str(tmp_path / f"{i}.log"), tmp_path)
    launched: list[str] = []
    launch = launcher(processes, launched)
    script = (
        "import subprocess, sys, time\n"
        "from lib.runs import training_queue as tq\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
        "def launch(t):\n"
        "    p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '--run-id', t.run_id],\n"
        "                         stdout=subprocess.DEVNULL)\n"
        "    print(t.run_id, p.pid, flush=True)\n"
        "    return p.pid\n"
        f"tq.dispatch(sys.argv[1], {limit}, launch)\n"
    )
    go = time.time() + 6.0
    others = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path), str(go)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]

    def here():
        time.sleep(max(0.0, go - time.time()))
        tq.dispatch(tmp_path, limit, launch)

    threads = [threading.Thread(target=here) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elsewhere = []
    for p in others:
        out, _ = p.communicate(timeout=60)
        elsewhere += [line.split() for line in out.splitlines()]
    try:
        all_started = launched + [run_id for run_id, _ in elsewhere]
        assert sorted(all_started) == [f"run-{i}" for i in range(limit)]  # the oldest `limit`, each once
        assert len(tq.running(tmp_path)) == limit and len(tq.waiting(tmp_path)) == 6 - limit
    finally:
        for _, pid in elsewhere:
            subprocess.run(["kill", pid])


def test_a_read_only_disk_is_said_in_plain_words_without_the_servers_path(tmp_path, monkeypatch):
    """What Start, Leave and the queue's own writes say when the runs folder cannot be written (simulated: tests may
    run as root, where a read-only folder is still writable)."""
    ticket = tq.enqueue("run-0", [], str(tmp_path / "0.log"), tmp_path)

    def read_only(path, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(tq, "open", read_only, raising=False)  # the lock file, as open() raises it there
    for call in (
        lambda: tq.enqueue("run-1", [], "1.log", tmp_path),
        lambda: tq.leave(ticket.id, tmp_path),
        lambda: tq.dispatch(tmp_path, 1, lambda t: None),
    ):
        with pytest.raises(StoreError) as caught:
            call()
        assert str(caught.value) == f"Cannot write {tmp_path.name}/.queue/.lock: read-only disk."
    monkeypatch.undo()
    monkeypatch.setattr(Path, "unlink", read_only)  # the lock opens; the ticket cannot be removed
    with pytest.raises(StoreError) as caught:
        tq.leave(ticket.id, tmp_path)
    assert str(caught.value) == f"Cannot write {tmp_path.name}/.queue/{ticket.id}.json: read-only disk."
    monkeypatch.undo()
    assert [t.id for t in tq.waiting(tmp_path)] == [ticket.id]
