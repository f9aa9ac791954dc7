"""Instant-feedback checks for the course's exercises (nbgrader format).

A graded test cell in a notebook looks like this::

    import importlib, course_lib.grading as grading
    grading = importlib.reload(grading)   # the real checks, even if a cell above patched them
    grading.check_function(zero_pad, reference=conv.zero_pad, cases=[...],
                           name="zero_pad", forbidden=["pad"], hint="...")
    ### BEGIN HIDDEN TESTS
    grading.check_function(zero_pad, reference=conv.zero_pad,
                           cases=grading.random_cases(...), name="zero_pad (hidden)")
    ### END HIDDEN TESTS

On success a check prints one friendly line. On a wrong answer it raises
``CheckFailed`` (an ``AssertionError``, so nbgrader counts the cell as failed) whose
message says what was expected, what came back (shape, a few values) and one hint.
An answer that calls the library function it is meant to implement fails with a
message saying so. Introduced in 00_start_here.
"""
from __future__ import annotations

import builtins
import contextlib
import types
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from course_lib.grading import judge as _judge
from course_lib.grading.checks import (
    CheckFailed, ForbiddenCall, _compare_outputs, _fail, _ok, _raised, check_array, check_value, rel_error,
)

__all__ = [
    "CheckFailed",
    "ForbiddenCall",
    "rel_error",
    "check_array",
    "check_value",
    "check_function",
    "check_not_calling",
    "random_cases",
]


def _code_names(code: types.CodeType) -> set[str]:
    # co_names: globals and attribute names (``F.conv2d`` gives "F" and "conv2d").
    # Local variable names are left out, so a variable called ``pad`` is not a hit.
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _resolve(dotted: str) -> Any:
    import importlib

    module, _, attr = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None


def _where(exc: BaseException) -> str:
    """"In your code, line N: `...`": the deepest frame outside the libraries, if any."""
    import os
    import sys
    import traceback

    libs = tuple({os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix,
                                                         os.path.dirname(__file__))})
    frames = [f for f in traceback.extract_tb(exc.__traceback__)[1:]
              if f.line and not os.path.realpath(f.filename).startswith(libs)]
    return f"\n  In your code, line {frames[-1].lineno}: `{frames[-1].line}`" if frames else ""


def _helpers(func: Callable) -> dict[str, Callable]:
    """Plain functions ``func`` refers to that were defined beside it (same globals), found
    recursively: a learner's own helpers, whose code is checked like the answer's."""
    found: dict[str, Callable] = {}
    todo = [func]
    while todo:
        f = todo.pop()
        glob = getattr(f, "__globals__", {})
        for n in _code_names(f.__code__):
            obj = glob.get(n)
            if (isinstance(obj, types.FunctionType) and obj.__globals__ is func.__globals__
                    and obj is not func and n not in found):
                found[n] = obj
                todo.append(obj)
    return found


def check_not_calling(func: Callable, forbidden: Iterable[str], name: str | None = None) -> None:
    """Fail if ``func``'s code refers to a forbidden function.

    ``forbidden`` holds dotted paths (``"torch.nn.functional.conv2d"``) or bare names
    (``"conv2d"``). The code's names (including ``F.conv2d`` attribute access, nested
    functions, aliases bound in the notebook's globals or in a closure) are compared with
    them, and so are those of the learner's own helpers that ``func`` calls (functions
    defined beside it, followed recursively).
    """
    name = name or getattr(func, "__name__", "your function")
    code = getattr(func, "__code__", None)
    if code is None:
        return
    forbidden = list(forbidden)
    bare = {f.rpartition(".")[2] for f in forbidden}
    objects = [o for o in (_resolve(f) for f in forbidden if "." in f) if o is not None]
    for via, f in [("", func)] + [(f" (through your helper `{n}`)", h) for n, h in _helpers(func).items()]:
        names = _code_names(f.__code__)
        hits = sorted(bare & names)
        glob = getattr(f, "__globals__", {})
        closure = {n: c.cell_contents for n, c in zip(f.__code__.co_freevars, f.__closure__ or ())
                   if _filled(c)}
        for n in sorted(names | set(closure)):
            obj = closure[n] if n in closure else glob.get(n, getattr(builtins, n, None))
            if obj is not None and any(obj is o for o in objects):
                hits.append(n)
        if hits:
            raise ForbiddenCall(
                f"\u2718 {name}: your answer uses `{hits[0]}`{via}, the library version of what "
                f"this exercise asks you to write yourself. Implement it with basic numpy/torch "
                f"operations instead (loops, slicing, sums, products)."
            )


def _filled(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:  # a closure variable not assigned yet
        return False
    return True


@contextlib.contextmanager
def _tripwires(forbidden: Iterable[str], name: str):
    """While active, calling any forbidden dotted function raises ``ForbiddenCall``."""
    import importlib

    patched = []
    for dotted in forbidden:
        module_name, _, attr = dotted.rpartition(".")
        if not module_name:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        original = getattr(module, attr, None)
        if original is None:
            continue

        def wire(*args, _d=dotted, **kwargs):
            raise ForbiddenCall(
                f"\u2718 {name}: your answer calls `{_d}`, the library version of what this "
                f"exercise asks you to write yourself. Implement it with basic operations."
            )

        setattr(module, attr, wire)
        patched.append((module, attr, original))
    try:
        yield
    finally:
        for module, attr, original in reversed(patched):
            setattr(module, attr, original)


def random_cases(make_case: Callable[[np.random.Generator], tuple], n: int = 5,
                 seed: int = 0) -> list[tuple]:
    """``n`` argument tuples from ``make_case(rng)``, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    return [tuple(make_case(rng)) for _ in range(n)]


def _copy(a: Any) -> Any:
    """A private copy of one argument (arrays, tensors, lists), so no call can change the
    test's data for the next call or case."""
    if hasattr(a, "detach") and hasattr(a, "clone"):
        return a.detach().clone()
    return a.copy() if hasattr(a, "copy") else a


def check_function(func: Callable, reference: Callable, cases: Sequence[tuple], name: str | None = None,
                   atol: float = 1e-6, rtol: float = 1e-5, hint: str | None = None,
                   forbidden: Iterable[str] = (), compare: Callable[[Any, Any], None] | None = None,
                   quiet: bool = False) -> None:
    """Run a learner's ``func`` and a ``reference`` on each argument tuple in ``cases``.

    Outputs may be arrays, tensors, numbers or tuples of them; each part is compared
    with :func:`check_array` (shapes first, then values). ``forbidden`` lists the
    library functions the exercise must not call: they are refused both in the code
    (static check) and while it runs (tripwires). A ``NotImplementedError`` becomes
    "not done yet"; any other exception is reported with its message and the case.
    Each call gets its own copy of the arguments (the learner's function first, then the
    reference), so an answer that changes its inputs cannot change the test's data. In
    ``make grade``'s judge the check is also recorded (:mod:`course_lib.grading.judge`):
    the marks come from there, not from this process.
    """
    name = name or getattr(func, "__name__", "your function")
    if not callable(func):
        raise _fail(name, f"expected a function, got {type(func).__name__}.", hint)
    forbidden = list(forbidden)
    if _judge.recording():
        _judge.record(name, func, reference, cases, atol, rtol, hint, forbidden, compare)
    check_not_calling(func, forbidden, name)
    for i, args in enumerate(cases):
        args = args if isinstance(args, tuple) else (args,)
        try:
            with _tripwires(forbidden, name):
                got = func(*[_copy(a) for a in args])
        except ForbiddenCall:
            raise
        except Exception as exc:  # the learner's bug: report it, don't crash the check
            raise _raised(name, type(exc).__name__, str(exc), _where(exc), i, args, hint) from None
        expected = reference(*[_copy(a) for a in args])
        _compare_outputs(name, i, got, expected, atol, rtol, hint, compare)
    if not quiet:
        _ok(f"{name} ({len(cases)} test case{'s' if len(cases) != 1 else ''})")
