"""course_lib: the helper package of the deep-learning course.

Every notebook starts with ``course_lib.setup()`` (seeds, threads, plot style);
``course_lib.device()`` names the torch device the course computes on and
``course_lib.record_metric()`` logs a number a notebook measured for ``make bench``.

Each chapter has a KEY, and its rooms are found by it (../shared/conventions.md):

====  ============  =================================================================
 NN   KEY           modules
====  ============  =================================================================
 01   optim         backprop, optim, normalization, train, gradcheck
                    (+ plots/optim, widgets/optim)
 02   conv          conv (naive loops, transposed conv; re-exports the rest), with
                    conv_arithmetic (sizes, padding, costs), conv_fast (im2col) and
                    pooling (+ plots/conv, widgets/conv)
 03   cnn           models/ (architectures, checkpoints), visualize, dropout, lrn,
                    factorization (+ plots/cnn, widgets/cnn)
 04   detection     detection, detection_boxes, detection_eval, detection_rcnn,
                    detection_yolo; scenes (data) (+ plots/detection, widgets/detection)
 05   segmentation  segmentation, upsampling, models/unet (+ plots/segmentation,
                    widgets/segmentation)
 06   sequences     sequences, gates, char_lm, memory_task (+ plots/sequences,
                    widgets/sequences)
 07   embeddings    embeddings, embeddings_text, embeddings_losses, embeddings_train,
                    embeddings_space, embeddings_corpus
 08   gan           gan (losses, D*, gradient penalty, networks), gan_train (ring of
                    Gaussians, mode counting, training loop), gan_eval (digits judge,
                    checkpoint) (+ plots/gan, widgets/gan)
 09   faces         faces (verification, ROC, recognition), faces_classical (eigenfaces,
                    Fisherfaces, SVM), faces_metric (Siamese embedder, triplet loss,
                    mining); face_gen (data) (+ plots/faces, widgets/faces)
 10   style         style (images, features by layer name, content/Gram/style costs,
                    TV), style_optimize (pixels of G with Adam/L-BFGS, widget states),
                    models/style_nets (random multi-scale, trained feature CNN, VGG-19
                    loader, transform net) (+ plots/style, widgets/style)
====  ============  =================================================================

Shared by every chapter: ``data`` (offline data sets and seeded generators), ``_checks``
(the only argument validators: TypeError for the wrong kind of value, ValueError for a
wrong value), ``grading`` (instant feedback, autograde, reports).

Imports point down only, at the top of each file and absolute:
widgets -> plots -> topic modules -> models/train -> _checks/data.
"""
from __future__ import annotations

import json
import os
import random

import numpy as np
import torch

from course_lib._checks import DEVICE_ENV, boolean, integer, number, text, torch_device

__all__ = ["setup", "record_metric", "device", "DEFAULT_SEED", "METRICS_ENV", "DEVICE_ENV"]

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
    seed, threads = integer(seed, "seed"), integer(threads, "threads", 1)
    style = boolean(style, "style")
    override = os.environ.get(THREADS_ENV, "").strip()
    if override:
        if not override.isdigit() or int(override) < 1:
            raise ValueError(f"{THREADS_ENV} must be a positive integer, got {override!r}.")
        threads = int(override)
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
    really produced at its default settings. Returns ``value`` as a float.
    Introduced in 00_start_here.
    """
    name, value = text(name, "name"), number(value, "value")
    if not isinstance(unit, str):
        raise TypeError(f"unit must be a string such as 'ms' or '', got {unit!r} ({type(unit).__name__}).")
    print(f"{name}: {value:.6g}{(' ' + unit) if unit else ''}")
    path = os.environ.get(METRICS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"name": name, "value": value, "unit": unit}) + "\n")
    return value


def device() -> torch.device:
    """The torch device the course computes on: CUDA when torch sees a GPU, else the CPU.

    The environment variable ``COURSE_DEVICE`` (``cpu`` or ``cuda``) overrides the choice,
    e.g. ``COURSE_DEVICE=cpu`` on a GPU machine to get the numbers of the CPU runs. Raises
    ValueError for another value of ``COURSE_DEVICE`` and when it asks for ``cuda`` on a
    machine without a GPU. ``course_lib.train.fit`` and ``evaluate`` use it by default.
    Returns a ``torch.device``. Introduced in 00_start_here.
    """
    return torch_device(None)
