"""User text (typed words, URL parameters, file names, words, categories and analogy sections from a user's files)
reaches the pages as text: never as a markdown link, image or emphasis, never as HTML, and no server path shows."""

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
LINK, IMAGE, HTML, BOLD = (
    "[click](https://evil.example)",
    "![x](https://evil.example/a.png)",
    "<img src=x onerror=alert(1)>",
    "**bold**",
)
ICON, LOGO, COLOUR = ":material/warning:", ":streamlit:", ":red[red]"
HOSTILE = (LINK, IMAGE, HTML, BOLD, ICON, LOGO, COLOUR)
# what any of them becomes when markdown renders it: a link or image, an HTML tag, emphasis (plain() escapes
# every one of these characters with a backslash)
UNESCAPED = re.compile(r"(?<!\\)(\]\(|<img|\*\*bold)|https?\\?://")
# GitHub-flavoured markdown's autolinks, as Streamlit's markdown finds them in the text after escapes are undone
# (mdast-util-gfm-autolink-literal, in streamlit/static/static/js/StreamlitMarkdown.*.js)
AUTOLINKS = (
    re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I | re.A),
    re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.A),
)
# Streamlit's own shortcodes, as its markdown finds them in the text after escapes are undone (the same bundle):
# emoji `/:(?!material\/|streamlit:)[\w+-][\w_+-]*:/`, Material icons (`:material/` becomes `:material_` first),
# the logo `/:streamlit:/g`, and colour directives `:red[…]`, `:red-background[…]`, `:red-badge[…]`
SHORTCODES = re.compile(r":(?:material/|streamlit:)|:(?!material/|streamlit:)[\w+-][\w_+-]*:|:[a-z]+(?:-\w+)?\[")
PAGE_ICONS = (
    "",
    ":material/visibility:",
    ":material/info:",
    ":material/shuffle:",
    ":material/pause:",
)  # the pages' own
TINY = TrainConfig(epochs=1, dim=8, min_count=1, negative=3, workers=1)


def unescaped(markdown: str) -> str:
    """The text markdown shows for a string: backslash escapes undone."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.parametrize(
    "text",
    [
        *HOSTILE,
        "see https://evil.example/x or WWW.evil.example",
        "mail me@evil.example",
        "a :smile: and :blue-background[x]",
    ],
)
def test_plain_leaves_nothing_markdown_would_turn_into_a_link(text):
    from widgets import WORD_JOINER, plain

    shown = unescaped(plain(text))
    assert shown.replace(WORD_JOINER, "") == text  # the reader sees the text itself
    assert not any(pattern.search(shown) for pattern in (*AUTOLINKS, SHORTCODES)), shown
    assert (
        any(pattern.search(text) for pattern in (*AUTOLINKS, SHORTCODES)) or "](" in text or "<" in text or "**" in text
    )


@pytest.mark.parametrize(
    "text, seen",
    [
        ("\u202eking", "<U+202E>king"),
        ("a\x00b", "a<U+0000>b"),
        ("\u2067x\u2069 y", "<U+2067>x<U+2069> y"),
        ("tab\tok", "tab\tok"),
    ],
)
def test_plain_shows_invisible_controls_as_code_points(text, seen):
    from widgets import plain

    assert unescaped(plain(text)) == seen  # an override cannot turn the rest of a message around on screen


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)


def shown_text(at: AppTest) -> list[str]:
    """Every string the page handed to a markdown-rendering element, and the expanders' labels."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
    return [e.value for kind in kinds for e in getattr(at, kind)] + [e.label for e in at.expander]


def assert_literal(at: AppTest, *server_paths) -> None:
    assert not at.exception, [e.value for e in at.exception]
    for text in shown_text(at):
        assert not UNESCAPED.search(text), text
        assert not SHORTCODES.search(unescaped(text)), text
        assert not any(str(p) in text for p in server_paths), text
    for alert in [*at.error, *at.warning, *at.info, *at.success]:  # Streamlit takes a leading icon as the alert's
        assert alert.icon in PAGE_ICONS, (alert.icon, alert.value)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Two runs full of hostile text: a WikiText-2 folder whose tokens are markdown and HTML, with a category file
    and an analogy file naming categories and sections after them; and a text file with a hostile name."""
    base = tmp_path_factory.mktemp("hostile")
    root, wiki = base / "runs", base / "wiki"
    wiki.mkdir()
    tokens = [
        LINK,
        IMAGE,
        "<img",
        "src=x",
        "onerror=alert(1)>",
        BOLD,
        ICON,
        LOGO,
        COLOUR,
        "🙂",
        "king",
        "queen",
        "man",
        "woman",
        "apple",
        "pear",
        "tree",
        "river",
        "stone",
        "cloud",
    ]
    rng = np.random.default_rng(0)
    lines = [" ".join(rng.choice(tokens, size=12)) for _ in range(300)]
    (wiki / "valid.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (base / "categories.tsv").write_text(
        f"{LINK}\t{BOLD}\n{BOLD}\t{BOLD}\nking\t{LINK}\nqueen\t{LINK}\n"
        f"{ICON}\t{LOGO}\n{COLOUR}\t{LOGO}\nman\t🙂 {ICON}\nwoman\t🙂 {ICON}\n",
        encoding="utf-8",
    )
    (base / "questions.txt").write_text(
        f": {LINK}\n{LINK} {BOLD} king queen\nman woman king queen\n: {IMAGE}\napple pear {BOLD} {LINK}\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WIKITEXT2_DIR", str(wiki))
        words = train_run(
            CorpusConfig("wikitext-2"),
            TINY,
            root=str(root),
            analogies_path=str(base / "questions.txt"),
            categories_path=str(base / "categories.tsv"),
        )
    named = base / f"{LINK.replace('/', '_')} {BOLD} <img src=x>.txt"
    named.write_text("the cat sat on the mat\nthe dog sat on the log\n" * 20, encoding="utf-8")
    name = train_run(CorpusConfig(str(named)), TINY, root=str(root))
    return root, words, name, base


@pytest.fixture
def runs(hostile, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(hostile[0]))
    return hostile


def test_the_runs_hold_the_hostile_text(hostile):
    _, words, name, _ = hostile
    assert {LINK, IMAGE, BOLD, "<img"} <= set(words.vocab().words)
    assert set(words.config["categories"].values()) == {LINK, BOLD, LOGO, f"🙂 {ICON}"}
    assert name.config["corpus_name"].startswith("[click]")


@pytest.mark.parametrize("typed", [LINK, HTML, BOLD, IMAGE, ICON, f"🙂 {LOGO}"])
@pytest.mark.parametrize(
    "name, keys", [("neighbours", ["word"]), ("similarity", ["w1", "w2", "word"]), ("analogies", ["a", "b", "c"])]
)
def test_typed_words_are_shown_literally(runs, name, keys, typed):
    root, run, _, base = runs
    at = page(name)
    at.session_state["run"] = run.id
    for key in keys:
        at.session_state[key] = typed
    at.run()
    assert_literal(at, root, base)
    if typed in run.vocab().words:  # a word of the run: its neighbours, similarities or answers are drawn
        assert at.dataframe
    else:
        assert any("\\<img" in text or "not" in text for text in shown_text(at))


@pytest.mark.parametrize("name", ["home", "how_it_works", "embedding_space", "neighbours", "similarity", "analogies"])
@pytest.mark.parametrize("which", [1, 2])
def test_corpus_words_file_names_categories_and_sections_are_shown_literally(runs, name, which):
    root, base = runs[0], runs[3]
    run = runs[which]
    at = page(name)
    at.session_state["run"] = run.id
    if name == "embedding_space":
        at.session_state["embedding_focus"] = LINK if LINK in run.vocab().words else "the"
        at.session_state["embedding_highlight"] = [w for w in (IMAGE, BOLD, "cat") if w in run.vocab().words]
    at.run()
    assert_literal(at, root, base)
    if name == "home" and which == 2:  # the file's name is the corpus's, escaped
        assert any("\\[click\\]\\(https" in s.value for s in at.subheader)


@pytest.mark.parametrize("param", HOSTILE)
def test_a_run_url_parameter_is_shown_literally(runs, param):
    at = page("neighbours")
    at.query_params["run"] = param
    at.run()
    assert_literal(at, runs[0], runs[3])


@pytest.mark.parametrize("typed", [LINK, HTML])
def test_typed_seeds_are_shown_literally(typed):
    at = page("pos_2d").run()
    at.text_input[0].set_value(typed).run()
    assert_literal(at)
    assert at.error


@pytest.mark.parametrize("kind, key", [("corpus", "upload_corpus"), ("analogies", "upload_analogies")])
def test_an_uploaded_file_name_is_shown_literally(tmp_path, monkeypatch, kind, key):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = page("train").run()
    at.radio[0].set_value("Your text file").run()
    if kind == "analogies":
        at.file_uploader(key="upload_corpus").set_value(("mine.txt", b"a b c d\n" * 5, "text/plain"))
    at.file_uploader(key=key).set_value((f"🙂 {ICON} {LOGO} {LINK} {HTML}.txt", b"", "text/plain")).run()
    assert_literal(at, tmp_path)
    assert any("is empty" in e.value for e in at.error)


def test_an_uploaded_category_file_quotes_its_words_literally(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = page("train").run()
    at.file_uploader(key="upload_categories").set_value(
        (f"🙂 {BOLD}.tsv", f"{LINK}\t{BOLD}\n{LINK}\t{ICON}\n".encode(), "text/plain")
    ).run()
    assert_literal(at, tmp_path)
    assert any("in two categories" in e.value for e in at.error)


def test_a_run_named_with_shortcodes_shows_its_name_literally(runs):
    root, run = runs[0], runs[2]
    name = f"🙂 {ICON} {LOGO} {COLOUR}"
    run.rename(name)
    try:
        at = page("home")
        at.session_state["run"] = run.id
        at.run()
    finally:
        run.rename("")  # the module's other tests see the run unnamed
    assert_literal(at, root)
    assert any(name in unescaped(s.value).replace("\u2060", "") for s in at.subheader)
