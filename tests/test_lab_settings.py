"""JupyterLab never asks a learner about news and never checks for updates online: the
settings in jupyter/ are installed into the environment that runs the course (Makefile,
install), and the server reads them (checked on the real LabApp configuration loader)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PREFIX = Path(sys.prefix)


def test_lab_settings_overrides_are_installed():
    installed = PREFIX / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert installed.exists(), f"{installed} missing: run make install"
    got = json.loads(installed.read_text(encoding="utf-8"))
    assert got == json.loads((REPO / "jupyter" / "overrides.json").read_text(encoding="utf-8"))
    notes = got["@jupyterlab/apputils-extension:notification"]
    assert notes["fetchNews"] == "false" and notes["checkForUpdates"] is False


def test_server_config_turns_news_and_update_checks_off():
    from jupyter_core.paths import jupyter_config_path
    from jupyterlab.labapp import LabApp
    from traitlets.config.loader import JSONFileConfigLoader

    found = [Path(d) / "jupyter_server_config.d" / "course.json" for d in jupyter_config_path()]
    path = next((p for p in found if p.exists()), None)
    assert path is not None, f"course.json not in any of {found}"
    cfg = JSONFileConfigLoader(path.name, str(path.parent)).load_config()
    app = LabApp(config=cfg)
    assert app.news_url is None
    assert app.check_for_updates_class.__name__ == "NeverCheckForUpdate"
