"""One training step: the trainer's own update, a hand computation, autograd, gensim beside it, and bad requests."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from lib.config import CorpusConfig, TrainConfig
from lib.data.vocab import Vocab
from lib.model.huffman import HuffmanTree
from lib.model.torch_word2vec import Word2VecTables
from lib.runs.store import Run
from lib.train import train_run
from lib.views import one_step, step_gensim, step_measures, step_pair
from lib.views.one_step import StepError, make_example

VOCAB = Vocab.from_counts(["a", "b", "c", "d", "e", "f"], [30, 20, 12, 8, 5, 3])


def random_tables(objective, dim=4, seed=0):
    """Tables with trained-looking values (output rows not zero, so every term of the update is exercised)."""
    rng = np.random.default_rng(seed)
    w_in = rng.normal(scale=0.5, size=(len(VOCAB), dim)).astype(np.float32)
    w_out = rng.normal(scale=0.5, size=(len(VOCAB), dim)).astype(np.float32)
    tree = HuffmanTree.build(VOCAB.counts) if objective == "hs" else None
    return w_in, w_out, tree


EXAMPLES = {"skipgram": ("skipgram", "c", "a", None), "cbow": ("cbow", "c", "a", ["d", "e", "d"])}
NEGATIVES = torch.tensor([1, 3, 0, 5])  # "a" (0) is the output word: word2vec skips that negative


@pytest.mark.parametrize("objective", ["negative", "hs", "softmax"])
@pytest.mark.parametrize("architecture", ["skipgram", "cbow"])
def test_the_page_makes_the_trainers_own_update(objective, architecture):
    w_in, w_out, tree = random_tables(objective)
    example = make_example(VOCAB, *EXAMPLES[architecture])
    negatives = NEGATIVES if objective == "negative" else None
    shown = one_step.tables_from(w_in, w_out, tree)
    view = one_step.take_step(shown, objective, example, negatives, 0.05, VOCAB, tree)

    trainer = Word2VecTables(len(VOCAB), 4, torch.device("cpu"), torch.Generator().manual_seed(0), tree=tree)
    trainer.w_in, trainer.w_out = torch.tensor(w_in), torch.tensor(w_out)
    inputs = torch.tensor([example.inputs]) if architecture == "cbow" else torch.tensor(example.inputs)
    outputs = torch.tensor([example.output])
    with torch.no_grad():
        if objective == "negative":
            loss = trainer.sgd_negative(inputs, outputs, negatives.unsqueeze(0), 0.05)
        elif objective == "hs":
            loss = trainer.sgd_hs(inputs, outputs, 0.05)
        else:
            loss = trainer.sgd_softmax(inputs, outputs, 0.05)
    assert torch.equal(shown.w_in, trainer.w_in) and torch.equal(shown.w_out, trainer.w_out)
    assert view.loss_before == pytest.approx(float(loss))


@pytest.mark.parametrize("objective", ["negative", "hs", "softmax"])
@pytest.mark.parametrize("architecture", ["skipgram", "cbow"])
def test_autograd_agrees_with_the_hand_written_update(objective, architecture):
    w_in, w_out, tree = random_tables(objective, seed=1)
    example = make_example(VOCAB, *EXAMPLES[architecture])
    negatives = NEGATIVES if objective == "negative" else None
    tables = one_step.tables_from(w_in, w_out, tree)
    view = one_step.take_step(tables, objective, example, negatives, 0.05, VOCAB, tree)
    assert view.autograd_difference < 1e-6
    # the float64 loss written for autograd and the trainer's float32 loss are two formulas for one number
    assert one_step.loss64(
        torch.tensor(w_in, dtype=torch.float64),
        torch.tensor(w_out, dtype=torch.float64),
        objective,
        example,
        negatives,
        tree,
    ).item() == pytest.approx(view.loss_before, rel=1e-5)
    assert view.loss_after < view.loss_before  # a small SGD step lowers this example's loss


def test_the_autograd_check_catches_a_wrong_update(monkeypatch):
    w_in, w_out, _ = random_tables("negative", seed=2)
    real = Word2VecTables.sgd_negative
    monkeypatch.setattr(Word2VecTables, "sgd_negative", lambda self, i, o, n, lr: real(self, i, o, n, 2 * lr))
    view = one_step.take_step(
        one_step.tables_from(w_in, w_out, None),
        "negative",
        make_example(VOCAB, "skipgram", "c", "a"),
        NEGATIVES,
        0.05,
        VOCAB,
    )
    assert view.autograd_difference > 1e-3


def test_one_negative_sampling_step_by_hand():
    """h = (1, 0), output rows zero: s = 0, σ = 1/2, g = lr·(t − 1/2); the rows move by g·h, h stays (u was 0)."""
    w_in = np.zeros((len(VOCAB), 2), np.float32)
    w_in[2] = [1.0, 0.0]
    w_out = np.zeros((len(VOCAB), 2), np.float32)
    tables = one_step.tables_from(w_in, w_out, None)
    view = one_step.take_step(
        tables, "negative", make_example(VOCAB, "skipgram", "c", "a"), torch.tensor([3]), 0.1, VOCAB
    )
    assert view.rows["row"].tolist() == ["a", "d"]
    assert view.rows["σ(s)"].tolist() == [0.5, 0.5]
    assert view.rows["g = lr·(t − σ)"].tolist() == pytest.approx([0.05, -0.05])
    assert tables.w_out[0].tolist() == pytest.approx([0.05, 0.0]) and tables.w_out[3].tolist() == pytest.approx(
        [-0.05, 0.0]
    )
    assert tables.w_in[2].tolist() == [1.0, 0.0] and view.touched_rows == 2
    assert view.loss_before == pytest.approx(2 * math.log(2))
    assert view.loss_after == pytest.approx(-2 * math.log(1 / (1 + math.exp(-0.05))))


@pytest.mark.parametrize("objective", ["negative", "hs", "softmax"])
def test_the_pair_probability_both_models_are_shown_under_is_exp_minus_the_loss_without_negatives(objective):
    """P(output | input) for hs and the softmax is exp(−loss64); for negative sampling σ(s) = exp(−loss, no
    negatives)."""
    w_in, w_out, tree = random_tables(objective, seed=7)
    example = make_example(VOCAB, "skipgram", "c", "a")
    loss = one_step.loss64(
        torch.tensor(w_in, dtype=torch.float64),
        torch.tensor(w_out, dtype=torch.float64),
        objective,
        example,
        torch.tensor([0]) if objective == "negative" else None,
        tree,
    )
    assert step_measures.pair_probability(w_in[2], w_out, objective, 0, tree) == pytest.approx(math.exp(-loss.item()))


def test_the_softmax_view_lists_the_output_word_first_with_the_most_probable_others():
    w_in, w_out, _ = random_tables("softmax", seed=4)
    view = one_step.take_step(
        one_step.tables_from(w_in, w_out, None), "softmax", make_example(VOCAB, "skipgram", "c", "a"), None, 0.05, VOCAB
    )
    h = w_in[2].astype(np.float64)
    p = np.exp(w_out @ h) / np.exp(w_out @ h).sum()
    assert view.rows["row"].iloc[0] == "a" and view.rows["p (softmax)"].iloc[0] == pytest.approx(p[0], rel=1e-5)
    others = [VOCAB.words[i] for i in np.argsort(-p) if i != 0]
    assert view.rows["row"].iloc[1:].tolist() == others[: len(view.rows) - 1]


def test_hierarchical_softmax_scores_the_huffman_path_with_t_one_minus_the_code():
    w_in, w_out, tree = random_tables("hs", seed=5)
    view = one_step.take_step(
        one_step.tables_from(w_in, w_out, tree),
        "hs",
        make_example(VOCAB, "skipgram", "c", "f"),
        None,
        0.05,
        VOCAB,
        tree,
    )
    code, point = tree.path(5)
    assert len(view.rows) == len(point)
    assert view.rows["t"].tolist() == [1.0 - c for c in code.tolist()]
    assert view.rows["s = h·u"].tolist() == pytest.approx((w_out[point.astype(int)] @ w_in[2]).tolist(), rel=1e-5)


@pytest.mark.parametrize(
    "words, message", [(("c", "zebra"), "Not in this run's vocabulary: 'zebra'"), (("c", "c"), "both 'c'")]
)
def test_bad_pairs_say_what_to_do(words, message):
    with pytest.raises(StepError, match=message):
        make_example(VOCAB, "skipgram", *words)


def test_a_cbow_context_cannot_hold_the_word_it_predicts():
    with pytest.raises(StepError, match="cannot be in its own context"):
        make_example(VOCAB, "cbow", "c", "a", ["d", "a"])


def test_the_full_softmax_over_a_large_vocabulary_is_refused_with_the_limit():
    with pytest.raises(StepError, match="20,000"):
        one_step.check_objective("softmax", 20_001)


def test_the_commonest_pair_by_hand():
    # sentences [2 3 2 3] and [3 2 4]: pairs at distance 1 are (2,3)×3 within the first, (3,2), (2,4) in the second
    ids = np.array([2, 3, 2, 3, 3, 2, 4])
    assert step_pair.frequent_pair(ids, np.array([4, 3]), vocab_size=5, window=1) == (3, 2)
    assert step_pair.frequent_pair(np.array([1, 1]), np.array([2]), vocab_size=5, window=1) is None
    # with word 3 not a word (punctuation), the commonest pair left is (2, 4)
    wordlike = np.array([True, True, True, False, True])
    assert step_pair.frequent_pair(ids, np.array([4, 3]), vocab_size=5, window=1, wordlike=wordlike) == (4, 2)


def test_repeating_the_step_brings_the_pair_together_and_pushes_the_negatives_apart():
    w_in, w_out, _ = random_tables("negative", seed=6)
    # h = the input row of "c"; the output row of "a": their cosine by numpy before any step
    c, a = VOCAB.index["c"], VOCAB.index["a"]
    start = w_in[c].astype(np.float64) @ w_out[a] / (np.linalg.norm(w_in[c]) * np.linalg.norm(w_out[a]))
    tables = one_step.tables_from(w_in, w_out, None)
    noise = one_step.noise_table(VOCAB, 0.75)
    steps = one_step.repeat_steps(
        tables, "negative", make_example(VOCAB, "skipgram", "c", "a"), 0.1, 100, noise, 3, seed=1, watch=[3, 5]
    )
    assert steps["step"].tolist() == list(range(101)) and math.isnan(steps["loss"].iloc[0])
    assert steps[step_measures.PROBABILITY].iloc[-1] > steps[step_measures.PROBABILITY].iloc[0] + 0.2
    assert steps[step_measures.NEGATIVES_COSINE].iloc[-1] < steps[step_measures.NEGATIVES_COSINE].iloc[0]
    assert steps["loss"].iloc[-10:].mean() < steps["loss"].iloc[1:11].mean()
    assert steps[step_measures.OUTPUT_COSINE].iloc[0] == pytest.approx(start, abs=1e-6)
    assert steps[step_measures.OUTPUT_COSINE].iloc[-1] > start + 0.2


# ---------------------------------------------------------------- on a saved run, and gensim beside it


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    cfg = TrainConfig(dim=12, epochs=2, min_count=1, seed=3, workers=1)
    return train_run(CorpusConfig("toy-analogy", sentences=1500), cfg, root=str(tmp_path_factory.mktemp("runs")))


def test_a_runs_saved_tables_are_the_trainers_after_each_epoch(toy_run):
    w_in, w_out, note = one_step.saved_tables(toy_run, "pytorch", 2, "negative")
    assert note is None and np.array_equal(w_in, toy_run.vectors("pytorch", 2)) and np.abs(w_out).sum() > 0
    _, start, _ = one_step.saved_tables(toy_run, "gensim", 0, "negative")
    assert not start.any()  # gensim starts syn1neg at zero, as the PyTorch model starts w_out
    _, nodes, note = one_step.saved_tables(toy_run, "pytorch", 2, "hs")
    assert not nodes.any() and "start at zero" in note


def test_a_run_saved_before_output_weights_steps_from_epoch_0_only(toy_run, tmp_path):
    import shutil

    old = Run(shutil.copytree(toy_run.path, tmp_path / toy_run.id))
    for path in old.path.glob("*/out_*.npy"):
        path.unlink()
    assert "saved before" in one_step.saved_tables(old, "pytorch", 0, "negative")[2]
    with pytest.raises(StepError, match="only its epoch 0"):
        one_step.saved_tables(old, "pytorch", 1, "negative")
    with pytest.raises(StepError, match="no finished epoch 7"):
        one_step.saved_tables(old, "pytorch", 7, "negative")


@pytest.mark.parametrize("objective", ["negative", "hs"])
def test_gensim_starts_from_the_runs_vectors_and_its_own_train_brings_the_pair_together(toy_run, objective):
    a, b = step_pair.default_pair(toy_run)
    steps = step_gensim.gensim_steps(toy_run, 1, objective, "skipgram", a, b, 0.05, 30, 5)
    assert steps[step_measures.PAIR_COSINE].iloc[0] == pytest.approx(
        float(toy_run.keyed_vectors("gensim", 1).similarity(a, b)), abs=1e-6
    )
    assert steps[step_measures.PROBABILITY].iloc[-1] > steps[step_measures.PROBABILITY].iloc[0] + 0.05
    assert steps["gensim loss (both pairs)"].iloc[1:].notna().all()
    if objective == "hs":  # hs has no output row per word
        assert steps[step_measures.OUTPUT_COSINE].isna().all()
    else:
        assert steps[step_measures.OUTPUT_COSINE].iloc[-1] > steps[step_measures.OUTPUT_COSINE].iloc[0] + 0.05


def test_gensim_has_no_full_softmax(toy_run):
    with pytest.raises(StepError, match="no full softmax"):
        step_gensim.gensim_steps(toy_run, 1, "softmax", "skipgram", "the", "many", 0.05, 1, 5)


def test_the_default_pair_is_a_pair_from_the_corpus_and_is_kept(toy_run):
    a, b = step_pair.default_pair(toy_run)
    assert a != b and a in toy_run.vocab().index and b in toy_run.vocab().index
    assert toy_run.read_cache(step_pair.PAIR_CACHE) is not None
    assert step_pair.default_pair(toy_run) == (a, b)


def test_a_default_pair_from_a_corpus_that_cannot_be_read_is_not_kept(tmp_path):
    text = tmp_path / "story.txt"
    text.write_text("the cat sat on the mat and the dog ran to the park with a ball\n" * 30, encoding="utf-8")
    run = train_run(
        CorpusConfig(str(text)),
        TrainConfig(dim=4, epochs=1, min_count=1, workers=1),
        models=["gensim"],
        root=str(tmp_path / "runs"),
    )
    text.unlink()  # the upload is gone: the two most frequent words made of letters, and nothing kept
    words = run.vocab().words
    assert step_pair.default_pair(run) == (words[1], words[0])
    assert run.read_cache(step_pair.PAIR_CACHE) is None


@pytest.mark.parametrize("objective", ["negative", "hs"])
def test_a_kept_gensim_start_gives_the_same_steps_and_is_never_changed(toy_run, objective):
    a, b = step_pair.default_pair(toy_run)
    fresh = step_gensim.gensim_steps(toy_run, 1, objective, "skipgram", a, b, 0.05, 5, 5)
    start = step_gensim.gensim_start(toy_run, objective, "skipgram", 5)
    before = start.wv.vectors.copy()
    for _ in range(2):
        kept = step_gensim.gensim_steps(toy_run, 1, objective, "skipgram", a, b, 0.05, 5, 5, start=start)
        pd.testing.assert_frame_equal(kept, fresh)
    assert np.array_equal(start.wv.vectors, before)
