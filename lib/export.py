"""Export one epoch's vectors as word2vec text or as the TensorFlow Embedding Projector's vectors/metadata TSV pair."""

from __future__ import annotations

import io
import os
import tempfile

import numpy as np
from gensim.models import KeyedVectors


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
