"""Word categories: the lists shipped in data/categories.tsv, a user's own file, and the toy languages' designs.

A category file has one word per line: word<TAB>category, optionally a third column saying where the line comes
from, and optionally a first header line "word<TAB>category…". Words are lowercased, as every corpus is.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "categories.tsv"
MAX_BYTES = 5_000_000  # a category file is a word list, not a corpus


def parse_categories(text: str, source: str = "the category file") -> dict[str, str]:
    """{word: category} from the text of a category file; ValueError says what to fix."""
    categories: dict[str, str] = {}
    lines = text.splitlines()
    if lines and lines[0].lower().startswith("word\tcategory"):
        lines = lines[1:]
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.rstrip("\r").split("\t")
        if len(columns) not in (2, 3) or not columns[0].strip() or not columns[1].strip():
            raise ValueError(
                f"{source}, line {number}: write word<TAB>category (found {len(columns)} "
                f"tab-separated column{'s' if len(columns) != 1 else ''})."
            )
        word, category = columns[0].strip().lower(), columns[1].strip()
        if categories.get(word, category) != category:
            raise ValueError(
                f"{source}, line {number}: '{word}' is in two categories ({categories[word]} and "
                f"{category}); give each word one."
            )
        categories[word] = category
    if len(set(categories.values())) < 2:
        raise ValueError(f"{source} needs at least two categories to compare (found {len(set(categories.values()))}).")
    return categories


def read_categories(data: bytes, source: str = "the category file") -> dict[str, str]:
    """{word: category} from a category file's bytes (an upload or a file read from disk)."""
    if len(data) > MAX_BYTES:
        raise ValueError(f"{source} is {len(data):,} bytes; a category file is at most {MAX_BYTES:,}.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{source} is not UTF-8 text (byte {exc.start} cannot be decoded): save it as UTF-8."
        ) from None
    return parse_categories(text, source)


def read_category_file(path: str | Path) -> dict[str, str]:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Category file {path.name} does not exist.")
    return read_categories(path.read_bytes(), f"Category file {path.name}")


@lru_cache(maxsize=1)
def shipped_categories() -> dict[str, str]:
    """The lists that ship with the app (data/categories.tsv; its third column says where each line is from)."""
    return read_categories(SHIPPED.read_bytes(), "data/categories.tsv")


def known_categories(categories: dict[str, str], vocab_words, source: str = "The categories") -> dict[str, str]:
    """The categories restricted to the vocabulary, keeping only categories with at least two known words;
    ValueError when fewer than two categories are left (nothing to compare)."""
    known = set(vocab_words)
    kept = {w: c for w, c in categories.items() if w in known}
    sizes: dict[str, int] = {}
    for category in kept.values():
        sizes[category] = sizes.get(category, 0) + 1
    kept = {w: c for w, c in kept.items() if sizes[c] >= 2}
    if not kept:
        raise ValueError(f"{source}: none of the words is in this corpus's vocabulary.")
    if len(set(kept.values())) < 2:
        raise ValueError(
            f"{source}: only one category has two or more words in this corpus's vocabulary; "
            "give words of at least two categories that the corpus uses."
        )
    return kept


def run_categories(
    vocab_words, designed: dict[str, str] | None, natural: bool, user: dict[str, str] | None = None
) -> tuple[dict[str, str], str]:
    """The categories a run is scored and coloured by, restricted to its vocabulary, and where they come from:
    the user's file when given, else the corpus's design (toy languages), else the shipped lists (natural text).
    Returns ({}, reason) when there are none to use."""
    if user:
        return known_categories(user, vocab_words, "Your category file"), "your category file"
    if designed:
        try:
            return known_categories(designed, vocab_words), "the corpus's design"
        except ValueError as exc:
            return {}, str(exc)
    if natural:
        try:
            return known_categories(shipped_categories(), vocab_words), "the shipped category lists"
        except ValueError as exc:
            return {}, str(exc)
    return {}, "this corpus has no categories"
