"""Block diagrams drawn by code (chapter 03): the Inception module and the residual block.

Boxes are layers, arrows the data flow; the channel counts in the labels are arguments, so
a diagram shows the module the notebook builds (GoogLeNet's inception (3a) and a ResNet
bottleneck by default). Each function returns the ``Figure``. Introduced in
03_cnn_architectures.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

__all__ = ["inception_module_diagram", "residual_block_diagram"]

_COLOURS = {"conv1": "#cfe3f7", "conv": "#f7dcc0", "pool": "#d9efd2", "io": "#eeeeee", "op": "#fff3b0"}
_W, _H = 1.9, 0.55     # box width and height (data units)


def _box(ax: Axes, x: float, y: float, text: str, kind: str, width: float = _W) -> tuple[float, float]:
    ax.add_patch(FancyBboxPatch((x - width / 2, y - _H / 2), width, _H, boxstyle="round,pad=0.04",
                                facecolor=_COLOURS[kind], edgecolor="0.3", linewidth=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=9)
    return x, y


def _arrow(ax: Axes, a: tuple[float, float], b: tuple[float, float], text: str = "", rad: float = 0.0,
           spread: float = 0.0) -> None:
    """An arrow from the bottom of box ``a`` to the top of box ``b``; with ``spread`` > 0 it
    lands at a's x, clipped to b's centre +- spread (several arrows into one wide box)."""
    end_x = min(max(a[0], b[0] - spread), b[0] + spread) if spread else b[0]
    start, end = (a[0], a[1] - _H / 2), (end_x, b[1] + _H / 2)
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color="0.25",
                                 linewidth=1, connectionstyle=f"arc3,rad={rad}"))
    if text:
        ax.text((start[0] + end[0]) / 2 + 0.08, (start[1] + end[1]) / 2, text, fontsize=8, color="0.35")


def _canvas(title: str, size: tuple[float, float], xlim: tuple[float, float], ylim: tuple[float, float]) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=size)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    ax.set_title(title)
    return fig, ax


def inception_module_diagram(c_in: int = 192, c1: int = 64, c3_reduce: int = 96, c3: int = 128,
                             c5_reduce: int = 16, c5: int = 32, pool_proj: int = 32,
                             double_3x3: bool = False) -> Figure:
    """The Inception module with 1x1 bottlenecks: four branches from the input, concatenated
    along channels (GoogLeNet's inception (3a) by default: 192 -> 256 channels). With
    ``double_3x3`` the 5x5 branch is drawn as BN-Inception's two 3x3 convs (every conv
    then being conv -> BN -> ReLU). Introduced in 03_cnn_architectures."""
    out = c1 + c3 + c5 + pool_proj
    name = "BN-Inception module (two 3x3 instead of 5x5)" if double_3x3 else "Inception module with 1x1 bottlenecks"
    fig, ax = _canvas(f"{name}\n{c_in} -> {out} channels, H x W kept", (9.5, 5.2), (-0.2, 9.8), (-0.3, 5.4))
    top = _box(ax, 4.8, 4.9, f"previous layer ({c_in} ch)", "io", width=3.0)
    xs = [1.2, 3.6, 6.0, 8.4]
    b1 = _box(ax, xs[0], 3.7, f"1x1 conv, {c1}", "conv1")
    r3 = _box(ax, xs[1], 3.7, f"1x1 conv, {c3_reduce}", "conv1")
    b3 = _box(ax, xs[1], 2.3, f"3x3 conv, {c3}", "conv")
    r5 = _box(ax, xs[2], 3.7, f"1x1 conv, {c5_reduce}", "conv1")
    if double_3x3:
        m5 = _box(ax, xs[2], 3.0, f"3x3 conv, {c5}", "conv")
        b5 = _box(ax, xs[2], 2.3, f"3x3 conv, {c5}", "conv")
    else:
        m5, b5 = None, _box(ax, xs[2], 2.3, f"5x5 conv, {c5}", "conv")
    pool = _box(ax, xs[3], 3.7, "3x3 pool, stride 1", "pool")
    proj = _box(ax, xs[3], 2.3, f"1x1 conv, {pool_proj}", "conv1")
    cat = _box(ax, 4.8, 0.9, f"concatenate channels: {c1}+{c3}+{c5}+{pool_proj} = {out}", "op", width=5.2)
    for target in (b1, r3, r5, pool):
        _arrow(ax, top, target)
    _arrow(ax, r3, b3)
    if m5 is not None:
        _arrow(ax, r5, m5)
        _arrow(ax, m5, b5)
    else:
        _arrow(ax, r5, b5)
    _arrow(ax, pool, proj)
    for source in (b1, b3, b5, proj):
        _arrow(ax, source, cat, spread=2.4)
    ax.text(4.8, 0.15, "blue: 1x1 (bottleneck / projection), orange: spatial conv, green: pooling; "
            "every conv is followed by ReLU", ha="center", fontsize=8, color="0.35")
    return fig


def residual_block_diagram(c_in: int = 256, c_mid: int = 64, c_out: int = 256, stride: int = 1) -> Figure:
    """ResNet's bottleneck block: 1x1 -> 3x3 -> 1x1 convs (each with batch norm, ReLU after
    the first two), the shortcut added *before* the last ReLU. With ``stride > 1`` or
    c_in != c_out the shortcut is a 1x1 conv + BN (the convolutional block), otherwise the
    identity (the identity block). Introduced in 03_cnn_architectures."""
    projection = stride != 1 or c_in != c_out
    kind = "convolutional block (projection shortcut)" if projection else "identity block"
    fig, ax = _canvas(f"ResNet bottleneck, {kind}\n{c_in} -> {c_out} channels", (7.0, 6.0), (-0.5, 6.0), (-0.4, 6.2))
    x = _box(ax, 2.0, 5.7, f"x ({c_in} ch)", "io")
    a = _box(ax, 2.0, 4.6, f"1x1 conv, {c_mid} + BN + ReLU", "conv1", width=2.8)
    b = _box(ax, 2.0, 3.5, f"3x3 conv, {c_mid}, stride {stride} + BN + ReLU", "conv", width=3.4)
    c = _box(ax, 2.0, 2.4, f"1x1 conv, {c_out} + BN", "conv1", width=2.8)
    add = _box(ax, 2.0, 1.3, "add:  F(x) + shortcut(x)", "op", width=2.8)
    out = _box(ax, 2.0, 0.2, f"ReLU -> output ({c_out} ch)", "io", width=2.8)
    for s, t in ((x, a), (a, b), (b, c), (c, add), (add, out)):
        _arrow(ax, s, t)
    label = "shortcut: identity"
    if projection:
        sc = _box(ax, 4.8, 3.5, f"1x1 conv {c_out}\nstride {stride} + BN", "conv1", width=1.7)
        ax.add_patch(FancyArrowPatch((x[0] + _W / 2, x[1]), (sc[0], sc[1] + _H / 2), arrowstyle="-|>",
                                     mutation_scale=12, color="0.25", connectionstyle="angle,angleA=0,angleB=90"))
        ax.add_patch(FancyArrowPatch((sc[0], sc[1] - _H / 2), (add[0] + 1.4, add[1]), arrowstyle="-|>",
                                     mutation_scale=12, color="0.25", connectionstyle="angle,angleA=-90,angleB=0"))
    else:
        ax.plot([x[0] + _W / 2, 4.4, 4.4], [x[1], x[1], add[1]], color="0.25", linewidth=1)
        ax.add_patch(FancyArrowPatch((4.4, add[1]), (add[0] + 1.4, add[1]), arrowstyle="-|>",
                                     mutation_scale=12, color="0.25"))
        ax.text(4.5, 3.0, label, fontsize=8, color="0.35")
    return fig
