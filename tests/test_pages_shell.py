"""The Home, Train and How it works pages and the app entry, run headless with Streamlit's AppTest."""

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.runs import jobs, listing, uploads
from lib.runs.listing import list_runs
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=TIMEOUT)


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def literal(markdown: str) -> str:
    """What widgets.plain() escaped, as the reader sees it."""
    return re.sub(r"\\(.)", r"\1", markdown)


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    run = train_run(
        CorpusConfig("toy-pos", sentences=400),
        TrainConfig(epochs=2, dim=8, min_count=1, negative=3, workers=1),
        root=root,
    )
    return root, run


@pytest.fixture
def with_runs(runs, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(runs[0]))
    return runs[1]


def test_home_shows_the_runs_table_and_the_selected_runs_charts(with_runs):
    at = no_exception(page("home").run())
    assert at.title[0].value == "Word2Vec Workbench"
    table = at.dataframe[0].value
    assert table["run"].tolist() == [with_runs.id] and table["state"].tolist() == ["complete"]
    assert {"pytorch_loss", "gensim_loss", "dim", "window"} <= set(table.columns)
    assert len(charts(at)) == 3  # loss, words/s and category purity per epoch
    assert at.session_state["run"] == with_runs.id
    next(t for t in at.toggle if "running loss" in t.label).set_value(True).run()
    assert no_exception(at) and len(charts(at)) == 3
    assert any("float32 accumulator" in m.value for m in at.markdown)  # what train_loss is


def test_home_on_a_fresh_machine_shows_the_example_run_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = no_exception(page("home").run())
    runs = list_runs(tmp_path)
    assert [r.id for r in runs] == [listing.example_id()], [e.value for e in at.error]
    assert at.session_state["run"] == runs[0].id and len(charts(at)) == 3  # loss, words/s, purity per epoch
    assert any("example run the app ships" in i.value for i in at.info)
    assert not (tmp_path / ".queue").exists()  # nothing trains
    listing.delete_run(runs[0])
    (tmp_path / "mine").mkdir()  # not a run: an empty folder still gets the example
    at = no_exception(page("home").run())
    assert [r.id for r in list_runs(tmp_path)] == [listing.example_id()]


def test_train_page_offers_every_hyperparameter_with_its_help(with_runs):
    from dataclasses import fields

    at = no_exception(page("train").run())
    keys = {w.key for w in list(at.number_input) + list(at.selectbox) + list(at.checkbox)}
    assert {f"train.{f.name}" for f in fields(TrainConfig)} <= keys
    assert "window" in at.number_input(key="train.window").help
    assert not at.error and not next(b for b in at.button if b.label == "Start training").disabled


def test_train_page_starts_from_the_corpus_preset_and_keeps_edits_editable(with_runs):
    at = no_exception(page("train").run())

    def shown():
        return {n: at.number_input(key=f"train.{n}").value for n in ("dim", "window", "alpha", "epochs")}

    assert shown() == {"dim": 20, "window": 2, "alpha": 0.004, "epochs": 5}  # lib.data.presets' toy-language settings
    at.number_input(key="train.dim").set_value(30).run()
    assert no_exception(at).number_input(key="train.dim").value == 30
    at.radio[0].set_value("WikiText-2").run()  # word2vec's defaults
    assert shown() == {"dim": 100, "window": 5, "alpha": 0.025, "epochs": 5}


def test_a_bad_hyperparameter_shows_an_error_and_blocks_start(with_runs):
    at = page("train").run()
    at.number_input(key="train.dim").set_value(0).run()
    no_exception(at)
    assert any("dim must be a positive" in e.value for e in at.error)
    start = next(b for b in at.button if b.label == "Start training")
    assert start.disabled
    at.number_input(key="train.dim").set_value(50)
    at.number_input(key="train.sample").set_value(1.5).run()
    assert [e.value for e in at.error] == [next(e.value for e in at.error if "sample" in e.value)]


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("seed", -1, "seed must be a whole number in 0 … 4294967295"),
        ("workers", 1000, "workers must be at most 64"),
        ("ns_exponent", 5.0, "ns_exponent must be in [-1, 1]"),
        pytest.param(
            "device",
            "cuda",
            "no CUDA GPU",
            marks=pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has a GPU"),
        ),
    ],
)
def test_a_setting_a_trainer_would_reject_is_shown_before_any_run_folder(tmp_path, monkeypatch, name, value, message):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = page("train").run()
    widget = at.selectbox(key=f"train.{name}") if name == "device" else at.number_input(key=f"train.{name}")
    widget.set_value(value).run()
    assert [literal(e.value) for e in no_exception(at).error] == [
        next(literal(e.value) for e in at.error if message in literal(e.value))
    ]
    assert next(b for b in at.button if b.label == "Start training").disabled  # a browser cannot click it
    assert "train_job" not in at.session_state and list(tmp_path.iterdir()) == []


def test_an_analogy_upload_without_a_section_line_says_to_add_one(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    at.file_uploader(key="upload_corpus").set_value(("mine.txt", b"king queen man woman\n" * 5, "text/plain"))
    at.file_uploader(key="upload_analogies").set_value(("q.txt", b"king queen man woman\n", "text/plain")).run()
    assert any("add a line ': name'" in literal(e.value) for e in no_exception(at).error)
    assert next(b for b in at.button if b.label == "Start training").disabled
    assert list_runs(tmp_path) == [] and [p.name for p in tmp_path.iterdir()] == [".uploads"]


@pytest.mark.parametrize("content, message", [(b"", "is empty"), ("café".encode("latin-1") + b"\n", "not UTF-8")])
def test_a_bad_upload_shows_a_clear_message(with_runs, content, message):
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    at.file_uploader(key="upload_corpus").set_value(("mine.txt", content, "text/plain")).run()
    no_exception(at)
    assert any(message in literal(e.value) and "mine.txt" in literal(e.value) for e in at.error), [
        e.value for e in at.error
    ]


@pytest.mark.parametrize(
    "key, holds", [("upload_analogies", "analogy questions"), ("upload_categories", "word<TAB>category per line")]
)
def test_an_empty_question_or_category_file_is_told_what_it_should_hold(with_runs, key, holds):
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    at.file_uploader(key="upload_corpus").set_value(("mine.txt", b"the cat sat\n" * 3, "text/plain"))
    at.file_uploader(key=key).set_value(("extra.txt", b"\n", "text/plain")).run()
    (error,) = [literal(e.value) for e in no_exception(at).error]
    assert "extra.txt is empty" in error and holds in error and "sentence" not in error


def test_an_upload_is_checked_and_saved_once_however_often_the_page_reruns(with_runs, monkeypatch):
    calls = []
    save = uploads.save_upload
    monkeypatch.setattr(
        uploads, "save_upload", lambda data, name, *a, **k: calls.append(name) or save(data, name, *a, **k)
    )
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    at.file_uploader(key="upload_corpus").set_value(("mine.txt", b"the cat sat\nthe dog ran\n", "text/plain")).run()
    at.number_input(key="train.dim").set_value(30).run()
    at.run()
    no_exception(at)
    assert calls == ["mine.txt"]
    at.file_uploader(key="upload_corpus").set_value(("other.txt", b"a b c\n", "text/plain")).run()
    assert calls == ["mine.txt", "other.txt"]


LONG_NAMES = [
    ("n" * 296 + ".txt", "n"),
    ("語" * 300 + ".txt", "語"),
    ("🙂" * 200 + ".txt", "upload"),
    ("a.b" * 100 + ".txt", "a"),
]  # and how the stored name starts (an emoji is not a letter)


@pytest.mark.parametrize("name, start", LONG_NAMES, ids=["ascii", "cjk", "emoji", "dots"])
def test_long_upload_names_in_every_uploader_are_saved_under_a_name_the_disk_takes(tmp_path, monkeypatch, name, start):
    """Names of 300 characters (up to 900 bytes of UTF-8; a file system takes 255 bytes) in all three uploaders."""
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    at.file_uploader(key="upload_corpus").set_value((name, b"the cat sat\nthe dog ran\n" * 3, "text/plain"))
    at.file_uploader(key="upload_analogies").set_value((name, b": s\ncat dog sat ran\n", "text/plain"))
    at.file_uploader(key="upload_categories").set_value(
        (name, b"cat\tanimal\ndog\tanimal\nsat\tverb\nran\tverb\n", "text/plain")
    ).run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert not next(b for b in at.button if b.label == "Start training").disabled
    saved = sorted(p for p in (tmp_path / uploads.UPLOAD_DIR).rglob("*") if p.is_file())
    assert len(saved) == 3
    for path in saved:
        assert len(path.name.encode()) <= 255 and path.suffix == ".txt"
        assert path.name.startswith(start)  # the start of the user's own name, in its own script


def test_a_category_upload_is_checked_and_saved_once_however_often_the_page_reruns(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    calls, save = [], uploads.save_upload
    monkeypatch.setattr(uploads, "save_upload", lambda data, name, *a, **k: calls.append(name) or save(data, name, *a))
    at = page("train").run()
    at.file_uploader(key="upload_categories").set_value(("cats.tsv", b"aaa\tstart\nzzz\tend\n", "text/plain")).run()
    at.number_input(key="train.dim").set_value(30).run()
    at.run()
    no_exception(at)
    assert calls == ["cats.tsv"]


def test_no_copy_of_an_upload_outlives_its_rerun(tmp_path, monkeypatch):
    """Streamlit returns a new copy of an uploaded file on every rerun (a whole copy of its bytes); a page that
    keeps them held one copy per rerun until a full garbage collection (issue 21). Python's cyclic collector is
    off here, as Streamlit's collection after every run is in .streamlit/config.toml: the number of UploadedFile
    objects alive stays the same over six more reruns."""
    import gc

    from streamlit.runtime.uploaded_file_manager import UploadedFile

    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    gc.collect()
    gc.disable()
    try:
        at.file_uploader(key="upload_corpus").set_value(("mine.txt", b"the cat sat\nthe dog ran\n", "text/plain"))
        at.file_uploader(key="upload_analogies").set_value(("q.txt", b": s\ncat dog sat ran\n", "text/plain"))
        categories = b"cat\tanimal\ndog\tanimal\nsat\tverb\nran\tverb\n"
        at.file_uploader(key="upload_categories").set_value(("cats.tsv", categories, "text/plain")).run()
        at.run()  # session state now holds each file's value of the last run and of this one (sharing its bytes)
        alive = []
        for dim in range(30, 36):
            at.number_input(key="train.dim").set_value(dim).run()
            alive.append(sum(type(o) is UploadedFile for o in gc.get_objects()))  # type(): no call on dead weak proxies
    finally:
        gc.enable()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert alive == [alive[0]] * 6


def test_a_bad_analogy_upload_shows_a_clear_message(with_runs):
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    at.file_uploader(key="upload_corpus").set_value(("mine.txt", b"a b c\nd e f\n", "text/plain"))
    at.file_uploader(key="upload_analogies").set_value(("q.txt", b"king queen man\n", "text/plain")).run()
    assert any("a question is 4 words" in e.value for e in no_exception(at).error)


def test_the_wikitext_folder_is_the_servers_setting_and_its_path_stays_on_the_server(with_runs, tmp_path, monkeypatch):
    folder = tmp_path / "wikitext-secret-place"
    monkeypatch.setenv("WIKITEXT2_DIR", str(folder))
    at = page("train").run()
    at.radio[0].set_value("WikiText-2").run()
    assert not at.text_input  # no field names a folder: the browser gives files only by uploading them
    shown = " ".join(e.value for e in list(at.markdown) + list(at.caption) + list(at.error) + list(at.warning))
    assert any("WikiText\\-2 folder" in e.value and "not a folder" in e.value for e in no_exception(at).error)
    folder.mkdir()
    at.run()
    assert any("has no WikiText\\-2 text files" in e.value for e in no_exception(at).error)
    (folder / "valid.txt").write_text(" = A = \n a b c \n", encoding="utf-8")
    at.run()
    assert not no_exception(at).error and any("valid.txt" in c.value for c in at.caption)
    shown += " ".join(e.value for e in list(at.markdown) + list(at.caption) + list(at.error) + list(at.warning))
    assert "secret" not in shown and str(tmp_path) not in shown
    monkeypatch.delenv("WIKITEXT2_DIR")
    at.run()
    assert any("datasets" in w.value for w in no_exception(at).warning)


def test_train_page_starts_a_background_job_and_selects_its_run(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = page("train").run()
    at.selectbox[0].set_value("toy-pos").run()  # another corpus: its preset's settings, then edit them
    at.number_input[0].set_value(300)  # sentences
    for name, value in (("epochs", 1), ("dim", 8), ("min_count", 1), ("negative", 3), ("workers", 1)):
        at.number_input(key=f"train.{name}").set_value(value)
    at.run()
    next(b for b in at.button if b.label == "Start training").click().run()
    no_exception(at)
    job = at.session_state["train_job"]
    end = time.monotonic() + TIMEOUT
    while not job.poll().finished and time.monotonic() < end:
        time.sleep(0.3)
    at.run()
    assert no_exception(at).success, (job.log_text(), [e.value for e in at.error])
    run_id = job.poll().run_id
    assert at.session_state["run"] == run_id and [r.id for r in list_runs(tmp_path)] == [run_id]
    assert list_runs(tmp_path)[0].config["corpus_name"] == "toy-pos"
    saved = list_runs(tmp_path)[0].config["train"]
    assert (saved["epochs"], saved["dim"], saved["window"], saved["alpha"]) == (1, 8, 2, 0.025)  # edits over preset


def test_a_run_stopped_before_its_first_epoch_is_not_said_to_keep_epochs(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    job = jobs.start(
        CorpusConfig("toy-proximity", sentences=2000), TrainConfig(alpha=1.0, epochs=2, dim=20), root=tmp_path
    )  # both models diverge in epoch 1
    assert job.wait(TIMEOUT) not in (None, 0)
    at = page("train")
    at.session_state["train_job"] = job
    (warning,) = [literal(w.value) for w in no_exception(at.run()).warning]
    assert "pytorch model diverged" in warning and "gensim model diverged" in warning
    assert "no epoch finished" in warning and "epochs are kept" not in warning


def test_train_page_shows_the_place_in_the_queue_and_can_leave_it(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    monkeypatch.setenv("W2V_MAX_TRAININGS", "1")
    other = jobs.start(
        CorpusConfig("toy-proximity", sentences=3000),
        TrainConfig(epochs=200, dim=16, workers=1),
        models=["pytorch"],
        root=tmp_path,
    )  # another session's training holds the only slot
    try:
        at = page("train").run()
        next(b for b in at.button if b.label == "Start training").click().run()
        assert no_exception(at).subheader[0].value == "Waiting: number 1 in the queue"
        assert next(b for b in at.button if b.label == "Start training").disabled
        job = at.session_state["train_job"]
        assert job.poll().state == "queued" and [t.run_id for t in jobs.queued(tmp_path)] == [job.run_id]
        at.button(key="cancel").click().run()
        assert "You left the queue" in no_exception(at).info[0].value and jobs.queued(tmp_path) == []
        assert not next(b for b in at.button if b.label == "Start training").disabled
    finally:
        other.cancel()


def test_how_it_works_shows_the_pipeline_with_the_runs_numbers(with_runs):
    at = no_exception(page("how_it_works").run())
    assert len(at.latex) >= 6
    values = {m.label: m.value for m in at.metric}
    assert values["Vocabulary"] == f"{len(with_runs.vocab())} words"
    assert values["Tokens in the corpus"] == f"{with_runs.config['n_tokens']:,}"
    assert "shared_negatives" in " ".join(m.value for m in at.markdown)
    assert len(charts(at)) == 1
    ran = with_runs.config["resolved"]  # read from the run, not worked out again on this machine
    assert any(
        c.value.startswith("Recorded with the run: PyTorch on cpu with 1 thread(s)")
        and f"gensim {ran['versions']['gensim']}" in c.value
        for c in at.caption
    )


def test_how_it_works_keeps_the_pair_count_with_the_run_and_reads_it_on_the_next_visit(with_runs, monkeypatch):
    import streamlit as st

    from lib.views import explain

    st.cache_data.clear()
    (with_runs.path / "cache" / "explain.json").unlink(missing_ok=True)
    first = {m.label: m.value for m in no_exception(page("how_it_works").run()).metric}
    assert (with_runs.path / "cache" / "explain.json").is_file()

    def count_again(*_):
        raise AssertionError("counted again although the run's cache holds the count")

    monkeypatch.setattr(explain, "count_pairs", count_again)
    st.cache_data.clear()  # a fresh server: only the run's cache folder remembers
    again = {m.label: m.value for m in no_exception(page("how_it_works").run()).metric}
    assert again["Pairs per epoch (one draw)"] == first["Pairs per epoch (one draw)"]


def test_pages_without_runs_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = no_exception(page("how_it_works").run())
    assert any("No runs yet" in i.value for i in at.info)


ALL_PAGES = {
    "home": "Word2Vec Workbench",
    "train": "Train",
    "embedding_space": "Embedding space",
    "neighbours": "Neighbours",
    "similarity": "Similarity",
    "analogies": "Analogies",
    "how_it_works": "How it works",
    "one_step": "One training step",
    "pos_2d": "Part of speech in two dimensions",
    "random_vs_structured": "Random versus structured language",
}


def test_an_error_no_page_expected_shows_a_short_message_and_keeps_the_details_on_the_server(
    with_runs, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise OSError(5, "Input/output error", "/srv/secret-place/runs/x/vectors.npy")

    monkeypatch.setattr(listing, "list_runs", broken)  # every page lists the runs
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    no_exception(at.run())
    (error,) = [e.value for e in at.error]
    assert error.startswith("Something went wrong on this page") and "secret-place" not in error
    shown = " ".join(e.value for e in list(at.markdown) + list(at.caption) + list(at.warning) + list(at.info))
    assert "secret-place" not in shown and "Traceback" not in shown
    assert "secret-place" in caplog.text  # the server's log has it all


def test_the_app_entry_opens_every_page_without_an_error(with_runs):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    assert no_exception(at).title[0].value == "Word2Vec Workbench"
    navigation = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    assert {f"pages/{name}.py" for name in ALL_PAGES} == set(re.findall(r'st\.Page\("(pages/\w+\.py)"', navigation))
    for name, title in ALL_PAGES.items():
        at.switch_page(f"pages/{name}.py").run()
        assert no_exception(at).title[0].value == title, name
        assert not at.error, (name, [e.value for e in at.error])


def test_pages_that_keep_the_epoch_in_the_link_two_ways_follow_each_other_in_one_session(with_runs):
    """Neighbours binds its epoch slider to ?epoch=; Embedding space and Random vs structured keep their player's
    epoch there too: one session going from one to the other must not raise (Streamlit refuses to set a query
    parameter bound to another widget)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    for name in ("neighbours", "embedding_space", "similarity", "random_vs_structured", "neighbours"):
        at.switch_page(f"pages/{name}.py").run()
        assert no_exception(at).title[0].value == ALL_PAGES[name], name


def test_a_runs_folder_that_is_a_file_is_said_plainly_on_home_and_train(tmp_path, monkeypatch):
    runs = tmp_path / "secret-place" / "runs"
    runs.parent.mkdir()
    runs.write_text("not a folder")
    monkeypatch.setenv("W2V_RUNS_DIR", str(runs))
    home = no_exception(page("home").run())
    assert [literal(e.value) for e in home.error] == [
        f"Cannot write {listing.example_id()}: the runs folder, or a folder in it, is a file."
    ]
    train = page("train").run()
    train.radio[0].set_value("Your text file").run()
    train.file_uploader(key="upload_corpus").set_value(("mine.txt", b"the cat sat\n" * 3, "text/plain")).run()
    (error,) = [literal(e.value) for e in no_exception(train).error]
    assert "is a file" in error and "secret-place" not in error
