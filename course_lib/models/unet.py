"""U-Net (Ronneberger, Fischer & Brox, 2015) from readable blocks, in plain torch.

The network is a "U": a contracting path (two 3x3 convolutions then 2x2 max pooling, the channels
doubling at every level), a bottom level, and an expanding path (a 2x2 transposed
convolution that doubles the resolution and halves the channels, the matching
contracting-path feature map concatenated to it, two 3x3 convolutions), then a 1x1
convolution that gives one score per class at every pixel.

- ``padding="valid"`` is the paper: unpadded 3x3 convolutions shrink every map by 2
  pixels, so a skip connection is centre-cropped before the concatenation and a
  572x572 input gives a 388x388 output (:func:`unet_output_size`);
- ``padding="same"`` (p = 1) keeps the size, so the output is as large as the input
  (which must then be divisible by ``2**depth``) and nothing is cropped.

``skip=False`` builds the same U without the concatenations (the ablation of chapter 05);
``batch_norm=False`` with ``base=64, depth=4`` is the paper's network.
Introduced in 05_semantic_segmentation.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn as nn

from course_lib import _checks

__all__ = ["double_conv", "center_crop", "unet_output_size", "Down", "Up", "UNet", "UNET_CHECKPOINT",
           "load_unets"]

UNET_CHECKPOINT = Path(__file__).resolve().parents[2] / "data" / "unet_scenes.pt"

_PADDING = {"same": 1, "valid": 0}


def double_conv(c_in: int, c_out: int, padding: str = "same", batch_norm: bool = True) -> nn.Sequential:
    """The U-Net block: (3x3 conv -> [BatchNorm] -> ReLU) twice.

    x: (N, c_in, H, W) -> (N, c_out, H, W) with ``padding="same"``, (N, c_out, H-4, W-4)
    with ``"valid"`` (the paper). With batch norm the convolutions have no bias (BN's
    shift replaces it). Introduced in 05_semantic_segmentation.
    """
    c_in, c_out = _checks.integer(c_in, "c_in", 1), _checks.integer(c_out, "c_out", 1)
    p = _PADDING[_checks.choice(padding, "padding", list(_PADDING))]
    batch_norm = _checks.boolean(batch_norm, "batch_norm")
    layers: list[tuple[str, nn.Module]] = []
    for k, (a, b) in enumerate(((c_in, c_out), (c_out, c_out)), start=1):
        layers.append((f"conv{k}", nn.Conv2d(a, b, 3, padding=p, bias=not batch_norm)))
        if batch_norm:
            layers.append((f"bn{k}", nn.BatchNorm2d(b)))
        layers.append((f"relu{k}", nn.ReLU(inplace=True)))
    return nn.Sequential(OrderedDict(layers))


def center_crop(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """The central ``height`` x ``width`` window of ``x``: (N, C, H, W) -> (N, C, height, width).

    How the paper fits a contracting-path map to the smaller expanding-path map before the
    concatenation ((H - height) // 2 rows cut at the top, the rest at the bottom).
    Introduced in 05_semantic_segmentation.
    """
    _checks.ndim(x, "x", 4, "(N, C, H, W)", "center_crop")
    height, width = _checks.integer(height, "height", 1), _checks.integer(width, "width", 1)
    h, w = x.shape[-2:]
    if height > h or width > w:
        raise ValueError(f"center_crop: the crop height x width = {height}x{width} must fit inside "
                         f"x's {h}x{w}.")
    top, left = (h - height) // 2, (w - width) // 2
    return x[..., top:top + height, left:left + width]


def unet_output_size(n: int, depth: int = 4, padding: str = "valid") -> int:
    """Side of a U-Net's output for an ``n`` x ``n`` input: 572 -> 388 for the paper's U.

    Along the contracting path each level applies two 3x3 convolutions (-4 pixels when
    ``"valid"``, 0 when ``"same"``) then a 2x2 pooling (/2, which must divide evenly); the
    bottom level convolves twice; each expanding level doubles (transposed conv) then
    convolves twice. Raises ValueError when a pooling gets an odd size or a map vanishes.
    Introduced in 05_semantic_segmentation.
    """
    n, depth = _checks.integer(n, "n", 1), _checks.integer(depth, "depth", 1)
    shrink = 4 if _checks.choice(padding, "padding", list(_PADDING)) == "valid" else 0
    size = n
    for level in range(depth):
        size -= shrink
        if size < 2 or size % 2:
            raise ValueError(f"n = {n} does not fit a depth-{depth} U-Net with {padding!r} padding: "
                             f"level {level + 1} hands a {size}x{size} map to the 2x2 pooling, which "
                             f"needs an even size >= 2.")
        size //= 2
    for _ in range(depth + 1):     # the bottom level, then each expanding level
        size -= shrink
        if size < 1:
            raise ValueError(f"n = {n} is too small for a depth-{depth} U-Net with {padding!r} "
                             f"padding: a feature map shrinks to nothing.")
        size = 2 * size
    return size // 2


class Down(nn.Module):
    """One contracting step: 2x2 max pooling, then :func:`double_conv`.

    x: (N, c_in, H, W) -> (N, c_out, H/2, W/2) (minus 4 with ``"valid"`` padding).
    Introduced in 05_semantic_segmentation.
    """

    def __init__(self, c_in: int, c_out: int, padding: str = "same", batch_norm: bool = True):
        super().__init__()
        self.pool = nn.MaxPool2d(2)
        self.conv = double_conv(c_in, c_out, padding, batch_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.pool(x))


class Up(nn.Module):
    """One expanding step: 2x2 transposed conv (stride 2: twice the size, half the channels),
    the skip map centre-cropped and concatenated on the channel axis, then :func:`double_conv`.

    x: (N, c_in, H, W), skip: (N, c_in/2, H', W') with H' >= 2H -> (N, c_in/2, 2H, 2W)
    (minus 4 with ``"valid"``). With ``skip=False`` there is no concatenation and the
    block's convolutions see c_in/2 channels instead of c_in. Introduced in
    05_semantic_segmentation.
    """

    def __init__(self, c_in: int, padding: str = "same", batch_norm: bool = True, skip: bool = True):
        super().__init__()
        c_in = _checks.integer(c_in, "c_in", 2)
        self.skip = _checks.boolean(skip, "skip")
        c_out = c_in // 2
        self.up = nn.ConvTranspose2d(c_in, c_out, kernel_size=2, stride=2)
        self.conv = double_conv(2 * c_out if self.skip else c_out, c_out, padding, batch_norm)

    def forward(self, x: torch.Tensor, skip: torch.Tensor | None = None) -> torch.Tensor:
        x = self.up(x)
        if self.skip:
            x = torch.cat([center_crop(skip, x.shape[-2], x.shape[-1]), x], dim=1)
        return self.conv(x)


class UNet(nn.Module):
    """U-Net: x (N, in_channels, H, W) -> class scores (N, num_classes, H_out, W_out).

    Stages, in the order they run (these are the rows of ``visualize.summary`` and the
    layers of the layer viewer): ``enc1`` (:func:`double_conv`, ``base`` channels), ``down1``
    .. ``down{depth}`` (:class:`Down`, channels doubling; the last is the bottom of the U),
    ``up1`` .. ``up{depth}`` (:class:`Up`, channels halving), ``head`` (1x1 conv to
    ``num_classes``). With ``padding="same"`` H_out = H (H, W divisible by ``2**depth``);
    with ``"valid"`` see :func:`unet_output_size`. The paper's network is
    ``UNet(1, 2, base=64, depth=4, padding="valid", batch_norm=False)`` (572 -> 388).
    Introduced in 05_semantic_segmentation.
    """

    def __init__(self, in_channels: int = 3, num_classes: int = 5, base: int = 16, depth: int = 3,
                 padding: str = "same", skip: bool = True, batch_norm: bool = True):
        super().__init__()
        self.in_channels = _checks.integer(in_channels, "in_channels", 1)
        self.num_classes = _checks.integer(num_classes, "num_classes", 1)
        self.base, self.depth = _checks.integer(base, "base", 1), _checks.integer(depth, "depth", 1)
        self.padding = _checks.choice(padding, "padding", list(_PADDING))
        self.skip = _checks.boolean(skip, "skip")
        self.batch_norm = _checks.boolean(batch_norm, "batch_norm")
        self.enc1 = double_conv(in_channels, base, padding, batch_norm)
        for k in range(1, depth + 1):
            self.add_module(f"down{k}", Down(base * 2 ** (k - 1), base * 2 ** k, padding, batch_norm))
        for k in range(1, depth + 1):
            self.add_module(f"up{k}", Up(base * 2 ** (depth - k + 1), padding, batch_norm, skip))
        self.head = nn.Conv2d(base, num_classes, kernel_size=1)

    def stage_names(self) -> list[str]:
        """The stages in the order they run: enc1, down1.., up1.., head."""
        return (["enc1"] + [f"down{k}" for k in range(1, self.depth + 1)]
                + [f"up{k}" for k in range(1, self.depth + 1)] + ["head"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"UNet: x must have shape (N, {self.in_channels}, H, W), got {tuple(x.shape)}.")
        if self.padding == "same" and (x.shape[-2] % 2 ** self.depth or x.shape[-1] % 2 ** self.depth):
            raise ValueError(f"UNet: with 'same' padding, x's height and width must be divisible by "
                             f"2**depth = {2 ** self.depth}, got {tuple(x.shape[-2:])}.")
        skips = []
        h = self.enc1(x)
        for k in range(1, self.depth + 1):
            skips.append(h)                        # kept for the expanding path
            h = getattr(self, f"down{k}")(h)
        for k in range(1, self.depth + 1):
            h = getattr(self, f"up{k}")(h, skips.pop())
        return self.head(h)


def load_unets(path: str | os.PathLike = UNET_CHECKPOINT) -> tuple[dict[str, UNet], dict]:
    """Load the file written by ``data/train_segmentation.py``: ({name: UNet in eval mode}, meta).

    The file holds float16 state dicts (``models.save_models``) under the names "skip" and
    "no_skip" and, in ``meta["arch"]``, the constructor's arguments; each model is rebuilt
    with them (``skip`` from its name) and its weights converted back to float32. Every
    model maps (N, 3, 64, 64) -> (N, 5, 64, 64). Introduced in 05_semantic_segmentation.
    """
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    arch = ckpt["meta"]["arch"]
    nets = {}
    for name, state in ckpt["state"].items():
        model = UNet(skip=(name == "skip"), **arch)
        model.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in state.items()})
        nets[name] = model.eval()
    return nets, ckpt["meta"]
