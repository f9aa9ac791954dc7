"""Reusing a trained network: transfer learning (freeze all but some layers) and multi-task
(multi-label) learning with one sigmoid output per label and the corrected binary
cross-entropy. Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from course_lib import _checks
from course_lib.models.blocks import count_parameters

__all__ = ["freeze_except", "multilabel_binary_cross_entropy"]


def freeze_except(model: nn.Module, trainable: list[str] | str) -> int:
    """Freeze every parameter except those under the named modules (``"all"``: train all).

    ``trainable`` lists module names as in ``model.named_modules()`` (e.g. ``["f6", "output"]``).
    Sets ``requires_grad`` accordingly and returns the number of trainable parameters.
    Give the optimizer only ``[p for p in model.parameters() if p.requires_grad]``.
    No tensor passes through; the shapes of the parameters are unchanged.
    Introduced in 03_cnn_architectures.
    """
    _checks.module(model, "model")
    names = {n for n, _ in model.named_modules() if n}
    if trainable != "all":
        if isinstance(trainable, str) or not all(isinstance(t, str) for t in trainable):
            raise ValueError(f"trainable must be 'all' or a list of module names, got {trainable!r}.")
        unknown = [t for t in trainable if t not in names]
        if unknown:
            raise ValueError(f"trainable names {unknown} are not modules of the model; "
                             f"choose from {sorted(names)}.")
    for name, p in model.named_parameters():
        p.requires_grad = trainable == "all" or any(name.startswith(t + ".") for t in trainable)
    return count_parameters(model)


def multilabel_binary_cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Multi-label loss: mean of -y log(y_hat) - (1 - y) log(1 - y_hat) over all entries.

    ``y_hat`` (N, K) probabilities in [0, 1] (sigmoid outputs, one per label), ``y`` (N, K)
    targets in {0, 1} (any equal shapes; torch tensors or numpy arrays); returns a scalar
    tensor, differentiable, equal to ``F.binary_cross_entropy``. (Chapter 01's
    ``backprop.binary_cross_entropy`` is the numpy loss of one logistic output, returning a
    float.) The source notes write log(1 - y) in the second term, which does not depend on
    the prediction at all; this is the corrected loss. Like torch, each log is clamped at
    -100 so a confident mistake costs 100, not infinity. Introduced in 03_cnn_architectures.
    """
    y_hat, y = _checks.tensor(y_hat, "y_hat"), _checks.tensor(y, "y")
    if y_hat.shape != y.shape:
        raise ValueError(f"y_hat and y must have the same shape, got {tuple(y_hat.shape)} and {tuple(y.shape)}.")
    if (y_hat < 0).any() or (y_hat > 1).any():
        raise ValueError("y_hat must hold probabilities in [0, 1] (apply a sigmoid first); "
                         f"got values from {float(y_hat.min()):.3g} to {float(y_hat.max()):.3g}.")
    log_p = torch.clamp(torch.log(y_hat), min=-100)
    log_q = torch.clamp(torch.log(1 - y_hat), min=-100)
    return -(y * log_p + (1 - y) * log_q).mean()
