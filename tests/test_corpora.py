"""Corpus registry: deterministic toy languages with their ground truth, WikiText-2 cleaning, users' files."""

import re
from collections import Counter

import numpy as np
import pytest

import lib.data.tokens
from lib.config import CorpusConfig
from lib.data.corpora import (
    CORPORA,
    check_text,
    clean_wikitext,
    decode_text,
    load_corpus,
    split_long_sentences,
    tokenize,
    wikitext_files,
)
from lib.data.toys import LETTER_WORDS, POS_TAGS
from lib.data.vocab import Vocab


@pytest.mark.parametrize("name", ["toy-random", "toy-proximity", "toy-analogy", "toy-pos"])
def test_toy_corpora_are_deterministic_for_a_seed(name):
    a = load_corpus(CorpusConfig(name, seed=3, sentences=200))
    b = load_corpus(CorpusConfig(name, seed=3, sentences=200))
    c = load_corpus(CorpusConfig(name, seed=4, sentences=200))
    assert a.sentences == b.sentences
    assert a.sentences != c.sentences
    assert len(a.sentences) == 200


def test_toy_random_uses_the_26_words_uniformly():
    corpus = load_corpus(CorpusConfig("toy-random"))
    assert len(corpus.sentences) == 30_000 and all(len(s) == 7 for s in corpus.sentences)
    counts = {w: 0 for w in LETTER_WORDS}
    for s in corpus.sentences:
        for w in s:
            counts[w] += 1
    expected = 30_000 * 7 / 26
    assert all(abs(c - expected) < 0.1 * expected for c in counts.values())


def test_toy_proximity_walks_in_small_steps_and_never_straight_back():
    corpus = load_corpus(CorpusConfig("toy-proximity", sentences=2_000))
    for sentence in corpus.sentences:
        letters = [LETTER_WORDS.index(w) for w in sentence]
        assert letters[0] < 18
        steps = [b - a for a, b in zip(letters, letters[1:])]
        assert set(steps) <= {-1, 1, 2}
        assert all(letters[i + 2] != letters[i] for i in range(len(letters) - 2))
    assert corpus.true_neighbours["aaa"] == ["bbb", "ccc"]
    assert corpus.true_neighbours["mmm"] == ["kkk", "lll", "nnn", "ooo"]


def test_toy_analogy_questions_use_only_corpus_words():
    corpus = load_corpus(CorpusConfig("toy-analogy", sentences=2_000))
    words = {w for s in corpus.sentences for w in s}
    questions = [line.split() for line in corpus.analogies.splitlines() if not line.startswith(":")]
    assert len(questions) == 4 * 10 * 9
    assert all(len(q) == 4 and set(q) <= words for q in questions)
    assert ["king", "queen", "man", "woman"] in questions


def test_toy_pos_sentences_are_grammatical():
    corpus = load_corpus(CorpusConfig("toy-pos", sentences=500))
    for sentence in corpus.sentences:
        tags = [POS_TAGS[w] for w in sentence]
        assert tags[0] == "determiner" and "verb" in tags and tags[-1] == "noun"
    assert set(corpus.groups) == set(POS_TAGS)


def test_wikitext_cleaning():
    lines = [
        " = Valkyria Chronicles = \n",
        " = = Gameplay = = \n",
        "",
        " The game @-@ play was <unk> in 1 @,@ 000 and 3 @.@ 5 years . \n",
    ]
    assert clean_wikitext(lines) == [["the", "game-play", "was", "in", "1,000", "and", "3.5", "years", "."]]


def test_wikitext_local_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKITEXT2_DIR", str(tmp_path))
    (tmp_path / "wiki.valid.tokens").write_text(" = Title = \n Hello World @-@ wide \n", encoding="utf-8")
    (tmp_path / "test.txt").write_text(" more text \n", encoding="utf-8")
    assert [p.name for p in wikitext_files(tmp_path)] == ["wiki.valid.tokens", "test.txt"]
    corpus = load_corpus(CorpusConfig("wikitext-2"))
    assert corpus.sentences == [["hello", "world-wide"], ["more", "text"]]
    assert corpus.natural


def test_wikitext_folder_without_files_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKITEXT2_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="has no WikiText-2 text files") as error:
        load_corpus(CorpusConfig("wikitext-2"))
    assert str(tmp_path) not in str(error.value)  # the message reaches browsers: no server path


def test_users_text_file(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("The cat sat.\n\nDon't  stop!\n", encoding="utf-8")
    corpus = load_corpus(CorpusConfig(str(path)))
    assert corpus.sentences == [["the", "cat", "sat"], ["don't", "stop"]]
    assert tokenize("A b\nc") == [["a", "b"], ["c"]]


@pytest.mark.parametrize(
    "data, message", [(b"", "is empty"), (b"  \n", "is empty"), (b"\xff\xfe\xfa abc", "not UTF-8")]
)
def test_bad_text_is_a_clear_error(data, message):
    with pytest.raises(ValueError, match=message):
        decode_text(data, "upload.txt")


def test_unknown_corpus_names_the_choices():
    with pytest.raises(ValueError, match="Unknown corpus 'nope'.*toy-random"):
        load_corpus(CorpusConfig("nope"))


def test_max_tokens_cuts_the_corpus():
    corpus = load_corpus(CorpusConfig("toy-random", max_tokens=100))
    assert corpus.n_tokens == 100
    assert set(CORPORA) >= {"toy-random", "toy-proximity", "toy-analogy", "toy-pos", "wikitext-2"}


def test_wikitext_through_datasets_concatenates_train_validation_test(monkeypatch):
    import datasets

    calls = []

    def fake_load_dataset(name, config):
        calls.append((name, config))
        return {
            "train": {"text": [" = A = \n", " first line \n"]},
            "validation": {"text": [" second \n"]},
            "test": {"text": [" third @-@ part \n"]},
        }

    monkeypatch.delenv("WIKITEXT2_DIR", raising=False)
    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    corpus = load_corpus(CorpusConfig("wikitext-2"))
    assert calls == [("Salesforce/wikitext", "wikitext-2-raw-v1")]
    assert corpus.sentences == [["first", "line"], ["second"], ["third-part"]]


def test_wikitext_without_network_or_folder_says_what_to_do(monkeypatch):
    import datasets

    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.delenv("WIKITEXT2_DIR", raising=False)
    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(ValueError, match="WIKITEXT2_DIR"):
        load_corpus(CorpusConfig("wikitext-2"))


def test_long_lines_are_split_at_gensims_limit(tmp_path):
    path = tmp_path / "one-line.txt"
    path.write_text(" ".join(f"w{i % 7}" for i in range(25_001)) + "\nshort line\n", encoding="utf-8")
    corpus = load_corpus(CorpusConfig(str(path)))
    # gensim.models.word2vec.MAX_WORDS_IN_BATCH is 10,000: 25,001 words make 10,000 + 10,000 + 5,001
    assert [len(s) for s in corpus.sentences] == [10_000, 10_000, 5_001, 2]
    assert sum(corpus.sentences, []) == [f"w{i % 7}" for i in range(25_001)] + ["short", "line"]


def test_the_split_is_gensims_own_limit():
    from gensim.models.word2vec import MAX_WORDS_IN_BATCH as GENSIM_LIMIT

    from lib.data.tokens import MAX_WORDS_IN_BATCH

    assert MAX_WORDS_IN_BATCH == GENSIM_LIMIT


def test_splitting_leaves_short_sentences_alone():
    sentences = [["a", "b", "c"], ["d"]]
    assert split_long_sentences(sentences, limit=3) is sentences
    assert split_long_sentences([["a", "b", "c", "d", "e"]], limit=2) == [["a", "b"], ["c", "d"], ["e"]]


# ---------------------------------------------------------------- streaming into word ids, within the caps

MIXED_TEXT = (
    "\ufeffThe Cat sat on the mat.\r\nthe dog — didn't sit!\n\n  \nΓειά σου κόσμε, the end\u2028"
    "naïve café-au-lait the cat\rlast line without an end"
)


def independent_sentences(text: str) -> list[list[str]]:
    """The old whole-file rule, written out again: decode, split into lines, lowercase, find the words."""
    word = re.compile(r"\w+(?:[-'’]\w+)*")
    return [w for w in (word.findall(line.lower()) for line in text.lstrip("\ufeff").splitlines()) if w]


@pytest.mark.parametrize("read_bytes", [7, 64, 1 << 20])
def test_streaming_gives_the_sentences_vocabulary_and_ids_of_whole_file_reading(tmp_path, monkeypatch, read_bytes):
    monkeypatch.setattr(lib.data.tokens, "READ_BYTES", read_bytes)  # pieces that cut lines and multi-byte characters
    path = tmp_path / "mixed.txt"
    text = MIXED_TEXT * 3
    path.write_bytes(text.encode("utf-8"))
    want = independent_sentences(text)
    corpus = load_corpus(CorpusConfig(str(path)))
    if read_bytes >= 64:  # pieces cut between words leave every word whole
        assert corpus.sentences == want and list(corpus.sentences) == want
        assert corpus.n_tokens == sum(map(len, want))
    counts = Counter(w for s in corpus.sentences for w in s)
    kept = sorted((w for w in counts if counts[w] >= 2), key=lambda w: -counts[w])  # stable: first appearance
    vocab = Vocab.build(corpus.sentences, 2)
    assert list(vocab.words) == kept and vocab.counts.tolist() == [counts[w] for w in kept]
    encoded = vocab.encode(corpus.sentences)
    rows = [[kept.index(w) for w in s if w in kept] for s in corpus.sentences]
    assert encoded.ids.tolist() == [i for r in rows for i in r]
    assert encoded.lengths.tolist() == [len(r) for r in rows if r]


def test_a_line_longer_than_a_read_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(lib.data.tokens, "READ_BYTES", 50)
    path = tmp_path / "long.txt"
    path.write_text(" ".join(f"word{i}" for i in range(300)) + "\nnext line\n", encoding="utf-8")
    corpus = load_corpus(CorpusConfig(str(path)))
    assert corpus.sentences == [[f"word{i}" for i in range(300)], ["next", "line"]]


def test_max_tokens_stops_reading_before_a_bad_later_part(tmp_path, monkeypatch):
    monkeypatch.setattr(lib.data.tokens, "READ_BYTES", 1024)
    path = tmp_path / "half-bad.txt"
    path.write_bytes(b"one two three four\n" * 200 + b"caf\xe9 latin-1 here\n")
    corpus = load_corpus(CorpusConfig(str(path), max_tokens=10))
    assert corpus.sentences == [["one", "two", "three", "four"]] * 2 + [["one", "two"]]
    with pytest.raises(ValueError, match=r"not UTF-8 text \(line 201, byte 3,803"):
        load_corpus(CorpusConfig(str(path)))


def test_caps_refuse_a_corpus_with_a_clear_message(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("alpha beta gamma delta\n" * 100, encoding="utf-8")  # 2,300 bytes, 400 words
    with pytest.raises(ValueError, match=r"is 0 MB, over the 0 MB this app reads \(max_corpus_bytes\)"):
        load_corpus(CorpusConfig(str(path), max_corpus_bytes=2_000))
    with pytest.raises(ValueError, match=r"more than 399 words.*\(max_corpus_tokens\)"):
        load_corpus(CorpusConfig(str(path), max_corpus_tokens=399))
    assert load_corpus(CorpusConfig(str(path), max_corpus_tokens=400)).n_tokens == 400
    # max_tokens reads only the start: neither cap stands in its way
    assert load_corpus(CorpusConfig(str(path), max_tokens=6, max_corpus_bytes=2_000)).n_tokens == 6
    with pytest.raises(ValueError, match="max_tokens .* is over max_corpus_tokens"):
        load_corpus(CorpusConfig(str(path), max_tokens=500, max_corpus_tokens=400))
    with pytest.raises(ValueError, match="at most 1,111 sentences"):
        load_corpus(CorpusConfig("toy-pos", sentences=5_000, max_corpus_tokens=10_000))


def test_wikitext_files_stream_within_max_tokens(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKITEXT2_DIR", str(tmp_path))
    (tmp_path / "wiki.valid.tokens").write_text(" = T = \n a b c \n d e \n", encoding="utf-8")
    (tmp_path / "wiki.test.tokens").write_text(" f g \n", encoding="utf-8")
    assert load_corpus(CorpusConfig("wikitext-2", max_tokens=4)).sentences == [["a", "b", "c"], ["d"]]
    with pytest.raises(ValueError, match="more than 6 words"):
        load_corpus(CorpusConfig("wikitext-2", max_corpus_tokens=6))


def test_token_ids_are_int32_in_order_of_first_appearance():
    corpus = load_corpus(CorpusConfig("toy-pos", sentences=50))
    first = list(dict.fromkeys(w for s in corpus.sentences for w in s))
    assert list(corpus.tokens.words) == first and corpus.tokens.ids.dtype == np.int32
    assert corpus.sentences[0] == list(corpus.sentences)[0] and corpus.sentences[-1] == list(corpus.sentences)[-1]


def test_check_text_checks_an_upload_as_the_reader_would():
    assert check_text(b"\xef\xbb\xbfthe cat\n", "up.txt") == b"the cat\n"
    with pytest.raises(ValueError, match=r"not UTF-8 text \(line 2"):
        check_text(b"fine\ncaf\xe9\n", "up.txt")
    with pytest.raises(ValueError, match="over the 0 MB"):
        check_text(b"the cat\n" * 10, "up.txt", CorpusConfig(max_corpus_bytes=50))
