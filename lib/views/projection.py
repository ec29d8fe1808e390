"""2D projections (PCA or UMAP) of a set of a run's words for every epoch, aligned across epochs and cached.

Each (model, epoch) is projected on its own, and the raw 2D coordinates are saved in the run's cache folder, so
epochs added later cost only their own fit. Every call then aligns all frames to the model's last epoch (see
ALIGNMENT), so words do not jump or mirror from one epoch to the next, and every epoch shares one pair of axes.
scikit-learn and SciPy are imported in the functions that use them, so pages drawing no projection stay light.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from lib.data.categories import run_categories
from lib.runs.files import npy_bytes
from lib.runs.store import Run
from lib.views.compare import Sides, shared_words

METHODS = ("pca", "umap")
WORD_SETS = ("frequent", "categories")
CACHE_VERSION = 1  # bump when the fitting below changes, so old cached frames are not reused
COLUMNS = ["model", "epoch", "word", "x", "y", "count", "rank", "group", "order"]
MAX_WORDS = 20_000
ALIGNMENT = (
    "Each epoch is projected on its own, then moved onto the last epoch's picture by the rotation or "
    "reflection that fits it best (orthogonal Procrustes) and scaled to the same spread (centred, "
    "root-mean-square radius 1). Positions are comparable across epochs; distances within one epoch are "
    "what the projection kept of the vectors' cosine similarities."
)


MIN_DIM = 2  # a 2-D picture of vectors with fewer dimensions than this would be made up
VIEWS = {"2D": 2, "3D": 3}  # the views a page offers, and how many components each projects to
CROSS_RUN_ALIGNMENT = (
    "Across the two runs, only the words both have are shown, and every epoch of side B is moved "
    "onto side A's last epoch in the same way, fitted on those shared words: positions also "
    "compare between the runs."
)


def check_request(method: str, n_words: int, dim: int = MIN_DIM, components: int = 2) -> None:
    """Raise ValueError, saying what to change, for a projection that cannot be made (components: 2 or 3, the
    view's dimensions; a view needs vectors with at least that many)."""
    if dim < components:
        if components == 2:
            raise ValueError(
                f"This run's vectors have {dim} dimension; a 2-D view needs at least {MIN_DIM}. "
                "Neighbours, Similarity and Analogies work with it; train with dim 2 or more to see the "
                "space."
            )
        raise ValueError(
            f"This run's vectors have {dim} dimension{'' if dim == 1 else 's'}; a {components}-D view "
            f"needs at least {components}."
        )
    if components not in VIEWS.values():
        raise ValueError(f"A view has 2 or 3 dimensions (got {components}).")
    if method not in METHODS:
        raise ValueError(f"Projection method must be one of {', '.join(METHODS)} (got {method!r}).")
    if not 3 <= n_words <= MAX_WORDS:
        raise ValueError(f"Project between 3 and {MAX_WORDS:,} words (got {n_words}).")


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, so the projection reflects cosine similarity (what every evaluation uses)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def fit_pca(vectors: np.ndarray, seed: int = 0, components: int = 2) -> np.ndarray:
    """PCA on one BLAS thread: on these small matrices extra threads only wait for each other (20x slower when
    the cores are busy)."""
    from sklearn.decomposition import PCA
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return PCA(n_components=components, random_state=seed).fit_transform(unit_rows(vectors)).astype(np.float32)


def fit_umap(vectors: np.ndarray, seed: int = 0, components: int = 2) -> np.ndarray:
    """UMAP on cosine distances; umap-learn is imported here because the import alone takes seconds.

    The distances are computed by scikit-learn and passed as "precomputed": for fewer than 4,096 points UMAP
    would otherwise fill the same matrix by calling its metric once per pair from Python, ten times slower."""
    try:
        import umap
    except ImportError:
        raise ValueError("UMAP needs the umap-learn package: pip install umap-learn, or choose PCA.") from None
    from sklearn.metrics import pairwise_distances
    from threadpoolctl import threadpool_limits

    n = len(vectors)
    with threadpool_limits(limits=1):
        distances = pairwise_distances(unit_rows(vectors), metric="cosine")
    reducer = umap.UMAP(
        n_components=components,
        n_neighbors=min(15, n - 1),
        metric="precomputed",
        random_state=seed,
        init="spectral" if n > 30 else "random",
        n_epochs=200,
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="using precomputed metric")  # we never inverse_transform
        return reducer.fit_transform(distances).astype(np.float32)


FITTERS = {"pca": fit_pca, "umap": fit_umap}


def normalise(points: np.ndarray) -> np.ndarray:
    """Centred on the origin with root-mean-square distance 1 from it."""
    centred = points.astype(np.float64) - points.astype(np.float64).mean(axis=0)
    scale = np.sqrt((centred**2).sum(axis=1).mean())
    return centred / scale if scale > 0 else centred


def align(frames: dict[int, np.ndarray], reference: np.ndarray | None = None) -> dict[int, np.ndarray]:
    """Each epoch's normalised points (2D or 3D), rotated (or reflected) by orthogonal Procrustes onto the last
    epoch's, or onto `reference` (another run's picture of the same words, in the same order)."""
    from scipy.linalg import orthogonal_procrustes

    reference = normalise(frames[max(frames)] if reference is None else reference)
    aligned = {}
    for epoch, points in frames.items():
        points = normalise(points)
        rotation, _ = orthogonal_procrustes(points, reference)
        aligned[epoch] = points @ rotation
    return aligned


def cache_folder(run: Run, method: str, n_words: int, word_ids=None, components: int = 2) -> Path:
    """Where a word set's raw frames are kept: by size for the most frequent words, else by a hash of the set
    (3D frames beside the 2D ones, as "pca3d")."""
    method = method if components == 2 else f"{method}{components}d"
    if word_ids is None or list(word_ids) == list(range(n_words)):
        return run.cache_dir() / "projection" / f"v{CACHE_VERSION}-{method}-{n_words}"
    digest = hashlib.sha1(np.asarray(word_ids, dtype=np.int64).tobytes()).hexdigest()[:16]
    return run.cache_dir() / "projection" / f"v{CACHE_VERSION}-{method}-set-{digest}"


def raw_frame(run: Run, model: str, epoch: int, method: str, word_ids: np.ndarray, components: int = 2) -> np.ndarray:
    """One epoch's unaligned points (2 or 3 components) for the words with these vocabulary ids, from the cache or
    fitted now."""
    folder = cache_folder(run, method, len(word_ids), word_ids, components).relative_to(run.cache_dir())
    parts = (*folder.parts, model, f"epoch_{epoch:03d}.npy")
    cached = run.read_cache(*parts)
    if cached is not None:
        try:
            points = np.load(io.BytesIO(cached), allow_pickle=False)
            if points.shape == (len(word_ids), components) and points.dtype.kind == "f":
                return points
        except (OSError, ValueError, EOFError):
            pass  # a damaged cache file is simply fitted again
    vectors = run.vectors(model, epoch)[word_ids]
    points = FITTERS[method](vectors) if components == 2 else FITTERS[method](vectors, components=components)
    run.write_cache(*parts, data=npy_bytes(points))  # skipped on a read-only or full disk
    return points


def colour_groups(run: Run) -> tuple[dict[str, str], bool]:
    """What colours a run's words, and whether it is an order (the alphabet languages): the designed groups of a
    toy language, else the run's categories (older runs of natural text: the shipped lists)."""
    config = run.config
    if config.get("groups"):
        return config["groups"], bool(config.get("ordered", False))
    return run_word_categories(run), False


def run_word_categories(run: Run) -> dict[str, str]:
    """The run's categories (word -> category, vocabulary words only) as saved, or for an older run of natural text
    the shipped lists."""
    config = run.config
    if "categories" in config:
        return config["categories"] or {}
    return run_categories(run.vocab().words, None, bool(config.get("natural")))[0]


def projection_words(run: Run, word_set: str = "frequent", n_words: int = 300, extra=()) -> list[str]:
    """The words to project: the n_words most frequent ("frequent"), or the run's category words, most frequent
    first, at most n_words ("categories"); then the extra words (highlighted ones) that are in the vocabulary,
    whatever their frequency rank."""
    if word_set not in WORD_SETS:
        raise ValueError(f"Word set must be one of {', '.join(WORD_SETS)} (got {word_set!r}).")
    words = list(run.vocab().words)
    if word_set == "categories":
        categories = run_word_categories(run)
        if not categories:
            raise ValueError("This run has no category words in its vocabulary; show the most frequent words.")
        chosen = [w for w in words if w in categories][:n_words]
    else:
        chosen = words[:n_words]
    known = set(words)
    return list(dict.fromkeys(chosen + [w for w in extra if w in known]))


def model_frame(
    run: Run, model: str, method: str, words: list[str], components: int = 2, reference: np.ndarray | None = None
) -> pd.DataFrame:
    """Every finished epoch of one model, aligned (onto its last epoch, or onto `reference`: points of the same
    words), as rows with COLUMNS (and z for 3 components)."""
    columns = columns_for(components)
    epochs = run.epochs(model)
    if not epochs:
        return pd.DataFrame(columns=columns)
    ids, base = word_rows(run, words)
    aligned = align({e: raw_frame(run, model, e, method, ids, components) for e in epochs}, reference)
    parts = [
        base.assign(model=model, epoch=e, **{axis: points[:, i] for i, axis in enumerate("xyz"[:components])})
        for e, points in aligned.items()
    ]
    return pd.concat(parts, ignore_index=True)[columns]


def word_rows(run: Run, words: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """The words' vocabulary ids, and one row per word with what every epoch's rows share: word, count, rank (1:
    the most frequent), group (what colours it, "" for none) and order (the group's place when the groups are
    ordered, else NaN)."""
    vocab = run.vocab()
    ids = np.array([vocab.index[w] for w in words], dtype=np.int64)
    groups, ordered = colour_groups(run)
    labels = [groups.get(w, "") for w in words]
    ranks = sorted(set(labels)) if ordered else []
    order = [float(ranks.index(g)) if g in ranks else np.nan for g in labels]
    return ids, pd.DataFrame(
        {"word": words, "count": vocab.counts[ids], "rank": ids + 1, "group": labels, "order": order}
    )


def columns_for(components: int) -> list[str]:
    """COLUMNS, with z after y for a 3D frame."""
    return COLUMNS if components == 2 else [*COLUMNS[:5], "z", *COLUMNS[5:]]


def projection_frame(
    run: Run, method: str = "pca", n_words: int = 300, models=None, words: list[str] | None = None, components: int = 2
) -> pd.DataFrame:
    """2D positions of the n_words most frequent words (or of `words`, see projection_words) for every finished
    epoch of each model: a tidy frame with COLUMNS (rank: 1 for the most frequent word; group: what colours the
    word, "" for none; order: the group's place when the groups are ordered, else NaN). Cached in the run."""
    method = method.lower()
    if words is None:
        check_request(method, n_words, run.train_config.dim, components)
        n_words = min(n_words, run.config.get("vocab_size") or len(run.vocab()))
        if n_words < 3:
            raise ValueError("The vocabulary has fewer than 3 words; there is nothing to project.")
        words = list(run.vocab().words[:n_words])
    check_request(method, len(words), run.train_config.dim, components)
    models = list(models) if models is not None else run.models
    unknown = [m for m in models if m not in run.models]
    if unknown:
        raise ValueError(f"Run {run.id} has no model {unknown[0]!r}; it has {', '.join(run.models)}.")
    frames = [model_frame(run, model, method, words, components) for model in models]
    return typed_frame(
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns_for(components))
    )


def typed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Projection rows with their columns' types (a concat of empty frames leaves them as objects)."""
    types = {"epoch": int, "count": int, "rank": int, "x": float, "y": float, "z": float, "order": float}
    return frame.astype({k: v for k, v in types.items() if k in frame.columns})


# ------------------------------------------------------------ two sides (lib.views.compare.Sides)


def side_words(pair: Sides, word_set: str = "frequent", n_words: int = 300, extra=()) -> list[str]:
    """The words to project for two sides: within one run, projection_words; across two runs, only words both
    vocabularies have (side A's order, most frequent first): side A's n_words most frequent shared words, or its
    shared category words, then the extra words both runs have."""
    if not pair.two_runs:
        return projection_words(pair.a.run, word_set, n_words, extra)
    words_a, known = pair.a.run.vocab().words, set(pair.b.run.vocab().words)
    chosen = shared_words(projection_words(pair.a.run, word_set, len(words_a)), pair.b.run.vocab().words)[:n_words]
    in_a = set(words_a)
    return list(dict.fromkeys(chosen + [w for w in extra if w in known and w in in_a]))


def view_problem(pair: Sides, n_words: int, components: int = 2) -> str | None:
    """Why the two sides cannot be drawn in a view of `components` dimensions (a side's vectors have fewer; two
    runs share fewer than 3 words), else None."""
    for name, side, label in zip(("Side A", "Side B"), (pair.a, pair.b), pair.labels()):
        try:
            check_request("pca", 3, side.run.train_config.dim, components)
        except ValueError as exc:
            if not pair.two_runs:
                return str(exc)
            return f"{name} ({label}): {str(exc)[0].lower()}{str(exc)[1:]}"
    if pair.two_runs and n_words < 3:
        some = "no word" if n_words == 0 else f"only {n_words} word{'' if n_words == 1 else 's'}"
        return (
            f"The two runs share {some} among the words asked for, and a picture needs at least 3: compare "
            "runs of the same corpus, or show the most frequent words."
        )
    return None


def sides_frame(pair: Sides, method: str = "pca", words: list[str] | None = None, components: int = 2) -> pd.DataFrame:
    """Both sides' projections of `words` for every finished epoch, as projection_frame's rows with "model" set to
    each side's label (Sides.labels). Within one run each side is aligned onto its own last epoch, as always;
    across two runs side B's epochs are all aligned onto side A's last epoch (CROSS_RUN_ALIGNMENT), so positions
    compare across the runs (words must then be in both vocabularies: side_words)."""
    method = method.lower()
    words = list(words if words is not None else side_words(pair))
    for side in (pair.a, pair.b):
        check_request(method, len(words), side.run.train_config.dim, components)
    label_a, label_b = pair.labels()
    a = model_frame(pair.a.run, pair.a.model, method, words, components)
    reference = None
    if pair.two_runs and not a.empty:
        last = a[a["epoch"] == a["epoch"].max()]
        reference = last[list("xyz"[:components])].to_numpy(dtype=np.float64)
    b = model_frame(pair.b.run, pair.b.model, method, words, components, reference)
    return typed_frame(pd.concat([a.assign(model=label_a), b.assign(model=label_b)], ignore_index=True))
