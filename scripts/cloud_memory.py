"""Peak memory of the app training WikiText-2 from its Train page, as on a small Cloud container: a benchmark.

Starts `streamlit run streamlit_app.py` inside a memory-limited cgroup (v1 or v2, when /sys/fs/cgroup is writable
here; else without a limit, measuring only), drives the Train page in headless Chromium to train on the first
--max-tokens tokens of WikiText-2 (the release's files from $WIKITEXT2_DIR), waits for the run to finish, and
prints the peak resident memory of the Streamlit server and of the training process, and the cgroup's peak.

    WIKITEXT2_DIR=../shared/data/wikitext-2 python scripts/cloud_memory.py --limit-mb 1024 --max-tokens 200000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from app_server import wait_until_up  # scripts/app_server.py (scripts run with scripts/ on sys.path)

ROOT = Path(__file__).resolve().parents[1]
CGROUP_V1 = Path("/sys/fs/cgroup/memory")
CGROUP_V2 = Path("/sys/fs/cgroup")


class Cgroup:
    """A fresh memory cgroup with a limit: v1 (memory.limit_in_bytes) or v2 (memory.max)."""

    def __init__(self, limit_bytes: int):
        name = f"w2v-cloud-memory-{os.getpid()}"
        if (CGROUP_V1 / "memory.limit_in_bytes").exists():
            self.path, self.v1 = CGROUP_V1 / name, True
        elif (CGROUP_V2 / "cgroup.controllers").exists():
            self.path, self.v1 = CGROUP_V2 / name, False
        else:
            raise OSError("no memory cgroup found under /sys/fs/cgroup")
        self.path.mkdir()
        self._write("memory.limit_in_bytes" if self.v1 else "memory.max", str(limit_bytes))
        if self.v1:
            self._write("memory.memsw.limit_in_bytes", str(limit_bytes), missing_ok=True)  # no swapping past it
        else:
            self._write("memory.swap.max", "0", missing_ok=True)

    def _write(self, name: str, value: str, missing_ok: bool = False) -> None:
        try:
            (self.path / name).write_text(value)
        except OSError:
            if not missing_ok:
                raise

    def enter(self) -> None:
        """Move the calling process (a child before exec) into the group."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def peak_bytes(self) -> int | None:
        name = "memory.max_usage_in_bytes" if self.v1 else "memory.peak"
        try:
            return int((self.path / name).read_text())
        except (OSError, ValueError):
            return None

    def oom_kills(self) -> int:
        text = (self.path / ("memory.oom_control" if self.v1 else "memory.events")).read_text()
        return next((int(line.split()[1]) for line in text.splitlines() if line.startswith("oom_kill ")), 0)

    def remove(self, wait: float = 10.0) -> None:
        """Delete the group once its last process is gone (waiting up to wait seconds for that)."""
        deadline = time.time() + wait
        while True:
            try:
                return self.path.rmdir()
            except OSError as exc:
                if time.time() > deadline:
                    print(f"warning: {self.path} is left behind: {exc}", file=sys.stderr)
                    return
                time.sleep(0.5)


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every process below pid (by parent links in /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        frontier += children
    return found


def is_trainer(pid: int) -> bool:
    try:
        return b"lib.train" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def memory_cgroup(pid: int) -> str:
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return ""
    return next((line.split(":", 2)[2] for line in lines if ":memory:" in line or line.startswith("0::")), "")


class Sampler(threading.Thread):
    """Polls the resident memory of the server and of its training process until stopped."""

    def __init__(self, server_pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.server_pid, self.every = server_pid, every
        self.peak = {"server": 0, "trainer": 0, "server+trainer": 0}
        self.trainer_cgroups: set[str] = set()  # the memory cgroup each training process was in
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            server = rss_bytes(self.server_pid)
            trainers = [p for p in descendants(self.server_pid) if is_trainer(p)]
            self.trainer_cgroups |= {memory_cgroup(p) for p in trainers}
            trainer = sum(rss_bytes(p) for p in trainers)
            for key, value in (("server", server), ("trainer", trainer), ("server+trainer", server + trainer)):
                self.peak[key] = max(self.peak[key], value)
            self.stop.wait(self.every)


def drive_train_page(url: str, max_tokens: int, timeout: float) -> str:
    """Train WikiText-2 (first max_tokens tokens, the page's recommended settings) from the Train page; return
    the page's final message."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/train", timeout=120_000)
        page.get_by_text("WikiText-2", exact=True).click(timeout=120_000)
        tokens = page.get_by_role("spinbutton", name="Keep only the first tokens")
        tokens.fill(str(max_tokens))
        tokens.press("Enter")
        time.sleep(2)
        page.get_by_role("button", name="Start training").click(timeout=60_000)
        done = page.get_by_text(re.compile(r"is complete|is incomplete|did not start")).first
        done.wait_for(timeout=timeout * 1000)
        message = done.inner_text()
        browser.close()
    return message


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mb", type=int, default=1024, help="memory limit of the app's cgroup (default 1024)")
    parser.add_argument("--max-tokens", type=int, default=200_000, help="WikiText-2 tokens to train on")
    parser.add_argument("--port", type=int, default=8599)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds to wait for the run to finish")
    args = parser.parse_args(argv)
    if not os.environ.get("WIKITEXT2_DIR"):
        print("error: set WIKITEXT2_DIR to the folder with WikiText-2's text files", file=sys.stderr)
        return 2
    try:
        group = Cgroup(args.limit_mb * 2**20)
    except OSError as exc:
        print(f"warning: no memory limit ({exc}); measuring only", file=sys.stderr)
        group = None
    runs = tempfile.mkdtemp(prefix="cloud-memory-runs-")
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
        ],
        cwd=ROOT,
        env={**os.environ, "W2V_RUNS_DIR": runs},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=group.enter if group else None,
    )
    sampler = Sampler(server.pid)
    sampler.start()
    started = time.time()
    message = ""
    try:
        wait_until_up(url)
        message = drive_train_page(url, args.max_tokens, args.timeout)
    finally:
        sampler.stop.set()
        sampler.join()
        server.terminate()
        server.wait(30)
        peak, kills = (group.peak_bytes(), group.oom_kills()) if group else (None, None)
        if group:
            group.remove()
        shutil.rmtree(runs, ignore_errors=True)
    mb = {k: round(v / 2**20) for k, v in sampler.peak.items()}
    result = {
        "limit_mb": args.limit_mb if group else None,
        "max_tokens": args.max_tokens,
        "seconds": round(time.time() - started),
        "peak_rss_mb": mb,
        "cgroup_peak_mb": round(peak / 2**20) if peak else None,
        "oom_kills": kills,
        "trainer_cgroups": sorted(sampler.trainer_cgroups - {""}),
        "page_says": message.strip(),
    }
    print(f"page: {result['page_says']}")
    print(
        f"peak resident memory: server {mb['server']} MB, trainer {mb['trainer']} MB, "
        f"both at once {mb['server+trainer']} MB; cgroup peak {result['cgroup_peak_mb']} MB "
        f"of a {args.limit_mb} MB limit, OOM kills {result['oom_kills']}; trainer's cgroup "
        f"{', '.join(result['trainer_cgroups']) or '?'}"
    )
    print(json.dumps(result))
    return 0 if "is complete" in message and not result["oom_kills"] else 1


if __name__ == "__main__":
    sys.exit(main())
