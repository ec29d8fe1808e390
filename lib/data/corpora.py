"""Corpus registry: generated toy languages with known answers, WikiText-2, and a user's own text file."""

from __future__ import annotations

import codecs
import io
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Callable

from lib.config import CorpusConfig
from lib.data.tokens import MAX_WORDS_IN_BATCH, Corpus, TokenStreamBuilder, utf8_pieces
from lib.data.toys import toy_analogy, toy_pos, toy_proximity, toy_random

# ---------------------------------------------------------------- WikiText-2

_WIKITEXT_ESCAPES = ((" @-@ ", "-"), (" @,@ ", ","), (" @.@ ", "."))
_WIKITEXT_SPLITS = (
    ("train", ("train.txt", "wiki.train.tokens", "wiki.train.raw")),
    ("validation", ("valid.txt", "wiki.valid.tokens", "wiki.valid.raw")),
    ("test", ("test.txt", "wiki.test.tokens", "wiki.test.raw")),
)


def clean_wikitext_line(line: str) -> list[str]:
    """One line's words: none for a ' = heading = ' line; lowercased, the @-@ escapes undone, <unk> dropped."""
    stripped = line.strip()
    if not stripped or (stripped.startswith("= ") and stripped.endswith(" =")):
        return []
    text = line.lower()
    for escaped, plain in _WIKITEXT_ESCAPES:
        text = text.replace(escaped, plain)
    return [t for t in text.split() if t != "<unk>"]


def clean_wikitext(lines) -> list[list[str]]:
    """The cleaned lines (clean_wikitext_line) that keep words: one sentence per paragraph."""
    return [tokens for tokens in map(clean_wikitext_line, lines) if tokens]


WIKITEXT_ENV = "WIKITEXT2_DIR"  # the server's WikiText-2 folder (python -m lib.train --wikitext-dir sets it)


def wikitext_folder() -> str:
    """The server's WikiText-2 folder, $WIKITEXT2_DIR; '' when none is set (then `datasets` downloads it)."""
    return os.environ.get(WIKITEXT_ENV, "").strip()


def wikitext_files(folder: str | os.PathLike) -> list[Path]:
    """The release's text files present in folder, in train/validation/test order (first name found per split).
    The messages name the setting, not the folder: they reach browsers, which never see server paths."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(
            f"The server's WikiText-2 folder (${WIKITEXT_ENV} or --wikitext-dir) is not a folder: "
            "point it at the folder with WikiText-2's text files."
        )
    found = []
    for _, names in _WIKITEXT_SPLITS:
        for name in names:
            if (folder / name).is_file():
                found.append(folder / name)
                break
    if not found:
        wanted = ", ".join(n for _, names in _WIKITEXT_SPLITS for n in names)
        raise ValueError(
            f"The server's WikiText-2 folder (${WIKITEXT_ENV} or --wikitext-dir) has no WikiText-2 "
            f"text files: expected some of {wanted}."
        )
    return found


def wikitext2(cfg: CorpusConfig) -> Corpus:
    folder = wikitext_folder()
    builder = TokenStreamBuilder(token_limit(cfg))
    if folder:
        files = wikitext_files(folder)
        check_size(sum(f.stat().st_size for f in files), cfg, "The server's WikiText-2 text")
        for f in files:
            if not read_lines(f, builder, clean_wikitext_line, cfg):
                break
        source = f"the server's files {', '.join(f.name for f in files)}"
    else:
        try:
            import datasets  # the full corpus, when there is a network (or a filled Hugging Face cache)
            from huggingface_hub.utils import logging as hub_logging

            datasets.logging.set_verbosity_error()  # no retry chatter: one clear message if it fails
            hub_logging.set_verbosity_error()
            parts = datasets.load_dataset("Salesforce/wikitext", "wikitext-2-raw-v1")
        except Exception as exc:  # offline, hub down, ...: say what to do instead
            raise ValueError(
                f"Could not load WikiText-2 through `datasets` ({type(exc).__name__}); set "
                f"${WIKITEXT_ENV} or --wikitext-dir to a folder with its text files."
            ) from None
        for split, _ in _WIKITEXT_SPLITS:
            for line in parts[split]["text"]:
                tokens = clean_wikitext_line(line)
                if tokens and not add_checked(builder, tokens, True, cfg, "WikiText-2"):
                    break
            if builder.full:
                break
        source = "`datasets` (Salesforce/wikitext, wikitext-2-raw-v1: train + validation + test)"
    return Corpus(
        name="wikitext-2",
        tokens=builder.build(),
        description=f"WikiText-2 (Wikipedia good and featured articles, CC BY-SA) from {source}.",
        natural=True,
        check_word="king",
    )


# ---------------------------------------------------------------- a user's own file

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def decode_text(data: bytes, source: str, what: str = "one sentence or paragraph per line") -> str:
    """UTF-8 text from bytes, or a ValueError that says what is wrong (`what`: what the file should hold)."""
    if not data.strip():
        raise ValueError(f"{source} is empty: give a UTF-8 text file with {what}.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{source} is not UTF-8 text (byte {exc.start} cannot be decoded): save it as UTF-8."
        ) from None


def text_file(cfg: CorpusConfig) -> Corpus:
    """A UTF-8 text file, one sentence per line. Its messages name the file, not its folder (they reach browsers)."""
    path = Path(cfg.name)
    if not path.is_file():
        raise ValueError(f"Unknown corpus {path.name!r}: use one of {', '.join(CORPORA)} or a path to a text file.")
    check_size(path.stat().st_size, cfg, path.name)
    builder = TokenStreamBuilder(token_limit(cfg))
    if not read_lines(path, builder, lambda line: _WORD.findall(line.lower()), cfg) and len(builder) == 0:
        raise ValueError(f"{path.name} is empty: give a UTF-8 text file with one sentence or paragraph per line.")
    if not len(builder):
        raise ValueError(f"{path.name} has no words in it.")
    return Corpus(name=path.name, tokens=builder.build(), description=f"Your text file {path.name}.", natural=True)


# ---------------------------------------------------------------- reading within the caps


def token_limit(cfg: CorpusConfig) -> int:
    """Tokens to read at most: max_tokens, else one past the cap (so that going over it can be told)."""
    return cfg.max_tokens or cfg.max_corpus_tokens + 1


def check_size(size: int, cfg: CorpusConfig, source: str) -> None:
    """Refuse, before reading, files over max_corpus_bytes, unless max_tokens says to read only their start."""
    if not cfg.max_tokens and size > cfg.max_corpus_bytes:
        raise ValueError(
            f"{source} is {size / 1e6:,.0f} MB, over the {cfg.max_corpus_bytes / 1e6:,.0f} MB this app "
            f"reads (max_corpus_bytes): train on its start with max_tokens (e.g. "
            f"{min(cfg.max_corpus_tokens, 10_000_000):,}), or use a smaller file."
        )


def add_checked(builder: TokenStreamBuilder, tokens: list[str], end: bool, cfg: CorpusConfig, source: str) -> bool:
    """builder.add, refusing a corpus over max_corpus_tokens (when max_tokens does not cut it); False when full."""
    more = builder.add(tokens, end)
    if not cfg.max_tokens and len(builder) > cfg.max_corpus_tokens:
        raise ValueError(
            f"{source} has more than {cfg.max_corpus_tokens:,} words, the most this app trains on "
            f"(max_corpus_tokens): train on its start with max_tokens, or use a smaller file."
        )
    return more


def read_lines(path: Path, builder: TokenStreamBuilder, words: Callable[[str], list[str]], cfg: CorpusConfig) -> bool:
    """A UTF-8 file's lines, `words` of each as one sentence, into builder (a line longer than
    lib.data.tokens.READ_BYTES in pieces); stops reading once the builder is full. Returns whether the file held
    anything but white space."""
    seen = False
    with open(path, "rb") as f:
        for text, ends_line in utf8_pieces(f, path.name):  # the file's name only: messages reach browsers
            lines = text.splitlines()
            seen = seen or bool(text.strip())
            for i, line in enumerate(lines):
                end = ends_line or i < len(lines) - 1
                tokens = words(line)
                if (tokens or end) and not add_checked(builder, tokens, end, cfg, path.name):
                    return seen
    return seen


def check_text(data: bytes, source: str, cfg: CorpusConfig = CorpusConfig()) -> bytes:
    """An uploaded text file checked as text_file reads it, without tokenizing it all: within max_corpus_bytes,
    UTF-8, some word in it. Returns its bytes without a byte-order mark; ValueError says what is wrong."""
    check_size(len(data), replace(cfg, max_tokens=0), source)
    seen = has_word = False
    for text, _ in utf8_pieces(io.BytesIO(data), source):  # decodes every piece: a bad byte anywhere is found
        seen = seen or bool(text.strip())
        has_word = has_word or bool(_WORD.search(text))
    if not seen:
        raise ValueError(f"{source} is empty: give a UTF-8 text file with one sentence or paragraph per line.")
    if not has_word:
        raise ValueError(f"{source} has no words in it: give a text file with one sentence per line.")
    return data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data


def tokenize(text: str) -> list[list[str]]:
    """Lowercased words, one sentence per non-empty line (the rule text files are read with)."""
    return [tokens for tokens in (_WORD.findall(line.lower()) for line in text.splitlines()) if tokens]


CORPORA: dict[str, Callable[[CorpusConfig], Corpus]] = {
    "toy-random": toy_random,
    "toy-proximity": toy_proximity,
    "toy-analogy": toy_analogy,
    "toy-pos": toy_pos,
    "wikitext-2": wikitext2,
}


def split_long_sentences(sentences: list[list[str]], limit: int = MAX_WORDS_IN_BATCH) -> list[list[str]]:
    """Sentences longer than limit cut into pieces of at most limit words, as load_corpus cuts every corpus
    (see lib.data.tokens.TokenStreamBuilder)."""
    if all(len(s) <= limit for s in sentences):
        return sentences
    return [s[i : i + limit] for s in sentences for i in range(0, len(s), limit)]


TOY_MAX_SENTENCE = 9  # the most words a toy language's sentence has (toy-pos: DET ADJ NOUN VERB DET ADJ NOUN)


def load_corpus(cfg: CorpusConfig) -> Corpus:
    """The corpus cfg names as word ids, read up to cfg.max_tokens when set, its sentences cut at
    MAX_WORDS_IN_BATCH words; ValueError when it is empty or over the caps (max_corpus_bytes/_tokens)."""
    cfg.validate()
    if (
        cfg.name in CORPORA
        and cfg.name != "wikitext-2"
        and not cfg.max_tokens
        and cfg.sentences * TOY_MAX_SENTENCE > cfg.max_corpus_tokens
    ):
        raise ValueError(
            f"{cfg.sentences:,} sentences of {cfg.name} could make more than {cfg.max_corpus_tokens:,} "
            f"words, the most this app trains on (max_corpus_tokens): ask for at most "
            f"{cfg.max_corpus_tokens // TOY_MAX_SENTENCE:,} sentences."
        )
    corpus = CORPORA.get(cfg.name, text_file)(cfg)
    if not corpus.n_tokens:
        raise ValueError(f"Corpus {cfg.name} has no sentences.")
    return corpus
