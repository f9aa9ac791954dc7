"""Run one exercise's answer on the judge's inputs, inside the sandbox; write plain data out.

``python runner.py <spec.json>`` (a copy of this file, run by the grader in a fresh
bubblewrap sandbox per exercise and submission; it imports nothing from course_lib, which
the exercise's rule may hide). The spec names the learner's code (the definitions and
imports of their notebook, extracted by the grader), the function, the folder of pickled
test inputs the judge wrote (visible and hidden cases), the packages the exercise may not
use, and where to write. For every case the function's return value is written as plain
data: ``.npy`` files (no pickles) and JSON numbers, strings and lists; an exception as
its type and message. Nothing that comes out can run code in the judge.
Teachers' tooling: README.md "For teachers" documents it.
"""
from __future__ import annotations

import importlib.abc
import json
import os
import pickle
import sys
import traceback

SPEC_FORMAT = 1
MAX_TEXT = 2000


class _Unavailable(importlib.abc.MetaPathFinder):
    """Refuses to import the exercise's unavailable packages, saying why."""

    def __init__(self, names, why):
        self.names, self.why = tuple(names), why

    def find_spec(self, name, path=None, target=None):
        if any(name == n or name.startswith(n + ".") for n in self.names):
            raise ModuleNotFoundError(f"`{name}` is not available in this exercise: {self.why}.", name=name)
        return None


class _Gone:
    """Bound to the names an unavailable import would have defined: any use says why."""

    def __init__(self, message):
        object.__setattr__(self, "_message", message)

    def __getattr__(self, name):
        raise ModuleNotFoundError(object.__getattribute__(self, "_message"))

    def __call__(self, *args, **kwargs):
        raise ModuleNotFoundError(object.__getattribute__(self, "_message"))


def _bind_gone(source, message, namespace):
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                namespace[a.asname or a.name.partition(".")[0]] = _Gone(message)


def _copy(a):
    if hasattr(a, "detach") and hasattr(a, "clone"):
        return a.detach().clone()
    return a.copy() if hasattr(a, "copy") else a


def _plain(value, folder, stem, np, counter):
    """``value`` as a JSON tree; arrays and tensors go to ``folder/<stem>_<k>.npy``."""
    if value is None:
        return {"none": True}
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return {"bool": bool(value)}
    if isinstance(value, (int, np.integer)):
        return {"int": int(value)}
    if isinstance(value, (float, np.floating)):
        return {"float": float(value)}
    if isinstance(value, str):
        return {"str": value[:MAX_TEXT]}
    if isinstance(value, (tuple, list)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {kind: [_plain(v, folder, stem, np, counter) for v in value[:1000]]}
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        counter[0] += 1
        name = f"{stem}_{counter[0]}.npy"
        np.save(os.path.join(folder, name), np.array(value), allow_pickle=False)  # keeps 0-d arrays 0-d
        return {"npy": name}
    return {"other": type(value).__name__[:100]}


def _where(exc):
    frames = [f for f in traceback.extract_tb(exc.__traceback__)[1:] if f.filename == "<your notebook>"]
    return f"\n  In your code: `{frames[-1].line}`" if frames and frames[-1].line else ""


def main(spec_path: str) -> int:
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    sys.meta_path.insert(0, _Unavailable(spec["unavailable"], spec["why"]))
    import numpy as np

    out = spec["out"]
    os.makedirs(out, exist_ok=True)
    checks = []
    for check in spec["checks"]:  # the judge's inputs, read before any of the learner's code runs
        with open(os.path.join(spec["inputs"], f"{check['idx']}.pkl"), "rb") as fh:
            checks.append((check, pickle.load(fh)))
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    setup_errors = []
    for source in spec["code"]:
        try:
            exec(compile(source, "<your notebook>", "exec"), namespace)
        except BaseException as exc:  # a broken definition: the calls below will say what is missing
            setup_errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
            if isinstance(exc, ModuleNotFoundError) and "not available in this exercise" in str(exc):
                _bind_gone(source, str(exc), namespace)
    for check, cases in checks:
        func = namespace.get(check["func"])
        folder = os.path.join(out, str(check["idx"]))
        os.makedirs(folder, exist_ok=True)
        outcomes, counter = [], [0]
        for i, args in enumerate(cases):
            args = args if isinstance(args, tuple) else (args,)
            try:
                if not callable(func):
                    raise NameError(f"name '{check['func']}' is not defined as a function"
                                    + (f" ({setup_errors[0]})" if setup_errors else ""))
                got = func(*[_copy(a) for a in args])
                outcomes.append({"value": _plain(got, folder, f"case{i}", np, counter)})
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                outcomes.append({"error": {"type": type(exc).__name__[:100], "message": str(exc)[:MAX_TEXT],
                                           "where": _where(exc)[:MAX_TEXT]}})
        with open(os.path.join(folder, "result.json"), "w", encoding="utf-8") as fh:
            json.dump({"format": SPEC_FORMAT, "cases": outcomes}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
