"""The course's only argument validators: one contract for everything a learner passes in.

The contract (``../shared/conventions.md``, tested exactly by ``tests/test_learner_errors.py``):

- **TypeError** for the wrong *kind* of value: a float or a bool where an integer is
  needed, a string where a number is, a list or a string where an array is, an array of
  strings or objects, something that is not a ``torch.nn.Module``.
- **ValueError** for a wrong *value* of the right kind: negative, zero where it must be
  positive, NaN or infinite, out of a range, the wrong shape, a name that is not one of
  the choices.
- numpy integers and floats are accepted wherever Python ints and floats are; the checks
  return plain Python ``int``/``float`` (or a float numpy array).

Every message is one sentence that names the argument, says what was given and what is
allowed. Scalar checks cost about a microsecond, so an optimizer step may call them on
every update; :func:`real_array` makes one pass over the data and is meant for inputs
checked once per call, not inside inner loops.
"""
from __future__ import annotations

import math
import os
from numbers import Integral, Real
from typing import Any, Iterable, Sequence

import numpy as np
import torch
import torch.nn as nn

__all__ = [
    "integer", "integers", "number", "positive", "beta", "fraction", "text", "boolean", "choice",
    "real_array", "labels", "tensor", "same_shape", "ndim", "generator", "module", "torch_device",
    "DEVICE_ENV",
]


def _kind(value: Any) -> str:
    return type(value).__name__


def integer(value: Any, name: str, minimum: int | None = 0) -> int:
    """``value`` as a Python int >= ``minimum`` (``None``: no lower bound).

    TypeError for a bool, a float (even 3.0), a string, ...; ValueError below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({_kind(value)}).")
    if minimum is not None and value < minimum:
        kind = {0: "a non-negative integer", 1: "a positive integer"}.get(minimum, f"an integer >= {minimum}")
        raise ValueError(f"{name} must be {kind}, got {value!r}.")
    return int(value)


def integers(value: Any, name: str, nd: int, minimum: int | None = 0) -> tuple[int, ...]:
    """An int, or a tuple/list of ``nd`` ints (one per spatial axis), each >= ``minimum``;
    returned as a tuple of ``nd`` Python ints (an int is repeated ``nd`` times)."""
    if isinstance(value, (tuple, list)):
        if len(value) != nd:
            raise ValueError(f"{name} must be an int or a tuple of {nd} ints (one per spatial "
                             f"axis), got {tuple(value)!r} with {len(value)} entries.")
        return tuple(integer(v, name, minimum) for v in value)
    return (integer(value, name, minimum),) * nd


def number(value: Any, name: str, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False, finite: bool = True) -> float:
    """A real number (int or float, not bool) as a float, optionally within a range.

    TypeError for a bool, a string, a complex number, an array, ...; ValueError for NaN,
    for an infinity (unless ``finite=False``) and for a value outside
    ``[low, high]`` (``low_open``/``high_open`` exclude the end points).
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({_kind(value)}).")
    v = float(value)
    if math.isnan(v) or (finite and math.isinf(v)):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    below = low is not None and (v <= low if low_open else v < low)
    above = high is not None and (v >= high if high_open else v > high)
    if below or above:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}.")
    return v


def positive(value: Any, name: str, allow_zero: bool = False) -> float:
    """A finite number > 0 (>= 0 with ``allow_zero``) as a float, e.g. lr, eps.

    TypeError as in :func:`number`; ValueError for NaN, an infinity, a negative number
    (and 0 unless ``allow_zero``), with the message "lr must be a positive number, got ...".
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({_kind(value)}).")
    v = float(value)
    if not (math.isfinite(v) and (v >= 0 if allow_zero else v > 0)):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} number, got {value!r}.")
    return v


def beta(value: Any, name: str) -> float:
    """A decay rate in [0, 1) as a float (beta, beta1, beta2); 1 would never forget and
    makes Adam's bias correction divide by 0."""
    return number(value, name, low=0.0, high=1.0, high_open=True)


def fraction(value: Any, name: str, allow_zero: bool = False, allow_one: bool = True) -> float:
    """A number in (0, 1] by default (a width multiplier, a test fraction, a probability);
    ``allow_zero``/``allow_one`` include or exclude the end points."""
    return number(value, name, low=0.0, high=1.0, low_open=not allow_zero, high_open=not allow_one)


def text(value: Any, name: str) -> str:
    """A non-empty string (a metric's name, a label); TypeError for anything else,
    ValueError for ``""`` or only white space."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r} ({_kind(value)}).")
    if not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}.")
    return value


def boolean(value: Any, name: str) -> bool:
    """``True`` or ``False`` (numpy's bool too); TypeError for 0/1, strings and the rest."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({_kind(value)}).")
    return bool(value)


def choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    """One of ``options`` (e.g. ``mode`` in ``{'max', 'avg'}``); TypeError when ``value``
    is not of the options' type (a number for a name), ValueError when it is not among them."""
    options = tuple(options)
    kinds = tuple({type(o) for o in options})
    if kinds and not isinstance(value, kinds):
        raise TypeError(f"{name} must be one of {list(options)}, got {value!r} ({_kind(value)}).")
    if value not in options:
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}.")
    return value


def real_array(value: Any, name: str, finite: bool = True, dtype: Any = None) -> np.ndarray:
    """``value`` (a numpy array, a torch tensor or a single number) as a float numpy array.

    Integer and bool arrays are converted to float64; float32 stays float32 unless ``dtype``
    (e.g. ``np.float64``) asks for another float type. TypeError for a list, tuple, string or
    other non-array, and for arrays of strings, objects or complex numbers (wrap a list with
    ``np.array(...)`` first); ValueError for NaN, and for infinities unless ``finite=False``.
    One pass over the data.
    """
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (np.ndarray, Real)):
        hint = " (wrap it with np.array(...) first)" if isinstance(value, (list, tuple)) else ""
        raise TypeError(f"{name} must be a numpy array or a torch tensor of real numbers, "
                        f"got {_kind(value)}{hint}.")
    a = np.asarray(value)
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    if a.dtype.kind != "f":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}.")
    bad = np.isnan(a).any() if not finite else not np.isfinite(a).all()
    if bad:
        what, allowed = ("NaN values", "a real number") if not finite else ("NaN or infinite values", "a finite real number")
        raise ValueError(f"{name} contains {what}; every entry must be {allowed}.")
    return a if dtype is None else a.astype(dtype, copy=False)


def labels(value: Any, name: str, classes: int, n: int | None = None) -> np.ndarray:
    """Integer class labels in ``0..classes-1`` as an int64 numpy array (a torch tensor too).

    TypeError for a list or another non-array and for a float or bool array (labels are
    integers); ValueError for a shape other than ``(n,)`` (when ``n`` is given) and for a
    label outside ``0..classes-1``.
    """
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().cpu().numpy()
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of integer class labels, got {_kind(value)}.")
    if value.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {value.dtype}.")
    if n is not None and value.shape != (n,):
        raise ValueError(f"{name} must have shape (N,) = ({n},), one label per sample, got {value.shape}.")
    if value.size and (value.min() < 0 or value.max() >= classes):
        raise ValueError(f"{name} must hold integer class labels in 0..{classes - 1}, got values "
                         f"from {value.min()} to {value.max()}.")
    return value.astype(np.int64, copy=False)


def same_shape(a: Any, like: Any, name: str, like_name: str = "w") -> None:
    """Raise a ValueError unless ``a`` has the shape of ``like`` (numpy arrays or torch tensors)."""
    want, got = tuple(getattr(like, "shape", np.shape(like))), tuple(getattr(a, "shape", np.shape(a)))
    if got != want:
        raise ValueError(f"{name} must have the shape of {like_name} {want}, got {got}.")


def ndim(a: Any, name: str, nd: int | Sequence[int], layout: str = "", where: str = "") -> None:
    """Raise a ValueError unless ``a`` has ``nd`` axes (or one of several counts); ``layout``
    (e.g. ``"(N, C, H, W)"``) and ``where`` (the function's name) make the message precise."""
    allowed = (nd,) if isinstance(nd, int) else tuple(nd)
    got = len(getattr(a, "shape", np.shape(a)))
    if got not in allowed:
        prefix = f"{where}: " if where else ""
        count = " or ".join(str(k) for k in allowed)
        raise ValueError(f"{prefix}{name} must have {count} axes{' ' + layout if layout else ''}, "
                         f"got shape {tuple(getattr(a, 'shape', np.shape(a)))}.")


def generator(value: Any, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator`` (from ``np.random.default_rng(seed)``); TypeError for
    anything else (a seed, the legacy ``np.random`` module, a ``RandomState``)."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(f"{name} must be a numpy Generator, e.g. np.random.default_rng(0), "
                        f"got {_kind(value)}.")
    return value


def tensor(value: Any, name: str, finite: bool = True) -> torch.Tensor:
    """A numpy array or a torch tensor of numbers as a torch tensor (numpy shares memory).

    TypeError for a list, a string or another non-array, and for arrays of strings or
    objects; ValueError for NaN or an infinity in a float array (unless ``finite=False``).
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be an array of numbers, got dtype {value.dtype}.")
        value = torch.from_numpy(value)
    elif not isinstance(value, torch.Tensor):
        hint = " (wrap it with np.array(...) first)" if isinstance(value, (list, tuple)) else ""
        raise TypeError(f"{name} must be a numpy array or a torch tensor, got {_kind(value)}{hint}.")
    if finite and value.is_floating_point() and not torch.isfinite(value).all():
        raise ValueError(f"{name} contains NaN or infinite values; every entry must be a finite number.")
    return value


DEVICE_ENV = "COURSE_DEVICE"


def torch_device(value: Any = None, name: str = "device") -> torch.device:
    """The torch device to compute on, checked.

    ``value`` is ``"cpu"``, ``"cuda"`` (or ``"cuda:<index>"``) or a ``torch.device``; None
    means the course's default: the environment variable ``COURSE_DEVICE`` (``cpu`` or
    ``cuda``) when it is set, else CUDA when torch sees a GPU, else the CPU. TypeError for
    another kind of value; ValueError for another device name, and for CUDA when torch sees
    no GPU (``torch.cuda.is_available()`` is False).
    """
    if value is None:
        env = os.environ.get(DEVICE_ENV, "").strip()
        if not env:
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        if env.lower() not in ("cpu", "cuda"):
            raise ValueError(f"{DEVICE_ENV} must be 'cpu' or 'cuda' (or unset: CUDA when available), "
                             f"got {env!r}.")
        value, name = env.lower(), f"the environment variable {DEVICE_ENV}"
    if isinstance(value, str):
        try:
            dev = torch.device(value)
        except RuntimeError:
            raise ValueError(f"{name} must be 'cpu' or 'cuda', got {value!r}.") from None
    elif isinstance(value, torch.device):
        dev = value
    else:
        raise TypeError(f"{name} must be 'cpu', 'cuda' or a torch.device, got {value!r} ({_kind(value)}).")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"{name} must be 'cpu' or 'cuda', got {value!r}.")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"{name} asks for CUDA ({value!r}) but torch sees no GPU on this machine "
                         f"(torch.cuda.is_available() is False); use 'cpu' or unset {DEVICE_ENV}.")
    return dev


def module(value: Any, name: str = "model") -> Any:
    """A ``torch.nn.Module``; TypeError for anything else (a function, a class, a tensor)."""
    if not isinstance(value, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {_kind(value)}.")
    return value
