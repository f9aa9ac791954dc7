"""The judge: references and verdicts computed outside the learners' processes.

``make grade`` starts one judge per chapter: a Jupyter kernel that runs the teacher's own
notebook (solutions and hidden tests) with ``COURSE_GRADING_RECORD`` set. There every
``course_lib.grading.check_function`` call of a graded test cell is recorded
(:func:`record`): its test inputs are pickled into the key folder (the only thing the
sandboxes get to see), the references are computed here and kept in this process. Each
submission's answers are then computed in the sandbox by :mod:`course_lib.grading.runner`
and come back as plain data; :func:`score_all`, run in this same untouched kernel, loads
them (``.npy`` without pickles, JSON) and compares them with the same checks a learner
sees, so the messages read the same. Nothing a submission does to numpy, builtins,
importlib, IPython or course_lib in its own kernel reaches this process.

The grader side (:func:`extract_code`, :func:`static_hits`) reads a submitted notebook as
text: the definitions the runner executes, and the names a function refers to.
Teachers' tooling: README.md "For teachers" documents it.
"""
from __future__ import annotations

import ast
import json
import os
import pickle
import re
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from course_lib.grading.checks import _compare_outputs, _raised

__all__ = ["recording", "begin_cell", "record", "write_index", "load_outcomes", "score_all",
           "extract_code", "static_hits", "JudgeKernel"]

MAX_NPY_BYTES = 64 * 2**20  # an answer larger than this is not read (no test needs 64 MB)
_STATE: dict[str, Any] = {"cell": None, "checks": []}


# --- in the judge kernel: record the teacher's checks ---------------------------------

def recording() -> bool:
    """True in the judge's kernel (``COURSE_GRADING_RECORD`` names the key folder)."""
    return bool(os.environ.get("COURSE_GRADING_RECORD"))


def begin_cell(grade_id: str | None) -> None:
    """The judge runs this before each graded test cell: the checks that follow belong to it."""
    _STATE["cell"] = grade_id


def _copy(a: Any) -> Any:
    if hasattr(a, "detach") and hasattr(a, "clone"):
        return a.detach().clone()
    return a.copy() if hasattr(a, "copy") else a


def record(name: str, func: Callable, reference: Callable, cases: Sequence, atol: float, rtol: float,
           hint: str | None, forbidden: Sequence[str], compare: Callable | None) -> None:
    """Keep one check of the current graded cell: inputs to the key folder, references here."""
    if _STATE["cell"] is None:
        return  # a check outside a graded test cell (an example in the prose): not graded
    cases = [c if isinstance(c, tuple) else (c,) for c in cases]
    idx = len(_STATE["checks"])
    folder = Path(os.environ["COURSE_GRADING_RECORD"]) / "inputs"
    folder.mkdir(parents=True, exist_ok=True)
    try:  # before anything runs on them
        data = pickle.dumps(cases)
    except Exception:  # inputs that cannot travel (a lambda, a generator): see `portable`
        data = None
    if data is not None:
        (folder / f"{idx}.pkl").write_bytes(data)
    expected = [reference(*[_copy(a) for a in args]) for args in cases]
    _STATE["checks"].append(dict(idx=idx, name=name, grade_id=_STATE["cell"],
                                 func=getattr(func, "__name__", ""), n=len(cases),
                                 forbidden=list(forbidden), cases=cases, expected=expected,
                                 atol=atol, rtol=rtol, hint=hint, compare=compare,
                                 portable=data is not None and all(_plain(e) for e in expected)))


def _plain(value: Any) -> bool:
    """Whether an answer can come back from a sandbox as data (what runner.py writes)."""
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return True
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "biuf"


def write_index(path: str | Path) -> None:
    """The recorded checks as JSON (no inputs, no references): what the grader needs."""
    keys = ("idx", "name", "grade_id", "func", "n", "forbidden", "portable")
    Path(path).write_text(json.dumps([{k: c[k] for k in keys} for c in _STATE["checks"]]), encoding="utf-8")


# --- answers coming back from a sandbox: plain data only -------------------------------

class _Opaque:
    """What the runner could not write as data (an object, a dict): shown by its type name."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


def _tree(node: Any, folder: Path) -> Any:
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError("malformed answer file")
    (kind, v), = node.items()
    if kind == "none":
        return None
    if kind in ("bool", "int", "float", "str"):
        want = {"bool": bool, "int": int, "float": (int, float), "str": str}[kind]
        if not isinstance(v, want):
            raise ValueError("malformed answer file")
        return float(v) if kind == "float" else v
    if kind in ("tuple", "list") and isinstance(v, list):
        items = [_tree(x, folder) for x in v]
        return tuple(items) if kind == "tuple" else items
    if kind == "npy" and isinstance(v, str) and "/" not in v and v.endswith(".npy"):
        path = folder / v
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_NPY_BYTES:
            raise ValueError(f"answer array {v} missing or larger than {MAX_NPY_BYTES >> 20} MB")
        return np.load(path, allow_pickle=False)
    if kind == "other" and isinstance(v, str):
        return _Opaque(v[:100])
    raise ValueError("malformed answer file")


def load_outcomes(folder: str | Path) -> list[tuple[str, Any]] | None:
    """The runner's results of one check: [("value", v) | ("error", {type, message, where})],
    or None if it wrote none (it did not run, or was stopped)."""
    folder = Path(folder)
    path = folder / "result.json"
    if folder.is_symlink() or path.is_symlink() or not path.is_file() or path.stat().st_size > 16 * 2**20:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for case in data["cases"]:
        if "error" in case:
            err = case["error"]
            out.append(("error", {k: str(err.get(k, ""))[:2000] for k in ("type", "message", "where")}))
        else:
            out.append(("value", _tree(case["value"], folder)))
    return out


def verdict(check: dict, outcomes: list[tuple[str, Any]] | None) -> str:
    """'' if every case is right, else the check's message (as the learner's notebook says it)."""
    name, hint = check["name"], check["hint"]
    if outcomes is None:
        return f"\u2718 {name}: your function did not finish (stopped at the time limit, or crashed)."
    if len(outcomes) != len(check["cases"]):
        return f"\u2718 {name}: expected {len(check['cases'])} results, got {len(outcomes)}."
    try:
        for i, ((kind, got), args, expected) in enumerate(zip(outcomes, check["cases"], check["expected"])):
            if kind == "error":
                raise _raised(name, got["type"], got["message"], got["where"], i, args, hint)
            _compare_outputs(name, i, got, expected, check["atol"], check["rtol"], hint, check["compare"])
    except AssertionError as exc:  # CheckFailed, or a compare function's own assert
        return str(exc) or f"\u2718 {name}: wrong answer."
    except Exception as exc:  # a malformed answer: wrong, with the reason
        return f"\u2718 {name}: the answer could not be checked ({type(exc).__name__}: {exc})."
    return ""


def score_all(requests: str | Path, verdicts: str | Path) -> None:
    """For each answers folder listed in ``requests`` (JSON list), every check's verdict:
    writes {folder: {check index: message}} to ``verdicts``."""
    result = {}
    for folder in json.loads(Path(requests).read_text(encoding="utf-8")):
        result[folder] = {}
        for check in _STATE["checks"]:
            if not check["portable"]:
                continue
            try:
                outcomes = load_outcomes(Path(folder) / str(check["idx"]))
            except Exception as exc:  # unreadable answers count as wrong
                result[folder][check["idx"]] = f"\u2718 {check['name']}: unreadable answer ({type(exc).__name__})."
                continue
            result[folder][check["idx"]] = verdict(check, outcomes)
    Path(verdicts).write_text(json.dumps(result), encoding="utf-8")


# --- on the grader's side: the submitted notebook, read as text ------------------------

def _parse(source: str) -> ast.Module | None:
    lines = ["pass" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return None


def _keep(node: ast.stmt) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        if isinstance(node.value, ast.Lambda):
            return True
        try:
            ast.literal_eval(node.value)
            return True
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return False
    return False


def extract_code(cells: Sequence[dict]) -> list[str]:
    """The definitions of a notebook's code cells, in order, one statement each (so an
    import the exercise may not use fails alone), for the runner: functions, classes,
    imports, and names bound to a lambda or a literal. Graded test cells and everything
    else (training, plots, prints) are left out. A cell that does not parse is skipped."""
    out = []
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        if cell.get("cell_type") != "code" or meta.get("grade") and not meta.get("solution"):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        tree = _parse(source)
        if tree is not None:
            out += [ast.unparse(n) for n in tree.body if _keep(n)]
    return out


def static_hits(code: Sequence[str], func: str, forbidden: Sequence[str]) -> list[str]:
    """The forbidden names that ``func`` (and the notebook's own functions it refers to,
    followed recursively) uses, with import aliases resolved (``from numpy import pad as p``)."""
    defs: dict[str, ast.AST] = {}
    alias: dict[str, str] = {}
    for source in code:
        tree = _parse(source) or ast.Module(body=[], type_ignores=[])
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                defs[node.name] = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    if isinstance(t, ast.Name):
                        defs[t.id] = node.value
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    alias[a.asname or a.name.partition(".")[0]] = a.name
    bare = {f.rpartition(".")[2] for f in forbidden}
    seen, todo, used = set(), [func], set()
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        nodes = list(ast.walk(defs[name]))
        local = {n.arg for n in nodes if isinstance(n, ast.arg)}
        local |= {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for node in nodes:  # a local variable called `pad` is not numpy.pad
            if isinstance(node, ast.Name) and node.id not in local:
                used.add(node.id)
                used.add(alias.get(node.id, node.id).rpartition(".")[2])
                todo.append(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
    return sorted(bare & used)


# --- on the grader's side: the judge's kernel -------------------------------------------

class JudgeKernel:
    """The teacher's notebook, run once in a kernel of its own that stays up to judge.

    ``start()`` runs every cell of ``notebook`` (solutions and hidden tests) in a fresh
    kernel with recording on; it raises RuntimeError naming the cell if the teacher's own
    notebook fails. ``checks`` is then the recorded index; ``key`` holds the test inputs.
    ``score(folders)`` returns {folder: {check index: message ('' = right)}}. ``close()``
    shuts the kernel down.
    """

    def __init__(self, notebook: str | Path, folder: str | Path, timeout: int):
        self.notebook, self.folder, self.timeout = Path(notebook), Path(folder), int(timeout)
        self.key = self.folder / "key"
        self.checks: list[dict] = []
        self._client = self._context = None

    def _run(self, source: str) -> None:
        import nbformat

        cell = nbformat.v4.new_code_cell(source)
        self._client.execute_cell(cell, 0)

    def start(self) -> "JudgeKernel":
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        self.key.mkdir(parents=True, exist_ok=True)
        work = self.folder / "cwd"
        work.mkdir(exist_ok=True)
        nb = nbformat.read(self.notebook, as_version=4)
        env = {k: v for k, v in os.environ.items() if k != "COURSE_METRICS_FILE"}
        env["COURSE_GRADING_RECORD"] = str(self.key)
        self._client = NotebookClient(nb, timeout=self.timeout, kernel_name="python3",
                                      extra_arguments=["--HistoryManager.hist_file=:memory:",
                                                       "--IPKernelApp.log_level=ERROR"])
        self._context = self._client.setup_kernel(env=env, cwd=str(work))
        self._context.__enter__()
        self._run("import course_lib.grading.judge as _course_judge")
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
            graded = meta.get("grade") and meta.get("grade_id")
            try:
                if graded:
                    self._run(f"_course_judge.begin_cell({meta['grade_id']!r})")
                self._client.execute_cell(cell, i)
                if graded:
                    self._run("_course_judge.begin_cell(None)")
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
                self.close()
                text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(exc)).strip()
                first = text.splitlines()[-1][:300] if text else type(exc).__name__
                raise RuntimeError(f"the teacher's notebook {self.notebook.name} failed in the judge "
                                   f"at cell {i + 1}: {first}") from None
        self._run(f"_course_judge.write_index({str(self.folder / 'index.json')!r})")
        self.checks = json.loads((self.folder / "index.json").read_text(encoding="utf-8"))
        return self

    def score(self, folders: Sequence[str | Path]) -> dict[str, dict[int, str]]:
        req, out = self.folder / "requests.json", self.folder / "verdicts.json"
        req.write_text(json.dumps([str(f) for f in folders]), encoding="utf-8")
        self._run(f"_course_judge.score_all({str(req)!r}, {str(out)!r})")
        raw = json.loads(out.read_text(encoding="utf-8"))
        return {f: {int(k): v for k, v in d.items()} for f, d in raw.items()}

    def close(self) -> None:
        if self._context is not None:
            context, self._context = self._context, None
            try:
                context.__exit__(None, None, None)
            except Exception:  # the kernel is gone already
                pass
