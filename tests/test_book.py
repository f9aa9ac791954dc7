"""``make book`` works offline: the rendered book, built here for a fast subset of chapters.

``book/build.py --only 00_start_here`` (the chapter that runs in ~3 s and has math, a widget
and the glossary) builds into a temporary folder, executing the notebook in the offline
kernel (network blocked) with a fresh execution cache, exactly as ``make book`` does for
every chapter. Checked:

- the book folds away the exercises' answers and hidden tests (tag ``hide-input``);
- every page of what was built exists (index, the chapter, search), the sidebar lists the
  chapter, and a full build would stage every chapter of notebooks/ (``build.stage``);
- no cell errored (the build fails on an error; the HTML has no error output either);
- no ``http(s)://`` script or stylesheet reference in any HTML page, and no CSS file of
  ``_static`` ``@import``s one from the web;
- in headless Chromium (Debian's /usr/bin/chromium, as tests/test_browser_widgets.py; every
  request off the machine refused and recorded), the chapter page shows math typeset by
  MathJax (``mjx-container`` elements with a size), its frozen widget rendered, no script
  error, no request to the internet; the screenshot of the first formula goes to tmp; the
  search page finds "glossary".

Needs book/node_modules (``npm ci`` in book/, which make test runs when npm exists): without
it the test is skipped with a message, unless COURSE_REQUIRE_BROWSER=1, where it fails.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "book"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SUBSET = ["00_start_here"]

sys.path.insert(0, str(BOOK))
import build as book_build  # noqa: E402


def _need(path: Path, what: str) -> None:
    if path.exists():
        return
    msg = f"{path} missing ({what}): book test skipped"
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(msg + " (COURSE_REQUIRE_BROWSER=1)")
    pytest.skip(msg)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    _need(BOOK / "node_modules" / "mathjax", "run `npm ci` in book/; make test does it")
    out = tmp_path_factory.mktemp("book")
    proc = subprocess.run([sys.executable, str(BOOK / "build.py"), "--out", str(out),
                           "--only", ",".join(SUBSET)], capture_output=True, text=True, timeout=900)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"the book build failed:\n{log[-5000:]}"
    return out, log


class _Refs(HTMLParser):
    """The URLs of a page's scripts and stylesheets (and preloads)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.refs.append(a["src"])
        if tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {
                "stylesheet", "preload", "modulepreload", "prefetch"}:
            self.refs.append(a["href"])


def remote_refs(html: str) -> list[str]:
    p = _Refs()
    p.feed(html)
    return [r for r in p.refs if re.match(r"(https?:)?//", r.strip(), re.I)]


def test_remote_refs_finds_cdn_scripts_and_stylesheets():  # the checker itself can fail
    page = ('<script src="https://cdn.x/a.js"></script><script src="_static/b.js"></script>'
            '<link rel="stylesheet" href="//fonts.x/c.css"><link rel="next" href="https://x/">')
    assert remote_refs(page) == ["https://cdn.x/a.js", "//fonts.x/c.css"]


def test_a_full_build_stages_every_chapter(tmp_path):
    src = book_build.stage(tmp_path)
    want = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in (src / "notebooks").glob("*.ipynb")) == want
    assert "notebooks/[0-9][0-9]_*" in (src / "index.md").read_text(encoding="utf-8")  # the toctree


def test_the_book_folds_away_answers_and_hidden_tests():
    path = REPO / "notebooks" / "02_convolution_arithmetic.ipynb"
    shown = nbformat.reads(book_build.book_notebook(path).decode("utf-8"), as_version=4)
    source = nbformat.read(path, as_version=4)
    graded = [i for i, c in enumerate(source.cells) if c.metadata.get("nbgrader", {}).get("solution")
              or c.metadata.get("nbgrader", {}).get("grade")]
    assert graded, "chapter 02 has exercises"
    assert [i for i, c in enumerate(shown.cells) if "hide-input" in c.metadata.get("tags", [])] == graded
    assert [c.source for c in shown.cells] == [c.source for c in source.cells]  # the same code runs


def test_every_built_page_exists_with_the_sidebar_and_search(built):
    out, _ = built
    html = out / "html"
    for page in ["index.html", "search.html", "searchindex.js", "genindex.html"]:
        assert (html / page).is_file(), page
    index = (html / "index.html").read_text(encoding="utf-8")
    for name in SUBSET:
        assert (html / "notebooks" / f"{name}.html").is_file(), name
        assert f'href="notebooks/{name}.html"' in index, f"{name} missing from the sidebar"
    assert "Glossary" in (html / "notebooks" / "00_start_here.html").read_text(encoding="utf-8")


def test_no_cell_errored(built):
    out, log = built
    assert "Executing notebook failed" not in log and "CellExecutionError" not in log
    for page in (out / "html").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "output traceback" not in text and "output error" not in text, page.name


def test_no_script_or_stylesheet_from_the_web(built):
    out, _ = built
    pages = list((out / "html").rglob("*.html"))
    assert len(pages) >= 4
    bad = {p.name: remote_refs(p.read_text(encoding="utf-8")) for p in pages}
    assert not any(bad.values()), {k: v for k, v in bad.items() if v}
    imports = [css.name for css in (out / "html" / "_static").rglob("*.css")
               if re.search(r"@import\s+url\(\s*['\"]?(https?:)?//", css.read_text(errors="replace"))]
    assert imports == [], f"stylesheets importing from the web: {imports}"


def offline_page(browser, height: int, external: list, errors: list):
    """A 1280 x ``height`` page of ``browser`` whose every request off the machine is refused
    and recorded in ``external``; script errors go to ``errors`` (book and slides tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": height})

    def offline(route):
        if route.request.url.startswith(("http:", "https:")):
            external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", offline)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def test_math_and_frozen_widget_render_in_chromium(built, tmp_path):
    out, _ = built
    _need(CHROMIUM, "apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    external, errors = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = offline_page(browser, 900, external, errors)
            page.goto((out / "html" / "notebooks" / "00_start_here.html").as_uri())
            page.wait_for_function("document.querySelectorAll('mjx-container').length > 0", timeout=60_000)
            page.wait_for_function("document.querySelectorAll('.jupyter-widgets').length > 0", timeout=60_000)
            math = page.locator("mjx-container").first
            math.scroll_into_view_if_needed()
            box = math.bounding_box()
            math.screenshot(path=str(tmp_path / "book_math.png"))
            page.screenshot(path=str(tmp_path / "book_page.png"))
            raw_tex = page.evaluate(r"""() => [...document.querySelectorAll('article p, article li')]
                                         .filter(e => /\\\(|\$[^$\s][^$]*\$/.test(e.innerText)).length""")
            # the search page finds pages from disk too (searchindex.js; the snippets under
            # each hit need a web server: fetch() of file:// is refused, hence errors there)
            page_errors = list(errors)
            page.goto((out / "html" / "search.html").as_uri() + "?q=glossary")
            page.wait_for_function("document.querySelectorAll('#search-results li').length > 0",
                                   timeout=60_000)
        finally:
            browser.close()
    assert box and box["width"] > 5 and box["height"] > 5, f"MathJax output has no size: {box}"
    assert (tmp_path / "book_math.png").stat().st_size > 200
    assert raw_tex == 0, f"{raw_tex} paragraph(s) still show TeX source"
    assert page_errors == [], f"script errors on the page: {page_errors}"
    assert external == [], f"the page tried to reach the internet: {external}"
