"""Every chapter's main widget works in a real JupyterLab, in a real (headless) browser.

One JupyterLab on 127.0.0.1 (random free port, random token) serves a temporary copy of
notebooks/ (so nothing is saved into the committed notebooks) with the offline kernel of
tests/offline (network blocked); one headless Chromium, driven by Playwright, visits it.
For each row of ``CHAPTERS`` the test opens the notebook, runs all cells from the Run
menu, finds the widget by the label of one of its sliders, presses ArrowRight on that
slider and asserts that the slider moved by one step and that the widget's rendered
output (its message line and its image) changed. Screenshots of the widget before and
after go to bench/screenshots/<shot>_before.png / _after.png. The kernel of each notebook
is shut down after its check; server and browser are stopped at the end, pass or fail.

A chapter adds its widget with one line in ``CHAPTERS``.

Needs Debian's ``chromium`` at /usr/bin/chromium (``apt-get install -y chromium``);
Playwright never downloads a browser here. Without it the test is skipped with a message,
unless COURSE_REQUIRE_BROWSER=1 (set by .ci/run), where it fails.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "bench" / "screenshots"
OFFLINE_JUPYTER_PATH = REPO / "tests" / "offline"  # its kernels/python3 is the guarded kernel
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
RUN_ALL_TIMEOUT_S = 900  # a notebook's budget is a few minutes on an idle machine; CI may be busy


@dataclass(frozen=True)
class Chapter:
    """One chapter's widget check: open ``notebook``, find the widget holding the slider
    labelled ``slider``, press ArrowRight on it; its message and image must change."""

    notebook: str
    slider: str   # the slider's label: unique among the notebook's sliders
    shot: str     # screenshot names: bench/screenshots/<shot>_before.png, <shot>_after.png


# chapter -> (notebook, the slider that identifies its main widget, screenshot name)
CHAPTERS = {
    "01 optim": Chapter("01_optimizers_and_training.ipynb", "steps", "optimizer_trajectories"),
    "02 conv": Chapter("02_convolution_arithmetic.ipynb", "n", "conv_explorer"),
    "03 cnn": Chapter("03_cnn_architectures.ipynb", "filter", "filter_viewer"),
    "04 detection": Chapter("04_object_detection.ipynb", "A x1", "iou_explorer"),
    "06 sequences": Chapter("06_sequence_models.ipynb", "unit block", "gate_explorer"),
    "07 embeddings": Chapter("07_word_embeddings.ipynb", "answers", "neighbour_explorer"),
    "05 segmentation": Chapter("05_semantic_segmentation.ipynb", "scene", "scene_viewer"),
    "09 faces": Chapter("09_face_recognition.ipynb", "example", "threshold_explorer"),
    "08 gan": Chapter("08_generative_adversarial_networks.ipynb", "snapshot", "training_view"),
    "10 style": Chapter("10_neural_style_transfer.ipynb", "log10 beta (alpha = 1)", "style_explorer"),
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen | None) -> None:
    """Stop the process group we started (server and its kernels), politely then firmly."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def _start_lab(root: Path, work: Path) -> tuple[subprocess.Popen, str, str, Path]:
    port, token = _free_port(), secrets.token_hex(24)
    env = dict(os.environ)
    env.update(
        JUPYTER_PATH=str(OFFLINE_JUPYTER_PATH),  # the kernel "python3" is the offline one
        JUPYTER_CONFIG_DIR=str(work / "config"),  # no user config leaks in
        JUPYTER_RUNTIME_DIR=str(work / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"),
    )
    # never fetch the Jupyter news feed (and do not ask: the toast would cover the widget)
    news = work / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text('{"fetchNews": "false"}', encoding="utf-8")
    log = work / "jupyterlab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--allow-root",  # CI containers run as root
           # nothing in the server reaches out either: no news feed, update check, PyPI
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly"]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return proc, url, token, log
        except OSError:
            time.sleep(0.5)
    _stop(proc)
    raise RuntimeError(f"JupyterLab did not answer within 120 s:\n{log.read_text()[-3000:]}")


# JS: find a chapter's widget: the outermost VBox (below the cell output) that holds the
# slider labelled ``arg``; mark it, the slider and the widget's outputs (its HTML message
# and its image) for locators; return None until it is rendered.
_FIND_WIDGET = """
(label) => {
  const sliders = [...document.querySelectorAll('.widget-slider')];
  const n = sliders.find(s => (s.querySelector('.widget-label')?.textContent || '').trim() === label);
  if (!n) return null;
  let box = null;
  for (let el = n.parentElement; el && !el.classList.contains('jp-OutputArea-output');
       el = el.parentElement) {
    if (el.classList.contains('widget-vbox') && el.children.length >= 2) box = el;
  }
  if (!box) return null;
  const outs = [...box.children].filter(c => c.classList.contains('widget-html')
                                           || c.classList.contains('widget-image'));
  if (outs.length === 0) return null;
  box.setAttribute('data-test', 'chapter-widget');
  n.setAttribute('data-test', 'widget-slider');
  outs.forEach((c, k) => c.setAttribute('data-test', 'widget-out-' + k));
  return outs.length;
}
"""

_OUTPUT_TEXT = """
() => [...document.querySelectorAll('[data-test^="widget-out-"]')]
        .map(e => e.innerText.trim()).join(' | ')
"""

_IMAGES_READY = """
() => [...document.querySelectorAll('[data-test="chapter-widget"] img')]
        .every(i => i.complete && i.naturalWidth > 0)
"""

_ERRORS = """
() => [...document.querySelectorAll('.jp-OutputArea-output')]
        .map(e => e.innerText).filter(t => t.includes('Traceback (most recent call last)'))
"""

_PROMPTS = """
() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
        .map(e => e.textContent.trim())
"""

_KERNEL_IDLE = """
() => (document.querySelector('#jp-main-statusbar')?.innerText || '').includes('Idle')
"""

_STARTED = """
() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
        .some(e => e.textContent.trim() !== '[ ]:')
"""


def _output_snapshot(page) -> tuple[str, bytes]:
    """What the widget shows now: its text and a screenshot of every output (message, image)."""
    outs = page.locator('[data-test^="widget-out-"]')
    shots = b"".join(outs.nth(k).screenshot() for k in range(outs.count()))
    return page.evaluate(_OUTPUT_TEXT), shots


def _wait_run_all(page, deadline: float) -> None:
    """Wait until every code cell has an execution count; fail early on a traceback."""
    while time.monotonic() < deadline:
        errors = page.evaluate(_ERRORS)
        if errors:
            pytest.fail("A cell raised while JupyterLab ran all cells:\n" + errors[0][-3000:],
                        pytrace=False)
        prompts = page.evaluate(_PROMPTS)
        if prompts and all(p.startswith("[") and p[1:-2].strip().isdigit() for p in prompts):
            return
        time.sleep(1)
    pytest.fail(f"Run All did not finish within {RUN_ALL_TIMEOUT_S} s; prompts: "
                f"{page.evaluate(_PROMPTS)}", pytrace=False)


def _shutdown_sessions(url: str, token: str) -> None:
    """End every session of the server and its kernel (the chapter just checked), so kernels
    do not pile up."""
    with urllib.request.urlopen(f"{url}/api/sessions?token={token}", timeout=10) as r:
        sessions = json.load(r)
    for sess in sessions:
        req = urllib.request.Request(f"{url}/api/sessions/{sess['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(req, timeout=60).close()


class Lab:
    """A JupyterLab server and a headless Chromium, shared by the chapters' checks."""

    def __init__(self, work: Path) -> None:
        from playwright.sync_api import sync_playwright

        root = work / "root"
        shutil.copytree(REPO / "notebooks", root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        if (REPO / "data").is_dir():
            (root / "data").symlink_to(REPO / "data")  # notebooks may read ../data
        self.proc = self.browser = self._pw = None
        self.external: list[str] = []
        try:
            self.proc, self.url, self.token, self.log = _start_lab(root / "notebooks", work)
            self._pw = sync_playwright().start()
            self.browser = self._pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                                    headless=True)
        except BaseException:
            self.close()
            raise

    def new_page(self):
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000})

        def only_localhost(route):  # the page must not need the internet either
            host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
            if host in ("127.0.0.1", "localhost") or not route.request.url.startswith("http"):
                route.continue_()
            else:
                self.external.append(route.request.url)
                route.abort()

        context.route("**/*", only_localhost)
        page = context.new_page()
        page.set_default_timeout(120_000)
        return context, page

    def close(self) -> None:
        for closer in (lambda: self.browser and self.browser.close(), lambda: self._pw and self._pw.stop()):
            try:
                closer()
            except Exception:  # already gone; the server still has to be stopped
                pass
        _stop(self.proc)


def _run_all(page) -> None:
    """Run all cells from the Run menu once the kernel is idle; wait until every cell ran."""
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", state="attached")
    # the kernel must be up before Run All (its status shows in the toolbar)
    page.wait_for_selector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator'
                           '[data-status="idle"]', state="attached", timeout=120_000)
    page.wait_for_function(_KERNEL_IDLE, timeout=120_000)
    time.sleep(2)  # JupyterLab may still swap the session's kernel right after start
    for attempt in range(3):  # a Run All sent while the kernel was swapped is lost
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]').click()
        try:
            page.wait_for_function(_STARTED, timeout=30_000)
            break
        except Exception:  # playwright's TimeoutError: nothing started, send it again
            if attempt == 2:
                raise
    _wait_run_all(page, time.monotonic() + RUN_ALL_TIMEOUT_S)


def run_widget_check(lab: Lab, chapter: Chapter) -> dict:
    """Open ``chapter.notebook``, run all, press ArrowRight on its slider; return findings."""
    context, page = lab.new_page()
    try:
        # a workspace of its own, so JupyterLab does not reopen the previous chapter's notebook
        workspace = chapter.shot.replace("_", "-")
        page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{chapter.notebook}?reset&token={lab.token}")
        _run_all(page)
        page.wait_for_function(_FIND_WIDGET, arg=chapter.slider, timeout=60_000)
        widget = page.locator('[data-test="chapter-widget"]')
        widget.scroll_into_view_if_needed()
        page.wait_for_function(_IMAGES_READY, timeout=60_000)
        time.sleep(1)  # let the first render settle
        before_text, before_png = _output_snapshot(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        widget.screenshot(path=str(SCREENSHOTS / f"{chapter.shot}_before.png"))

        slider = page.locator('[data-test="widget-slider"]')
        readout_before = slider.locator(".widget-readout").inner_text().strip()
        slider.locator(".noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        after_text, after_png = before_text, before_png
        changed_deadline = time.monotonic() + 60
        while time.monotonic() < changed_deadline:
            page.wait_for_function(_IMAGES_READY, timeout=60_000)
            after_text, after_png = _output_snapshot(page)
            if after_text != before_text and after_png != before_png:
                break
            time.sleep(0.5)
        time.sleep(0.5)
        widget.screenshot(path=str(SCREENSHOTS / f"{chapter.shot}_after.png"))
        readout_after = slider.locator(".widget-readout").inner_text().strip()
        statusbar = page.locator("#jp-main-statusbar").inner_text()
        news_prompt = page.get_by_text("official Jupyter news").count()
    finally:
        context.close()
        try:
            _shutdown_sessions(lab.url, lab.token)
        except OSError:  # the server is gone: the fixture reports it when it stops
            pass
    return {"readout": (readout_before, readout_after), "text": (before_text, after_text),
            "png_changed": before_png != after_png, "external_requests": list(lab.external),
            "statusbar": statusbar, "news_prompt": news_prompt}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not CHROMIUM.exists():
        msg = f"Chromium not installed at {CHROMIUM}: browser widget test skipped"
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + " (COURSE_REQUIRE_BROWSER=1: install it with apt-get install -y chromium)")
        pytest.skip(msg)
    server = Lab(tmp_path_factory.mktemp("lab"))
    try:
        yield server
    finally:
        server.close()


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("chapter", list(CHAPTERS.values()), ids=list(CHAPTERS))
def test_chapter_widget_reacts_to_its_slider_in_jupyterlab(lab, chapter):
    if not (REPO / "notebooks" / chapter.notebook).exists():
        pytest.fail(f"notebooks/{chapter.notebook} does not exist")
    got = run_widget_check(lab, chapter)
    before, after = got["readout"]
    assert before.isdigit() and after == str(int(before) + 1), \
        f"slider {chapter.slider!r} did not move: {got['readout']}"
    assert got["text"][0] != got["text"][1], f"the widget's text did not change: {got['text']}"
    assert got["png_changed"], "the widget's rendered output (image) did not change"
    assert got["external_requests"] == [], f"the page tried to reach the internet: {got['external_requests']}"
    assert "offline: network blocked" in got["statusbar"], f"not the offline kernel: {got['statusbar']!r}"
    assert got["news_prompt"] == 0, "JupyterLab asked about Jupyter news (see jupyter/README.md)"
