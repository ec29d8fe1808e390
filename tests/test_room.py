"""Several browser sessions at once on a real server (scripts/st_session.py speaks Streamlit's protocol): trainings
queue one at a time, each page says where its job is, a session can leave the queue, the rest finish; and after a
server is killed (kill -9) with one training running and one waiting, the waiting one still starts and finishes."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from app_server import wait_until_up  # noqa: E402
from st_session import Session  # noqa: E402

from lib.runs import training_queue  # noqa: E402
from lib.runs.store import Run  # noqa: E402

pytestmark = pytest.mark.slow


def serve(runs: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run` of the app on a free port, one training at a time, on this runs folder: (process, URL)."""
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "streamlit_app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env={**os.environ, "W2V_RUNS_DIR": str(runs), "W2V_MAX_TRAININGS": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}")
    except BaseException:
        proc.kill()
        proc.wait(30)
        raise
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture
def server(tmp_path):
    proc, url = serve(tmp_path / "runs", tmp_path / "server.log")
    try:
        yield url, tmp_path / "runs"
    finally:
        proc.terminate()
        proc.wait(30)


async def press_start(url: str, epochs: int) -> Session:
    s = await Session(url).__aenter__()
    await s.open("train")
    await s.set_number("epochs", epochs)
    await s.click("Start training")
    return s


async def until(session: Session, phrase: str, seconds: float = 120) -> None:
    for _ in range(int(seconds * 4)):
        if phrase in session.text():
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"the page never said {phrase!r}; it shows:\n{session.text()[-2000:]}")


def test_three_sessions_queue_one_leaves_and_the_others_finish(server):
    url, runs = server

    async def room():
        first = await press_start(url, 3)
        second = await press_start(url, 1)
        third = await press_start(url, 1)
        try:
            assert "Waiting: number 1 in the queue" in second.text()  # one training at a time: the first runs
            assert "Waiting: number 2 in the queue" in third.text()
            await third.click("Leave the queue")
            assert "You left the queue; nothing was trained." in third.text()
            await until(second, "Waiting: number 1 in the queue")  # still first in line behind the running one
            await until(first, "is complete")
            await until(second, "is complete")  # started by itself once the first had finished
        finally:
            for s in (first, second, third):
                await s.close()

    asyncio.run(room())
    states = sorted(p.name.split("-")[-2] for p in runs.iterdir() if not p.name.startswith("."))
    assert states == ["proximity", "proximity"]  # two runs; the one that left the queue made no folder
    for _ in range(100):  # the trainer process is reaped (its ticket removed) just after it wrote "complete"
        if not list((runs / ".queue").glob("**/*.json")):
            break
        time.sleep(0.1)
    assert not list((runs / ".queue").glob("**/*.json"))  # nothing left waiting or running


# ------------------------------------------------------------ a server killed with one training running, one waiting


def run_state(runs: Path, run_id: str) -> str:
    return Run.open(runs / run_id).status()["state"] if (runs / run_id / "config.json").is_file() else ""


def until_state(runs: Path, run_id: str, state: str, seconds: float = 150) -> None:
    """Wait for a run's state without any session (nothing here dispatches the queue)."""
    for _ in range(int(seconds * 5)):
        if run_state(runs, run_id) == state:
            return
        time.sleep(0.2)
    logs = "\n".join(p.read_text(errors="replace") for p in (runs / ".logs").iterdir())
    raise AssertionError(f"run {run_id} is {run_state(runs, run_id)!r}, not {state!r}, after {seconds} s:\n{logs}")


@pytest.fixture
def killed(tmp_path):
    """kill -9 of a server while its first training runs and a second waits: (runs, the running ticket, the waiting
    one, a function that starts a fresh server on the same runs folder)."""
    runs, servers = tmp_path / "runs", []

    async def press() -> str:
        first = await press_start(servers[0][1], 20)  # long enough to be running at the kill
        second = await press_start(servers[0][1], 1)
        text = second.text()
        for s in (first, second):
            await s.close()
        return text

    def restart():
        servers.append(serve(runs, tmp_path / f"server{len(servers) + 1}.log"))
        return servers[-1][1]

    restart()
    try:
        assert "Waiting: number 1 in the queue" in asyncio.run(press())
        [running], [waiting] = training_queue.running(runs), training_queue.waiting(runs)
        servers[0][0].kill()  # kill -9: no reaper thread, no session of this server polls any more
        servers[0][0].wait(30)
        yield runs, running, waiting, restart
    finally:
        for proc, _ in servers:
            proc.kill()
            proc.wait(30)
        for ticket in training_queue.running(runs):  # trainers left over when the test failed
            try:
                os.killpg(ticket.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_after_a_server_is_killed_the_waiting_training_starts_when_the_running_one_ends(killed):
    """The issue's steps: the running training finishes and shows complete, and the waiting one then starts by
    itself (its trainer hands the slot on: no session visits any page), and a fresh session finds nothing left."""
    runs, running, waiting, restart = killed
    url = restart()
    until_state(runs, running.run_id, "complete")
    until_state(runs, waiting.run_id, "complete")

    async def look():
        async with Session(url) as fresh:
            await fresh.open("train")
            return fresh.text()

    text = asyncio.run(look())
    assert "waiting in the queue" not in text and "Also training now" not in text
    assert training_queue.waiting(runs) == []


def test_after_everything_was_killed_any_page_run_of_a_new_server_starts_the_waiting_training(killed):
    """A machine restart kills the trainer too: the new server starts the waiting training as soon as any session
    runs any page (here Home, by a session that owns no job and closes at once), and it then finishes alone."""
    runs, running, waiting, restart = killed
    os.killpg(running.pid, signal.SIGKILL)
    url = restart()

    async def visit():
        async with Session(url) as fresh:
            await fresh.open("")

    asyncio.run(visit())
    until_state(runs, waiting.run_id, "complete")
    assert run_state(runs, running.run_id) != "complete"
    assert training_queue.waiting(runs) == []
