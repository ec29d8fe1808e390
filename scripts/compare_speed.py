"""Benchmark: how fast the comparison pages answer for two runs (?run=A&vs=B); `python scripts/compare_speed.py`.

Trains two WikiText-2 subset runs that differ in window (10 epochs each; needs WIKITEXT2_DIR, a few minutes), or
takes the two newest runs of --runs-dir, then times in this process, with Streamlit's AppTest:
  pages         each comparison page opened on A against B: the first time (nothing cached) and once cached;
                Embedding space's 3D view (?view=3D) too
  what changed  lib.views.compare.neighbour_agreement over the 2,000 most frequent shared words, k = 10
This is a benchmark people run, not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ("embedding_space", "neighbours", "similarity", "analogies")


def two_runs(runs_dir: Path | None, max_tokens: int):
    from lib.config import CorpusConfig, TrainConfig
    from lib.runs.listing import list_runs
    from lib.train import train_run

    if runs_dir is not None:
        runs = list_runs(runs_dir)
        if len(runs) < 2:
            raise SystemExit(f"error: {runs_dir} holds {len(runs)} readable run(s); two are needed")
        return runs_dir, runs[1], runs[0]
    if not os.environ.get("WIKITEXT2_DIR"):
        raise SystemExit("error: set WIKITEXT2_DIR to WikiText-2's folder, or pass --runs-dir with two runs")
    root = Path(tempfile.mkdtemp(prefix="compare-speed-"))
    corpus = CorpusConfig("wikitext-2", max_tokens=max_tokens)
    a = train_run(corpus, TrainConfig(epochs=10, window=2), root=root)
    b = train_run(corpus, TrainConfig(epochs=10, window=10), root=root)
    return root, a, b


def time_page(name: str, a, b, **params: str) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=600)
    at.query_params.update({"run": a.id, "vs": b.id, "n": "300", **params})
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise SystemExit(f"error: {name} raised: {at.exception[0].value}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs-dir", type=Path, help="a runs folder whose two newest runs are compared")
    parser.add_argument("--max-tokens", type=int, default=200_000, help="WikiText-2 tokens per trained run")
    args = parser.parse_args()
    root, a, b = two_runs(args.runs_dir, args.max_tokens)
    os.environ["W2V_RUNS_DIR"] = str(root)
    print(f"runs {a.id} vs {b.id} ({len(a.vocab()):,} and {len(b.vocab()):,} words)")
    for name in PAGES:
        first, cached = time_page(name, a, b), time_page(name, a, b)
        print(f"{name:16s} first {first:6.2f} s   cached {cached:6.2f} s")
    first, cached = time_page("embedding_space", a, b, view="3D"), time_page("embedding_space", a, b, view="3D")
    print(f"{'3D view':16s} first {first:6.2f} s   cached {cached:6.2f} s")

    from lib.views import compare

    kv_a, kv_b = (
        a.keyed_vectors(a.models[0], a.epochs(a.models[0])[-1]),
        b.keyed_vectors(b.models[0], b.epochs(b.models[0])[-1]),
    )
    start = time.perf_counter()
    table = compare.neighbour_agreement(kv_a, kv_b, n_words=2000, k=10)
    print(f"what changed     {time.perf_counter() - start:6.2f} s for {len(table):,} words")


if __name__ == "__main__":
    main()
