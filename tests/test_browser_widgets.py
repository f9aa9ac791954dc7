"""The convolution explorer works in a real JupyterLab, in a real (headless) browser.

Starts JupyterLab on 127.0.0.1 with a random free port and a random token, serving a
temporary copy of notebooks/ (so nothing is saved into the committed notebooks), with the
offline kernel of tests/offline (network blocked). Headless Chromium, driven by
Playwright, opens notebooks/02_convolution_arithmetic.ipynb, runs all cells from the Run
menu, waits for the explorer widget, presses ArrowRight on its "n" slider and asserts
that the rendered output (summary line and image) changed. Screenshots of the explorer
before and after go to bench/screenshots/. Server and browser are stopped at the end,
pass or fail.

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
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "02_convolution_arithmetic.ipynb"
SCREENSHOTS = REPO / "bench" / "screenshots"
OFFLINE_JUPYTER_PATH = REPO / "tests" / "offline"  # its kernels/python3 is the guarded kernel
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
RUN_ALL_TIMEOUT_S = 300  # the notebook's budget is 60 s on an idle machine; CI may be busy


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


def _start_lab(root: Path, work: Path) -> tuple[subprocess.Popen, str, Path]:
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
                    return proc, f"{url}/lab/tree/{NOTEBOOK}?token={token}", log
        except OSError:
            time.sleep(0.5)
    _stop(proc)
    raise RuntimeError(f"JupyterLab did not answer within 120 s:\n{log.read_text()[-3000:]}")


# JS: find the explorer (the outermost VBox whose first child, the controls box, holds
# the slider labelled "n"),
# mark it and its parts for locators; return None until it is rendered.
_FIND_EXPLORER = """
() => {
  const sliders = [...document.querySelectorAll('.widget-slider')];
  const n = sliders.find(s => (s.querySelector('.widget-label')?.textContent || '').trim() === 'n');
  if (!n) return null;
  // the outermost VBox (below the cell output) whose first child holds the slider
  let box = null;
  for (let el = n.parentElement; el && !el.classList.contains('jp-OutputArea-output');
       el = el.parentElement) {
    if (el.classList.contains('widget-vbox') && el.children.length >= 2
        && el.firstElementChild.contains(n)) box = el;
  }
  if (!box) return null;
  box.setAttribute('data-test', 'conv-explorer');
  n.setAttribute('data-test', 'slider-n');
  [...box.children].slice(1).forEach((c, k) => c.setAttribute('data-test', 'explorer-out-' + k));
  return box.children.length;
}
"""

_OUTPUT_TEXT = """
() => [...document.querySelectorAll('[data-test^="explorer-out-"]')]
        .map(e => e.innerText.trim()).join(' | ')
"""

_IMAGES_READY = """
() => [...document.querySelectorAll('[data-test="conv-explorer"] img')]
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
    """What the explorer shows now: its text and a screenshot of every output child."""
    shots = b"".join(page.locator('[data-test^="explorer-out-"]').nth(k).screenshot()
                     for k in range(page.locator('[data-test^="explorer-out-"]').count()))
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


def run_explorer_check(notebooks_dir: Path, work: Path, notebook: str = NOTEBOOK) -> dict:
    """Open ``notebook`` in JupyterLab in Chromium, run all, move slider "n"; return findings."""
    from playwright.sync_api import sync_playwright

    root = work / "root"
    shutil.copytree(notebooks_dir, root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if (REPO / "data").is_dir():
        (root / "data").symlink_to(REPO / "data")  # notebooks may read ../data
    proc = browser = None
    external: list[str] = []
    try:
        proc, url, log = _start_lab(root / "notebooks", work)
        url = url.replace(NOTEBOOK, notebook)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                         headless=True)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})

            def only_localhost(route):  # the page must not need the internet either
                host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
                if host in ("127.0.0.1", "localhost") or not route.request.url.startswith("http"):
                    route.continue_()
                else:
                    external.append(route.request.url)
                    route.abort()

            context.route("**/*", only_localhost)
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.goto(url)
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
            deadline = time.monotonic() + RUN_ALL_TIMEOUT_S
            _wait_run_all(page, deadline)
            page.wait_for_function(_FIND_EXPLORER, timeout=60_000)
            explorer = page.locator('[data-test="conv-explorer"]')
            explorer.scroll_into_view_if_needed()
            page.wait_for_function(_IMAGES_READY, timeout=60_000)
            time.sleep(1)  # let the first render settle
            before_text, before_png = _output_snapshot(page)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            explorer.screenshot(path=str(SCREENSHOTS / "conv_explorer_before.png"))

            slider = page.locator('[data-test="slider-n"]')
            readout_before = slider.locator(".widget-readout").inner_text().strip()
            handle = slider.locator(".noUi-handle").first
            handle.focus()
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
            explorer.screenshot(path=str(SCREENSHOTS / "conv_explorer_after.png"))
            readout_after = slider.locator(".widget-readout").inner_text().strip()
            kernel_name = page.locator("#jp-main-statusbar").inner_text()
            browser.close()
            browser = None
    finally:
        if browser is not None:
            try:
                browser.close()
            except Exception:  # already gone; the server still has to be stopped
                pass
        _stop(proc)
    return {"readout": (readout_before, readout_after), "text": (before_text, after_text),
            "png_changed": before_png != after_png, "external_requests": external,
            "statusbar": kernel_name}


@pytest.mark.timeout(900)
def test_conv_explorer_reacts_to_slider_in_jupyterlab(tmp_path):
    if not CHROMIUM.exists():
        msg = f"Chromium not installed at {CHROMIUM}: browser widget test skipped"
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + " (COURSE_REQUIRE_BROWSER=1: install it with apt-get install -y chromium)")
        pytest.skip(msg)
    if not (REPO / "notebooks" / NOTEBOOK).exists():
        pytest.fail(f"notebooks/{NOTEBOOK} does not exist")
    got = run_explorer_check(REPO / "notebooks", tmp_path)
    before, after = got["readout"]
    assert before.isdigit() and after == str(int(before) + 1), f"slider n did not move: {got['readout']}"
    assert got["text"][0] != got["text"][1], f"the explorer's text did not change: {got['text']}"
    assert got["png_changed"], "the explorer's rendered output (image) did not change"
    assert got["external_requests"] == [], f"the page tried to reach the internet: {got['external_requests']}"
    assert "offline: network blocked" in got["statusbar"], f"not the offline kernel: {got['statusbar']!r}"
