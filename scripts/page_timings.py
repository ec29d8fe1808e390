"""Benchmark: how fast the app's slow pages answer in headless Chromium; `python scripts/page_timings.py`.

Each measurement starts its own `streamlit run` on a free port (so nothing is warm unless said) and times, from
navigation:
  home   Home on a fresh runs folder (a fresh machine): until the first Vega chart is drawn.
  how    How it works on a WikiText-2 run: first visit (no cached explanation, fresh server), a revisit in a new
         browser session on the same server, and a visit on a fresh server that finds the explanation in the run.
  play   Part of speech in 2D: frames per second while playing (an animated image: the frames it advances while
         screenshots of it are taken; charts: distinct drawings of the first one, counted in the browser).
--wikitext-runs names a runs folder holding a WikiText-2 run; without it one is trained first (a few minutes,
needs WIKITEXT2_DIR). This is a benchmark people run, not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from app_server import wait_until_up  # scripts/app_server.py (scripts run with scripts/ on sys.path)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHART = ".vega-embed svg, .vega-embed canvas"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(runs: Path, app: Path = ROOT):
    """A fresh `streamlit run streamlit_app.py` (of the checkout in app) on runs; yields its URL once it answers."""
    port, log = free_port(), open(runs.parent / f"server-{runs.name}.log", "ab")
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
        cwd=app,
        env={**os.environ, "W2V_RUNS_DIR": str(runs)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


@contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield b
        finally:
            b.close()


def settled(page, timeout_s: float = 300) -> None:
    """Until the script has finished: the "running" indicator is gone for half a second."""
    end, quiet = time.monotonic() + timeout_s, 0
    while time.monotonic() < end and quiet < 5:
        quiet = 0 if page.locator('[data-testid="stStatusWidget"]').count() else quiet + 1
        page.wait_for_timeout(100)


def time_home(b, work: Path, app: Path) -> dict:
    runs = work / "home-runs"
    runs.mkdir()
    with server(runs, app) as url:
        page = b.new_page(viewport={"width": 1400, "height": 1600})
        start = time.monotonic()
        page.goto(url + "/")
        page.wait_for_selector(CHART, timeout=300_000)
        first = time.monotonic() - start
        page.close()
    return {"home_first_chart_s": round(first, 2)}


def time_how(b, runs: Path, app: Path) -> dict:
    run_id = next(p.name for p in sorted(runs.iterdir()) if (p / "config.json").is_file())
    for cached in (runs / run_id / "cache").glob("explain*.json"):
        cached.unlink()
    out = {}

    def visit(url: str) -> float:
        page = b.new_page(viewport={"width": 1400, "height": 1600})
        start = time.monotonic()
        page.goto(f"{url}/how_it_works?run={run_id}")
        page.get_by_text("probe loss at epoch").first.wait_for(timeout=300_000)
        page.wait_for_selector(CHART, timeout=300_000)
        took = time.monotonic() - start
        settled(page)
        page.close()
        return round(took, 2)

    with server(runs, app) as url:
        out["how_first_visit_s"] = visit(url)
        out["how_revisit_same_server_s"] = visit(url)
    with server(runs, app) as url:
        out["how_fresh_server_cached_s"] = visit(url)
    return out


FRAME_COUNTER = """([ms]) => new Promise(done => {
  // distinct drawings of the first chart, looked at on every animation frame of the browser
  let last = null, changes = 0; const end = performance.now() + ms;
  function tick() {
    const chart = document.querySelector('.vega-embed svg, .vega-embed canvas');
    const now = !chart ? '' : chart.tagName === 'canvas' ? chart.toDataURL() : chart.outerHTML;
    if (now !== last) { changes += 1; last = now; }
    if (performance.now() < end) requestAnimationFrame(tick); else done(changes);
  }
  requestAnimationFrame(tick);
})"""


def gif_frames_per_second(page, seconds: float) -> float:
    """Steps an animated image advances per second: screenshots of it, each matched to the nearest frame of the
    GIF itself (fetched and decoded with Pillow), frame index advanced / time."""
    import io

    import numpy as np
    from PIL import Image

    img = page.locator('[data-testid="stMain"] img').first
    gif = Image.open(io.BytesIO(page.request.get(img.get_attribute("src")).body()))

    def small(image) -> np.ndarray:
        return np.asarray(image.convert("L").resize((48, 48)), dtype=np.float32)

    frames = []
    for i in range(gif.n_frames):
        gif.seek(i)
        frames.append(small(gif))
    seen, start = [], time.monotonic()
    while time.monotonic() - start < seconds:
        shot = small(Image.open(io.BytesIO(img.screenshot())))
        seen.append((time.monotonic() - start, int(np.argmin([((shot - f) ** 2).mean() for f in frames]))))
    (t0, first), (t1, last) = seen[0], seen[-1]
    return (last - first) / max(t1 - t0, 1e-9)


def time_play(b, work: Path, app: Path, seconds: float) -> dict:
    runs = work / "play-runs"
    runs.mkdir()
    with server(runs, app) as url:
        page = b.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{url}/pos_2d")
        page.wait_for_selector(CHART, timeout=300_000)
        settled(page)
        page.get_by_role("button", name="Play").first.click()
        page.wait_for_timeout(300)
        settled(page)  # until the page has drawn its first frame of playing
        if page.locator('[data-testid="stMain"] img').count():  # the browser plays an animated image
            fps = gif_frames_per_second(page, seconds)
        else:  # the server sends a chart per frame
            fps = (page.evaluate(FRAME_COUNTER, [seconds * 1000]) - 1) / seconds
        page.close()
    return {"play_frames_per_s": round(fps, 1)}


def wikitext_runs(work: Path) -> Path:
    runs = work / "wikitext-runs"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lib.train",
            "--corpus",
            "wikitext-2",
            "--epochs",
            "2",
            "--quiet",
            "--runs-dir",
            str(runs),
        ],
        cwd=ROOT,
        check=True,
    )
    return runs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="home,how,play", help="comma-separated: home, how, play")
    parser.add_argument("--wikitext-runs", type=Path, help="a runs folder with a WikiText-2 run (else one is trained)")
    parser.add_argument("--play-seconds", type=float, default=5.0)
    parser.add_argument("--app", type=Path, default=ROOT, help="the checkout whose app to time (default: this one)")
    args = parser.parse_args(argv)
    wanted = set(args.only.split(","))
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"error: no Chromium at {CHROMIUM}")
    results = {}
    work = Path(tempfile.mkdtemp(prefix="page-timings-"))
    try:
        with browser() as b:
            if "home" in wanted:
                results.update(time_home(b, work, args.app))
                print(results, flush=True)
            if "how" in wanted:
                results.update(time_how(b, args.wikitext_runs or wikitext_runs(work), args.app))
                print(results, flush=True)
            if "play" in wanted:
                results.update(time_play(b, work, args.app, args.play_seconds))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
