"""The pieces every architecture of chapter 03 shares: the conv + batch norm + ReLU unit,
the channel-width rule of the reduced models, the parameter count, and the one check of
the arguments every constructor takes (``num_classes``, ``in_channels``, ``width``).

Blocks that belong to one family live with it (ResNet's residual blocks in
:mod:`course_lib.models.resnet`, the Inception modules in :mod:`course_lib.models.inception`).
Every check raises from :mod:`course_lib._checks`. Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

from collections import OrderedDict

import torch.nn as nn

from course_lib import _checks

__all__ = ["count_parameters", "scaled", "conv_bn_relu", "check_architecture"]


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) scalar parameters of ``model``: the sum of ``p.numel()``.

    Any ``nn.Module``; works on models built on the ``meta`` device too (no memory needed,
    no input shape involved). TypeError for anything that is not a module.
    Introduced in 03_cnn_architectures.
    """
    _checks.module(model, "model")
    trainable_only = _checks.boolean(trainable_only, "trainable_only")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def scaled(channels: int, width: float) -> int:
    """``channels`` times ``width`` rounded, at least 1: how a reduced model shrinks a layer.

    A channel count (no tensor); the constructors check ``width`` before calling it.
    Introduced in 03_cnn_architectures.
    """
    return max(1, int(round(channels * width)))


def check_architecture(num_classes: int, in_channels: int, width: float) -> tuple[int, int, float]:
    """Check the arguments every constructor takes and return them as plain Python numbers.

    ``num_classes`` and ``in_channels``: integers >= 1 (numpy integers too); ``width``: a
    number in (0, 1], 1 being the full model. TypeError for the wrong kind of value (a
    float or a bool where an integer is needed), ValueError for a wrong value.
    Introduced in 03_cnn_architectures.
    """
    return (_checks.integer(num_classes, "num_classes", 1), _checks.integer(in_channels, "in_channels", 1),
            _checks.fraction(width, "width"))


def conv_bn_relu(c_in: int, c_out: int, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] = 1,
                 padding: int | tuple[int, int] = 0, eps: float = 1e-3) -> nn.Sequential:
    """Conv (no bias, BN makes it redundant) -> BatchNorm -> ReLU; torchvision's ``BasicConv2d``.

    x: (N, c_in, H, W) -> (N, c_out, H', W') with H' = (H + 2 padding - kernel) // stride + 1.
    Used by the Inception models (BN eps 0.001, as in torchvision). Introduced in 03_cnn_architectures.
    """
    c_in, c_out = _checks.integer(c_in, "c_in", 1), _checks.integer(c_out, "c_out", 1)
    kernel_size = _checks.integers(kernel_size, "kernel_size", 2, 1)
    stride = _checks.integers(stride, "stride", 2, 1)
    padding = _checks.integers(padding, "padding", 2, 0)
    eps = _checks.positive(eps, "eps")
    return nn.Sequential(OrderedDict(
        conv=nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
        bn=nn.BatchNorm2d(c_out, eps=eps), relu=nn.ReLU(inplace=True)))
