"""Give every cell of a chapter notebook its slide metadata, by one stated rule.

    python book/tag_slides.py notebooks/02_convolution_arithmetic.ipynb [...] [--check]

The rule (``slide_type`` of cell metadata ``"slideshow"``, what RISE and
``jupyter nbconvert --to slides`` read):

- a markdown cell whose first non-blank line is a ``# `` title or a ``## `` heading -> "slide";
- a markdown cell whose first non-blank line is a ``### `` heading -> "subslide";
- any other markdown cell that follows a code cell -> "subslide": each prose -> code (->
  figure) step of a section gets a view of its own (down arrow), so a long ``##`` section is
  not one tall slide that scrolls;
- a code cell that is set-up or helper-only -> "skip": the set-up cell (it calls
  ``course_lib.setup(...)``, with the imports and data loading around it), or a cell made
  only of imports and IPython ``%``/``!`` lines;
- every other cell -> "-" (it continues the current slide), unless an author already gave it
  a slide type (e.g. "fragment", "notes", or "subslide" to split a long section): the rule
  fixes headings and set-up cells; a teacher's refinement elsewhere survives a re-run.

Only cell metadata changes; the file is written as nbformat writes it (JSON, indent 1), so
``git diff`` shows only the ``slideshow`` lines. ``--check`` changes nothing and exits 1 if a
notebook's metadata differs from the rule (tests/test_slides.py runs the same check).
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import nbformat

TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")  # what RISE/nbconvert know


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "")


def _is_setup_only(source: str) -> bool:
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return False
    if not tree.body:
        return bool(source.strip())  # only magics
    for node in ast.walk(tree):  # the set-up cell
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "setup" and getattr(node.func.value, "id", "") == "course_lib"):
            return True
    return all(isinstance(stmt, (ast.Import, ast.ImportFrom)) for stmt in tree.body)


def slide_type(cell, previous=None) -> str:
    """The slide type the rule gives ``cell`` after the cell ``previous`` (None: the first
    cell), ignoring any author's fragment/notes."""
    if cell.cell_type == "markdown":
        first = _first_line(cell.source)
        if first.startswith(("# ", "## ")):
            return "slide"
        if first.startswith("### "):
            return "subslide"
        if previous is not None and previous.cell_type == "code":
            return "subslide"
        return "-"
    if cell.cell_type == "code" and _is_setup_only(cell.source):
        return "skip"
    return "-"


def wanted(cell, previous=None) -> str:
    """What the cell should carry: the rule's type, or the author's where the rule says "-"."""
    current = cell.metadata.get("slideshow", {}).get("slide_type")
    rule = slide_type(cell, previous)
    return current if current in TYPES and rule == "-" else rule


def tag(path: Path, check: bool = False) -> list[int]:
    """Apply the rule to ``path`` (or only compare, with ``check``); return changed cell indices."""
    nb = nbformat.read(path, as_version=4)
    changed = []
    for i, cell in enumerate(nb.cells):
        want = wanted(cell, nb.cells[i - 1] if i else None)
        if cell.metadata.get("slideshow", {}).get("slide_type") != want:
            changed.append(i)
            cell.metadata.setdefault("slideshow", {})["slide_type"] = want
    if changed and not check:
        path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook differs")
    a = ap.parse_args(argv)
    bad = 0
    for p in a.notebooks:
        changed = tag(p, check=a.check)
        bad += bool(changed)
        print(f"{p}: {len(changed)} cell(s) {'differ' if a.check else 'tagged'}")
    return 1 if (a.check and bad) else 0


if __name__ == "__main__":
    sys.exit(main())
