"""A whole room at once: N browser sessions press Start on the Train page within a minute while a probe session keeps
opening pages; prints the longest page response, the peak memory of the server and its trainers, and the time until
every run is complete.

    python scripts/queue_load.py --sessions 20 --within 60 --epochs 3 --port 8617

It starts its own Streamlit server on a fresh runs folder (W2V_MAX_TRAININGS is passed through from the environment)
and drives headless Chromium with Playwright.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.async_api import async_playwright

from app_server import wait_until_up  # scripts/app_server.py (scripts run with scripts/ on sys.path)

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PROBE_PAGES = {"": "Word2Vec Workbench", "train": "Train", "embedding_space": "Embedding space",
               "neighbours": "Neighbours", "similarity": "Similarity", "how_it_works": "How it works",
               "random_vs_structured": "Random versus structured language"}


def tree_rss(pid: int) -> int:
    """Resident memory, in bytes, of pid and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def run_states(root: Path) -> list[str]:
    states = []
    for status in root.glob("*/status.json"):
        try:
            states.append(json.loads(status.read_text())["state"])
        except (OSError, ValueError, KeyError):
            states.append("unreadable")
    return states


async def open_page(page, url: str, title: str, timeout_ms: int = 300_000) -> float:
    """Seconds from navigation until the page's title is rendered."""
    t0 = time.perf_counter()
    await page.goto(url, wait_until="commit", timeout=timeout_ms)
    await page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=timeout_ms)
    return time.perf_counter() - t0


async def press_start(browser, url: str, epochs: int, at: float, pressed: list, places: list, leave: bool):
    """One session: at time `at`, open the Train page, set the epochs, press Start and read what the page says about
    the job (its place in the queue, or that it is training); with leave, close the tab then, as a user who
    goes on elsewhere (the queued training stays queued)."""
    await asyncio.sleep(max(0.0, at - time.time()))
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(300_000)  # a loaded 2-core server may take long; the probe measures how long
    page = await context.new_page()
    await open_page(page, f"{url}/train", "Train")
    box = page.get_by_label("epochs", exact=True)
    await box.fill(str(epochs))
    await box.press("Enter")
    await page.wait_for_timeout(1500)  # the rerun with the new value
    await page.get_by_role("button", name="Start training").click(timeout=120_000)
    pressed.append(time.time())
    said = page.get_by_text("in the queue").or_(page.get_by_text("Training", exact=True)) \
        .or_(page.get_by_text("Starting…", exact=True))
    await said.first.wait_for(timeout=120_000)
    places.append(await said.first.inner_text())
    if leave:
        await context.close()
    return page


async def probe(browser, url: str, stop: asyncio.Event, times: list) -> None:
    """Open every page in turn until stopped, recording (page, seconds until its title shows, when)."""
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    while not stop.is_set():
        for path, title in PROBE_PAGES.items():
            if stop.is_set():
                break
            try:
                times.append((path or "home", await open_page(page, f"{url}/{path}", title), time.time()))
            except Exception as exc:  # a timeout is a result too
                if page.is_closed():
                    return
                times.append((path or "home", float("inf"), time.time()))
                print(f"probe: {path or 'home'} did not render: {exc}", file=sys.stderr)
                await asyncio.sleep(1)


async def drive(url: str, root: Path, args, times: list) -> tuple[float, list[float]]:
    """The sessions and the probe; returns (seconds from the first Start until every run finished, Start times)."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        stop, pressed, places = asyncio.Event(), [], []
        first = time.time() + 2
        sessions = [asyncio.create_task(press_start(browser, url, args.epochs, first + i * args.within / args.sessions,
                                                    pressed, places, args.leave)) for i in range(args.sessions)]
        prober = asyncio.create_task(probe(browser, url, stop, times))
        for i, result in enumerate(await asyncio.gather(*sessions, return_exceptions=True)):
            if isinstance(result, Exception):  # the pages that worked stay open, following their jobs
                print(f"session {i + 1} could not press Start: {result}", file=sys.stderr)
        while time.time() - first < args.timeout:
            states = run_states(root)
            if len(states) >= len(pressed) and all(s != "training" for s in states) \
                    and not list((root / ".queue").glob("*.json")):
                break
            await asyncio.sleep(0.5)
        drained = time.time() - first
        stop.set()
        await prober
        await browser.close()
    for said in places:
        print(f"a session read: {said}")
    return drained, [t - first for t in pressed]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process itself has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int, stop: threading.Event, peak: list) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], tree_rss(pid))
        time.sleep(0.25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--within", type=float, default=60.0, help="seconds over which the sessions press Start")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8617)
    parser.add_argument("--timeout", type=float, default=1800.0, help="give up after this many seconds")
    parser.add_argument("--leave", action="store_true",
                        help="each session closes its tab once the page has said where its job is (on a 2-core "
                             "machine, 20 open Chromium tabs compete with the server they measure)")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="queue-load-")) / "runs"
    url = f"http://localhost:{args.port}"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("streamlit")), "run", "streamlit_app.py", "--server.headless", "true",
         "--server.port", str(args.port), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env={**os.environ, "W2V_RUNS_DIR": str(root)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    stop, peak, times = threading.Event(), [0], []
    try:
        wait_until_up(url)
        threading.Thread(target=memory, args=(server.pid, stop, peak), daemon=True).start()
        cpu0, t0 = cpu_seconds(server.pid), time.time()
        drained, pressed = asyncio.run(drive(url, root, args, times))
        server_cpu = (cpu_seconds(server.pid) - cpu0) / (time.time() - t0)
    finally:
        stop.set()
        server.terminate()
        server.wait(30)
    states = run_states(root)
    slowest = max(times, key=lambda t: t[1]) if times else ("none", float("nan"), 0)
    print(f"runs: {len(states)} ({', '.join(f'{states.count(s)} {s}' for s in sorted(set(states)))}); "
          f"W2V_MAX_TRAININGS={os.environ.get('W2V_MAX_TRAININGS', '(default)')}; runs folder {root}")
    print(f"page responses: {len(times)}, longest {slowest[1]:.2f} s ({slowest[0]}), "
          f"median {sorted(t[1] for t in times)[len(times) // 2]:.2f} s" if times else "page responses: none")
    print(f"peak memory (server + trainers, RSS): {peak[0] / 2**20:.0f} MiB")
    print(f"Start pressed by {len(pressed)} sessions between {min(pressed):.0f} s and {max(pressed):.0f} s")
    print(f"the Streamlit server process itself used {server_cpu:.0%} of one core on average")
    print(f"time to drain (first Start until every run is finished): {drained:.0f} s")


if __name__ == "__main__":
    main()
