"""Times the One training step page's work at dim 100: one step with its checks, and ×100, for each objective.

    python scripts/step_speed.py [--vocab 33000] [--dim 100]

Tables are random (what is timed does not depend on training); the vocabulary has Zipf counts. The full softmax is
timed at the trainer's limit (lib.model.torch_trainer.MAX_SOFTMAX_VOCAB) when --vocab is larger. The targets (issue 19):
a step and its display under 0.3 s, ×100 under 2 s on the 2-core machine; the display's Streamlit time is not in it.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(
    0, str(Path(__file__).resolve().parent.parent)
)  # scripts run with scripts/ on sys.path; lib is beside it
from lib.data.vocab import Vocab
from lib.model.huffman import HuffmanTree
from lib.model.torch_trainer import MAX_SOFTMAX_VOCAB
from lib.views import one_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=33_000)
    parser.add_argument("--dim", type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for objective in one_step.OBJECTIVES:
        size = min(args.vocab, MAX_SOFTMAX_VOCAB) if objective == "softmax" else args.vocab
        vocab = Vocab.from_counts([f"w{i}" for i in range(size)], (1e6 / np.arange(1, size + 1)).astype(int) + 1)
        rng = np.random.default_rng(0)
        w_in = rng.normal(scale=0.1, size=(size, args.dim)).astype(np.float32)
        w_out = rng.normal(scale=0.1, size=(size, args.dim)).astype(np.float32)
        start = time.perf_counter()
        tree = HuffmanTree.build(vocab.counts) if objective == "hs" else None
        noise = one_step.noise_table(vocab, 0.75) if objective == "negative" else None
        setup = time.perf_counter() - start
        example = one_step.make_example(vocab, "skipgram", "w40", "w90")
        negatives = one_step.draw_negatives(noise, 5, torch.Generator().manual_seed(0)) if noise is not None else None
        start = time.perf_counter()
        one_step.take_step(one_step.tables_from(w_in, w_out, tree), objective, example, negatives, 0.025, vocab, tree)
        single = time.perf_counter() - start
        start = time.perf_counter()
        one_step.repeat_steps(
            one_step.tables_from(w_in, w_out, tree),
            objective,
            example,
            0.025,
            100,
            noise,
            5,
            seed=1,
            watch=[] if negatives is None else negatives.tolist(),
            tree=tree,
        )
        hundred = time.perf_counter() - start
        print(
            f"{objective:>9}  vocabulary {size:>6,}  setup (tree / noise table, cached by the page) {setup:6.3f} s"
            f"  one step + autograd check {single:6.3f} s  x100 {hundred:6.3f} s"
        )


if __name__ == "__main__":
    main()
