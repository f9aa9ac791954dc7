"""ResNet (He et al., 2015): residual blocks, ResNet-18 / ResNet-50, and the plain-vs-residual
stacks of the degradation experiment, in plain torch.

The residual blocks live here rather than in :mod:`course_lib.models.blocks` because only
the ResNet family uses them. At the defaults (1000 classes, 3-channel input) ResNet-18 and
ResNet-50 have exactly torchvision's parameter counts. Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib import _checks
from course_lib.models.blocks import check_architecture, scaled

__all__ = ["identity_block", "convolutional_block", "BasicBlock", "Bottleneck", "ResNet", "resnet18",
           "resnet50", "stacked_net", "random_bottleneck"]


def _shortcut(c_in: int, c_out: int, stride: int) -> nn.Sequential | None:
    """None (identity) when the shape is kept, else a 1x1 conv (stride ``stride``) + BN."""
    if stride == 1 and c_in == c_out:
        return None  # identity shortcut
    return nn.Sequential(OrderedDict(conv=nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                     bn=nn.BatchNorm2d(c_out)))


def identity_block(x: torch.Tensor, block: nn.Module) -> torch.Tensor:
    """Residual block whose shortcut is the identity: ReLU(main_path(x) + x).

    x: (N, C, H, W) -> (N, C, H, W); needs ``block.main_path`` to keep the shape.
    Introduced in 03_cnn_architectures.
    """
    return F.relu(block.main_path(x) + x)


def convolutional_block(x: torch.Tensor, block: nn.Module) -> torch.Tensor:
    """Residual block with a 1x1 conv + BN on the shortcut: ReLU(main_path(x) + shortcut(x)).

    x: (N, C_in, H, W) -> (N, C_out, H / stride, W / stride). Used where the shapes change.
    Introduced in 03_cnn_architectures.
    """
    return F.relu(block.main_path(x) + block.shortcut(x))


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers plus a shortcut (ResNet-18/34).

    x: (N, c_in, H, W) -> (N, c_out, H / stride, W / stride). Introduced in 03_cnn_architectures.
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        c_in, c_out = _checks.integer(c_in, "c_in", 1), _checks.integer(c_out, "c_out", 1)
        stride = _checks.integer(stride, "stride", 1)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = _shortcut(c_in, c_out, stride)

    def main_path(self, x: torch.Tensor) -> torch.Tensor:
        """x: (N, c_in, H, W) -> (N, c_out, H / stride, W / stride), before the addition."""
        return self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return identity_block(x, self) if self.shortcut is None else convolutional_block(x, self)


class Bottleneck(nn.Module):
    """1x1 (reduce) -> 3x3 (stride here, as in torchvision's "v1.5") -> 1x1 (expand x4), plus a shortcut.

    x: (N, c_in, H, W) -> (N, 4 * c_mid, H / stride, W / stride). ResNet-50/101/152.
    Introduced in 03_cnn_architectures.
    """

    expansion = 4

    def __init__(self, c_in: int, c_mid: int, stride: int = 1):
        super().__init__()
        c_in, c_mid = _checks.integer(c_in, "c_in", 1), _checks.integer(c_mid, "c_mid", 1)
        stride = _checks.integer(stride, "stride", 1)
        c_out = c_mid * self.expansion
        self.conv1 = nn.Conv2d(c_in, c_mid, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_mid)
        self.conv2 = nn.Conv2d(c_mid, c_mid, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_mid)
        self.conv3 = nn.Conv2d(c_mid, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.shortcut = _shortcut(c_in, c_out, stride)

    def main_path(self, x: torch.Tensor) -> torch.Tensor:
        """x: (N, c_in, H, W) -> (N, 4 * c_mid, H / stride, W / stride), before the addition."""
        a = F.relu(self.bn1(self.conv1(x)))
        a = F.relu(self.bn2(self.conv2(a)))
        return self.bn3(self.conv3(a))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return identity_block(x, self) if self.shortcut is None else convolutional_block(x, self)


class ResNet(nn.Module):
    """Stem (7x7/2 conv + 3x3/2 max pool, or a 3x3/1 conv for ``small_input``), four stages
    of residual blocks (the first block of stages 2-4 halves H and W), global average pool, FC.

    x: (N, in_channels, H, W) -> (N, num_classes). ``block`` is :class:`BasicBlock` or
    :class:`Bottleneck`, ``blocks_per_stage`` the number of blocks in each stage.
    Introduced in 03_cnn_architectures.
    """

    def __init__(self, block: type[nn.Module], blocks_per_stage: tuple[int, ...], num_classes: int = 1000,
                 in_channels: int = 3, width: float = 1.0, small_input: bool = False):
        super().__init__()
        num_classes, in_channels, width = check_architecture(num_classes, in_channels, width)
        if not (isinstance(block, type) and issubclass(block, nn.Module)):
            raise TypeError(f"block must be a module class such as BasicBlock or Bottleneck, got {block!r}.")
        if isinstance(blocks_per_stage, (int, np.integer)) or not hasattr(blocks_per_stage, "__len__"):
            raise TypeError(f"blocks_per_stage must be a tuple of integers, one per stage, got {blocks_per_stage!r}.")
        blocks_per_stage = tuple(_checks.integer(n, "blocks_per_stage", 1) for n in blocks_per_stage)
        c = scaled(64, width)
        if _checks.boolean(small_input, "small_input"):
            self.conv1 = nn.Conv2d(in_channels, c, 3, padding=1, bias=False)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(in_channels, c, 7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        c_in, expansion = c, getattr(block, "expansion", 1)
        for i, n in enumerate(blocks_per_stage):
            c_mid = scaled(64 * 2 ** i, width)
            layers = []
            for j in range(n):
                layers.append(block(c_in, c_mid, stride=2 if (j == 0 and i > 0) else 1))
                c_in = c_mid * expansion
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.n_stages = len(blocks_per_stage)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c_in, num_classes)
        for m in self.modules():  # torchvision's init: He (fan_out) for convs
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(self.n_stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
             small_input: bool = False) -> ResNet:
    """ResNet-18: BasicBlocks (2, 2, 2, 2). x: (N, in_channels, 224, 224) -> (N, num_classes);
    11,689,512 parameters at the defaults. Introduced in 03_cnn_architectures."""
    return ResNet(BasicBlock, (2, 2, 2, 2), num_classes, in_channels, width, small_input)


def resnet50(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
             small_input: bool = False) -> ResNet:
    """ResNet-50: Bottleneck blocks (3, 4, 6, 3). x: (N, in_channels, 224, 224) -> (N, num_classes);
    25,557,032 parameters at the defaults. Introduced in 03_cnn_architectures."""
    return ResNet(Bottleneck, (3, 4, 6, 3), num_classes, in_channels, width, small_input)


# --- plain vs residual stacks for the degradation experiment ---------------------------------

def stacked_net(blocks_per_stage: int, residual: bool, widths: tuple[int, ...] = (16, 32, 64),
                num_classes: int = 10, in_channels: int = 1) -> nn.Sequential:
    """The CIFAR-style nets of He et al. (2015, sec. 4.2): a 3x3 conv, then for each width a
    stage of ``blocks_per_stage`` pairs of 3x3 conv-BN(-ReLU) layers (stride 2 at the start of
    every stage after the first), global average pool, FC. Depth = 2 * blocks * stages + 2.

    ``residual=False`` is the plain net; ``residual=True`` adds a shortcut around every pair
    (a 1x1 conv where the shape changes): the same layers, only the shortcuts differ.
    x: (N, in_channels, H, W) -> (N, num_classes). Introduced in 03_cnn_architectures.
    """
    blocks_per_stage = _checks.integer(blocks_per_stage, "blocks_per_stage", 1)
    residual = _checks.boolean(residual, "residual")
    num_classes, in_channels, _ = check_architecture(num_classes, in_channels, 1.0)
    if isinstance(widths, (int, np.integer)) or not hasattr(widths, "__len__") or len(widths) == 0:
        raise TypeError(f"widths must be a non-empty tuple of integers, one per stage, got {widths!r}.")
    widths = tuple(_checks.integer(c, "widths", 1) for c in widths)
    layers: list[nn.Module] = [nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
                               nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True)]
    c_in = widths[0]
    for i, c in enumerate(widths):
        for j in range(blocks_per_stage):
            block = BasicBlock(c_in, c, stride=2 if (j == 0 and i > 0) else 1)
            layers.append(block if residual else _PlainPair(block))
            c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, num_classes)]
    return nn.Sequential(*layers)


class _PlainPair(nn.Module):
    """A BasicBlock's two conv-BN layers without its shortcut: ReLU(main_path(x))."""

    def __init__(self, block: BasicBlock):
        super().__init__()
        block.shortcut = None
        self.block = block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.block.main_path(x))


# --- test cases for the notebook's residual-block exercises ----------------------------------

def random_bottleneck(rng: np.random.Generator, identity: bool) -> tuple[torch.Tensor, Bottleneck]:
    """A test case for the residual-block exercises: ``(x, block)`` in float64, eval mode, with
    random weights and BN statistics (so BN is not the identity).

    ``identity=True``: c_in = 4 c_mid and stride 1, so x: (2, c_in, n, n) -> (2, c_in, n, n);
    otherwise the shapes change and the block has a convolutional shortcut. ``rng`` is a
    ``numpy.random.Generator`` (the case is reproducible from its seed).
    Introduced in 03_cnn_architectures.
    """
    rng = _checks.generator(rng, "rng")
    identity = _checks.boolean(identity, "identity")
    c_mid, n = int(rng.integers(1, 4)), int(rng.integers(3, 8))
    c_in, stride = (4 * c_mid, 1) if identity else (int(rng.integers(1, 9)), int(rng.integers(1, 3)))
    if not identity and c_in == 4 * c_mid and stride == 1:
        stride = 2
    gen = torch.Generator().manual_seed(int(rng.integers(2**31)))
    block = Bottleneck(c_in, c_mid, stride).double().eval()
    with torch.no_grad():
        for p in block.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.5)
        for m in block.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=gen, dtype=torch.float64))
                m.running_var.copy_(torch.rand(m.num_features, generator=gen, dtype=torch.float64) + 0.5)
    return torch.randn(2, c_in, n, n, generator=gen, dtype=torch.float64), block
