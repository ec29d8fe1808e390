"""Benchmark: peak memory of training on a large text file, over a tiny one: `python scripts/membench.py`.

It writes a synthetic corpus (words drawn from a Zipfian vocabulary, paragraphs of realistic length) of --mb
megabytes into a temporary folder, runs `/usr/bin/time -v python -m lib.train --corpus FILE ...` on it and on
its first few lines (the baseline: Python, torch, gensim and a tiny run), and prints each peak resident set
size, their difference and that difference as a multiple of the file's size. --cap-check also writes a file
over the default max_corpus_bytes and times how quickly the trainer refuses it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts run with scripts/ on sys.path; lib is beside it
from lib.config import CorpusConfig

MB = 1_000_000
LETTERS = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
LETTER_P = np.array(
    [
        12.7,
        9.1,
        8.2,
        7.5,
        7.0,
        6.7,
        6.3,
        6.1,
        6.0,
        4.3,
        4.0,
        2.8,
        2.8,
        2.4,
        2.4,
        2.2,
        2.0,
        2.0,
        1.9,
        1.5,
        1.0,
        0.8,
        0.2,
        0.2,
        0.1,
        0.1,
    ]
)


def synthetic_words(n: int, rng: np.random.Generator) -> np.ndarray:
    """n distinct pseudo-words, shorter ones first (they get the high ranks, as in natural text)."""
    words, seen = [], set()
    while len(words) < n:
        length = int(rng.integers(2, 4 + len(words).bit_length() // 2))
        word = "".join(rng.choice(LETTERS, size=length, p=LETTER_P / LETTER_P.sum()))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return np.array(words, dtype=object)


def write_corpus(path: Path, megabytes: float, vocabulary: int = 100_000, seed: int = 0) -> int:
    """A text file of about `megabytes` MB: one paragraph a line (10 to 250 words, ~90 on average), words drawn
    with probability ∝ 1 / rank (Zipf). Returns the size in bytes."""
    rng = np.random.default_rng(seed)
    words = synthetic_words(vocabulary, rng)
    cumulative = np.cumsum(1.0 / np.arange(1, vocabulary + 1))
    cumulative /= cumulative[-1]
    target, written = int(megabytes * MB), 0
    with open(path, "w", encoding="utf-8") as f:
        while written < target:
            lengths = np.clip(rng.lognormal(4.3, 0.6, size=2_000).astype(int), 10, 250)
            ids = np.searchsorted(cumulative, rng.random(int(lengths.sum())))
            text = words[ids]
            lines, start = [], 0
            for n in lengths.tolist():
                lines.append(" ".join(text[start : start + n]) + " .\n")
                start += n
            block = "".join(lines)
            f.write(block)
            written += len(block)
    return path.stat().st_size


def peak_rss(args: list[str], seconds: float = 0) -> tuple[int, float, int, str]:
    """(peak resident set size in bytes, wall seconds, exit code, the last line of stderr) of a command, stopped
    (SIGTERM) after `seconds` when that is set."""
    start = time.perf_counter()
    limit = ["timeout", str(seconds)] if seconds else []
    done = subprocess.run(["/usr/bin/time", "-v", *limit, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    kb = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    return int(kb.group(1)) * 1024 if kb else 0, seconds, done.returncode, errors[-1] if errors else ""


def train_command(corpus: Path, runs: Path, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "lib.train", "--corpus", str(corpus), "--quiet", "--runs-dir", str(runs), *extra]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/membench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100, help="size of the synthetic corpus in MB (default 100)")
    parser.add_argument("--vocabulary", type=int, default=100_000, help="distinct words to draw from")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--models", default="pytorch,gensim")
    parser.add_argument("--max-tokens", type=int, default=0, help="passed on to lib.train (0: the whole file)")
    parser.add_argument("--workers", type=int, default=0, help="passed on to lib.train (0: all cores)")
    parser.add_argument(
        "--seconds",
        type=float,
        default=0,
        help="stop the large run after this many seconds (0: let it finish): the peak is then "
        "over loading, the vocabulary and the training done by then",
    )
    parser.add_argument(
        "--cap-check",
        action="store_true",
        help="also write a file over the default max_corpus_bytes and time its refusal",
    )
    parser.add_argument("--dir", help="folder for the corpus and runs (default: a temporary one, removed after)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        big = folder / "synthetic.txt"
        start = time.perf_counter()
        size = write_corpus(big, args.mb, args.vocabulary)
        print(f"wrote {big} ({size / MB:,.1f} MB) in {time.perf_counter() - start:.0f} s", flush=True)
        tiny = folder / "tiny.txt"
        with open(big, encoding="utf-8") as f:
            tiny.write_text("".join(f.readline() for _ in range(200)), encoding="utf-8")
        extra = ["--epochs", str(args.epochs), "--models", args.models, "--workers", str(args.workers)]
        if args.max_tokens:
            extra += ["--max-tokens", str(args.max_tokens)]
        base, base_s, base_rc, _ = peak_rss(train_command(tiny, folder / "runs", extra))
        print(
            f"baseline (tiny file, {tiny.stat().st_size / 1e3:,.0f} kB): peak RSS {base / MB:,.0f} MB, "
            f"{base_s:.0f} s, exit {base_rc}",
            flush=True,
        )
        peak, peak_s, peak_rc, last = peak_rss(train_command(big, folder / "runs", extra), args.seconds)
        stopped = args.seconds and peak_rc in (124, 143)
        progress = "".join(p.read_text() for p in (folder / "runs").glob("*synthetic*/progress.json"))
        print(
            f"{size / MB:,.0f} MB file: peak RSS {peak / MB:,.0f} MB, {peak_s:.0f} s, exit {peak_rc}"
            + (
                f" (stopped after {args.seconds:g} s; progress then: {' '.join(progress.split())})"
                if stopped
                else f" ({last})"
                if peak_rc
                else ""
            )
        )
        print(f"over the baseline: {(peak - base) / MB:,.0f} MB = {(peak - base) / size:.2f} × the file's size")
        if args.cap_check:
            huge = folder / "huge.txt"
            cap = CorpusConfig().max_corpus_bytes
            with open(huge, "wb") as out:
                while out.tell() <= cap * 5:
                    out.write(big.read_bytes())
            whole = extra[: extra.index("--max-tokens")] if args.max_tokens else extra  # the cap applies to whole files
            rss, seconds, rc, last = peak_rss(train_command(huge, folder / "runs", whole))
            print(
                f"{huge.stat().st_size / MB:,.0f} MB file: exit {rc} after {seconds:.1f} s, peak RSS "
                f"{rss / MB:,.0f} MB: {last}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
