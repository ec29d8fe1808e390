"""What the comparison pages ask about words: looking them up, neighbour lists and their overlap, similarities,
analogies and their accuracy, as tidy frames."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import pandas as pd

from lib.runs.store import Run

if TYPE_CHECKING:  # for annotations only: the vectors come as KeyedVectors from lib.runs.store
    from gensim.models import KeyedVectors

# ------------------------------------------------------------ words


def close_words(word: str, vocab_words, n: int = 5) -> list[str]:
    return difflib.get_close_matches(word, list(vocab_words), n=n, cutoff=0.6)


def unknown_word_message(word: str, kv: KeyedVectors) -> str:
    """'xyz' is not in the vocabulary, with close spellings when there are some."""
    near = close_words(word, kv.index_to_key)
    hint = f" Did you mean {', '.join(repr(w) for w in near)}?" if near else ""
    return f"'{word}' is not in this run's vocabulary ({len(kv):,} words).{hint}"


def require_words(kv: KeyedVectors, *words: str) -> None:
    """Raise ValueError naming the first word that is not in the vocabulary."""
    for word in words:
        if not word:
            raise ValueError("Type a word first.")
        if word not in kv.key_to_index:
            raise ValueError(unknown_word_message(word, kv))


def solve_analogy(kv: KeyedVectors, a: str, b: str, c: str, topn: int = 5, method: str = "3cosadd"):
    """a is to b as c is to ?: 3CosAdd ranks by cos(x, b - a + c); 3CosMul by cos(x,b)·cos(x,c)/cos(x,a)."""
    require_words(kv, a, b, c)
    if method == "3cosmul":
        return kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=topn)
    return kv.most_similar(positive=[b, c], negative=[a], topn=topn)


def default_word(run: Run) -> str:
    """The corpus's check word when it is in the vocabulary, else its most frequent category word, else its most
    frequent word."""
    vocab = run.vocab()
    word = run.config.get("check_word")
    if word and word in vocab:
        return word
    categories = run.config.get("categories") or {}
    return next((w for w in vocab.words if w in categories), vocab.words[0])


def default_partner(run: Run, word: str, kv: KeyedVectors) -> str:
    """A second word for a similarity pair: a designed neighbour of the word when the corpus has one, else its
    nearest word in kv (the word itself when there is none)."""
    designed = (run.config.get("true_neighbours") or {}).get(word) or []
    if designed:
        return designed[0]
    return kv.most_similar(word, topn=1)[0][0] if word in kv.key_to_index and len(kv) > 1 else word


def parse_words(text: str) -> list[str]:
    """Lowercased words from a text box, split on commas and spaces, duplicates dropped."""
    return list(dict.fromkeys(w for w in text.replace(",", " ").lower().split() if w))


# ------------------------------------------------------------ neighbours


def neighbours(kv: KeyedVectors, word: str, k: int = 10) -> pd.DataFrame:
    """The k nearest words by cosine similarity: columns rank, word, cosine."""
    require_words(kv, word)
    if k < 1:
        raise ValueError(f"Ask for at least 1 neighbour (got k={k}).")
    pairs = kv.most_similar(word, topn=k)
    return pd.DataFrame(
        {"rank": range(1, len(pairs) + 1), "word": [w for w, _ in pairs], "cosine": [float(s) for _, s in pairs]}
    )


def jaccard(a, b) -> float:
    """|A ∩ B| / |A ∪ B| of two word lists (1.0 for two empty lists)."""
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 1.0


def neighbours_by_epoch(run: Run, model: str, word: str, k: int = 10, epochs=None) -> pd.DataFrame:
    """A word's top-k list after every epoch: one row per epoch, one column per rank (1..k, fewer when the
    vocabulary has fewer other words)."""
    epochs = list(epochs) if epochs is not None else run.epochs(model)
    rows = {e: neighbours(run.keyed_vectors(model, e), word, k)["word"].tolist() for e in epochs}
    ranks = max((len(r) for r in rows.values()), default=0)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(range(1, ranks + 1)))
    table.index.name = "epoch"
    return table


def agreement_line(word: str, lists: dict[str, list[str]], epoch: int) -> str:
    """What the two neighbour lists say, in one line true for this run."""
    if len(lists) < 2:
        return f"Only one model has '{word}' at epoch {epoch}."
    (a, list_a), (b, list_b) = lists.items()
    shared = len(set(list_a) & set(list_b))
    look = (
        "at the random start the lists are noise; watch them fill with related words"
        if epoch == 0
        else "words both models put near it are what the corpus itself says; the rest is each model's own noise"
    )
    return f"{a} and {b} share {shared} of the {len(list_a)} nearest words to '{word}' at epoch {epoch}: {look}."


def similarity_line(frame: pd.DataFrame, word_a: str, word_b: str) -> str:
    """How cos(word_a, word_b) moved over the epochs, from similarity_across_epochs' frame."""
    if frame.empty:
        return ""
    start = frame.sort_values("epoch").groupby("model")["value"].first()
    end = frame.sort_values("epoch").groupby("model").last()
    moves = "; ".join(
        f"{m} {start[m]:+.2f} → {end.loc[m, 'value']:+.2f} (epoch {int(end.loc[m, 'epoch'])})" for m in end.index
    )
    return (
        f"cos({word_a}, {word_b}): {moves}. Words used in the same contexts climb towards 1; unrelated words "
        "stay near 0."
    )


def jaccard_with_previous(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """From neighbours_by_epoch tables per model: model, epoch, value = Jaccard of the list with the epoch before."""
    rows = []
    for model, table in tables.items():
        lists = [row.dropna().tolist() for _, row in table.iterrows()]
        for epoch, before, now in zip(table.index[1:], lists, lists[1:]):
            rows.append({"model": model, "epoch": int(epoch), "value": jaccard(before, now)})
    return pd.DataFrame(rows, columns=["model", "epoch", "value"])


# ------------------------------------------------------------ similarity


def similarity_across_epochs(run: Run, word_a: str, word_b: str, models=None) -> pd.DataFrame:
    """cos(word_a, word_b) after every finished epoch of each model: columns model, epoch, value."""
    rows = []
    for model in models or run.models:
        for epoch in run.epochs(model):
            kv = run.keyed_vectors(model, epoch)
            require_words(kv, word_a, word_b)
            rows.append({"model": model, "epoch": epoch, "value": float(kv.similarity(word_a, word_b))})
    return pd.DataFrame(rows, columns=["model", "epoch", "value"])


def similarities_to(kvs: dict[str, KeyedVectors], word: str, groups: dict[str, str] | None = None) -> pd.DataFrame:
    """Cosine similarity of word to every other word of the first vectors, one column per model (or side), sorted
    by the first one's; count is the word's count in the first. Vectors without some of those words (another
    run's) have no value (NaN) for them."""
    first = next(iter(kvs.values()))
    require_words(first, word)
    others = [w for w in first.index_to_key if w != word]
    table = pd.DataFrame({"word": others, "count": [first.get_vecattr(w, "count") for w in others]})
    if groups:
        table["group"] = [groups.get(w, "") for w in others]
    for model, kv in kvs.items():
        require_words(kv, word)
        known = [w for w in others if w in kv.key_to_index]
        # gensim's cosine distances, turned into similarities
        values = pd.Series(1 - kv.distances(word, known), index=known, dtype=float) if known else pd.Series(dtype=float)
        table[model] = values.reindex(others).to_numpy() if len(known) < len(others) else values.to_numpy()
    return table.sort_values(next(iter(kvs)), ascending=False, ignore_index=True)


def sides_frame(frames: dict[str, pd.DataFrame], factors: dict[str, float] | None = None) -> pd.DataFrame:
    """Frames of one model each (columns model, epoch, value), one per side, as one frame named by the sides'
    labels (the model column). factors {label: side A's planned epochs / that side's}: when one is not 1, epoch
    becomes the place on side A's epoch axis at the same share of training (B's epoch 10 of 20 at A's 5 of 10)
    and side_epoch keeps the side's own epoch."""
    parts = [frame.assign(model=label) for label, frame in frames.items() if not frame.empty]
    if not parts:
        return pd.DataFrame(columns=["model", "epoch", "value"])
    out = pd.concat(parts, ignore_index=True)
    if factors and any(f != 1 for f in factors.values()):
        out["side_epoch"] = out["epoch"]
        out["epoch"] = out["epoch"] * out["model"].map(factors).fillna(1.0)
    return out


# ------------------------------------------------------------ analogies of two sides: the questions both cover
