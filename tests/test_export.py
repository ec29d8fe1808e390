"""Exports: word2vec text that gensim reads back, and the Embedding Projector's TSV pair."""

import numpy as np
from gensim.models import KeyedVectors

from lib import export


def test_word2vec_text_round_trips_through_gensim(analogy_run, tmp_path):
    kv = analogy_run.keyed_vectors("pytorch", 2)
    data = export.word2vec_text(kv)
    assert data.splitlines()[0] == f"{len(kv)} {kv.vector_size}".encode()
    (tmp_path / "v.txt").write_bytes(data)
    back = KeyedVectors.load_word2vec_format(str(tmp_path / "v.txt"), binary=False)
    assert back.index_to_key == kv.index_to_key
    assert np.allclose(back.vectors, kv.vectors, atol=1e-5)


def test_projector_tsv_rows_line_up(analogy_run):
    kv = analogy_run.keyed_vectors("gensim", 3)
    groups = analogy_run.config["groups"]
    vectors, metadata = export.projector_vectors_tsv(kv), export.projector_metadata_tsv(kv, groups)
    rows = [line.split("\t") for line in vectors.decode().splitlines()]
    assert len(rows) == len(kv) and {len(r) for r in rows} == {kv.vector_size}
    assert np.allclose(np.array(rows, dtype=float), kv.vectors, rtol=1e-5, atol=1e-6)
    meta = [line.split("\t") for line in metadata.decode().splitlines()]
    assert meta[0] == ["word", "count", "group"]
    assert [m[0] for m in meta[1:]] == kv.index_to_key
    king = kv.key_to_index["king"] + 1
    assert meta[king] == ["king", str(kv.get_vecattr("king", "count")), groups["king"]]


def test_metadata_without_groups_has_two_columns(analogy_run):
    kv = analogy_run.keyed_vectors("gensim", 0)
    metadata = export.projector_metadata_tsv(kv)
    assert metadata.decode().splitlines()[0] == "word\tcount"


def test_file_stem_names_run_model_and_epoch():
    assert export.file_stem("run1", "gensim", 3) == "run1-gensim-epoch03"
