"""The files a deployment reads: .streamlit/config.toml, and the Pipfile Streamlit Community Cloud installs from."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from streamlit import config

ROOT = Path(__file__).resolve().parents[1]


def requirements(path: Path) -> dict[str, str]:
    lines = [line.strip() for line in path.read_text().splitlines()]
    reqs = [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]
    return {r.name.lower(): str(r.specifier) for r in reqs}


def test_the_pipfile_lists_requirements_txt_with_the_cpu_build_of_torch():
    pipfile = tomllib.loads((ROOT / "Pipfile").read_text())
    sources = {s["name"]: s["url"] for s in pipfile["source"]}
    assert sources == {"pypi": "https://pypi.org/simple", "pytorch-cpu": "https://download.pytorch.org/whl/cpu"}
    packages = pipfile["packages"]
    torch = packages.pop("torch")
    assert torch["index"] == "pytorch-cpu"
    local = requirements(ROOT / "requirements.txt")
    assert torch["version"] == local.pop("torch") + "+cpu"  # the same release, CPU-only
    assert {name.lower(): spec for name, spec in packages.items()} == local


def test_requirements_txt_names_no_index_that_an_offline_install_would_wait_for():
    text = (ROOT / "requirements.txt").read_text()
    assert "--extra-index-url" not in text and "--index-url" not in text and "+cpu" not in text


def test_the_app_config_uses_streamlits_own_option_names():
    options = config.get_config_options()
    app = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    names = [f"{section}.{key}" for section, values in app.items() for key in values]
    assert [name for name in names if name not in options] == []
    assert app["browser"]["gatherUsageStats"] is False
    assert app["client"]["toolbarMode"] in ("viewer", "minimal")  # no Deploy button
    assert app["theme"]["primaryColor"].startswith("#")


# Streamlit features the app uses, and the release that brought each (Streamlit's release notes): a floor in
# requirements.txt below one of them lets pip keep an older Streamlit, and the first page using it fails.
STREAMLIT_FEATURES = {"bind=": "1.55", "st.segmented_control(": "1.40", ".segmented_control(": "1.40"}
# (the floor itself, 1.65, is higher: 1.64 and older failed the suite; docs/design.md, "Dependency floors")


def test_the_streamlit_floor_is_no_older_than_a_feature_the_app_uses():
    from packaging.version import Version

    code = "\n".join(p.read_text() for p in [ROOT / "widgets.py", ROOT / "streamlit_app.py", *ROOT.glob("pages/*.py")])
    floor = Version(requirements(ROOT / "requirements.txt")["streamlit"].removeprefix(">="))
    too_new = {
        feature: since for feature, since in STREAMLIT_FEATURES.items() if feature in code and floor < Version(since)
    }
    assert not too_new, f"streamlit>={floor} in requirements.txt, but the app uses {too_new} (feature: first release)"
