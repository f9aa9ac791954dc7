"""course_lib: the helper package of the deep-learning course.

One module per concern (see ../README.md): ``data``, ``conv``, ``optim``, ``train``,
``models``, ``plots``, ``widgets``, ``grading``. Every notebook starts with
``course_lib.setup()``.
"""
from __future__ import annotations

import os
import random

import numpy as np

__all__ = ["setup", "DEFAULT_SEED"]

DEFAULT_SEED = 0


def setup(seed: int = DEFAULT_SEED, threads: int = 2, style: bool = True) -> None:
    """Seed every random generator, set torch's thread count and a readable plot style.

    Seeds Python's ``random``, numpy's global generator and torch (CPU), makes torch
    deterministic where it can, limits torch to ``threads`` CPU threads (the course's
    machines have 2 cores) and sets a matplotlib style with labelled, gridded axes.
    Returns ``None``. Introduced in 00_start_here.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    if not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}.")
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
