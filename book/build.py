"""Build the rendered book: ``python book/build.py`` (what ``make book`` runs).

    python book/build.py [--out book/_build] [--only 00_start_here,02_convolution_arithmetic]

Stages the sources into ``<out>/src`` (``book/index.md`` and ``notebooks/NN_*.ipynb``, with
the exercises' answers folded away: ``book_notebook``; a file rewritten only when its content
changed, so Sphinx rebuilds only what changed) and
runs Sphinx with the configuration of ``book/conf.py``: HTML in ``<out>/html`` (open
``<out>/html/index.html``), the executed notebooks in ``<out>/jupyter_execute`` (``make
slides`` takes their outputs), the execution cache in ``<out>/.jupyter_cache``. ``--only``
builds a subset of the chapters (tests/test_book.py). Exit status: Sphinx's.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

BOOK = Path(__file__).resolve().parent
REPO = BOOK.parent


def chapters() -> list[Path]:
    """Every chapter notebook, in order (00_start_here first)."""
    return sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _sync(data: bytes, dst: Path) -> None:
    if not dst.exists() or dst.read_bytes() != data:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(data)


def book_notebook(path: Path) -> bytes:
    """The notebook as the book shows it: exercises' solution cells and graded test cells
    (nbgrader metadata) get the tag ``hide-input``, so the reader sees a "Show code cell
    source" button instead of the answer and the hidden tests (they still run)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade")):
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def stage(out: Path, only: list[str] | None = None) -> Path:
    """Copy the book's sources into ``out/src``; drop staged chapters no longer wanted."""
    names = [p.stem for p in chapters()]
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise SystemExit(f"--only names no notebook of notebooks/: {unknown}")
        names = [n for n in names if n in only]
    src = out / "src"
    _sync((BOOK / "index.md").read_bytes(), src / "index.md")
    for n in names:
        _sync(book_notebook(REPO / "notebooks" / f"{n}.ipynb"), src / "notebooks" / f"{n}.ipynb")
    for old in (src / "notebooks").glob("*.ipynb"):
        if old.stem not in names:
            old.unlink()
    return src


def build(out: Path, only: list[str] | None = None, quiet: bool = True) -> int:
    from sphinx.cmd.build import build_main

    out = Path(out).resolve()
    src = stage(out, only)
    args = ["-b", "html", "-c", str(BOOK), "-d", str(out / "doctrees"),
            "-D", f"nb_execution_cache_path={out / '.jupyter_cache'}",
            str(src), str(out / "html")]
    return build_main((["-q"] if quiet else []) + args)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(BOOK / "_build"))
    ap.add_argument("--only", default="", help="comma-separated notebook names (no .ipynb)")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)
    only = [x.strip().removesuffix(".ipynb") for x in a.only.split(",") if x.strip()]
    return build(Path(a.out), only or None, quiet=not a.verbose)


if __name__ == "__main__":
    sys.exit(main())
