"""The analogy-questions format (gensim's questions-words.txt): ': section' lines, each followed by 'a b c d' lines
meaning a is to b as c is to d. This module alone reads and checks it; gensim's evaluate_word_analogies reads the
same files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Question:
    section: str
    words: tuple[str, str, str, str]  # a, b, c, d as written


def parse_questions(text: str, source: str = "the analogy file") -> list[Question]:
    """Every question of a questions-words text; ValueError, naming the line, where the format is broken.

    Lines are split at "\\n", as gensim's evaluate_word_analogies reads them. gensim raises on any line before
    the first ': section' line (a blank one too) and skips lines without four words; here a question before the
    first section, and a line without four words, are refused with a message, and blank lines are skipped
    (canonical_text writes what gensim then reads)."""
    questions, section = [], None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith(":"):
            section = line.lstrip().lstrip(": ").strip() or "questions"
            continue
        words = line.split()
        if len(words) != 4:
            raise ValueError(
                f"{source}, line {number}: a question is 4 words 'a b c d' (a is to b as c is to d); "
                f"this line has {len(words)}: {line.strip()[:80]!r}."
            )
        if section is None:
            raise ValueError(
                f"{source}, line {number}: questions go under a section: add a line ': name' "
                "(e.g. ': capitals') above the first question."
            )
        questions.append(Question(section, tuple(words)))
    if not questions:
        raise ValueError(
            f"{source} holds no questions: write lines 'a b c d' (a is to b as c is to d) under a ': name' line."
        )
    return questions


def canonical_text(questions: list[Question]) -> str:
    """The questions as gensim reads them: ': section' before each section, one 'a b c d' line per question."""
    lines, section = [], None
    for q in questions:
        if q.section != section:
            lines.append(f": {q.section}")
            section = q.section
        lines.append(" ".join(q.words))
    return "\n".join(lines) + "\n"


def validate_question_text(text: str, source: str = "the analogy file") -> str:
    """The questions of a valid questions-words text (see parse_questions) written as gensim reads them."""
    return canonical_text(parse_questions(text, source))


def read_question_file(path: str | Path) -> str:
    """A questions-words file's questions, checked and written as gensim reads them; ValueError says what is
    wrong."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Analogy file {path.name} does not exist.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"Analogy file {path.name} is not UTF-8 text.") from None
    return validate_question_text(text, f"Analogy file {path.name}")


@lru_cache(maxsize=16)
def questions_in(path: str) -> tuple[Question, ...]:
    """The questions of a file (cached: the files the app uses never change)."""
    return tuple(parse_questions(Path(path).read_text(encoding="utf-8-sig"), Path(path).name))


def covered(path: str, known) -> list[tuple[str, str, str, str]]:
    """The questions whose four words are all in known (every one when known is None), lowercased, in order."""
    out = []
    for q in questions_in(path):
        words = tuple(w.lower() for w in q.words)
        if known is None or all(w in known for w in words):
            out.append(words)
    return out
