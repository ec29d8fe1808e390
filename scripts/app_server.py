"""What the scripts share: starting the app on a free port over a runs folder, and waiting until a Streamlit server
answers its health check."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(runs_dir: str | os.PathLike) -> Iterator[str]:
    """`streamlit run streamlit_app.py` (headless, no usage statistics) over `runs_dir` on a free port, for the
    block's length; yields its URL once it answers, stops it after."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "W2V_RUNS_DIR": str(Path(runs_dir).resolve())}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url)
        yield url
    finally:
        server.terminate()
        server.wait(30)


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    """Return once `url`/_stcore/health answers "ok"; SystemExit with a one-line error after timeout seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"error: the Streamlit server at {url} did not answer within {timeout:.0f} s")
