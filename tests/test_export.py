"""Exports: word2vec text that gensim reads back, and the Embedding Projector's TSV pair."""

import numpy as np
from gensim.models import KeyedVectors

from lib.config import CorpusConfig, TrainConfig
from lib.runs import listing
from lib.train import train_run
from lib.views import export


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


def test_each_kind_of_export_file_is_the_run_files_own(analogy_run):
    kv = analogy_run.keyed_vectors("gensim", 1)
    assert export.run_file(analogy_run.path, "gensim", 1, "word2vec") == export.word2vec_text(kv)
    assert export.run_file(analogy_run.path, "gensim", 1, "vectors") == export.projector_vectors_tsv(kv)
    assert export.run_file(analogy_run.path, "gensim", 1, "metadata").startswith(b"word\tcount\tgroup\n")


def test_exporting_a_run_deleted_meanwhile_gives_a_note_not_an_error(tmp_path):
    run = train_run(CorpusConfig("toy-random", sentences=100), TrainConfig(epochs=1, dim=4, min_count=1), root=tmp_path)
    listing.delete_run(run)  # another tab deleted it after this page drew its download buttons
    for kind in export.KINDS:
        note = export.run_file(run.path, "gensim", 1, kind).decode()
        assert note.startswith("Nothing to export") and run.id in note and str(tmp_path) not in note
