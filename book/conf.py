"""Sphinx configuration of the rendered book. Build it with ``make book`` (which runs
``book/build.py``: it stages book/index.md and notebooks/NN_*.ipynb into book/_build/src and
calls Sphinx with this configuration) -> book/_build/html/index.html.

Each notebook is executed at build time in the offline kernel of tests/offline (network
blocked, as in ``make test``), through myst-nb's cache (jupyter-cache in
book/_build/.jupyter_cache): a rebuild executes only the notebooks whose code changed. A cell
that raises, or an attempt to reach the network (even one a cell catches), fails the build.

Nothing is loaded from a CDN: MathJax, RequireJS and the widget manager are served from
``_static`` (copied from book/node_modules by ``book/assets.py``; ``npm ci`` installs them).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

BOOK = Path(__file__).resolve().parent
REPO = BOOK.parent
OFFLINE = REPO / "tests" / "offline"
sys.path.insert(0, str(BOOK))
import assets  # noqa: E402

# --- the offline kernel: the kernelspec "python3" of tests/offline/kernels -----------------
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [str(OFFLINE)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != str(OFFLINE)])
_NETGUARD_LOG = Path(tempfile.mkdtemp(prefix="book-netguard-")) / "blocked.jsonl"
os.environ["COURSE_NETGUARD_LOG"] = str(_NETGUARD_LOG)
# what JupyterLab gives a kernel (figures as inline PNG outputs)
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

project = "Deep learning, from scratch and checked"
author = "the course authors"
copyright = "the course authors"
root_doc = "index"
extensions = ["myst_nb"]
exclude_patterns = ["**/.ipynb_checkpoints"]

# --- execution: cached, offline, errors fail the build -------------------------------------
nb_execution_mode = "cache"
nb_execution_cache_path = str(BOOK / "_build" / ".jupyter_cache")  # build.py passes <out>/.jupyter_cache
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_allow_errors = False
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# --- served locally: MathJax, RequireJS, the widget manager --------------------------------
mathjax_path = "mathjax/tex-mml-chtml.js"  # relative: under _static/
mathjax3_config = {"tex": {"tags": "ams"}}
# a widget model outside ipywidgets' own would be looked up under _static/ (there is none)
nb_ipywidgets_js = {
    "require.js": {},
    "require_config.js": {},
    "@jupyter-widgets/html-manager/dist/embed-amd.js": {"data-jupyter-widgets-cdn": "_static/",
                                                        "data-jupyter-widgets-cdn-only": ""},
}

html_theme = "sphinx_book_theme"
html_title = "Deep learning course"
html_static_path: list[str] = []
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": True,
    "use_fullscreen_button": True,
    "navigation_with_keys": False,
}
html_last_updated_fmt = None
suppress_warnings = ["mystnb.unknown_mime_type"]


def _stage_assets(app) -> None:
    """Copy the local JavaScript next to the build (``_static/`` of the HTML)."""
    dest = assets.stage(Path(app.outdir).parent / "_assets", slides=False)
    app.config.html_static_path.append(str(dest))


def _no_network_attempts(app, exception) -> None:
    """Fail the build if a notebook tried to reach the network, even if the cell caught it."""
    if exception is None and _NETGUARD_LOG.exists() and _NETGUARD_LOG.read_text().strip():
        hosts = sorted({json.loads(x).get("host", "?") for x in _NETGUARD_LOG.read_text().splitlines() if x})
        raise RuntimeError(f"a notebook tried to reach the network ({', '.join(hosts)}) while the book "
                           "was built; notebooks must run offline")


def setup(app):
    app.connect("builder-inited", _stage_assets)
    app.add_js_file("mathjax_hub_shim.js", priority=100)  # before MathJax (priority 500)
    app.connect("build-finished", _no_network_attempts)
