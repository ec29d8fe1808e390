"""The pair One training step opens on: the commonest pair of words within the window in the run's corpus, kept
in the run's cache."""

from __future__ import annotations

import numpy as np

from lib.runs.store import Run

PAIR_TOKENS = 200_000  # the default pair is counted in the corpus's first this many words


def frequent_pair(
    ids: np.ndarray, lengths: np.ndarray, vocab_size: int, window: int, wordlike: np.ndarray | None = None
) -> tuple[int, int] | None:
    """The commonest pair of different words within `window` of each other in a sentence, skipping the most
    frequent words (the top min(50, V/20) ids, mostly function words) on a large vocabulary, and the ids whose
    `wordlike` entry is False (punctuation): (rarer, commoner)."""
    sentence = np.repeat(np.arange(len(lengths)), lengths)
    skip = min(50, vocab_size // 20)
    allowed = np.ones(vocab_size, dtype=bool) if wordlike is None else np.asarray(wordlike, dtype=bool)
    keys = []
    for d in range(1, max(1, window) + 1):
        a, b = ids[:-d].astype(np.int64), ids[d:].astype(np.int64)
        keep = (sentence[:-d] == sentence[d:]) & (a != b) & (a >= skip) & (b >= skip) & allowed[a] & allowed[b]
        lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
        keys.append(lo * vocab_size + hi)
    keys = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    if not len(keys):
        return None
    values, counts = np.unique(keys, return_counts=True)
    best = int(values[np.argmax(counts)])
    commoner, rarer = divmod(best, vocab_size)
    return rarer, commoner


PAIR_CACHE = "step_pair.json"  # in the run's cache folder: default_pair's answer


def default_pair(run: Run) -> tuple[str, str]:
    """(input, output): frequent_pair of words made of letters in the run's corpus (its first PAIR_TOKENS words),
    kept in the run's cache. A corpus that cannot be read now (an upload since removed, WikiText-2 without its
    files or a network) gives the two most frequent words made of letters instead, not kept: the corpus may be
    readable next time."""
    import json

    words = run.vocab().words
    try:
        saved = json.loads(run.read_cache(PAIR_CACHE) or b"null")
        if isinstance(saved, list) and len(saved) == 2 and all(w in run.vocab().index for w in saved):
            return saved[0], saved[1]
    except ValueError:
        pass
    pair = None
    try:
        from lib.data.corpora import load_corpus  # imports gensim: only the first time for a run

        encoded = run.vocab().encode(load_corpus(run.corpus_config).sentences)
        cut = np.cumsum(encoded.lengths) <= PAIR_TOKENS
        lengths = encoded.lengths[cut] if cut.any() else encoded.lengths[:1]
        found = frequent_pair(
            encoded.ids[: int(lengths.sum())],
            lengths,
            len(words),
            run.train_config.window,
            wordlike=np.array([w.isalpha() for w in words]),
        )
        pair = None if found is None else (words[found[0]], words[found[1]])
    except (ValueError, OSError):
        lettered = [w for w in words if w.isalpha()][:2]
        return (lettered[1], lettered[0]) if len(lettered) == 2 else (words[1], words[0])
    pair = pair or (words[1], words[0])
    run.write_cache(PAIR_CACHE, data=json.dumps(list(pair)).encode())
    return pair
