"""Export one epoch's vectors as word2vec text or as the TensorFlow Embedding Projector's vectors/metadata TSV pair."""

from __future__ import annotations

import io
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors

from lib.runs.store import Run

KINDS = ("word2vec", "vectors", "metadata")
log = logging.getLogger(__name__)


def run_file(path: str | os.PathLike, model: str, epoch: int, kind: str) -> bytes:
    """One export file (a kind of KINDS) of a run's model at an epoch. A download cannot show a message in the page,
    so when the run is gone or damaged meanwhile (deleted from another tab) the file is a note saying so."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)} (got {kind!r}).")
    try:
        run = Run(Path(path))
        kv = run.keyed_vectors(model, epoch)
        if kind == "word2vec":
            return word2vec_text(kv)
        if kind == "vectors":
            return projector_vectors_tsv(kv)
        return projector_metadata_tsv(kv, run.config.get("groups"))
    except (ValueError, OSError) as exc:
        log.warning("export of %s failed: %s", Path(path).name, exc)
        return (
            f"Nothing to export: the {model} model's epoch {epoch} of run {Path(path).name} can no longer be read "
            "(the run was deleted or damaged after the page opened). Reload the page.\n"
        ).encode("utf-8")


def word2vec_text(kv: KeyedVectors) -> bytes:
    """The vectors in word2vec's text format ("<words> <dim>" header, then "word v1 v2 ..."), via gensim."""
    fd, path = tempfile.mkstemp(suffix=".txt")
    os.close(fd)
    try:
        kv.save_word2vec_format(path, binary=False)
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def projector_vectors_tsv(kv: KeyedVectors) -> bytes:
    """vectors.tsv for projector.tensorflow.org: one tab-separated row of numbers per word, no header."""
    buffer = io.BytesIO()
    np.savetxt(buffer, kv.vectors, delimiter="\t", fmt="%.6g")
    return buffer.getvalue()


def projector_metadata_tsv(kv: KeyedVectors, groups: dict[str, str] | None = None) -> bytes:
    """metadata.tsv, row for row with vectors.tsv: a header, then word, count (and designed group when known)."""
    groups = groups or {}
    header = ["word", "count"] + (["group"] if groups else [])
    lines = ["\t".join(header)]
    for word in kv.index_to_key:
        row = [word, str(kv.get_vecattr(word, "count"))] + ([groups.get(word, "")] if groups else [])
        lines.append("\t".join(row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def file_stem(run_id: str, model: str, epoch: int) -> str:
    """A download name that says where the vectors come from, e.g. <run>-gensim-epoch03."""
    return f"{run_id}-{model}-epoch{epoch:02d}"
