"""lib.data.questions: the analogy-file format, checked so that gensim's evaluate_word_analogies reads what was
checked."""

import numpy as np
import pytest

from lib.data.questions import parse_questions, read_question_file, validate_question_text


def gensim_sections(path) -> list[tuple[str, int]]:
    """(section, questions) as gensim's evaluate_word_analogies reads the file: every word known, so none is
    skipped as out of vocabulary."""
    from gensim.models import KeyedVectors

    words = sorted({w for line in open(path, encoding="utf-8") if not line.startswith(":") for w in line.split()})
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(words, np.random.default_rng(0).normal(size=(len(words), 3)).astype(np.float32))
    _, sections = kv.evaluate_word_analogies(str(path), case_insensitive=True)
    return [
        (s["section"], len(s["correct"]) + len(s["incorrect"])) for s in sections if s["section"] != "Total accuracy"
    ]


def test_a_file_without_a_section_line_is_refused_as_gensim_refuses_it(tmp_path):
    """gensim raises 'Missing section header' on it, after the run folder exists: refuse it before, saying how."""
    from gensim.models import KeyedVectors

    path = tmp_path / "q.txt"
    path.write_text("king queen man woman\n", encoding="utf-8")
    kv = KeyedVectors(vector_size=2)
    kv.add_vectors(["king", "queen", "man", "woman"], np.eye(4, 2, dtype=np.float32))
    with pytest.raises(ValueError, match="Missing section header"):
        kv.evaluate_word_analogies(str(path))
    with pytest.raises(
        ValueError,
        match=r"q.txt, line 1: questions go under a section: add a line ': name' "
        r"\(e.g. ': capitals'\) above the first question",
    ):
        read_question_file(path)


@pytest.mark.parametrize(
    "text",
    [
        "\n: capitals\nathens greece paris france\n",  # a blank first line: gensim wants a section header there
        ":capitals\nathens greece paris france\n",  # no space after the colon: not a section line for gensim
        "\ufeff: capitals\r\nathens greece paris france\r\n",  # a byte-order mark and Windows line ends
    ],
)
def test_what_gensim_would_stumble_on_is_written_as_it_reads_it(tmp_path, text):
    raw = tmp_path / "raw.txt"
    raw.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="Missing section header"):
        gensim_sections(raw)
    assert read_question_file(raw) == ": capitals\nathens greece paris france\n"
    checked = tmp_path / "checked.txt"
    checked.write_text(read_question_file(raw), encoding="utf-8")
    assert gensim_sections(checked) == [("capitals", 1)]


def test_sections_and_questions_agree_with_gensim(tmp_path):
    text = (
        ": capitals\nathens greece paris france\n\nberlin germany rome italy\n: [click](https://evil.example)\n"
        "a b c d\n"
    )
    path = tmp_path / "q.txt"
    path.write_text(validate_question_text(text), encoding="utf-8")
    ours = parse_questions(text)
    assert [(q.section, q.words) for q in ours] == [
        ("capitals", ("athens", "greece", "paris", "france")),
        ("capitals", ("berlin", "germany", "rome", "italy")),
        ("[click](https://evil.example)", ("a", "b", "c", "d")),
    ]
    assert gensim_sections(path) == [("capitals", 2), ("[click](https://evil.example)", 1)]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "holds no questions"),
        (": s\n", "holds no questions"),
        (": s\na b c\n", "line 2: a question is 4 words"),
        (": s\na b c d e\n", "this line has 5"),
    ],
)
def test_broken_files_name_the_line(text, message):
    with pytest.raises(ValueError, match=message):
        validate_question_text(text)
