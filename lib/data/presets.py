"""Recommended settings per corpus: where the command line and the Train page start, saved with every run."""

from __future__ import annotations

from lib.config import TrainConfig, replace

# The toy languages have 10 to 90 words. word2vec's 100 dimensions and alpha 0.025 over-fit them (on toy-proximity
# neighbour precision peaks after epoch 1, then falls), so they learn in 20 dimensions at a fifth of the rate, and a
# window of 2 matches the ±2 letters toy-proximity's neighbours are designed to be (docs/design.md, "Recommended
# settings per corpus").
SMALL_VOCABULARY = {"dim": 20, "window": 2, "alpha": 0.004}
PRESETS: dict[str, dict] = {
    "toy-proximity": SMALL_VOCABULARY,
    "toy-random": SMALL_VOCABULARY,  # as toy-proximity's, so the two runs differ only in the language's structure
    "toy-analogy": {**SMALL_VOCABULARY, "window": 5},  # its 7-word sentences are bags: a window sees all of one
    "toy-pos": {**SMALL_VOCABULARY, "alpha": 0.025},  # a sixth of toy-proximity's text: at 0.004 it hardly moves
    "wikitext-2": {},  # word2vec's own defaults (TrainConfig's)
}
USER_TEXT: dict = {}  # a user's text file: word2vec's defaults
USER_TEXT_NAME = "your text file"


def preset_name(corpus: str) -> str:
    """The preset a corpus (registry name or file path) uses."""
    return corpus if corpus in PRESETS else USER_TEXT_NAME


def preset(corpus: str) -> dict:
    """The settings the corpus's preset changes from TrainConfig's defaults."""
    return dict(PRESETS.get(corpus, USER_TEXT))


def preset_config(corpus: str, **overrides) -> TrainConfig:
    """TrainConfig's defaults, then the corpus's preset, then the overrides (e.g. the command line's flags)."""
    return replace(TrainConfig(), **{**preset(corpus), **overrides})
