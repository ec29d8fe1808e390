"""Several browser sessions at once on a real server (scripts/st_session.py speaks Streamlit's protocol): trainings
queue one at a time, each page says where its job is, a session can leave the queue, the rest finish."""

import asyncio
import os
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

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path):
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "W2V_RUNS_DIR": str(tmp_path / "runs"), "W2V_MAX_TRAININGS": "1"},
        stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}", tmp_path / "runs"
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


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
