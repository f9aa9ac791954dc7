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


# what a previous import left in this module's namespace (see _kept_across_reload)
_before_reload = {name: globals().get(name) for name in ("CheckFailed", "ForbiddenCall")}


class CheckFailed(AssertionError):
    """A learner's answer is wrong; the message says how, and gives a hint.

    IPython shows ``_render_traceback_()`` instead of a traceback: one red block with the
    message (expected, got, hint), no frames inside course_lib. The cell still fails, so
    nbgrader and nbval count it as an error; a bug inside the learner's own function is
    reported by the check with its line ("In your code, line N").
    """

    def _render_traceback_(self) -> list[str]:
        lines = [f"{type(self).__name__}:"] + str(self).splitlines()
        return [f"\x1b[1;31m{line}\x1b[0m" for line in lines]


class ForbiddenCall(CheckFailed):
    """A learner's answer called the library function it is meant to implement."""


def _kept_across_reload(name: str, fresh: type) -> type:
    """Each graded cell reloads this module to undo a learner's patches to the checks. The
    exception classes are kept across such a reload (their methods refreshed), so an
    ``except CheckFailed`` or ``pytest.raises(CheckFailed)`` taken before it still matches."""
    old = _before_reload.get(name)
    if not (isinstance(old, type) and old.__module__ == __name__ and old.__qualname__ == name
            and issubclass(old, AssertionError)):
        return fresh
    for attr in ("__doc__", "_render_traceback_"):
        if attr in vars(fresh):
            setattr(old, attr, vars(fresh)[attr])
    return old


CheckFailed = _kept_across_reload("CheckFailed", CheckFailed)
ForbiddenCall = _kept_across_reload("ForbiddenCall", ForbiddenCall)


def rel_error(x: Any, y: Any) -> float:
    """Largest relative error max |x - y| / max(1e-8, |x| + |y|), as in CS231n."""
    x = _as_numpy(x)
    y = _as_numpy(y)
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs equal shapes, got {x.shape} and {y.shape}.")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _as_numpy(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):  # a torch tensor
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=float) if not isinstance(x, np.ndarray) or x.dtype == object else x


def _preview(a: np.ndarray, k: int = 4) -> str:
    flat = np.asarray(a).ravel()
    vals = ", ".join(f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v) for v in flat[:k])
    return f"[{vals}{', ...' if flat.size > k else ''}]"


def _ok(name: str) -> None:
    print(f"\u2714 {name}: correct. Well done!")


def _fail(name: str, what: str, hint: str | None) -> CheckFailed:
    msg = f"\u2718 {name}: {what}"
    if hint:
        msg += f"\n  Hint: {hint}"
    return CheckFailed(msg)


def check_array(name: str, got: Any, expected: Any, atol: float = 1e-6, rtol: float = 1e-5,
                hint: str | None = None, quiet: bool = False) -> None:
    """Check an array-valued answer: type, shape, NaNs, then values within atol + rtol*|expected|.

    ``got`` and ``expected`` may be numpy arrays, torch tensors or nested lists.
    Prints a friendly line on success (unless ``quiet``); raises ``CheckFailed`` with
    expected vs got (shape and the first values) and the hint otherwise.
    """
    if got is None:
        raise _fail(name, "your code returned None. Did you forget a `return` statement?", hint)
    try:
        g = _as_numpy(got)
    except (TypeError, ValueError):
        raise _fail(name, f"expected an array, got a {type(got).__name__}.", hint) from None
    e = _as_numpy(expected)
    if g.shape != e.shape:
        raise _fail(name, f"expected shape {tuple(e.shape)} but got shape {tuple(g.shape)}.", hint)
    if g.dtype.kind not in "biuf" and g.size:
        raise _fail(name, f"expected numbers, got an array of dtype {g.dtype}.", hint)
    g = g.astype(float)
    e = e.astype(float)
    if np.isnan(g).any() and not np.isnan(e).any():
        raise _fail(name, f"your answer contains NaN values: {_preview(g)}.", hint)
    if not np.allclose(g, e, atol=atol, rtol=rtol, equal_nan=True):
        bad = np.argwhere(~np.isclose(g, e, atol=atol, rtol=rtol, equal_nan=True))
        where = tuple(int(i) for i in bad[0]) if bad.size else ()
        raise _fail(
            name,
            f"values differ (shape {tuple(e.shape)} is right).\n"
            f"  expected: {_preview(e)}\n  got:      {_preview(g)}\n"
            f"  first mismatch at index {where}: expected {e[where]:.6g}, got {g[where]:.6g} "
            f"({bad.shape[0]} of {e.size} entries off; rel. error {rel_error(g, e):.2e}).",
            hint,
        )
    if not quiet:
        _ok(name)


def _show(v: Any) -> str:
    """A value as a learner reads it: 3.25, not np.float64(3.25); tuples entry by entry."""
    if isinstance(v, (tuple, list)):
        inner = ", ".join(_show(x) for x in v)
        return f"({inner}{',' if len(v) == 1 else ''})" if isinstance(v, tuple) else f"[{inner}]"
    if isinstance(v, np.generic) or (hasattr(v, "item") and getattr(v, "ndim", 1) == 0):
        v = v.item()
    return repr(v)


def check_value(name: str, got: Any, expected: Any, tol: float = 1e-6, hint: str | None = None,
                quiet: bool = False) -> None:
    """Check a scalar or a tuple of scalars (e.g. an output size): equal within ``tol``."""
    if got is None:
        raise _fail(name, "your code returned None. Did you forget a `return` statement?", hint)
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            raise _fail(name, f"expected {_show(expected)}, got {_show(got)}.", hint)
        try:
            for gi, ei in zip(got, expected):
                check_value(name, gi, ei, tol=tol, hint=hint, quiet=True)
        except CheckFailed:  # show the whole tuple, not just the entry that differs
            raise _fail(name, f"expected {_show(expected)}, got {_show(got)}.", hint) from None
    else:
        try:
            ok = abs(float(got) - float(expected)) <= tol
        except (TypeError, ValueError):
            raise _fail(name, f"expected a number like {_show(expected)}, got {_show(got)}.", hint) from None
        if not ok:
            raise _fail(name, f"expected {_show(expected)}, got {_show(got)}.", hint)
    if not quiet:
        _ok(name)


# --- "you called the function you were asked to write" --------------------------------

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


def _raised(name: str, exc_type: str, message: str, where: str, i: int, args: tuple,
            hint: str | None) -> CheckFailed:
    """The message for an answer that raised ``exc_type`` on test case ``i``."""
    if exc_type == "NotImplementedError":
        return _fail(name, "not implemented yet: replace `raise NotImplementedError()` with your code.", hint)
    shapes = ", ".join(str(getattr(a, "shape", a)) for a in args)
    return _fail(name, f"raised {exc_type}: {message} (on test case {i + 1}, arguments {shapes}).{where}", hint)


def _compare_outputs(name: str, i: int, got: Any, expected: Any, atol: float, rtol: float,
                     hint: str | None, compare: Callable[[Any, Any], None] | None) -> None:
    """Raise CheckFailed unless ``got`` matches ``expected`` (test case ``i``)."""
    label = f"{name} (test case {i + 1})"
    if compare is not None:
        compare(got, expected)
    elif isinstance(expected, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            raise _fail(label, f"expected a tuple of {len(expected)} values, got "
                               f"{type(got).__name__}{'' if not isinstance(got, tuple) else f' of {len(got)}'}.",
                        hint)
        for j, (g, e) in enumerate(zip(got, expected)):
            if np.ndim(e) == 0 and not hasattr(e, "shape"):
                check_value(f"{label}, output {j + 1}", g, e, tol=atol, hint=hint, quiet=True)
            else:
                check_array(f"{label}, output {j + 1}", g, e, atol=atol, rtol=rtol, hint=hint, quiet=True)
    elif np.ndim(expected) == 0 and not hasattr(expected, "shape"):
        check_value(label, got, expected, tol=atol, hint=hint, quiet=True)
    else:
        check_array(label, got, expected, atol=atol, rtol=rtol, hint=hint, quiet=True)


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
