"""Benchmark: how long Home takes to overlay 8 runs (issue 18: "in under 1 s"); `python scripts/overlay_speed.py`.

Times what Home does once 8 rows of its runs table are ticked: open the 8 runs (listing.find_run), build the tidy
frame of their saved metrics (lib.views.overlay.overlay_frame), the settings they differ in (settings_table), the charts
(overlay.panels + charts.overlay_lines) and each chart's Vega-Lite JSON (to_json, what Streamlit sends) — cold (the
first time in this process, imports done) and warm (the median of --repeat more). With --apptest it also runs the
whole Home page in Streamlit's AppTest with 8 runs ticked and with none ticked (first and second run each), so the
overlay's share of a page run shows; the browser's drawing is not included.

--runs-dir takes the 8 newest runs of a runs folder; without it 8 small toy-analogy runs (window, objective and dim
varied, --epochs each) are trained into a temporary folder first (about half a minute). This is a benchmark people
run, not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # scripts run with scripts/ on sys.path; lib is beside it

from lib import charts
from lib.config import CorpusConfig, TrainConfig
from lib.runs import listing
from lib.train import train_run
from lib.views import overlay

VARIANTS = [(window, loss, dim) for loss in ("negative", "hs") for window in (2, 5) for dim in (16, 24)]  # 8 runs


def make_runs(root: Path, epochs: int) -> list[str]:
    ids = []
    for i, (window, loss, dim) in enumerate(VARIANTS):
        cfg = TrainConfig(epochs=epochs, dim=dim, window=window, loss=loss, min_count=1, negative=5, workers=1)
        run = train_run(CorpusConfig("toy-analogy", sentences=2000), cfg, root=str(root), run_id=f"speed-{i}")
        ids.append(run.id)
        print(f"  trained {listing.run_label(run.summary())}", flush=True)
    return ids


def overlay_once(root: str, ids: list[str]) -> dict[str, float]:
    """Home's overlay of `ids`, step by step: seconds per step and in all."""
    times, t0 = {}, time.perf_counter()
    runs = [listing.find_run(i, root) for i in ids]
    names = overlay.labels(runs)
    times["open runs + labels"] = time.perf_counter() - t0
    t = time.perf_counter()
    frame = overlay.overlay_frame(runs, names)
    times["overlay_frame"] = time.perf_counter() - t
    t = time.perf_counter()
    overlay.settings_table(runs, names)
    times["settings_table"] = time.perf_counter() - t
    t = time.perf_counter()
    specs = [
        charts.overlay_lines(p.rows, p.metric, p.title, names, overlay.METRICS[p.metric]).to_json()
        for p in overlay.panels(frame)
    ]
    times[f"{len(specs)} charts + to_json"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    return times


def apptest(root: str, ids: list[str]) -> dict[str, list[float]]:
    from streamlit.testing.v1 import AppTest

    os.environ["W2V_RUNS_DIR"] = root
    all_ids = [r.id for r in listing.list_runs(root)]
    rows = [all_ids.index(i) for i in ids]
    out = {}
    for name, ticked in (("none ticked", []), (f"{len(ids)} ticked", rows)):
        at = AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=120)
        at.session_state["runs_table"] = {"selection": {"rows": ticked, "columns": []}}
        seconds = []
        for _ in range(2):
            t = time.perf_counter()
            at.run()
            seconds.append(time.perf_counter() - t)
            if at.exception:
                raise SystemExit(f"error: Home raised {at.exception[0].value}")
        if ticked:
            shown = len(at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"))
            print(f"  Home with {len(ticked)} ticked draws {shown} charts in all")
        out[name] = seconds
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs-dir", help="a runs folder: its 8 newest runs are overlaid (default: train 8)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of each run trained here (default 10)")
    parser.add_argument("--repeat", type=int, default=20, help="warm repetitions (default 20)")
    parser.add_argument("--apptest", action="store_true", help="also time the whole Home page in AppTest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.runs_dir:
            root = args.runs_dir
            ids = [r.id for r in listing.list_runs(root)][: overlay.MAX_RUNS]
            if len(ids) < overlay.MIN_RUNS:
                raise SystemExit(f"error: {root} holds {len(ids)} readable runs; the overlay needs at least 2")
        else:
            root = tmp
            print(f"training {len(VARIANTS)} toy-analogy runs of {args.epochs} epochs …", flush=True)
            ids = make_runs(Path(tmp), args.epochs)
        runs = [listing.find_run(i, root) for i in ids]
        epochs = sum(len(r.metrics(m)) for r in runs for m in r.models)
        print(f"overlaying {len(ids)} runs ({epochs} saved model-epochs) from {root}")
        cold = overlay_once(root, ids)
        warm = [overlay_once(root, ids) for _ in range(args.repeat)]
        print(f"{'step':<24}{'cold ms':>10}{'warm ms (median)':>18}")
        for step, seconds in cold.items():
            print(f"{step:<24}{1000 * seconds:>10.1f}{1000 * statistics.median(w[step] for w in warm):>18.1f}")
        verdict = "under" if cold["total"] < 1 else "OVER"
        print(f"cold total {cold['total']:.3f} s: {verdict} the 1 s target")
        if args.apptest:
            print("Home in AppTest (the whole page; first run, second run):")
            for name, (first, second) in apptest(root, ids).items():
                print(f"  {name:<12} {first:6.2f} s  {second:6.2f} s")


if __name__ == "__main__":
    main()
