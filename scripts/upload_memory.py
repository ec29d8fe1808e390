"""Benchmark: the Streamlit server's memory while a large upload is held on the Train page and its settings change.

    python scripts/upload_memory.py                  # one session, a 60 MB corpus, 10 setting edits
    python scripts/upload_memory.py --sessions 4     # four sessions doing the same steps side by side
    python scripts/upload_memory.py --gc             # the same with Streamlit's collection after every run

It starts its own server (`streamlit run streamlit_app.py`, on a fresh runs folder), writes a synthetic corpus of
--mb megabytes (write_corpus in scripts/membench.py), and drives the Train page through Streamlit's websocket protocol
(scripts/st_session.py): open the page, choose "Your text file", upload the corpus as the browser does (PUT to the
server's upload URL), then edit the dim setting --edits times, one rerun each. After every step it prints the
server's resident memory (VmRSS in /proc/<pid>/status). A page that holds the upload once stays flat after the
upload; one that keeps a copy per rerun grows by about the file's size per edit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app_server import wait_until_up  # scripts/app_server.py (scripts run with scripts/ on sys.path)
from st_session import Session

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from membench import write_corpus  # scripts/membench.py (scripts run with scripts/ on sys.path)

UPLOADER = "A UTF-8 text file, one sentence or paragraph per line"


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


async def steps(url: str, corpus: Path, sessions: int, edits: int, pid: int, settle: float) -> list[tuple[str, float]]:
    """Every session takes each step at the same time; the server's RSS after each step."""
    series = []

    def sample(step: str) -> None:
        time.sleep(settle)
        series.append((step, rss_mb(pid)))
        print(f"{step:28} server RSS {series[-1][1]:7.0f} MiB", flush=True)

    sample("server started")
    data = corpus.read_bytes()
    clients = [await Session(url).__aenter__() for _ in range(sessions)]
    try:
        for s in clients:  # one after another: a fresh server's first page run settles its navigation
            await s.open("train")
        sample("Train page open")
        await asyncio.gather(*(s.choose("radio", "Corpus", "Your text file") for s in clients))
        await asyncio.gather(*(s.upload(UPLOADER, corpus.name, data) for s in clients))
        for s in clients:
            if "Upload a text file" in s.text() or "stException" in s.text():
                raise SystemExit("error: the page did not take the upload:\n" + s.text()[-2000:])
        del data
        sample("after the upload")
        for i in range(edits):
            await asyncio.gather(*(s.set_number("dim", 101 + i) for s in clients))
            sample(f"after edit {i + 1}")
    finally:
        for s in clients:
            await s.close()
    return series


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=60, help="size of the uploaded corpus in MB (default 60)")
    parser.add_argument("--sessions", type=int, default=1, help="browser sessions taking the steps side by side")
    parser.add_argument("--edits", type=int, default=10, help="setting edits (reruns) after the upload")
    parser.add_argument("--gc", action="store_true", help="run the server with runner.postScriptGC true")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds to wait after a step before sampling")
    parser.add_argument("--port", type=int, default=8611)
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="upload-memory-"))
    corpus = tmp / "big corpus.txt"
    size = write_corpus(corpus, args.mb)
    url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(args.port),
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            "--server.enableXsrfProtection",
            "false",
            "--runner.postScriptGC",
            str(args.gc).lower(),
        ],
        cwd=REPO,
        env={**os.environ, "W2V_RUNS_DIR": str(tmp / "runs")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(url)
        print(
            f"{size / 1e6:.0f} MB corpus, {args.sessions} session(s), {args.edits} edits, "
            f"postScriptGC {str(args.gc).lower()}",
            flush=True,
        )
        series = asyncio.run(steps(url, corpus, args.sessions, args.edits, server.pid, args.settle))
        peak = rss_mb(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    after_upload, last = dict(series)["after the upload"], series[-1][1]
    print(
        f"peak {peak:.0f} MiB; growth over {args.edits} edits after the upload: {last - after_upload:+.0f} MiB "
        f"({(last - after_upload) / max(args.edits, 1):+.1f} MiB per edit)"
    )
    print(
        json.dumps(
            {
                "mb": round(size / 1e6),
                "sessions": args.sessions,
                "post_script_gc": args.gc,
                "series_mib": [[step, round(mb)] for step, mb in series],
                "peak_mib": round(peak),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
