"""Classroom slides from the chapter notebooks: ``make slides`` -> slides/NN_name.slides.html.

    python book/make_slides.py [--out slides] [--only 02_convolution_arithmetic,...]
                               [--cache book/_build/.jupyter_cache]

Each notebook's slides are nbconvert's reveal.js slides (``jupyter nbconvert --to slides``,
run here through its Python API with book/slides_template/course_reveal, the reveal template
with MathJax 3, see there), built from the notebook with its outputs: those of the book's
execution cache (``make slides`` runs ``make book`` first, so nothing runs twice); a notebook
the cache does not hold (changed since, or no book built) is executed here in the offline
kernel of tests/offline. Slide breaks come from the cells' ``slideshow`` metadata
(book/tag_slides.py gives it by a stated rule).

Nothing is loaded from a CDN: reveal.js, MathJax, RequireJS, jQuery and the widget manager
are copied from book/node_modules into ``<out>/_static`` (book/assets.py) and the pages
point there (``reveal_url_prefix``, ``mathjax_url``, ``require_js_url``, ``jquery_url``,
``widget_renderer_url``), so the slides work from the folder, offline, as file:// pages.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat

BOOK = Path(__file__).resolve().parent
REPO = BOOK.parent
sys.path.insert(0, str(BOOK))
import assets  # noqa: E402
import build as book_build  # noqa: E402

OFFLINE_KERNELS = REPO / "tests" / "offline" / "kernels"
SLIDE_W, SLIDE_H = 1280, 720  # reveal.js slide size: a 1280x720 projector shows it unscaled


def chapters() -> list[Path]:
    return sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def execute_offline(nb, cwd: Path, timeout: int = 900):
    """Run ``nb`` in place in the offline kernel (network blocked); raise if a cell fails or
    the network was reached for."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    ksm = KernelSpecManager(kernel_dirs=[str(OFFLINE_KERNELS)], ensure_native_kernel=False)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=ksm)
    if not str(km.kernel_spec.resource_dir).startswith(str(OFFLINE_KERNELS)):
        raise RuntimeError(f"offline kernelspec not used: {km.kernel_spec.resource_dir}")
    fd, log = tempfile.mkstemp(prefix="slides-netguard-", suffix=".jsonl")
    os.close(fd)
    env = dict(os.environ, COURSE_NETGUARD_LOG=log,
               MPLBACKEND="module://matplotlib_inline.backend_inline")
    try:
        NotebookClient(nb, timeout=timeout, km=km, allow_errors=False, store_widget_state=True,
                       resources={"metadata": {"path": str(cwd)}}).execute(cwd=str(cwd), env=env)
        blocked = [json.loads(x) for x in Path(log).read_text().splitlines() if x.strip()]
    finally:
        os.unlink(log)
    if blocked:
        raise RuntimeError(f"the notebook tried to reach the network: {blocked}")
    return nb


def with_outputs(path: Path, cache_path: Path | None):
    """The notebook at ``path`` with its outputs: from the book's cache, else executed now.
    Returns (notebook, where the outputs came from)."""
    # as the book staged it (the cache keys on the code cells' source and metadata)
    nb = nbformat.reads(book_build.book_notebook(path).decode("utf-8"), as_version=4)
    if cache_path is not None and cache_path.is_dir():
        from jupyter_cache import get_cache

        try:
            _, merged = get_cache(str(cache_path)).merge_match_into_notebook(nb)
            return merged, "book cache"
        except KeyError:  # not cached (the notebook's code changed since the book was built)
            pass
    return execute_offline(nb, path.parent), "executed"


def exporter(static_prefix: str = "_static"):
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    s = static_prefix.rstrip("/")
    c = Config()
    c.SlidesExporter.extra_template_basedirs = [str(BOOK / "slides_template")]
    c.SlidesExporter.template_name = "course_reveal"
    c.SlidesExporter.reveal_url_prefix = f"{s}/reveal.js"
    c.SlidesExporter.mathjax_url = f"{s}/mathjax/tex-mml-chtml.js"
    c.SlidesExporter.require_js_url = f"{s}/require.js"
    c.SlidesExporter.jquery_url = f"{s}/jquery.min.js"
    c.SlidesExporter.widget_renderer_url = f"{s}/@jupyter-widgets/html-manager/dist/embed-amd.js"
    c.SlidesExporter.reveal_width = str(SLIDE_W)
    c.SlidesExporter.reveal_height = str(SLIDE_H)
    c.SlidesExporter.reveal_scroll = True  # a slide taller than the screen scrolls, not clips
    c.SlidesExporter.reveal_number = "c/t"
    c.SlidesExporter.reveal_theme = "white"  # its fonts are local (the default "simple" imports Google Fonts)
    return SlidesExporter(config=c)


def build(out: Path, only: list[str] | None = None, cache_path: Path | None = None) -> list[Path]:
    out = Path(out)
    assets.stage(out / "_static")
    paths = chapters()
    if only:
        unknown = sorted(set(only) - {p.stem for p in paths})
        if unknown:
            raise SystemExit(f"--only names no notebook of notebooks/: {unknown}")
        paths = [p for p in paths if p.stem in only]
    ex = exporter()
    written = []
    for p in paths:
        nb, source = with_outputs(p, cache_path)
        body, _ = ex.from_notebook_node(nb, resources={"metadata": {"name": p.stem}})
        target = out / f"{p.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
        print(f"{target} ({source})")
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "slides"))
    ap.add_argument("--only", default="", help="comma-separated notebook names (no .ipynb)")
    ap.add_argument("--cache", default=str(BOOK / "_build" / ".jupyter_cache"),
                    help="the book's execution cache ('' to execute every notebook here)")
    a = ap.parse_args(argv)
    only = [x.strip().removesuffix(".ipynb") for x in a.only.split(",") if x.strip()]
    build(Path(a.out), only or None, Path(a.cache) if a.cache else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
