"""Benchmark: the PyTorch word2vec against gensim's Word2Vec on one corpus, in one process; `python scripts/bench.py`.

For every seed both trainers run on the same corpus and vocabulary with the same settings, one after the other
(the order alternates between seeds, so a machine that gets busier or quieter favours neither). words/s counts
in-vocabulary corpus words per second of epoch wall-clock time, pair generation included, the same way for both
(lib.model.callbacks.Snapshot). The ratio PyTorch / gensim is taken per seed, from runs that were seconds apart, and
then averaged; on a shared machine trust the ratio more than either speed. `--dashboard` also times what the
app's pages pay for: 2D projections of every epoch and switching epochs.

This is a benchmark people run, not a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts run with scripts/ on sys.path; lib is beside it
from lib.config import CorpusConfig, TrainConfig, replace
from lib.model.callbacks import Snapshot, TrainingCallback
from lib.runs.store import to_keyed_vectors
from lib.views.evaluate import analogy_accuracy, google_analogies_path, wordsim353

DEFAULT_WIKITEXT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wikitext-2"
ANALOGY_SLACK, WS353_SLACK = 0.01, 0.03  # the quality bound: PyTorch ≥ gensim minus these, averaged over seeds
# PyTorch variants the benchmark can run: name -> TrainConfig changes (see TrainConfig.pytorch_step)
VARIANTS = {
    "window": {"shared_negatives": True, "batch_negatives": 0},  # one set of negatives per centre word's window
    "pair": {"shared_negatives": False, "batch_negatives": 0},  # word2vec's own: K negatives per pair
    "batch": {"shared_negatives": False, "batch_negatives": 64},  # one pool of negatives per batch
}


# ------------------------------------------------------------ measuring one training


class PeakMemory:
    """Peak resident memory of this process above its level at start, sampled by a thread every `interval` s
    (and CUDA's own peak when training on a GPU). Linux /proc; elsewhere it reports None."""

    def __init__(self, interval: float = 0.02):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self.start = self._rss()

    @staticmethod
    def _rss() -> int | None:
        try:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            return None

    def __enter__(self):
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        self.peak = self.start or 0
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._rss() or 0)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss() or 0)

    @property
    def megabytes(self) -> float | None:
        return None if self.start is None else (self.peak - self.start) / 2**20

    @staticmethod
    def cuda_megabytes() -> float | None:
        return torch.cuda.max_memory_allocated() / 2**20 if torch.cuda.is_available() else None


class EpochRecorder(TrainingCallback):
    def __init__(self):
        self.snapshots: list[Snapshot] = []

    def on_epoch_end(self, snapshot: Snapshot) -> None:
        if snapshot.epoch > 0:
            self.snapshots.append(snapshot)


@dataclass
class Result:
    """One training of one model with one seed."""

    model: str  # "gensim", "pytorch-window", "pytorch-pair", ... ("-cuda" on the GPU)
    seed: int
    words_per_sec: float
    seconds_per_epoch: float
    pair_seconds_per_epoch: float | None
    epoch_seconds: list[float]
    peak_mb: float | None
    analogy: float | None
    ws353: float | None
    ratio: float | None = None  # words/s over gensim's words/s of the same seed
    extra: dict = field(default_factory=dict)


def quality(vocab, vectors: np.ndarray) -> tuple[float | None, float | None]:
    kv = to_keyed_vectors(vocab, vectors)
    return (analogy_accuracy(kv, google_analogies_path())["analogy_accuracy"], wordsim353(kv)["ws353_spearman"])


def run_one(model: str, prepared, cfg: TrainConfig, seed: int) -> Result:
    from lib.model.gensim_trainer import train_gensim
    from lib.model.torch_trainer import train_pytorch

    rec = EpochRecorder()
    cfg = replace(cfg, seed=seed)
    with PeakMemory() as mem:
        if model == "gensim":
            train_gensim(prepared.corpus.sentences, prepared.vocab, cfg, rec, words_per_epoch=len(prepared.encoded))
        else:
            variant = model.removeprefix("pytorch-").removesuffix("-cuda")
            device = "cuda" if model.endswith("-cuda") else "cpu"
            train_pytorch(
                prepared.encoded, prepared.vocab, replace(cfg, device=device, **VARIANTS[variant]), rec, name=model
            )
    snaps = rec.snapshots
    seconds = [s.seconds for s in snaps]
    pair_seconds = [s.pair_seconds for s in snaps if s.pair_seconds is not None]
    analogy, ws = quality(prepared.vocab, snaps[-1].vectors)
    peak = PeakMemory.cuda_megabytes() if model.endswith("-cuda") else mem.megabytes
    return Result(
        model,
        seed,
        sum(s.words for s in snaps) / sum(seconds),
        float(np.mean(seconds)),
        float(np.mean(pair_seconds)) if pair_seconds else None,
        seconds,
        peak,
        analogy,
        ws,
    )


# ------------------------------------------------------------ the speed and quality benchmark


def run_benchmark(corpus_cfg: CorpusConfig, train_cfg: TrainConfig, seeds: int, variants: list[str], log=print) -> dict:
    from lib.train import prepare

    prepared = prepare(corpus_cfg, train_cfg)
    models = ["gensim"] + [f"pytorch-{v}" for v in variants]
    if torch.cuda.is_available():
        models += [f"pytorch-{variants[0]}-cuda"]
    results: list[Result] = []
    for i, seed in enumerate(range(train_cfg.seed, train_cfg.seed + seeds)):
        order = models if i % 2 == 0 else models[1:] + models[:1]  # alternate who goes first
        by_model = {}
        for model in order:
            r = run_one(model, prepared, train_cfg, seed)
            by_model[model] = r
            log(
                f"seed {seed} {model:>16}: {r.words_per_sec:>10,.0f} words/s, epochs "
                f"{', '.join(f'{s:.2f}' for s in r.epoch_seconds)} s, analogy {fmt(r.analogy)}, WS353 {fmt(r.ws353)}"
            )
        for r in by_model.values():
            r.ratio = r.words_per_sec / by_model["gensim"].words_per_sec
        results += [by_model[m] for m in models]
    return summarise(results, models, prepared, train_cfg, corpus_cfg)


def summarise(
    results: list[Result], models: list[str], prepared, train_cfg: TrainConfig, corpus_cfg: CorpusConfig
) -> dict:
    def stats(values):
        values = [v for v in values if v is not None]
        if not values:
            return {"mean": None, "sd": None}
        return {"mean": float(np.mean(values)), "sd": float(statistics.stdev(values)) if len(values) > 1 else 0.0}

    rows = {}
    for model in models:
        rs = [r for r in results if r.model == model]
        epochs = [s for r in rs for s in r.epoch_seconds]
        rows[model] = {
            "words_per_sec": stats([r.words_per_sec for r in rs]),
            "ratio": stats([r.ratio for r in rs]),
            "seconds_per_epoch": stats([r.seconds_per_epoch for r in rs]),
            "epoch_seconds_min_max": [min(epochs), max(epochs)],
            "pair_seconds_per_epoch": stats([r.pair_seconds_per_epoch for r in rs]),
            "peak_mb": stats([r.peak_mb for r in rs]),
            "analogy_accuracy": stats([r.analogy for r in rs]),
            "ws353_spearman": stats([r.ws353 for r in rs]),
        }
    gensim = rows["gensim"]
    verdicts = {}
    for model in models[1:]:
        row = rows[model]
        analogy_ok = _at_least(row["analogy_accuracy"]["mean"], gensim["analogy_accuracy"]["mean"], ANALOGY_SLACK)
        ws_ok = _at_least(row["ws353_spearman"]["mean"], gensim["ws353_spearman"]["mean"], WS353_SLACK)
        verdicts[model] = {"ratio_at_least_1": row["ratio"]["mean"] >= 1.0, "quality_bound_held": analogy_ok and ws_ok}
    return {
        "corpus": prepared.corpus.name,
        "tokens_in_vocab": len(prepared.encoded),
        "vocab_size": len(prepared.vocab),
        "settings": {
            k: getattr(train_cfg, k) for k in ("dim", "window", "negative", "min_count", "sample", "epochs", "alpha")
        },
        "workers": train_cfg.resolved_workers(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "seeds": sorted({r.seed for r in results}),
        "models": rows,
        "verdicts": verdicts,
        "runs": [r.__dict__ for r in results],
    }


def _at_least(value, reference, slack) -> bool:
    return value is not None and reference is not None and value >= reference - slack


def fmt(x, spec=".3f") -> str:
    return "-" if x is None else format(x, spec)


def table(summary: dict) -> str:
    def cell(stat, spec):
        if stat["mean"] is None:
            return "-"
        return (
            f"{format(stat['mean'], spec)} ± {format(stat['sd'], spec)}"
            if len(summary["seeds"]) > 1
            else format(stat["mean"], spec)
        )

    header = ["model", "words/s", "ratio vs gensim", "s/epoch", "pairs s/epoch", "peak MB", "analogy", "WS353"]
    lines = [header]
    for model, row in summary["models"].items():
        lines.append(
            [
                model,
                cell(row["words_per_sec"], ",.0f"),
                cell(row["ratio"], ".2f"),
                cell(row["seconds_per_epoch"], ".2f"),
                cell(row["pair_seconds_per_epoch"], ".3f"),
                cell(row["peak_mb"], ".0f"),
                cell(row["analogy_accuracy"], ".4f"),
                cell(row["ws353_spearman"], ".3f"),
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths))) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    s = summary["settings"]
    notes = [
        f"{summary['corpus']}: {summary['tokens_in_vocab']:,} in-vocabulary tokens, "
        f"vocabulary {summary['vocab_size']:,}; "
        f"dim {s['dim']}, window {s['window']}, negative {s['negative']}, min_count {s['min_count']}, "
        f"sample {s['sample']}, {s['epochs']} epochs; {summary['workers']} workers on {summary['cpu_count']} cores; "
        f"seeds {summary['seeds']}; mean ± sd over seeds; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in summary['load_average'] or [])}."
    ]
    for model, row in summary["models"].items():
        lo, hi = row["epoch_seconds_min_max"]
        notes.append(f"{model}: single epochs took {lo:.2f} … {hi:.2f} s.")
    for model, v in summary["verdicts"].items():
        notes.append(
            f"{model}: ratio ≥ 1.0: {'yes' if v['ratio_at_least_1'] else 'NO'}; quality bound (analogy ≥ "
            f"gensim − {ANALOGY_SLACK}, WS353 ≥ gensim − {WS353_SLACK}): "
            f"{'held' if v['quality_bound_held'] else 'NOT held'}."
        )
    return "\n".join(out + [""] + notes)


# ------------------------------------------------------------ the dashboard's costs


def run_dashboard(
    corpus_cfg: CorpusConfig, train_cfg: TrainConfig, runs_dir: str | None, reuse: str | None, log=print
) -> dict:
    """Times, on a 10-epoch run: PCA of 2,000 words and UMAP of 1,000 words for every epoch of both models
    (first call computes and caches into the run, second call reads the cache), and switching epoch (loading
    an epoch's KeyedVectors from the store and asking for neighbours)."""
    from lib.runs.store import Run
    from lib.train import train_run

    try:
        from lib.views.projection import projection_frame
    except ImportError as exc:
        return {"error": f"lib.views.projection is not available ({exc})"}
    out: dict = {}
    if reuse:
        run = Run.open(reuse)
        out["run"], out["trained_seconds"] = str(run.path), None
    else:
        start = time.perf_counter()
        run = train_run(corpus_cfg, train_cfg, root=runs_dir or tempfile.mkdtemp(prefix="w2v-bench-"))
        out["run"], out["trained_seconds"] = str(run.path), time.perf_counter() - start
        log(f"dashboard run trained in {out['trained_seconds']:.1f} s: {run.path}")
    for method, n_words, goal in (("pca", 2000, 2.0), ("umap", 1000, 60.0)):
        for call in ("first", "second"):
            start = time.perf_counter()
            with warnings.catch_warnings():  # umap warns about every precomputed-metric fit
                warnings.simplefilter("ignore", UserWarning)
                frame = projection_frame(run, method=method, n_words=n_words)
            seconds = time.perf_counter() - start
            out[f"{method}_{n_words}_{call}_s"] = seconds
            log(
                f"{method} of {n_words} words, every epoch of both models ({len(frame):,} points), {call} call: "
                f"{seconds:.2f} s (goal: {'< ' + str(goal) + ' s' if call == 'first' else '< 1 s'})"
            )
    switches = []
    word = run.vocab().words[0]
    for model in run.models:
        for epoch in run.epochs(model):
            start = time.perf_counter()
            kv = run.keyed_vectors(model, epoch)
            kv.most_similar(word, topn=10)
            switches.append(time.perf_counter() - start)
    out["switch_epoch_mean_s"], out["switch_epoch_max_s"] = float(np.mean(switches)), float(np.max(switches))
    log(
        f"switching epoch (KeyedVectors from the store + 10 neighbours), {len(switches)} switches: mean "
        f"{out['switch_epoch_mean_s']:.3f} s, max {out['switch_epoch_max_s']:.3f} s (goal: < 1 s)"
    )
    return out


# ------------------------------------------------------------ command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python scripts/bench.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds to train each model with (default: 3)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--corpus", default="wikitext-2", help="registry name or text file (default: wikitext-2)")
    parser.add_argument(
        "--wikitext-dir", default="", help=f"WikiText-2 text files (default: $WIKITEXT2_DIR, else {DEFAULT_WIKITEXT})"
    )
    parser.add_argument("--max-tokens", type=int, default=0, help="cut the corpus to this many tokens (0: all)")
    parser.add_argument(
        "--variants",
        default="window",
        help=f"PyTorch variants, comma-separated, of {', '.join(VARIANTS)} (default: window; "
        "'pair' is word2vec's exact sampling and slower)",
    )
    parser.add_argument("--workers", type=int, default=0, help="threads for both (default: the number of cores)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed and quality benchmark")
    parser.add_argument(
        "--dashboard",
        action="store_true",
        help="also time the dashboard: PCA / UMAP of every epoch and switching epochs, on a "
        "10-epoch run of a WikiText-2 subset",
    )
    parser.add_argument("--dashboard-tokens", type=int, default=200_000, help="tokens of the subset (default 200,000)")
    parser.add_argument("--dashboard-run", help="reuse this run folder instead of training one")
    parser.add_argument("--runs-dir", help="where the dashboard's run goes (default: a temporary folder)")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    log = (lambda *a, **k: print(*a, file=sys.stderr, **k)) if args.json else print
    try:
        if args.seeds < 1:
            raise ValueError("--seeds must be at least 1.")
        variants = [v.strip() for v in args.variants.split(",") if v.strip()]
        unknown = [v for v in variants if v not in VARIANTS]
        if unknown or not variants:
            raise ValueError(
                f"--variants takes a comma-separated list of {', '.join(VARIANTS)} (got {args.variants!r})."
            )
        os.environ["WIKITEXT2_DIR"] = args.wikitext_dir or os.environ.get("WIKITEXT2_DIR", "") or str(DEFAULT_WIKITEXT)
        corpus_cfg = CorpusConfig(name=args.corpus, max_tokens=args.max_tokens).validate()
        train_cfg = TrainConfig(epochs=args.epochs, workers=args.workers, seed=args.first_seed).validate()
        out = {}
        if not args.no_speed:
            out = run_benchmark(corpus_cfg, train_cfg, args.seeds, variants, log=log)
            if not args.json:
                print()
                print(table(out))
        if args.dashboard:
            dash_corpus = replace(corpus_cfg, max_tokens=args.dashboard_tokens)
            dash_train = replace(train_cfg, epochs=10, **VARIANTS[variants[0]])
            if not args.json:
                print()
            out["dashboard"] = run_dashboard(dash_corpus, dash_train, args.runs_dir, args.dashboard_run, log=log)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
