"""The Inception family: GoogLeNet / Inception-v1 (Szegedy et al., 2014) and Inception-v3
(Szegedy et al., 2015), in plain torch, built from readable modules.

Every conv here is :func:`course_lib.models.blocks.conv_bn_relu` (torchvision's
``BasicConv2d``: conv without bias, BN with eps 0.001, ReLU), so at the defaults the
parameter counts equal torchvision's: GoogLeNet 6,624,904 (13,004,888 with the two
auxiliary classifiers), Inception-v3 23,834,568 (27,161,264 with its auxiliary classifier).
The 2014 GoogLeNet had no batch norm (it used local response normalization); batch norm
came with BN-Inception (2015), and torchvision put it into its GoogLeNet too. Both
constructors are also reachable as ``course_lib.models.googlenet`` and ``.inception_v3``.
Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib import _checks
from course_lib.models.blocks import check_architecture, conv_bn_relu, scaled

__all__ = ["NaiveInception", "Inception", "InceptionAux", "GoogLeNet", "googlenet",
           "InceptionA", "InceptionB", "InceptionC", "InceptionD", "InceptionE", "InceptionV3",
           "inception_v3"]


class NaiveInception(nn.Module):
    """The naive module: 1x1, 3x3 and 5x5 'same' convs and a 3x3 max pool side by side,
    concatenated along channels. (N, c_in, H, W) -> (N, c1 + c3 + c5 + c_in, H, W).

    The pool branch keeps all ``c_in`` channels, so stacking these modules makes the
    channel count (and the 5x5 cost) grow without bound: the motivation for 1x1 bottlenecks.
    Introduced in 03_cnn_architectures.
    """

    def __init__(self, c_in: int, c1: int, c3: int, c5: int):
        super().__init__()
        c_in, c1, c3, c5 = (_checks.integer(v, n, 1) for v, n in zip((c_in, c1, c3, c5), ("c_in", "c1", "c3", "c5")))
        self.branch1 = conv_bn_relu(c_in, c1, 1)
        self.branch3 = conv_bn_relu(c_in, c3, 3, padding=1)
        self.branch5 = conv_bn_relu(c_in, c5, 5, padding=2)
        self.pool = nn.MaxPool2d(3, stride=1, padding=1)
        self.out_channels = c1 + c3 + c5 + c_in

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch3(x), self.branch5(x), self.pool(x)], 1)


class Inception(nn.Module):
    """The GoogLeNet module with 1x1 bottlenecks ("dimension reductions").

    Branches: 1x1 -> c1; 1x1 -> c3_reduce then 3x3 -> c3; 1x1 -> c5_reduce then k5 x k5 -> c5;
    3x3 max pool then 1x1 -> pool_proj. (N, c_in, H, W) -> (N, c1 + c3 + c5 + pool_proj, H, W).
    ``k5`` = 5 is the paper; torchvision's GoogLeNet uses 3 there (a known quirk kept for
    its weights), and :func:`googlenet` follows torchvision by default. Introduced in 03_cnn_architectures.
    """

    def __init__(self, c_in: int, c1: int, c3_reduce: int, c3: int, c5_reduce: int, c5: int,
                 pool_proj: int, k5: int = 5):
        super().__init__()
        names = ("c_in", "c1", "c3_reduce", "c3", "c5_reduce", "c5", "pool_proj")
        c_in, c1, c3_reduce, c3, c5_reduce, c5, pool_proj = (
            _checks.integer(v, n, 1) for v, n in zip((c_in, c1, c3_reduce, c3, c5_reduce, c5, pool_proj), names))
        k5 = _checks.integer(k5, "k5", 1)
        if k5 % 2 == 0:
            raise ValueError(f"k5 must be an odd kernel size (the paper: 5, torchvision: 3), so that "
                             f"padding k5 // 2 keeps H and W; got {k5!r}.")
        self.branch1 = conv_bn_relu(c_in, c1, 1)
        self.branch2 = nn.Sequential(conv_bn_relu(c_in, c3_reduce, 1),
                                     conv_bn_relu(c3_reduce, c3, 3, padding=1))
        self.branch3 = nn.Sequential(conv_bn_relu(c_in, c5_reduce, 1),
                                     conv_bn_relu(c5_reduce, c5, k5, padding=k5 // 2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     conv_bn_relu(c_in, pool_proj, 1))
        self.out_channels = c1 + c3 + c5 + pool_proj

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    """GoogLeNet's auxiliary classifier: 4x4 average pool, 1x1 conv 128, FC 1024, dropout 0.7, FC.

    (N, c_in, H, W) -> (N, num_classes). Used in training only; its loss is added with weight 0.3.
    Introduced in 03_cnn_architectures.
    """

    def __init__(self, c_in: int, num_classes: int, width: float = 1.0, dropout: float = 0.7):
        super().__init__()
        num_classes, _, width = check_architecture(num_classes, 1, width)
        dropout = _checks.fraction(dropout, "dropout", allow_zero=True)
        self.pool = nn.AdaptiveAvgPool2d(4)
        self.conv = conv_bn_relu(c_in, scaled(128, width), 1)
        self.fc1 = nn.Linear(scaled(128, width) * 16, scaled(1024, width))
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(scaled(1024, width), num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.flatten(self.conv(self.pool(x)), 1)
        return self.fc2(self.dropout(F.relu(self.fc1(x))))


# (c1, c3_reduce, c3, c5_reduce, c5, pool_proj) of GoogLeNet's nine modules (paper, table 1)
GOOGLENET_MODULES = OrderedDict([
    ("inception3a", (64, 96, 128, 16, 32, 32)), ("inception3b", (128, 128, 192, 32, 96, 64)),
    ("inception4a", (192, 96, 208, 16, 48, 64)), ("inception4b", (160, 112, 224, 24, 64, 64)),
    ("inception4c", (128, 128, 256, 24, 64, 64)), ("inception4d", (112, 144, 288, 32, 64, 64)),
    ("inception4e", (256, 160, 320, 32, 128, 128)), ("inception5a", (256, 160, 320, 32, 128, 128)),
    ("inception5b", (384, 192, 384, 48, 128, 128)),
])


class GoogLeNet(nn.Module):
    """GoogLeNet: stem, nine Inception modules with max pools between the groups 3, 4, 5,
    global average pool, dropout 0.2, FC. Auxiliary classifiers after 4a and 4d (if ``aux``).

    (N, in_channels, 224, 224) -> (N, num_classes); in training mode with ``aux`` it returns
    ``(logits, aux2_logits, aux1_logits)``. Introduced in 03_cnn_architectures.
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, aux: bool = False,
                 width: float = 1.0, small_input: bool = False, k5: int = 3):
        super().__init__()
        num_classes, in_channels, width = check_architecture(num_classes, in_channels, width)
        aux, small_input = _checks.boolean(aux, "aux"), _checks.boolean(small_input, "small_input")
        w = lambda n: scaled(n, width)  # noqa: E731
        if small_input:  # 32x32: a 3x3 conv, one 2x2 pool before the modules
            self.conv1 = conv_bn_relu(in_channels, w(64), 3, padding=1)
            self.maxpool1 = nn.Identity()
        else:
            self.conv1 = conv_bn_relu(in_channels, w(64), 7, stride=2, padding=3)
            self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = conv_bn_relu(w(64), w(64), 1)
        self.conv3 = conv_bn_relu(w(64), w(192), 3, padding=1)
        self.maxpool2 = nn.MaxPool2d(2, 2) if small_input else nn.MaxPool2d(3, stride=2, ceil_mode=True)
        c_in = w(192)
        for name, cfg in GOOGLENET_MODULES.items():
            module = Inception(c_in, *[w(n) for n in cfg], k5=k5)
            setattr(self, name, module)
            c_in = module.out_channels
            if name == "inception3b":
                self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
            if name == "inception4e":
                self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.aux1 = InceptionAux(self.inception4a.out_channels, num_classes, width) if aux else None
        self.aux2 = InceptionAux(self.inception4d.out_channels, num_classes, width) if aux else None
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(c_in, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        x = self.maxpool2(self.conv3(self.conv2(self.maxpool1(self.conv1(x)))))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        x = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        return (x, aux2, aux1) if aux1 is not None else x


def googlenet(num_classes: int = 1000, in_channels: int = 3, aux: bool = False, width: float = 1.0,
              small_input: bool = False, k5: int = 3) -> GoogLeNet:
    """GoogLeNet (Inception-v1) as in torchvision: 6,624,904 parameters without auxiliary
    classifiers, 13,004,888 with ``aux=True``. x: (N, in_channels, 224, 224) -> (N, num_classes)
    (or 32x32 inputs with ``small_input``). Like torchvision, every conv has batch norm, which
    the 2014 paper did not (it used LRN). ``k5=5`` gives the paper's 5x5 branch instead of
    torchvision's 3x3 (then the count differs). Introduced in 03_cnn_architectures."""
    return GoogLeNet(num_classes, in_channels, aux, width, small_input, k5)


# --- Inception-v3: factorized convolutions ---------------------------------------------------

class InceptionA(nn.Module):
    """35x35 module: the 5x5 of v1 factorized into two 3x3 (branch ``dbl``).
    (N, c_in, H, W) -> (N, w(64)+w(64)+w(96)+pool_features, H, W). Introduced in 03_cnn_architectures."""

    def __init__(self, c_in: int, pool_features: int, w: Callable[[int], int]):
        super().__init__()
        self.branch1x1 = conv_bn_relu(c_in, w(64), 1)
        self.branch5x5 = nn.Sequential(conv_bn_relu(c_in, w(48), 1), conv_bn_relu(w(48), w(64), 5, padding=2))
        self.branch3x3dbl = nn.Sequential(conv_bn_relu(c_in, w(64), 1), conv_bn_relu(w(64), w(96), 3, padding=1),
                                          conv_bn_relu(w(96), w(96), 3, padding=1))
        self.branch_pool = nn.Sequential(nn.AvgPool2d(3, stride=1, padding=1), conv_bn_relu(c_in, pool_features, 1))
        self.out_channels = 2 * w(64) + w(96) + pool_features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1x1(x), self.branch5x5(x), self.branch3x3dbl(x), self.branch_pool(x)], 1)


class InceptionB(nn.Module):
    """Grid reduction 35 -> 17: stride-2 convs beside a stride-2 max pool (no bottleneck before
    the pool, so no representational bottleneck). (N, c_in, H, W) -> (N, w(384)+w(96)+c_in, H', W').
    Introduced in 03_cnn_architectures."""

    def __init__(self, c_in: int, w: Callable[[int], int]):
        super().__init__()
        self.branch3x3 = conv_bn_relu(c_in, w(384), 3, stride=2)
        self.branch3x3dbl = nn.Sequential(conv_bn_relu(c_in, w(64), 1), conv_bn_relu(w(64), w(96), 3, padding=1),
                                          conv_bn_relu(w(96), w(96), 3, stride=2))
        self.branch_pool = nn.MaxPool2d(3, stride=2)
        self.out_channels = w(384) + w(96) + c_in

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch3x3(x), self.branch3x3dbl(x), self.branch_pool(x)], 1)


def _factorized_7x7(c_in: int, c_mid: int, c_out: int, n: int) -> nn.Sequential:
    """1x1 then ``n`` alternating 1x7 / 7x1 convs: a 7x7 field with 2*7 instead of 49 weights."""
    layers, c = [conv_bn_relu(c_in, c_mid, 1)], c_mid
    for i in range(n):
        k, p = ((1, 7), (0, 3)) if i % 2 == 0 else ((7, 1), (3, 0))
        if n == 4:  # the double branch starts with 7x1 in torchvision
            k, p = k[::-1], p[::-1]
        nxt = c_out if i == n - 1 else c_mid
        layers.append(conv_bn_relu(c, nxt, k, padding=p))
        c = nxt
    return nn.Sequential(*layers)


class InceptionC(nn.Module):
    """17x17 module: n x n convs factorized into 1 x n then n x 1 (n = 7).
    (N, c_in, H, W) -> (N, 4 * w(192), H, W). Introduced in 03_cnn_architectures."""

    def __init__(self, c_in: int, c7: int, w: Callable[[int], int]):
        super().__init__()
        self.branch1x1 = conv_bn_relu(c_in, w(192), 1)
        self.branch7x7 = _factorized_7x7(c_in, c7, w(192), 2)
        self.branch7x7dbl = _factorized_7x7(c_in, c7, w(192), 4)
        self.branch_pool = nn.Sequential(nn.AvgPool2d(3, stride=1, padding=1), conv_bn_relu(c_in, w(192), 1))
        self.out_channels = 4 * w(192)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1x1(x), self.branch7x7(x), self.branch7x7dbl(x), self.branch_pool(x)], 1)


class InceptionD(nn.Module):
    """Grid reduction 17 -> 8. (N, c_in, H, W) -> (N, w(320) + w(192) + c_in, H', W').
    Introduced in 03_cnn_architectures."""

    def __init__(self, c_in: int, w: Callable[[int], int]):
        super().__init__()
        self.branch3x3 = nn.Sequential(conv_bn_relu(c_in, w(192), 1), conv_bn_relu(w(192), w(320), 3, stride=2))
        self.branch7x7x3 = nn.Sequential(
            conv_bn_relu(c_in, w(192), 1), conv_bn_relu(w(192), w(192), (1, 7), padding=(0, 3)),
            conv_bn_relu(w(192), w(192), (7, 1), padding=(3, 0)), conv_bn_relu(w(192), w(192), 3, stride=2))
        self.branch_pool = nn.MaxPool2d(3, stride=2)
        self.out_channels = w(320) + w(192) + c_in

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch3x3(x), self.branch7x7x3(x), self.branch_pool(x)], 1)


class InceptionE(nn.Module):
    """8x8 module with expanded filter banks: 3x3 split into parallel 1x3 and 3x1 outputs.
    (N, c_in, H, W) -> (N, w(320) + 4 * w(384) + w(192), H, W). Introduced in 03_cnn_architectures."""

    def __init__(self, c_in: int, w: Callable[[int], int]):
        super().__init__()
        self.branch1x1 = conv_bn_relu(c_in, w(320), 1)
        self.branch3x3_1 = conv_bn_relu(c_in, w(384), 1)
        self.branch3x3_2a = conv_bn_relu(w(384), w(384), (1, 3), padding=(0, 1))
        self.branch3x3_2b = conv_bn_relu(w(384), w(384), (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = nn.Sequential(conv_bn_relu(c_in, w(448), 1), conv_bn_relu(w(448), w(384), 3, padding=1))
        self.branch3x3dbl_3a = conv_bn_relu(w(384), w(384), (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = conv_bn_relu(w(384), w(384), (3, 1), padding=(1, 0))
        self.branch_pool = nn.Sequential(nn.AvgPool2d(3, stride=1, padding=1), conv_bn_relu(c_in, w(192), 1))
        self.out_channels = w(320) + 4 * w(384) + w(192)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.branch3x3_1(x)
        b = self.branch3x3dbl_1(x)
        return torch.cat([self.branch1x1(x), self.branch3x3_2a(a), self.branch3x3_2b(a),
                          self.branch3x3dbl_3a(b), self.branch3x3dbl_3b(b), self.branch_pool(x)], 1)


class InceptionV3(nn.Module):
    """Inception-v3: stem, 3 x A (35x35), B, 4 x C (17x17), D, 2 x E (8x8), pool, dropout, FC.

    (N, in_channels, 299, 299) -> (N, num_classes); with ``aux`` in training mode it returns
    ``(logits, aux_logits)`` (auxiliary classifier on the 17x17 grid). Introduced in 03_cnn_architectures.
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3, aux: bool = False,
                 width: float = 1.0, small_input: bool = False):
        super().__init__()
        num_classes, in_channels, width = check_architecture(num_classes, in_channels, width)
        aux, small_input = _checks.boolean(aux, "aux"), _checks.boolean(small_input, "small_input")
        w = lambda n: scaled(n, width)  # noqa: E731
        if small_input:  # 32x32 -> 16x16 before the modules (instead of 299 -> 35)
            stem = [conv_bn_relu(in_channels, w(32), 3, padding=1), conv_bn_relu(w(32), w(64), 3, padding=1),
                    nn.MaxPool2d(2, 2), conv_bn_relu(w(64), w(80), 1), conv_bn_relu(w(80), w(192), 3, padding=1)]
        else:
            stem = [conv_bn_relu(in_channels, w(32), 3, stride=2), conv_bn_relu(w(32), w(32), 3),
                    conv_bn_relu(w(32), w(64), 3, padding=1), nn.MaxPool2d(3, stride=2),
                    conv_bn_relu(w(64), w(80), 1), conv_bn_relu(w(80), w(192), 3), nn.MaxPool2d(3, stride=2)]
        self.stem = nn.Sequential(*stem)
        a1 = InceptionA(w(192), w(32), w)
        a2 = InceptionA(a1.out_channels, w(64), w)
        a3 = InceptionA(a2.out_channels, w(64), w)
        self.mixed_5 = nn.Sequential(a1, a2, a3)
        b = InceptionB(a3.out_channels, w)
        self.mixed_6 = nn.Sequential(b, *[InceptionC(b.out_channels, w(c7), w) for c7 in (128, 160, 160, 192)])
        c_mid = 4 * w(192)
        self.aux = None
        if aux:
            self.aux = nn.Sequential(OrderedDict(
                pool=nn.AvgPool2d(5, stride=3), conv0=conv_bn_relu(c_mid, w(128), 1),
                conv1=conv_bn_relu(w(128), w(768), 5), gap=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten(),
                fc=nn.Linear(w(768), num_classes)))
        d = InceptionD(c_mid, w)
        e1 = InceptionE(d.out_channels, w)
        self.mixed_7 = nn.Sequential(d, e1, InceptionE(e1.out_channels, w))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(e1.out_channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        x = self.mixed_6(self.mixed_5(self.stem(x)))
        aux = self.aux(x) if self.aux is not None and self.training else None
        x = self.fc(self.dropout(torch.flatten(self.avgpool(self.mixed_7(x)), 1)))
        return (x, aux) if aux is not None else x


def inception_v3(num_classes: int = 1000, in_channels: int = 3, aux: bool = False, width: float = 1.0,
                 small_input: bool = False) -> InceptionV3:
    """Inception-v3 as in torchvision: 23,834,568 parameters without the auxiliary classifier,
    27,161,264 with ``aux=True`` (torchvision's default). x: (N, in_channels, 299, 299) ->
    (N, num_classes) (or 32x32 inputs with ``small_input``). Introduced in 03_cnn_architectures."""
    return InceptionV3(num_classes, in_channels, aux, width, small_input)
