"""Evaluation on KeyedVectors: analogies with coverage, WordSim353, neighbour precision, the shared probe loss."""

import numpy as np
import pytest
from gensim.models import KeyedVectors

from lib.config import TrainConfig
from lib.data.questions import validate_question_text
from lib.data.toys import LETTER_WORDS, _alphabet_neighbours
from lib.data.vocab import Vocab
from lib.runs.store import to_keyed_vectors
from lib.views.analysis import solve_analogy, unknown_word_message
from lib.views.evaluate import Probe, analogy_accuracy, chance_neighbour_precision, neighbour_precision, wordsim353


def kv_from(words, vectors):
    kv = KeyedVectors(vector_size=len(vectors[0]))
    kv.add_vectors(words, np.array(vectors, dtype=np.float32))
    return kv


def royal_kv():
    # role (ruler / person) + gender, so king - man + woman = queen exactly
    ruler, person, male, female = np.eye(4)
    words = {"king": ruler + male, "queen": ruler + female, "man": person + male, "woman": person + female}
    return kv_from(list(words), list(words.values()))


def test_analogy_accuracy_and_coverage(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text(": royals\nking queen man woman\nman woman king queen\n: unknown\nking queen boy girl\n")
    result = analogy_accuracy(royal_kv(), str(path))
    assert result["analogy_accuracy"] == 1.0
    assert result["analogy_coverage"] == pytest.approx(2 / 3)
    assert result["analogy_sections"]["royals"] == {"correct": 2, "total": 2}


def test_solve_analogy_both_methods_and_unknown_words():
    kv = royal_kv()
    assert solve_analogy(kv, "man", "woman", "king")[0][0] == "queen"
    assert solve_analogy(kv, "man", "woman", "king", method="3cosmul")[0][0] == "queen"
    with pytest.raises(ValueError, match="'kng' is not in this run's vocabulary.*'king'"):
        solve_analogy(kv, "man", "woman", "kng")
    assert "Did you mean" not in unknown_word_message("zzzzzz", kv)


def test_neighbour_precision_perfect_on_a_line_and_near_chance_on_noise():
    truth = _alphabet_neighbours()
    angles = np.linspace(0, np.pi / 2, 26)  # letters in order on a quarter circle: nearest = adjacent letters
    line = kv_from(LETTER_WORDS, np.stack([np.cos(angles), np.sin(angles)], 1))
    assert neighbour_precision(line, truth) == 1.0
    rng = np.random.default_rng(0)
    scores = [neighbour_precision(kv_from(LETTER_WORDS, rng.normal(size=(26, 50))), truth) for _ in range(20)]
    chance = chance_neighbour_precision(truth, 26)
    assert 0.1 < chance < 0.2
    assert abs(np.mean(scores) - chance) < 0.05


def test_wordsim353_handles_no_coverage_and_random_vectors():
    from gensim.test.utils import datapath

    pairs = [line.split("\t") for line in open(datapath("wordsim353.tsv")) if not line.startswith("#")]
    kv = kv_from(["placeholder"], [[1.0, 0.0]])
    assert wordsim353(kv)["ws353_spearman"] is None  # nothing covered
    words = sorted({w.lower() for a, b, _ in pairs for w in (a, b)})
    rng = np.random.default_rng(1)
    kv = kv_from(words, rng.normal(size=(len(words), 20)))
    result = wordsim353(kv)
    assert result["ws353_oov"] == 0 and abs(result["ws353_spearman"]) < 0.2  # random vectors: no correlation


def test_probe_loss_at_the_start_is_k_plus_one_log_two():
    vocab = Vocab.from_counts(list("abcdefgh"), [8, 7, 6, 5, 4, 3, 2, 1])
    enc = vocab.encode([list("abcdefgh") * 4] * 20)
    cfg = TrainConfig(negative=5, sample=0)
    probe = Probe.draw(enc, vocab, cfg, size=500)
    assert len(probe.outputs) == 500 and probe.negatives.shape == (500, 5)
    w_in = np.random.default_rng(0).normal(size=(8, 4))
    loss = probe.loss(w_in, np.zeros((8, 4)))
    live = (probe.negatives != probe.outputs[:, None]).sum(1)
    assert loss == pytest.approx(np.log(2) * (1 + live).mean())
    assert probe.loss(w_in, None) is None
    softmax = probe.loss(w_in, np.zeros((8, 4)), "softmax")
    assert softmax == pytest.approx(np.log(8))


def test_probe_loss_is_lower_for_vectors_that_fit_the_pairs():
    vocab = Vocab.from_counts(list("ab"), [10, 10])
    probe = Probe(np.array([0, 1]), np.array([1, 0]), np.array([[0], [1]]))
    good_in, good_out = np.array([[3.0, 0], [0, 3.0]]), np.array([[-3.0, 3.0], [3.0, -3.0]])
    assert probe.loss(good_in, good_out) < probe.loss(good_in, -good_out)
    assert len(to_keyed_vectors(vocab, good_in)) == 2


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "no questions"),
        (": s\na b c\n", "line 2: a question is 4 words"),
        ("a b c d\n", "line 1: questions go under a section: add a line ': name'"),
    ],
)
def test_analogy_text_validation(text, message):
    with pytest.raises(ValueError, match=message):
        validate_question_text(text)


def test_a_valid_question_file_is_what_gensim_reads(tmp_path):
    from gensim.test.utils import datapath

    from lib.data.questions import covered, parse_questions

    path = datapath("questions-words.txt")
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith(":")]
    parsed = parse_questions(open(path, encoding="utf-8").read())
    assert len(parsed) == len(lines) == 19544
    assert parsed[0].section == "capital-common-countries" and parsed[0].words == (
        "Athens",
        "Greece",
        "Baghdad",
        "Iraq",
    )
    known = {"athens", "greece", "baghdad", "iraq"}
    expected = [tuple(w.lower() for w in line.split()) for line in lines if set(line.lower().split()) <= known]
    assert covered(path, known) == expected and ("athens", "greece", "baghdad", "iraq") in expected


def _kv(points: dict[str, tuple]) -> "KeyedVectors":
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=2)
    kv.add_vectors(list(points), np.array(list(points.values()), dtype=np.float32))
    return kv


def test_category_purity_against_a_hand_computation():
    from lib.views.evaluate import category_purity

    # unit vectors at these angles (degrees), so cosine order is the order of angle gaps
    angles = {"a1": 0, "a2": 10, "a3": 20, "b3": 45, "b1": 90, "b2": 100}
    kv = _kv({w: (np.cos(np.radians(d)), np.sin(np.radians(d))) for w, d in angles.items()})
    cats = {"a1": "a", "a2": "a", "a3": "a", "b1": "b", "b2": "b", "b3": "b", "absent": "a"}
    # k = 1: a1→a2, a2→a1 or a3, a3→a2, b3→a3 (25° against b1 at 45°), b1→b2, b2→b1: 5 of 6 in their own
    # category
    one = category_purity(kv, cats, k=1)
    assert one["category_purity"] == pytest.approx(5 / 6)
    assert one["category_purity_chance"] == pytest.approx(2 / 5)  # 2 of the 5 other words share each category
    assert one["category_purity_by_category"] == pytest.approx({"a": 1.0, "b": 2 / 3})
    # k = 2: a1 {a2, a3}, a2 {a1, a3}, a3 {a2, a1}: all right; b3 {a3, a2}: none; b1 {b2, b3}, b2 {b1, b3}: all
    assert category_purity(kv, cats, k=2)["category_purity"] == pytest.approx(5 / 6)
    # k = 3: a1 {a2, a3, b3} 2/3, a2 {a1, a3, b3} 2/3, a3 {a2, a1, b3} 2/3, b3 {a3, a2, a1} 0,
    # b1 {b2, b3, a3} 2/3, b2 {b1, b3, a3} 2/3
    assert category_purity(kv, cats, k=3)["category_purity"] == pytest.approx(5 * (2 / 3) / 6)


def test_category_purity_needs_two_categories():
    from lib.views.evaluate import category_purity

    kv = _kv({"a": (1, 0), "b": (0, 1), "c": (1, 1)})
    assert category_purity(kv, {"a": "x", "b": "x", "c": "x"})["category_purity"] is None
