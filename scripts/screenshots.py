"""Screenshots of the running app's pages in headless Chromium, for docs/ and for looking at a page as a user would.

    python scripts/screenshots.py --runs-dir runs --out docs/screenshots \\
        "embedding_space?run=RUN&proj=Axes+from+words" "one_step?run=RUN"

Starts `streamlit run streamlit_app.py` on a free port over the runs folder, opens each page path (with its query
string) in a 1400 × 2400 window, waits until the page's script has finished, and saves the whole page as NAME.png (NAME:
--names, or the page's path). Needs Chromium (apt-get install chromium) and playwright (requirements-dev.txt)."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_server import running_app

CHROMIUM = "/usr/bin/chromium"


def wait_for_script(page, timeout: float) -> None:
    """Until the page's script has run: the main area is there and the "running" indicator has been gone 2 s."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout * 1000)
    page.wait_for_timeout(1500)
    end, quiet = time.monotonic() + timeout, 0
    while quiet < 4 and time.monotonic() < end:
        quiet = 0 if page.locator('[data-testid="stStatusWidget"]').count() else quiet + 1
        page.wait_for_timeout(500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="page paths with their query strings, e.g. 'neighbours?word=king'")
    parser.add_argument("--runs-dir", default=os.environ.get("W2V_RUNS_DIR", "runs"), help="the app's runs folder")
    parser.add_argument("--out", default="screenshots", help="folder for the PNGs")
    parser.add_argument("--names", nargs="*", help="file names for the PNGs, one per path (default: from the path)")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=2400, help="the window's height (the app scrolls inside it)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each page")
    args = parser.parse_args()
    if args.names and len(args.names) != len(args.paths):
        raise SystemExit("error: give one name per path")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"error: no Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with running_app(args.runs_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for i, path in enumerate(args.paths):
            name = args.names[i] if args.names else re.sub(r"[^A-Za-z0-9_.-]+", "_", path).strip("_") or "home"
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(f"{url}/{path.lstrip('/')}")
            wait_for_script(page, args.timeout)
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(out / f"{name}.png")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
