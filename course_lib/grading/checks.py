"""The comparisons behind the instant-feedback checks, and their messages.

``check_array``/``check_value`` compare one answer with the expected value and raise
``CheckFailed`` with what was expected, what came back and a hint. They are used in the
learner's kernel (through :mod:`course_lib.grading`, which re-exports them) and by the
judge of ``make grade`` (:mod:`course_lib.grading.judge`), which compares the plain data a
sandboxed submission returned, in a clean process. The exception classes live here, so a
graded cell's ``importlib.reload(course_lib.grading)`` keeps them: an ``except CheckFailed``
taken before the reload still matches. Introduced in 00_start_here.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["CheckFailed", "ForbiddenCall", "rel_error", "check_array", "check_value"]


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
