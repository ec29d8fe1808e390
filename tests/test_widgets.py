"""The one private Streamlit API the app relies on (widgets._leave_legacy_pages_mode): fails when it changes."""

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager

ROOT = Path(__file__).resolve().parents[1]


def test_a_pages_folder_still_switches_a_fresh_server_to_legacy_mode(monkeypatch):
    # the behaviour the workaround undoes: the class-level flag, None until the first session, set from pages/
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager(str(ROOT / "streamlit_app.py"))
    assert PagesManager.uses_pages_directory is True

