"""The real app in headless Chromium: `streamlit run` on a free port, every page opened, no exception box."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lib.config import CorpusConfig, TrainConfig
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "screenshots"
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_runs(tmp_path_factory):
    """The runs folder the app serves: two toy-pos runs that differ in one choice (window 5, then 2)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM}: install it (apt-get install chromium) to run the browser tests")
    pytest.importorskip("playwright.sync_api", reason="the Playwright Python package is not installed")
    root = tmp_path_factory.mktemp("runs")
    for window in (5, 2):  # the window-2 run is the newest: pages open on it
        train_run(
            CorpusConfig("toy-pos", sentences=400),
            TrainConfig(epochs=2, dim=8, min_count=1, negative=3, workers=1, window=window),
            root=root,
        )
    return root


@pytest.fixture(scope="module")
def app(app_runs):
    root = app_runs
    port = free_port()
    log = open(root / "server.log", "wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "streamlit_app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, "W2V_RUNS_DIR": str(root)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"streamlit did not start: {(root / 'server.log').read_text()}")
        yield url
    finally:
        server.terminate()
        server.wait(20)
        log.close()


@pytest.fixture(scope="module")
def browser(app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()


def wait_for_script(page, timeout: float = 90.0) -> None:
    """Until the page's script has run: the main area is there and the "running" indicator has gone."""
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout * 1000)
    page.wait_for_timeout(1500)
    end, quiet = time.monotonic() + timeout, 0
    while quiet < 4 and time.monotonic() < end:  # idle for 2 s running: a first request reruns once (widgets.py)
        quiet = 0 if page.locator('[data-testid="stStatusWidget"]').count() else quiet + 1
        page.wait_for_timeout(500)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_without_an_exception(app, browser, name):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    try:
        page.goto(f"{app}/" if name == "home" else f"{app}/{name}")
        wait_for_script(page)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        errors = page.locator('[data-testid="stException"]')
        assert errors.count() == 0, f"{name}: " + "\n".join(errors.all_inner_texts())
        assert page.locator("h1").count() >= 1, f"{name} shows no title"
        # the app's own navigation, also when a page other than Home is the server's first request (the first
        # parameter, "analogies", is): see widgets._leave_legacy_pages_mode
        assert page.get_by_text("Classic experiments").count() == 1, f"{name} lacks the app's navigation"
    finally:
        page.close()


def test_the_run_selector_follows_into_the_url(app, browser):
    page = browser.new_page()
    try:
        page.goto(f"{app}/how_it_works")
        page.wait_for_url("**run=*", timeout=90_000)  # select_run mirrors the chosen run into ?run=...
        page.get_by_text("Tokens in the corpus").wait_for(timeout=90_000)
    finally:
        page.close()


def test_clicking_a_word_shows_its_neighbours_in_both_models(app, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    try:
        page.goto(f"{app}/embedding_space")
        wait_for_script(page)
        point = page.locator('.vega-embed g.mark-symbol path[aria-label*="word: dog;"]').first
        point.click(force=True)
        page.get_by_text("Clicked word: dog").wait_for(timeout=60_000)
        assert page.get_by_text("Nearest neighbours at epoch").count() == 1
        page.screenshot(path=str(SHOTS / "embedding_space_clicked.png"), full_page=True)
    finally:
        page.close()


def test_axes_from_words_draw_their_points_and_a_typed_word_follows_into_the_link(app, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    try:
        page.goto(f"{app}/embedding_space?proj=Axes+from+words")
        wait_for_script(page)
        points = page.locator('.vega-embed g.mark-symbol path[aria-label*="word: "]')
        assert points.count() > 10, "the axes' chart drew no points"  # a Vega error draws an empty chart
        assert page.locator(".vega-embed text", has_text="cosine with").count() >= 2  # both axes have titles
        page.screenshot(path=str(SHOTS / "embedding_space_axes.png"), full_page=True)
        box = page.locator('[data-testid="stTextInput"] input').first
        box.fill("dog")
        box.press("Enter")
        page.wait_for_url("**ax_a=dog**", timeout=60_000)
        wait_for_script(page)
        page.locator(".vega-embed text", has_text="cosine with dog").first.wait_for(timeout=60_000)
    finally:
        page.close()


def test_a_link_restores_the_view_and_a_changed_control_follows_into_it(app, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    try:
        page.goto(f"{app}/neighbours?k=3&epoch=1")
        wait_for_script(page)
        # the link's k, not the page's default
        page.get_by_text("Overlap of the two lists (Jaccard@3)").wait_for(timeout=60_000)
        k = page.locator('[data-testid="stSlider"]').first.locator('[tabindex="0"]').first
        k.focus()
        page.keyboard.press("ArrowRight")  # the frontend writes a bound widget's new value into the URL
        page.wait_for_url("**k=4**", timeout=60_000)
        page.get_by_text("Overlap of the two lists (Jaccard@4)").wait_for(timeout=60_000)
        assert "epoch=1" in page.url and "run=" in page.url
    finally:
        page.close()


def test_switching_corpus_puts_its_preset_into_the_inputs(app, browser):
    """In a browser the inputs keep what the browser holds unless the page sets them: a case AppTest cannot see."""
    from lib.data.presets import preset_config

    toy, text = preset_config("toy-proximity"), preset_config("my_text.txt")
    assert (toy.dim, toy.alpha) != (text.dim, text.alpha)
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    try:
        page.goto(f"{app}/train")
        wait_for_script(page)

        def shown():
            return (
                int(page.locator("input[aria-label=dim]").input_value()),
                float(page.locator("input[aria-label=alpha]").input_value()),
            )

        assert shown() == (toy.dim, toy.alpha)
        page.get_by_text("Your text file", exact=True).first.click()
        page.get_by_text("Upload a text file to train on it").wait_for(timeout=60_000)
        wait_for_script(page)
        assert shown() == (text.dim, text.alpha)
        page.get_by_text("Toy language", exact=True).first.click()
        wait_for_script(page)
        assert shown() == (toy.dim, toy.alpha)
    finally:
        page.close()


COMPARISON_PAGES = ["embedding_space", "neighbours", "similarity", "analogies"]


def two_runs(root) -> tuple[str, str]:
    """The ids of the window-2 run (newest) and the window-5 run."""
    from lib.runs.listing import list_runs

    by_window = {r.train_config.window: r.id for r in list_runs(root)}
    return by_window[2], by_window[5]


@pytest.mark.parametrize("name", [*COMPARISON_PAGES, "embedding_space-3D"])
def test_a_link_to_two_runs_opens_each_comparison_page_on_both(app, app_runs, browser, name):
    a, b = two_runs(app_runs)
    page_name, _, view = name.partition("-")
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    try:
        page.goto(f"{app}/{page_name}?run={a}&vs={b}" + (f"&view={view}" if view else ""))
        wait_for_script(page)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"compare_{name}.png"), full_page=True)
        errors = page.locator('[data-testid="stException"]')
        assert errors.count() == 0, f"{name}: " + "\n".join(errors.all_inner_texts())
        page.get_by_text("The runs differ in window 2 vs 5", exact=False).first.wait_for(timeout=60_000)
        assert f"vs={b}" in page.url and f"run={a}" in page.url
        assert page.get_by_text(f"{b[-6:]} · pytorch", exact=False).count() >= 1  # side B named on the page
        if view:
            page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
            assert "view=3D" in page.url
    finally:
        page.close()


def test_picking_a_word_under_what_changed_opens_it_at_the_top_and_in_the_link(app, app_runs, browser):
    a, b = two_runs(app_runs)
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    try:
        page.goto(f"{app}/neighbours?run={a}&vs={b}")
        wait_for_script(page)
        table = page.locator(".st-key-changed_sides").first
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection box (rows are 35 px)
        page.wait_for_url("**word=a**", timeout=60_000)  # "a" leads the table: every list agrees, rank 1 first
        wait_for_script(page)
        assert f"vs={b}" in page.url  # the comparison stays
        page.get_by_text("nearest words to 'a' at epoch 2", exact=False).first.wait_for(timeout=60_000)
    finally:
        page.close()
