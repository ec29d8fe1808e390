"""The Home, Train and How it works pages and the app entry, run headless with Streamlit's AppTest."""

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.presets import preset_config
from lib.store import list_runs
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=TIMEOUT)


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    run = train_run(CorpusConfig("toy-pos", sentences=400), TrainConfig(epochs=2, dim=8, min_count=1, negative=3,
                                                                       workers=1), root=root)
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
    at.toggle[0].set_value(True).run()
    assert no_exception(at) and len(charts(at)) == 3
    assert any("float32 accumulator" in m.value for m in at.markdown)  # what train_loss is


def test_home_on_a_fresh_machine_trains_the_default_toy_run(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = no_exception(page("home").run(timeout=300))
    runs = list_runs(tmp_path)
    assert len(runs) == 1, [e.value for e in at.error]
    run = runs[0]
    assert run.config["corpus_name"] == "toy-proximity" and run.models == ["pytorch", "gensim"]
    assert run.status()["state"] == "complete" and run.common_epochs() == [0, 1, 2, 3, 4, 5]
    assert run.train_config == preset_config("toy-proximity")  # the Train page's default run
    for model in run.models:  # the designed structure shows: far above random vectors' 0.15
        assert run.metrics(model)[-1]["neighbor_precision"] >= 0.85
    at.run()
    assert no_exception(at) and at.dataframe[0].value["run"].tolist() == [run.id] and len(charts(at)) == 3


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

    assert shown() == {"dim": 20, "window": 2, "alpha": 0.004, "epochs": 5}  # lib.presets' toy-language settings
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


@pytest.mark.parametrize("content, message", [(b"", "is empty"), ("café".encode("latin-1") + b"\n", "not UTF-8")])
def test_a_bad_upload_shows_a_clear_message(with_runs, content, message):
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    at.file_uploader(key="upload_corpus").set_value(("mine.txt", content, "text/plain")).run()
    no_exception(at)
    assert any(message in e.value and "mine.txt" in e.value for e in at.error), [e.value for e in at.error]


def test_an_upload_is_checked_and_saved_once_however_often_the_page_reruns(with_runs, monkeypatch):
    from lib import jobs

    calls = []
    save = jobs.save_upload
    monkeypatch.setattr(jobs, "save_upload", lambda data, name, *a, **k: calls.append(name) or save(data, name, *a, **k))
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    at.file_uploader(key="upload_corpus").set_value(("mine.txt", b"the cat sat\nthe dog ran\n", "text/plain")).run()
    at.number_input(key="train.dim").set_value(30).run()
    at.run()
    no_exception(at)
    assert calls == ["mine.txt"]
    at.file_uploader(key="upload_corpus").set_value(("other.txt", b"a b c\n", "text/plain")).run()
    assert calls == ["mine.txt", "other.txt"]


def test_a_bad_analogy_upload_shows_a_clear_message(with_runs):
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    at.file_uploader(key="upload_corpus").set_value(("mine.txt", b"a b c\nd e f\n", "text/plain"))
    at.file_uploader(key="upload_analogies").set_value(("q.txt", b"king queen man\n", "text/plain")).run()
    assert any("a question is 4 words" in e.value for e in no_exception(at).error)


def test_a_missing_wikitext_folder_is_reported(with_runs, tmp_path):
    at = page("train").run()
    at.radio[0].set_value("WikiText-2").run()
    at.text_input[0].set_value(str(tmp_path / "nowhere")).run()
    assert any("does not exist" in e.value for e in no_exception(at).error)
    at.text_input[0].set_value("").run()
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


def test_how_it_works_shows_the_pipeline_with_the_runs_numbers(with_runs):
    at = no_exception(page("how_it_works").run())
    assert len(at.latex) >= 6
    values = {m.label: m.value for m in at.metric}
    assert values["Vocabulary"] == f"{len(with_runs.vocab())} words"
    assert values["Tokens in the corpus"] == f"{with_runs.config['n_tokens']:,}"
    assert "shared_negatives" in " ".join(m.value for m in at.markdown)
    assert len(charts(at)) == 1
    ran = with_runs.config["resolved"]  # read from the run, not worked out again on this machine
    assert any(c.value.startswith("Recorded with the run: PyTorch on cpu with 1 thread(s)")
               and f"gensim {ran['versions']['gensim']}" in c.value for c in at.caption)


def test_pages_without_runs_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = no_exception(page("how_it_works").run())
    assert any("No runs yet" in i.value for i in at.info)


ALL_PAGES = {"home": "Word2Vec Workbench", "train": "Train", "embedding_space": "Embedding space",
             "neighbours": "Neighbours", "similarity": "Similarity", "analogies": "Analogies",
             "how_it_works": "How it works", "pos_2d": "Part of speech in two dimensions",
             "random_vs_structured": "Random versus structured language"}


def test_the_app_entry_opens_every_page_without_an_error(with_runs):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    assert no_exception(at).title[0].value == "Word2Vec Workbench"
    navigation = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    assert {f"pages/{name}.py" for name in ALL_PAGES} == set(re.findall(r'st\.Page\("(pages/\w+\.py)"', navigation))
    for name, title in ALL_PAGES.items():
        at.switch_page(f"pages/{name}.py").run()
        assert no_exception(at).title[0].value == title, name
        assert not at.error, (name, [e.value for e in at.error])
