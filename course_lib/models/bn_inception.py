"""BN-Inception's module (Ioffe & Szegedy, 2015): two 3x3 convs instead of one 5x5, and
batch norm after every conv, before its ReLU.

Compared with GoogLeNet's module (:class:`course_lib.models.inception.Inception`) the 5x5
branch becomes a "double 3x3" branch (1x1 reduce, 3x3, 3x3: the same 5x5 receptive field,
18 c^2 instead of 25 c^2 weights for c channels in and out), and the pool branch may average
instead of taking the max. Every conv is :func:`course_lib.models.blocks.conv_bn_relu`
(conv without bias -> BN -> ReLU). The paper dropped dropout and LRN altogether.
:data:`BN_INCEPTION_3A` is the first module of the paper's network (its Figure 5):
192 -> 256 channels. Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from course_lib import _checks
from course_lib.models.blocks import conv_bn_relu

__all__ = ["BNInception", "BN_INCEPTION_3A", "bn_inception_param_count"]

# c_in, then (c1, c3_reduce, c3, c33_reduce, c33, pool_proj) and the pool of inception (3a)
BN_INCEPTION_3A = {"c_in": 192, "c1": 64, "c3_reduce": 64, "c3": 64, "c33_reduce": 64, "c33": 96,
                   "pool_proj": 32, "pool": "avg"}
_NAMES = ("c_in", "c1", "c3_reduce", "c3", "c33_reduce", "c33", "pool_proj")


class BNInception(nn.Module):
    """BN-Inception module: (N, c_in, H, W) -> (N, c1 + c3 + c33 + pool_proj, H, W).

    Branches ("same" padding, stride 1): 1x1 -> c1; 1x1 -> c3_reduce, 3x3 -> c3;
    1x1 -> c33_reduce, 3x3 -> c33, 3x3 -> c33 (replaces the 5x5); 3x3 pool ("avg" or "max",
    stride 1, padding 1) then 1x1 -> pool_proj. Each conv is conv -> BN -> ReLU.
    Introduced in 03_cnn_architectures.
    """

    def __init__(self, c_in: int, c1: int, c3_reduce: int, c3: int, c33_reduce: int, c33: int,
                 pool_proj: int, pool: str = "avg"):
        super().__init__()
        c_in, c1, c3_reduce, c3, c33_reduce, c33, pool_proj = (
            _checks.integer(v, n, 1) for v, n in zip((c_in, c1, c3_reduce, c3, c33_reduce, c33, pool_proj), _NAMES))
        pool = _checks.choice(pool, "pool", ("avg", "max"))
        self.branch1 = conv_bn_relu(c_in, c1, 1)
        self.branch3 = nn.Sequential(conv_bn_relu(c_in, c3_reduce, 1), conv_bn_relu(c3_reduce, c3, 3, padding=1))
        self.branch33 = nn.Sequential(conv_bn_relu(c_in, c33_reduce, 1), conv_bn_relu(c33_reduce, c33, 3, padding=1),
                                      conv_bn_relu(c33, c33, 3, padding=1))
        pooling = nn.AvgPool2d(3, 1, 1) if pool == "avg" else nn.MaxPool2d(3, 1, 1)
        self.branch_pool = nn.Sequential(pooling, conv_bn_relu(c_in, pool_proj, 1))
        self.out_channels = c1 + c3 + c33 + pool_proj

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch3(x), self.branch33(x), self.branch_pool(x)], 1)


def bn_inception_param_count(c_in: int, c1: int, c3_reduce: int, c3: int, c33_reduce: int, c33: int,
                             pool_proj: int) -> int:
    """Trainable parameters of :class:`BNInception`, by formula: each conv has k*k*c_in*c_out
    weights (no bias: BN's beta does its job) and its BN 2*c_out (gamma, beta). Inception
    (3a) has 219,072. Introduced in 03_cnn_architectures.
    """
    c_in, c1, c3_reduce, c3, c33_reduce, c33, pool_proj = (
        _checks.integer(v, n, 1) for v, n in zip((c_in, c1, c3_reduce, c3, c33_reduce, c33, pool_proj), _NAMES))
    convs = [(1, c_in, c1), (1, c_in, c3_reduce), (3, c3_reduce, c3), (1, c_in, c33_reduce),
             (3, c33_reduce, c33), (3, c33, c33), (1, c_in, pool_proj)]
    return sum(k * k * a * b + 2 * b for k, a, b in convs)
