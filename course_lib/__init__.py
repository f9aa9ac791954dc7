"""course_lib: the helper package of the deep-learning course.

One module per concern (see ../README.md): ``data``, ``conv``, ``backprop``, ``optim``,
``normalization``, ``train``, ``models``, ``inception``, ``visualize``, ``plots``,
``widgets``, ``grading``, ``autograde``. Every notebook starts with
``course_lib.setup()``.
"""
from __future__ import annotations

import os
import random

import numpy as np

__all__ = ["setup", "record_metric", "DEFAULT_SEED", "METRICS_ENV"]

DEFAULT_SEED = 0
METRICS_ENV = "COURSE_METRICS_FILE"
THREADS_ENV = "COURSE_THREADS"


def setup(seed: int = DEFAULT_SEED, threads: int = 2, style: bool = True) -> None:
    """Seed every random generator, set torch's thread count and a readable plot style.

    Seeds Python's ``random``, numpy's global generator and torch (CPU), makes torch
    deterministic where it can, limits torch to ``threads`` CPU threads (the course's
    machines have 2 cores) and sets a matplotlib style with labelled, gridded axes.
    When the environment variable ``COURSE_THREADS`` is set, it overrides ``threads``:
    a runner that executes two notebooks at once on 2 cores (the tests, the grader)
    sets it to 1 so the kernels do not fight over the cores.
    Returns ``None``. Introduced in 00_start_here.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    if not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}.")
    override = os.environ.get(THREADS_ENV, "").strip()
    if override:
        if not override.isdigit() or int(override) < 1:
            raise ValueError(f"{THREADS_ENV} must be a positive integer, got {override!r}.")
        threads = int(override)
    import torch

    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(int(threads))
    torch.use_deterministic_algorithms(True, warn_only=True)
    if style:
        import matplotlib as mpl

        mpl.rcParams.update(
            {
                "figure.figsize": (6.4, 4.0),
                "figure.dpi": 90,
                "axes.grid": True,
                "grid.alpha": 0.3,
                "axes.spines.top": False,
                "axes.spines.right": False,
                "axes.titlesize": 12,
                "axes.labelsize": 11,
                "image.cmap": "viridis",
                "legend.frameon": False,
            }
        )


def record_metric(name: str, value: float, unit: str = "") -> float:
    """Print a quality number a notebook measured and, for ``make bench``, log it.

    When the environment variable ``COURSE_METRICS_FILE`` is set (``make bench`` sets it
    while it executes the notebooks), one JSON line ``{"name", "value", "unit"}`` is
    appended to that file, so the benchmark table reports the number the notebook
    really produced at its default settings. Returns ``value``.
    """
    import json

    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}.")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"value must be a number, got {value!r}.") from None
    print(f"{name}: {value:.6g}{(' ' + unit) if unit else ''}")
    path = os.environ.get(METRICS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"name": name, "value": value, "unit": unit}) + "\n")
    return value
