"""lib.model.batching: batches hold what the batch rule says (pairs, for shared_negatives), packing only reorders."""

import numpy as np
import torch

from lib.config import TrainConfig
from lib.data.vocab import Encoded
from lib.model.batching import batch_starts, epoch_batches, pack_windows, used_columns


def test_batch_starts_cut_where_the_running_total_reaches_each_multiple_of_the_budget():
    sizes = np.random.default_rng(0).integers(1, 11, size=1_000)
    starts = batch_starts(sizes, 50)
    assert starts[0] == 0 and starts[-1] == 1_000
    ends = np.cumsum(sizes)
    for k, hi in enumerate(starts[1:-1], start=1):  # batch k ends with the example that brings the total to k·50
        assert ends[hi - 1] >= 50 * k > ends[hi - 2]
    per_batch = np.add.reduceat(sizes, starts[:-1])
    assert np.all(np.abs(per_batch[:-1] - 50) < 10) and 0 < per_batch[-1] < 60
    assert list(batch_starts(np.ones(10), 4)) == [0, 4, 8, 10]


def corpus(n=60_000, vocab=300, seed=0) -> Encoded:
    ids = np.random.default_rng(seed).integers(0, vocab, size=n)
    return Encoded(ids, np.full(n // 30, 30))


def test_shared_negatives_batches_hold_the_pairs_the_batch_rule_says():
    cfg = TrainConfig(shared_negatives=True, window=5, sample=0)
    budget = cfg.worker_batch(300, 1)
    ex = epoch_batches(corpus(), np.ones(300), cfg, budget, np.random.default_rng(1), torch.device("cpu"))
    pairs = (ex.inputs >= 0).sum(1).numpy()
    per_batch = [pairs[lo:hi].sum() for lo, hi in (ex.batch(b) for b in range(ex.n_batches))]
    assert all(abs(p - budget) < 2 * cfg.window for p in per_batch[:-1])  # give or take one window
    assert sum(per_batch) == ex.n_pairs == ex.loss_terms(0, len(ex.outputs))


def test_pair_and_cbow_batches_hold_the_examples_the_rule_says():
    for cfg in (TrainConfig(sample=0), TrainConfig(architecture="cbow", sample=0)):
        ex = epoch_batches(corpus(), np.ones(300), cfg, 500, np.random.default_rng(1), torch.device("cpu"))
        sizes = np.diff(ex.starts)
        assert np.all(sizes[:-1] == 500) and 0 < sizes[-1] <= 500


def test_pack_windows_only_reorders_within_runs_and_sorts_each_run_by_reach():
    rng = np.random.default_rng(0)
    reach = rng.integers(1, 4, size=100)
    offsets = np.array([-3, -2, -1, 1, 2, 3])
    contexts = np.where(np.abs(offsets)[None, :] <= reach[:, None], rng.integers(0, 50, (100, 6)), -1)
    centres = np.arange(100)
    packed, order = pack_windows(contexts, centres, run=25)
    for start in range(0, 100, 25):
        run = order[start : start + 25]
        assert sorted(run.tolist()) == list(range(start, start + 25))  # the same windows, from the same run
        assert np.all(np.diff(reach[run]) >= 0)
    assert np.array_equal(packed, contexts[order])


def test_used_columns_drops_the_padding_no_window_uses():
    windows = torch.tensor([[-1, 4, 5, -1], [-1, -1, 6, -1]])
    assert used_columns(windows).tolist() == [[4, 5], [-1, 6]]
