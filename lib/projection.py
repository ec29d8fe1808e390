"""2D projections (PCA or UMAP) of a run's most frequent words for every epoch, aligned across epochs and cached.

Each (model, epoch) is projected on its own, and the raw 2D coordinates are saved in the run's cache folder, so
epochs added later cost only their own fit. Every call then aligns all frames to the model's last epoch with an
orthogonal Procrustes rotation (cheap), so words do not jump or mirror from one epoch to the next, and scales each
frame to unit root-mean-square radius, so every epoch shares one pair of axes.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.linalg import orthogonal_procrustes
from sklearn.decomposition import PCA
from sklearn.metrics import pairwise_distances
from threadpoolctl import threadpool_limits

from lib.store import Run, atomic_save_npy

METHODS = ("pca", "umap")
CACHE_VERSION = 1  # bump when the fitting below changes, so old cached frames are not reused
COLUMNS = ["model", "epoch", "word", "x", "y", "count", "group"]
MAX_WORDS = 20_000


def check_request(method: str, n_words: int) -> None:
    """Raise ValueError, saying what to change, for a projection that cannot be made."""
    if method not in METHODS:
        raise ValueError(f"Projection method must be one of {', '.join(METHODS)} (got {method!r}).")
    if not 3 <= n_words <= MAX_WORDS:
        raise ValueError(f"Project between 3 and {MAX_WORDS:,} words (got {n_words}).")


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, so the projection reflects cosine similarity (what every evaluation uses)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def fit_pca(vectors: np.ndarray, seed: int = 0) -> np.ndarray:
    """PCA on one BLAS thread: on these small matrices extra threads only wait for each other (20x slower when
    the cores are busy)."""
    with threadpool_limits(limits=1):
        return PCA(n_components=2, random_state=seed).fit_transform(unit_rows(vectors)).astype(np.float32)


def fit_umap(vectors: np.ndarray, seed: int = 0) -> np.ndarray:
    """UMAP on cosine distances; umap-learn is imported here because the import alone takes seconds.

    The distances are computed by scikit-learn and passed as "precomputed": for fewer than 4,096 points UMAP
    would otherwise fill the same matrix by calling its metric once per pair from Python, ten times slower."""
    try:
        import umap
    except ImportError:
        raise ValueError("UMAP needs the umap-learn package: pip install umap-learn, or choose PCA.") from None
    n = len(vectors)
    with threadpool_limits(limits=1):
        distances = pairwise_distances(unit_rows(vectors), metric="cosine")
    reducer = umap.UMAP(n_components=2, n_neighbors=min(15, n - 1), metric="precomputed", random_state=seed,
                        init="spectral" if n > 30 else "random", n_epochs=200, n_jobs=1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="using precomputed metric")  # we never inverse_transform
        return reducer.fit_transform(distances).astype(np.float32)


FITTERS = {"pca": fit_pca, "umap": fit_umap}


def normalise(points: np.ndarray) -> np.ndarray:
    """Centred on the origin with root-mean-square distance 1 from it."""
    centred = points.astype(np.float64) - points.astype(np.float64).mean(axis=0)
    scale = np.sqrt((centred ** 2).sum(axis=1).mean())
    return centred / scale if scale > 0 else centred


def align(frames: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """Each epoch's normalised 2D points, rotated (or reflected) onto the last epoch's by orthogonal Procrustes."""
    last = max(frames)
    reference = normalise(frames[last])
    aligned = {}
    for epoch, points in frames.items():
        points = normalise(points)
        rotation, _ = orthogonal_procrustes(points, reference)
        aligned[epoch] = points @ rotation
    return aligned


def cache_folder(run: Run, method: str, n_words: int) -> Path:
    return run.cache_dir() / "projection" / f"v{CACHE_VERSION}-{method}-{n_words}"


def raw_frame(run: Run, model: str, epoch: int, method: str, n_words: int) -> np.ndarray:
    """One epoch's unaligned 2D points for the n_words most frequent words, read from the cache or fitted now."""
    path = cache_folder(run, method, n_words) / model / f"epoch_{epoch:03d}.npy"
    if path.is_file():
        try:
            points = np.load(path)
            if points.shape == (n_words, 2):
                return points
        except (OSError, ValueError):
            pass  # a damaged cache file is simply fitted again
    points = FITTERS[method](run.vectors(model, epoch)[:n_words])
    atomic_save_npy(path, points)  # written atomically: another process never reads half a file
    return points


def model_frame(run: Run, model: str, method: str, n_words: int) -> pd.DataFrame:
    """Every finished epoch of one model, aligned, as rows model, epoch, word, x, y, count, group."""
    epochs = run.epochs(model)
    if not epochs:
        return pd.DataFrame(columns=COLUMNS)
    aligned = align({e: raw_frame(run, model, e, method, n_words) for e in epochs})
    vocab = run.vocab()
    groups = run.config.get("groups") or {}
    words = list(vocab.words[:n_words])
    base = pd.DataFrame({"word": words, "count": vocab.counts[:n_words],
                         "group": [groups.get(w, "") for w in words]})
    parts = [base.assign(model=model, epoch=e, x=points[:, 0], y=points[:, 1]) for e, points in aligned.items()]
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def projection_frame(run: Run, method: str = "pca", n_words: int = 300, models=None) -> pd.DataFrame:
    """2D positions of the n_words most frequent words for every finished epoch of each model (tidy frame with
    columns model, epoch, word, x, y, count, group); frames are cached in run.cache_dir()."""
    method = method.lower()
    check_request(method, n_words)
    models = list(models) if models is not None else run.models
    unknown = [m for m in models if m not in run.models]
    if unknown:
        raise ValueError(f"Run {run.id} has no model {unknown[0]!r}; it has {', '.join(run.models)}.")
    n_words = min(n_words, run.config.get("vocab_size") or len(run.vocab()))
    if n_words < 3:
        raise ValueError("The vocabulary has fewer than 3 words; there is nothing to project.")
    frames = [model_frame(run, model, method, n_words) for model in models]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return frame.astype({"epoch": int, "count": int, "x": float, "y": float})
