"""A whole room at once: N sessions press Start on the Train page within a minute while probe sessions keep opening
every page; prints the longest page response, the peak memory of the server and its trainers, and the time until
every run is finished.

    python scripts/queue_load.py --sessions 20 --within 60 --epochs 3

It starts its own Streamlit server on a fresh runs folder (W2V_MAX_TRAININGS is passed through from the environment)
and, to leave the machine's cores to that server, drives it with browser sessions that draw nothing
(scripts/st_session.py: Streamlit's websocket protocol, as the frontend speaks it, fragments' auto-reruns included).
Each of the N sessions opens the Train page, sets the epochs, presses Start, reads what the page says (its place in
the queue), then stays on the page watching its job as a user would (its progress fragment polls every second)
until the job ends; `--leave` closes it instead, and `--leavers K` of them press "Leave the queue". The probe opens
each page in a new session, one after the other, and times it from asking until the server has sent the whole page;
`--browser-probe` adds one headless-Chromium tab doing the same until each page's title shows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from app_server import wait_until_up  # scripts/app_server.py (scripts run with scripts/ on sys.path)
from st_session import Session

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "": "Word2Vec Workbench",
    "train": "Train",
    "embedding_space": "Embedding space",
    "neighbours": "Neighbours",
    "similarity": "Similarity",
    "analogies": "Analogies",
    "how_it_works": "How it works",
    "pos_2d": "Part of speech in two dimensions",
    "random_vs_structured": "Random versus structured language",
}
PLACE = re.compile(r"Waiting: number \d+ in the queue|Starting…|Training\b")


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident memory, in bytes, of pid alone and of pid with all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    own, total, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                    total += rss
                    own = rss if p == pid else own
        except OSError:
            pass
    return own, total


def run_states(root: Path) -> list[str]:
    states = []
    for status in root.glob("*/status.json"):
        try:
            states.append(json.loads(status.read_text())["state"])
        except (OSError, ValueError, KeyError):
            states.append("unreadable")
    return states


def queue_length(root: Path) -> int:
    return len(list((root / ".queue").glob("**/*.json")))


async def press_start(
    url: str, epochs: int, at: float, pressed: list, places: list, leave: bool, leave_queue: bool, timeout: float
) -> None:
    """One session: at time `at`, open the Train page, set the epochs, press Start and read what the page says
    about the job; then watch it until it ends, or close the session (leave), or press "Leave the queue"."""
    await asyncio.sleep(max(0.0, at - time.time()))
    async with Session(url) as s:
        await s.open("train")
        await s.set_number("epochs", epochs)
        await s.click("Start training")
        pressed.append(time.time())
        said = PLACE.search(s.text())
        places.append(said.group(0) if said else "nothing about the job")
        if leave_queue:
            if said and said.group(0).startswith("Waiting"):
                await s.click("Leave the queue")
                places.append(
                    "left the queue: "
                    + ("nothing was trained" if "You left the queue" in s.text() else "the page did not say so")
                )
            return
        if leave:
            return
        end = time.time() + timeout
        while time.time() < end and not re.search(r"is complete|is incomplete|did not start", s.text()):
            await asyncio.sleep(0.5)


async def probe(url: str, stop: asyncio.Event, times: list) -> None:
    """Open every page in a new session, one after the other, until stopped: (page, seconds, when)."""
    while not stop.is_set():
        for path in PAGES:
            if stop.is_set():
                break
            try:
                async with Session(url) as s:
                    times.append((path or "home", await s.open(path), time.time()))
            except Exception as exc:  # a timeout is a result too
                times.append((path or "home", float("inf"), time.time()))
                print(f"probe: {path or 'home'} did not finish: {exc!r}", file=sys.stderr)


async def browser_probe(url: str, stop: asyncio.Event, times: list) -> None:
    """One headless-Chromium tab opening every page in turn: (page, seconds until its title shows, when)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        while not stop.is_set():
            for path, title in PAGES.items():
                if stop.is_set():
                    break
                t0 = time.perf_counter()
                try:
                    await page.goto(f"{url}/{path}", wait_until="commit", timeout=120_000)
                    await page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=120_000)
                    times.append((path or "home", time.perf_counter() - t0, time.time()))
                except Exception as exc:
                    times.append((path or "home", float("inf"), time.time()))
                    print(f"browser probe: {path or 'home'}: {exc!r}", file=sys.stderr)
        await browser.close()


async def drive(url: str, root: Path, args, times: list, browser_times: list, first: float) -> tuple[float, list, list]:
    """The sessions (the first presses Start at `first`) and the probes; returns (seconds from the first Start until
    every run finished, Start times, what the sessions read)."""
    stop, pressed, places = asyncio.Event(), [], []
    sessions = [
        asyncio.create_task(
            press_start(
                url,
                args.epochs,
                first + i * args.within / args.sessions,
                pressed,
                places,
                args.leave,
                i >= args.sessions - args.leavers,
                args.timeout,
            )
        )
        for i in range(args.sessions)
    ]
    probes = [asyncio.create_task(probe(url, stop, times))]
    if args.browser_probe:
        probes.append(asyncio.create_task(browser_probe(url, stop, browser_times)))
    for i, result in enumerate(await asyncio.gather(*sessions, return_exceptions=True)):
        if isinstance(result, Exception):
            print(f"session {i + 1}: {result!r}", file=sys.stderr)
    while time.time() - first < args.timeout:
        states = run_states(root)
        if all(s != "training" for s in states) and not queue_length(root):
            break
        await asyncio.sleep(0.5)
    drained = time.time() - first
    stop.set()
    await asyncio.gather(*probes)
    return drained, [t - first for t in pressed], places


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process itself has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int, stop: threading.Event, peak: list) -> None:
    while not stop.is_set():
        own, total = tree_rss(pid)
        peak[0], peak[1] = max(peak[0], own), max(peak[1], total)
        time.sleep(0.25)


def report(name: str, times: list, first: float) -> None:
    if not times:
        print(f"{name}: none")
        return
    slowest = max(times, key=lambda t: t[1])
    within = sum(t[1] <= 1.0 for t in times)
    print(
        f"{name}: {len(times)} page responses, longest {slowest[1]:.2f} s ({slowest[0]}), median "
        f"{statistics.median(t[1] for t in times):.2f} s, {within} of {len(times)} within 1 s"
    )
    for page in dict.fromkeys(t[0] for t in times):
        mine = [t[1] for t in times if t[0] == page]
        print(f"    {page:22} longest {max(mine):6.2f} s   median {statistics.median(mine):5.2f} s   n={len(mine)}")
    slow = [f"{page} {took:.2f} s at {when - first:.0f} s" for page, took, when in times if took > 1.0]
    if slow:
        print("    over 1 s (when: since the first Start): " + "; ".join(slow))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--within", type=float, default=60.0, help="seconds over which the sessions press Start")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8617)
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up after this many seconds")
    parser.add_argument(
        "--leave",
        action="store_true",
        help="each session closes once the page has said where its job is, instead of watching it to the end",
    )
    parser.add_argument("--leavers", type=int, default=1, help="of the sessions, the last K press 'Leave the queue'")
    parser.add_argument("--browser-probe", action="store_true", help="also time pages in one headless-Chromium tab")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="queue-load-")) / "runs"
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
        ],
        cwd=REPO,
        env={**os.environ, "W2V_RUNS_DIR": str(root)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stop, peak, times, browser_times = threading.Event(), [0, 0], [], []
    try:
        wait_until_up(url)
        threading.Thread(target=memory, args=(server.pid, stop, peak), daemon=True).start()
        cpu0, t0 = cpu_seconds(server.pid), time.time()
        first = time.time() + 2
        drained, pressed, places = asyncio.run(drive(url, root, args, times, browser_times, first))
        server_cpu = (cpu_seconds(server.pid) - cpu0) / (time.time() - t0)
    finally:
        stop.set()
        server.terminate()
        server.wait(30)
    states = run_states(root)
    print(
        f"runs: {len(states)} ({', '.join(f'{states.count(s)} {s}' for s in sorted(set(states)))}); "
        f"W2V_MAX_TRAININGS={os.environ.get('W2V_MAX_TRAININGS', '(default)')}; runs folder {root}"
    )
    print("what the sessions read after Start: " + "; ".join(f"{places.count(p)}× {p}" for p in dict.fromkeys(places)))
    if pressed:
        print(f"Start pressed by {len(pressed)} sessions between {min(pressed):.0f} s and {max(pressed):.0f} s")
    report("probe (new session per page, server side)", times, first)
    if args.browser_probe:
        report("browser probe (Chromium, until the title shows)", browser_times, first)
    print(f"peak memory (RSS): server {peak[0] / 2**20:.0f} MiB; server + trainers {peak[1] / 2**20:.0f} MiB")
    print(f"the Streamlit server process itself used {server_cpu:.0%} of one core on average")
    print(f"time to drain (first Start until every run is finished): {drained:.0f} s")


if __name__ == "__main__":
    main()
