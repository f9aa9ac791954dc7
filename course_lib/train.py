"""A small, reusable training loop: mini-batches, a progress bar and a per-epoch callback.

``fit`` trains any ``nn.Module`` on in-memory tensors (or numpy arrays) with a seeded
shuffle, shows a tqdm bar (the notebook bar inside Jupyter, via ``tqdm.auto``) and, if
given, calls ``on_epoch(history)`` after each epoch (``course_lib.plots.optim.LiveHistoryPlot``
redraws a loss/accuracy plot; this module draws nothing). It returns a :class:`History` of
per-epoch and per-batch numbers. ``evaluate`` gives (loss, accuracy) in eval mode.
Introduced in 01_optimizers_and_training; used by the later chapters.
"""
from __future__ import annotations

import contextlib
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch
from threadpoolctl import threadpool_limits
from torch import Tensor, nn

from course_lib._checks import boolean, integer, module, tensor, torch_device

__all__ = ["History", "fit", "evaluate", "evaluating", "single_thread"]


@dataclass
class History:
    """What happened during :func:`fit`: one entry per epoch, and ``step_loss`` per batch.

    ``loss``/``acc`` are the training loss and accuracy averaged over each epoch's
    batches (measured while the weights were moving); ``val_loss``/``val_acc`` are
    measured on ``val`` at the end of each epoch (empty lists when no ``val`` is given).
    ``acc`` entries are NaN when accuracy has no meaning for the loss (e.g. regression).
    Introduced in 01_optimizers_and_training.
    """

    loss: list[float] = field(default_factory=list)
    acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.loss)



# --- inputs ------------------------------------------------------------------------------

def _model_dtype(model: nn.Module) -> torch.dtype:
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return torch.get_default_dtype()


def _as_tensors(data: Any, what: str, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
    """``data = (x, y)`` checked (numpy arrays or tensors, x finite, same length, not empty)
    as tensors, floats in the model's ``dtype``."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{what} must be a pair (x, y) of arrays or tensors, got {type(data).__name__}"
                        f"{f' of length {len(data)}' if isinstance(data, (tuple, list)) else ''}.")
    x, y = tensor(data[0], f"{what}: x"), tensor(data[1], f"{what}: y", finite=False)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{what}: x and y need a first (sample) dimension, got shapes "
                         f"{tuple(x.shape)} and {tuple(y.shape)}.")
    if len(x) != len(y):
        raise ValueError(f"{what}: x has {len(x)} samples but y has {len(y)}; they must match.")
    if len(x) == 0:
        raise ValueError(f"{what} is empty (0 samples); give at least one sample.")
    if x.is_floating_point():
        x = x.to(dtype)
    if y.is_floating_point():
        y = y.to(dtype)
    return x, y


def _correct(out: Tensor, y: Tensor, loss_fn: Callable) -> float:
    """Number of correct predictions in a batch, or NaN when accuracy makes no sense."""
    if not y.is_floating_point() and out.ndim >= 2 and out.shape[0] == y.shape[0]:
        return float((out.argmax(dim=1) == y).sum())
    if isinstance(loss_fn, (nn.BCEWithLogitsLoss, nn.BCELoss)) and out.numel() == y.numel():
        threshold = 0.0 if isinstance(loss_fn, nn.BCEWithLogitsLoss) else 0.5
        return float(((out.reshape(y.shape) > threshold) == (y > 0.5)).sum())
    return math.nan


def _check_labels(out: Tensor, y: Tensor, loss_fn: Callable) -> None:
    """Class labels must fit the model's number of outputs (else torch fails deep inside)."""
    if isinstance(loss_fn, nn.CrossEntropyLoss) and not y.is_floating_point() and out.ndim >= 2:
        classes, lo, hi = out.shape[1], int(y.min()), int(y.max())
        if lo < 0 or hi >= classes:
            raise ValueError(f"y holds class labels from {lo} to {hi}, but the model outputs {classes} "
                             f"scores per sample, so labels must be in 0..{classes - 1}.")


# --- evaluation and training ------------------------------------------------------------------

@contextlib.contextmanager
def single_thread(blas: bool = False):
    """Run torch (and, with ``blas=True``, numpy's BLAS) on one thread inside the block, then
    restore the thread count, even if the block raises. Small recurrent layers and word-vector
    updates are many tiny operations: a second thread only waits (spinning) for the first,
    which multiplied their CPU time 5-30x on a busy 2-core machine. Used by the training loops
    of chapters 06 and 07. Introduced in 06_sequence_models.
    """
    blas = boolean(blas, "blas")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1, "blas") if blas else contextlib.nullcontext():
            yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def evaluating(model: nn.Module):
    """``with evaluating(model):`` runs the block in eval mode without gradients, then puts
    the model back in the train/eval mode it had, even if the block raises.
    Introduced in 01_optimizers_and_training."""
    module(model, "model")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


def evaluate(model: nn.Module, x: Any, y: Any, loss_fn: Callable = nn.CrossEntropyLoss(),
             batch_size: int = 512, device: str | torch.device | None = None) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on (x, y), in eval mode and without gradients.

    ``x``: (N, ...) floats, ``y``: (N,) int64 class labels (or float targets for BCE).
    Returns ``(loss, accuracy)`` with accuracy in [0, 1] (NaN for regression losses).
    The model's train/eval mode is restored afterwards. ``device`` (default
    ``course_lib.device()``: CUDA when available, ``COURSE_DEVICE`` overrides) is where the
    model is moved and each batch is computed. Introduced in 01_optimizers_and_training.
    """
    module(model, "model")
    batch_size = integer(batch_size, "batch_size", 1)
    dev = torch_device(device)
    x, y = _as_tensors((x, y), "evaluate's data", _model_dtype(model))
    model.to(dev)
    total_loss, correct = 0.0, 0.0
    with evaluating(model):
        for i in range(0, len(x), batch_size):
            xb, yb = x[i:i + batch_size].to(dev), y[i:i + batch_size].to(dev)
            out = model(xb)
            total_loss += float(loss_fn(out, yb)) * len(xb)
            correct += _correct(out, yb, loss_fn)
    return total_loss / len(x), correct / len(x)


def fit(model: nn.Module, train: tuple, *, epochs: int, optimizer: torch.optim.Optimizer | None = None,
        loss_fn: Callable = nn.CrossEntropyLoss(), batch_size: int = 64, val: tuple | None = None,
        progress: bool = True, on_epoch: Callable[[History], None] | None = None, seed: int = 0,
        scheduler: Any | None = None, device: str | torch.device | None = None) -> History:
    """Train ``model`` with mini-batch gradient descent on ``train = (x, y)`` for ``epochs``.

    ``x``: (N, ...) float array/tensor, ``y``: (N,) int64 labels (or float targets for
    BCE / regression losses). Each epoch visits the samples in a fresh order drawn from a
    ``torch.Generator`` seeded with ``seed`` (dropout inside the model is seeded too, without
    touching the global generator), so the same model, data and seed give the same History.
    ``optimizer`` defaults to Adam(lr=1e-3); ``scheduler`` (optional, e.g. a
    ``torch.optim.lr_scheduler``) is stepped once per epoch. ``val = (x_val, y_val)`` is
    evaluated after every epoch. ``progress`` shows a tqdm bar; ``on_epoch`` (a callable, e.g.
    ``course_lib.plots.optim.LiveHistoryPlot()``) is called with the History after each
    epoch. If the loss becomes NaN/inf, training stops early with a warning. Learner errors
    (mismatched lengths, NaN inputs, non-positive epochs) raise ValueError, the wrong kind of
    value (a float for epochs, a list for x) TypeError. ``device`` (default
    ``course_lib.device()``: CUDA when available, ``COURSE_DEVICE`` overrides) is where the
    model is moved and each batch is computed. Introduced in 01_optimizers_and_training.
    """
    module(model, "model")
    epochs = integer(epochs, "epochs", 1)
    batch_size = integer(batch_size, "batch_size", 1)
    seed, progress = integer(seed, "seed"), boolean(progress, "progress")
    dev = torch_device(device)
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(f"on_epoch must be a function called with the History after each epoch "
                        f"(e.g. course_lib.plots.optim.LiveHistoryPlot()), got {on_epoch!r}.")
    dtype = _model_dtype(model)
    x, y = _as_tensors(train, "train", dtype)
    if val is not None:
        x_val, y_val = _as_tensors(val, "val", dtype)
    model.to(dev)
    if optimizer is None:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    from tqdm.auto import tqdm

    history = History()
    gen = torch.Generator().manual_seed(int(seed))
    n = len(x)
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc="epochs", disable=not progress, leave=True)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        for epoch in bar:
            model.train()
            order = torch.randperm(n, generator=gen)
            total_loss, correct, diverged = 0.0, 0.0, False
            for i in range(0, n, batch_size):
                idx = order[i:i + batch_size]
                xb, yb = x[idx].to(dev), y[idx].to(dev)
                optimizer.zero_grad()
                out = model(xb)
                if epoch == 0 and i == 0:
                    _check_labels(out, y, loss_fn)
                loss = loss_fn(out, yb)
                loss.backward()
                optimizer.step()
                value = float(loss.detach())
                history.step_loss.append(value)
                if not math.isfinite(value):
                    diverged = True
                    break
                total_loss += value * len(idx)
                with torch.no_grad():
                    correct += _correct(out, yb, loss_fn)
            if diverged:
                warnings.warn(f"fit: the loss became {value} in epoch {epoch + 1}; training stopped. "
                              f"Try a smaller learning rate.", RuntimeWarning, stacklevel=2)
                break
            history.loss.append(total_loss / n)
            history.acc.append(correct / n)
            history.lr.append(float(optimizer.param_groups[0]["lr"]))
            if val is not None:
                vl, va = evaluate(model, x_val, y_val, loss_fn, device=dev)
                history.val_loss.append(vl)
                history.val_acc.append(va)
            if scheduler is not None:
                scheduler.step()
            postfix = {"loss": f"{history.loss[-1]:.4f}"}
            if val is not None:
                postfix["val_acc"] = f"{history.val_acc[-1]:.3f}"
            bar.set_postfix(postfix)
            if on_epoch is not None:
                on_epoch(history)
    bar.close()
    history.seconds = time.perf_counter() - start
    return history
