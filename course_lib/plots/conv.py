"""Figures of 02_convolution_arithmetic. The numbers come from ``course_lib.conv``; these
functions only draw. Static figures return the ``Figure``; a widget's figure is built once
(``*_figure``) and updated in place (``draw_*``), rendered by ``plots._figure.figure_png``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from course_lib.plots._figure import figure_png, grid_axes, image_extent, label_axes, snapshot_row, widget_figure

__all__ = ["show_images", "show_grid_values", "bar_counts", "conv_explorer_figure",
           "draw_conv_explorer", "filter_playground_figure", "draw_filter_playground",
           "snapshot_row", "PAD_COLOUR", "INPUT_COLOUR", "WINDOW_COLOUR"]


def show_images(images: list, titles: list[str], suptitle: str | None = None,
                cmap: str = "gray", size: float = 3.0) -> Figure:
    """A row of 2-D images (each (H, W) array) side by side, one title each, with labelled axes.

    Signed images (edge maps) keep their own colour scale, shown by a colour bar.
    Returns the ``Figure``. Introduced in 02_convolution_arithmetic.
    """
    if len(images) != len(titles):
        raise ValueError(f"need one title per image, got {len(images)} images and {len(titles)} titles.")
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images) + 0.5, size + 0.4), squeeze=False)
    for ax, img, title in zip(axes[0], images, titles):
        img = np.asarray(img, dtype=float)
        im = ax.imshow(img, cmap=cmap)
        label_axes(ax, "column", "row", title)
        ax.grid(False)
        if img.min() < 0:
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_grid_values(a: np.ndarray, title: str, ax: plt.Axes | None = None, fmt: str = "{:.0f}",
                     cmap: str = "coolwarm") -> plt.Axes:
    """Draw a small 2-D array ``a`` (H, W) as coloured cells with its value written in each cell.

    Used for the worked 6x6 edge-detection example, pooling and transposed convolution.
    Draws on ``ax`` (a new figure if None) and returns it. Introduced in
    02_convolution_arithmetic.
    """
    a = np.asarray(a, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * a.shape[1] + 1, 0.5 * a.shape[0] + 0.8))
    lim = max(1e-12, float(np.abs(a).max()))
    ax.imshow(a, cmap=cmap, vmin=-lim, vmax=lim)
    for (r, c), v in np.ndenumerate(a):
        ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=8)
    ax.set_xticks(range(a.shape[1]))
    ax.set_yticks(range(a.shape[0]))
    label_axes(ax, "column", "row", title)
    ax.grid(False)
    return ax


def bar_counts(labels: list[str], values: list[float], title: str, ylabel: str,
               log: bool = True) -> Figure:
    """Bar chart of counts (parameters, multiplications), log scale by default, value on each bar.

    One bar per label; returns the ``Figure``. Introduced in 02_convolution_arithmetic.
    """
    fig, ax = plt.subplots(figsize=(1.8 * len(labels) + 1.5, 3.6))
    bars = ax.bar(range(len(values)), values, color="tab:blue")
    ax.set_xticks(range(len(labels)), labels)
    if log:
        ax.set_yscale("log")
    for b, v in zip(bars, values):
        ax.text(b.get_x() + b.get_width() / 2, v, f"{v:,.0f}", ha="center", va="bottom", fontsize=9)
    label_axes(ax, "layer", ylabel, title)
    fig.tight_layout()
    return fig


# --- convolution explorer ------------------------------------------------------------------

PAD_COLOUR = "#f4b183"     # the zero border added by padding
INPUT_COLOUR = "#bdd7ee"   # the original input cells
WINDOW_COLOUR = "#c00000"  # the filter window / the chosen output cell


def conv_explorer_figure() -> tuple[Figure, dict]:
    """A persistent ``Figure`` for the convolution explorer widget, plus its artists.

    Built with ``matplotlib.figure.Figure`` (not pyplot), so nothing is displayed by
    itself; :func:`draw_conv_explorer` updates the artists in place. Returns
    ``(fig, artists)`` with ``artists`` a dict of the images and rectangles.
    Introduced in 02_convolution_arithmetic.
    """
    fig = widget_figure((7.6, 3.7))
    ax_in, ax_out = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    cmap = ListedColormap([PAD_COLOUR, INPUT_COLOUR, "white"])
    art = {"ax_in": ax_in, "ax_out": ax_out}
    art["input"] = ax_in.imshow(np.zeros((1, 1)), cmap=cmap, vmin=0, vmax=2, interpolation="nearest")
    art["output"] = ax_out.imshow(np.zeros((1, 1)), cmap=ListedColormap(["#e2efda", "white"]), vmin=0,
                                  vmax=1, interpolation="nearest")
    art["window"] = Rectangle((0, 0), 1, 1, fill=True, facecolor=WINDOW_COLOUR, alpha=0.25,
                              edgecolor=WINDOW_COLOUR, linewidth=2.5)
    art["cell"] = Rectangle((0, 0), 1, 1, fill=True, facecolor=WINDOW_COLOUR, alpha=0.35,
                            edgecolor=WINDOW_COLOUR, linewidth=2.5)
    ax_in.add_patch(art["window"])
    ax_out.add_patch(art["cell"])
    for ax in (ax_in, ax_out):
        label_axes(ax, "column", "row")
        ax.tick_params(which="minor", length=0)
        ax.grid(False)
        ax.grid(True, which="minor", color="0.35", linewidth=0.8, alpha=1.0)
    art["legend"] = ax_in.legend(
        handles=[Rectangle((0, 0), 1, 1, color=INPUT_COLOUR, label="input"),
                 Rectangle((0, 0), 1, 1, color=PAD_COLOUR, label="zero padding"),
                 Rectangle((0, 0), 1, 1, facecolor=WINDOW_COLOUR, alpha=0.4, label="window")],
        loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    fig.subplots_adjust(left=0.07, right=0.97, bottom=0.14, top=0.88, wspace=0.55)
    return fig, art


def draw_conv_explorer(art: dict, state: dict, n: int, p: int, position: tuple[int, int]) -> None:
    """Update the explorer's artists from ``conv.explorer_state(...)`` (a dict; see conv).

    Left: the padded input (padding in its own colour) and the window of the chosen output
    position; right: the output grid with that position marked. An impossible setting
    (``state["ok"]`` False) draws the padded input only and says why in the title.
    ``position`` is the output cell (i, j) whose window ``state["window"]`` is.
    Introduced in 02_convolution_arithmetic.
    """
    size = int(state["padded_size"])
    cells = np.zeros((size, size))
    cells[p:p + n, p:p + n] = 1
    art["input"].set_data(cells)
    art["input"].set_extent(image_extent(cells.shape))
    grid_axes(art["ax_in"], size)
    art["ax_in"].set_title(f"input {n}x{n}, padded to {size}x{size}")
    ok = bool(state["ok"])
    for key in ("window", "output", "cell"):
        art[key].set_visible(ok)
    if not ok:
        art["ax_out"].set_title("no output: impossible setting")
        grid_axes(art["ax_out"], 1)
        return
    r0, c0, r1, c1 = state["window"]
    art["window"].set_xy((c0 - 0.5, r0 - 0.5))
    art["window"].set_width(c1 - c0)
    art["window"].set_height(r1 - r0)
    o = int(state["out_size"])
    art["output"].set_data(np.zeros((o, o)))
    art["output"].set_extent(image_extent((o, o)))
    grid_axes(art["ax_out"], o)
    i, j = position
    art["cell"].set_xy((j - 0.5, i - 0.5))
    art["ax_out"].set_title(f"output {o}x{o}, position ({i}, {j})")


# --- filter playground ---------------------------------------------------------------------

def filter_playground_figure(image: np.ndarray) -> tuple[Figure, dict]:
    """A persistent ``Figure`` for the filter playground: the input image and the filtered one.

    Returns ``(fig, artists)``; :func:`draw_filter_playground` updates
    ``artists["filtered"]``. ``image`` is (H, W) in [0, 1]. Introduced in
    02_convolution_arithmetic.
    """
    fig = widget_figure((7.6, 3.9))
    ax_in, ax_out = fig.subplots(1, 2)
    art = {"ax_in": ax_in, "ax_out": ax_out}
    art["input"] = ax_in.imshow(image, cmap="gray", vmin=0, vmax=1)
    art["filtered"] = ax_out.imshow(np.zeros_like(image), cmap="gray")
    ax_in.set_title("input image")
    for ax in (ax_in, ax_out):
        label_axes(ax, "column", "row")
        ax.grid(False)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.9, wspace=0.3)
    return fig, art


def draw_filter_playground(art: dict, filtered: np.ndarray, title: str) -> None:
    """Show ``filtered`` (H, W) on the right panel with its own colour scale (min to max) and
    ``title`` above it. Introduced in 02_convolution_arithmetic."""
    lo, hi = float(filtered.min()), float(filtered.max())
    art["filtered"].set_data(filtered)
    art["filtered"].set_clim(lo, hi if hi > lo else lo + 1e-9)
    art["ax_out"].set_title(title)
