"""The house rules of course_lib's layout (../shared/conventions.md), checked on the source.

- Imports point down only: widgets -> plots -> topic modules -> models/train -> _checks/data
  (grading sits on top: it judges everything). Read with ``ast`` from every module's
  top-level imports, so nothing is imported to check it.
- No import cycles between course_lib's modules.
- No function imports a course_lib module inside its body to dodge a cycle.
- Topic modules never import matplotlib or ipywidgets at module level (a learner can use the
  math without a display stack; the figures live in plots/, the controls in widgets/).
- Every module is readable in one sitting: at most ~400 lines (450 allowed).
- A chapter's rooms are found by its KEY: for each chapter with a topic module, there are
  tests/test_<KEY>.py and, where widgets/<KEY>.py exists, tests/test_widgets_<KEY>.py.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "course_lib"
MAX_LINES = 450
DISPLAY = ("matplotlib", "ipywidgets", "IPython.display")


def _name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_name(p): p for p in sorted(PKG.rglob("*.py")) if "__pycache__" not in p.parts}


def _rank(module: str) -> int:
    """0 _checks/data, 1 models/train, 2 topic modules, 3 plots, 4 widgets, 5 grading."""
    parts = module.split(".")
    sub = parts[1] if len(parts) > 1 else ""
    if sub in ("_checks", "data", "scenes", "face_gen"):
        return 0
    if sub in ("models", "train"):
        return 1
    return {"plots": 3, "widgets": 4, "grading": 5}.get(sub, 2)


def _resolve(module: str, node: ast.ImportFrom | ast.Import, path: Path) -> list[str]:
    """The course_lib modules an import statement names."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            pkg = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            pkg = pkg[: len(pkg) - (node.level - 1)]
            base = ".".join(pkg + ([base] if base else []))
        # `from course_lib import conv` names the submodule course_lib.conv
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    out = []
    for n in names:
        while n and n not in MODULES:
            n = n.rpartition(".")[0]
        if n.startswith("course_lib"):
            out.append(n)
    return out


def _top_level_imports(tree: ast.Module):
    """Import statements executed when the module is imported (not inside a def)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        else:
            stack.extend(ast.iter_child_nodes(node))


def _function_imports(tree: ast.Module):
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield fn.name, node


TREES = {m: ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for m, p in MODULES.items()}
GRAPH = {m: sorted({d for node in _top_level_imports(t) for d in _resolve(m, node, MODULES[m])} - {m})
         for m, t in TREES.items()}


def _is_package_of(a: str, b: str) -> bool:
    return b.startswith(a + ".")


def test_there_is_something_to_check():
    assert "course_lib" in MODULES and "course_lib._checks" in MODULES and len(GRAPH) >= 10


def test_no_import_cycles():
    # A package's __init__ may import its own submodules (that is what a package is); any
    # other cycle is a design error.
    graph = {m: [d for d in deps if not _is_package_of(m, d) and not (m == "course_lib")]
             for m, deps in GRAPH.items()}
    state: dict[str, int] = {}
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for d in graph.get(m, []):
            if state.get(d) == 1:
                cycles.append(path[path.index(d):] + [d])
            elif d not in state:
                visit(d)
        path.pop()
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_imports_point_down_only():
    wrong = [f"{m} (layer {_rank(m)}) imports {d} (layer {_rank(d)})"
             for m, deps in GRAPH.items() for d in deps
             if m != "course_lib" and not _is_package_of(m, d) and _rank(d) > _rank(m)]
    assert not wrong, ("imports must point down (widgets -> plots -> topic -> models/train -> "
                       "_checks/data):\n" + "\n".join(wrong))


def test_no_function_level_imports_of_course_lib():
    found = [f"{m}: {fn}() imports {', '.join(_resolve(m, node, MODULES[m]))}"
             for m, t in TREES.items() for fn, node in _function_imports(t)
             if _resolve(m, node, MODULES[m])]
    assert not found, "import at the top of the file instead:\n" + "\n".join(found)


def test_topic_modules_do_not_import_display_libraries_at_module_level():
    found = []
    for m, t in TREES.items():
        if _rank(m) >= 3:
            continue
        for node in _top_level_imports(t):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{m} imports {n}" for n in names if n.startswith(DISPLAY)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("module", sorted(MODULES), ids=sorted(MODULES))
def test_module_is_readable_in_one_sitting(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(REPO)} has {lines} lines; split it (aim < 400)"


def test_each_chapter_room_has_its_tests():
    missing = []
    for w in sorted((PKG / "widgets").glob("*.py")):
        if not w.name.startswith("_") and w.stem != "start":
            t = REPO / "tests" / f"test_widgets_{w.stem}.py"
            if not t.exists():
                missing.append(str(t.relative_to(REPO)))
    assert not missing, "widgets without their test file: " + ", ".join(missing)
