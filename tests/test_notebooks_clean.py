"""Every notebook in notebooks/ is committed clean: valid nbformat v4, a python3 kernelspec,
no outputs and no execution counts (so diffs stay readable and learners start fresh).

Strip a notebook before committing with, e.g.,
``jupyter nbconvert --clear-output --inplace notebooks/NN_name.ipynb``.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def problems(path: Path) -> list[str]:
    """What is wrong with a committed notebook (empty list: clean)."""
    try:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    except Exception as err:  # not JSON, not a notebook at all
        return [f"not a readable notebook: {err}"]
    found = []
    if nb.get("nbformat") != 4:
        found.append(f"nbformat {nb.get('nbformat')}, expected 4")
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        found.append(f"invalid nbformat: {err.message}")
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != "python3":
        found.append(f"kernelspec name must be python3, got {kernel!r}")
    for i, c in enumerate(nb.get("cells", [])):
        if c.get("cell_type") != "code":
            continue
        if c.get("outputs"):
            found.append(f"code cell {i} has outputs")
        if c.get("execution_count") is not None:
            found.append(f"code cell {i} has execution_count {c.get('execution_count')}")
    return found


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_valid_and_stripped(path: Path):
    found = problems(path)
    assert not found, f"{path.name}: " + "; ".join(found) + " (clear outputs before committing)"


def test_checker_catches_dirty_and_broken_notebooks(tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("1 + 1")]
    clean = tmp_path / "clean.ipynb"
    nbformat.write(nb, clean)
    assert problems(clean) == []
    nb.cells[1].execution_count = 3
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)]
    dirty = tmp_path / "dirty.ipynb"
    nbformat.write(nb, dirty)
    assert problems(dirty) == ["code cell 1 has outputs", "code cell 1 has execution_count 3"]
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    assert problems(broken)[0].startswith("not a readable notebook")
