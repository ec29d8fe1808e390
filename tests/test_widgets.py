"""The one private Streamlit API the app relies on (widgets._leave_legacy_pages_mode): fails when it changes."""

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager

ROOT = Path(__file__).resolve().parents[1]


def test_a_pages_folder_still_switches_a_fresh_server_to_legacy_mode(monkeypatch):
    # the behaviour the workaround undoes: the class-level flag, None until the first session, set from pages/
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager(str(ROOT / "streamlit_app.py"))
    assert PagesManager.uses_pages_directory is True


def test_epoch_ranges_are_written_the_short_way():
    from widgets import epoch_range

    assert epoch_range([0, 1, 2, 3]) == "0–3"
    assert epoch_range([0, 2, 3, 4, 7]) == "0, 2–4, 7"
    assert epoch_range([5]) == "5" and epoch_range([]) == "none"


def test_state_from_a_link_is_parsed_and_checked():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from widgets import from_url

        st.write(repr([from_url("k", 8, int, range(3, 21)), from_url("focus", None, allowed={"king"})]))

    for params, expected in [
        ({"k": "12", "focus": "king"}, [12, "king"]),
        ({}, [8, None]),
        ({"k": "1e9", "focus": "[x](http://e)"}, [8, None]),
        ({"k": "x"}, [8, None]),
    ]:
        at = AppTest.from_function(page)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception and at.markdown[0].value == repr(expected)
