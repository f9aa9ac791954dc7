"""Figures of 03_cnn_architectures. The numbers come from ``course_lib.visualize`` and
``course_lib.models``; these functions only draw. Static figures return the ``Figure``;
the viewers' figures are built once and updated in place, rendered by
``plots._figure.figure_png``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from course_lib.plots._figure import figure_png, image_extent, label_axes, no_ticks, snapshot_row, widget_figure
from course_lib.visualize import filter_mosaic

__all__ = ["plot_filters", "plot_activation_maps", "plot_top_patches", "filter_viewer_figure",
           "draw_filter_viewer", "activation_viewer_figure", "draw_activation_viewer", "kernel_boxes", "snapshot_row"]

KERNEL_BORDER = dict(fill=False, edgecolor="0.25", linewidth=0.8)  # thin frame around each kernel


def plot_filters(weight: np.ndarray, title: str, ncols: int = 8) -> Figure:
    """First-layer filters ``weight`` (C_out, C_in, k, k), channel 0 of each, one small image
    per filter with its own colour scale (dark = negative, light = positive), framed, no
    ticks. Returns the Figure. Introduced in 03_cnn_architectures."""
    weight = np.asarray(weight)
    n = len(weight)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, min(n, ncols), figsize=(1.1 * min(n, ncols), 1.25 * nrows + 0.5),
                             squeeze=False)
    for idx, ax in enumerate(axes.ravel()):
        no_ticks(ax)
        if idx < n:
            ax.imshow(weight[idx, 0], cmap="gray")
            ax.set_title(f"filter {idx}", fontsize=8)
        else:
            ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_activation_maps(image: np.ndarray, maps: dict, channels: int = 6, title: str = "") -> Figure:
    """The input ``image`` (H, W) and, per layer of ``maps`` ({name: (C, H_l, W_l)}), the first
    ``channels`` activation maps. Rows are layers (deeper = lower), columns channels.
    Introduced in 03_cnn_architectures."""
    fig, axes = plt.subplots(len(maps), channels + 1, figsize=(1.3 * (channels + 1), 1.4 * len(maps) + 0.4),
                             squeeze=False)
    for r, (name, m) in enumerate(maps.items()):
        axes[r, 0].imshow(image, cmap="gray")
        axes[r, 0].set_ylabel(name, fontsize=8)
        no_ticks(axes[r, 0])
        for c in range(channels):
            ax = axes[r, c + 1]
            ax.axis("off")
            if c < len(m):
                ax.imshow(m[c], cmap="viridis")
                ax.set_title(f"ch {c} ({m.shape[1]}x{m.shape[2]})", fontsize=7)
    axes[0, 0].set_title("input", fontsize=8)
    fig.suptitle(title or "activation maps: rows = layers, columns = channels")
    fig.tight_layout()
    return fig


def plot_top_patches(rows: list, title: str) -> Figure:
    """Zeiler-Fergus grids: ``rows`` is [(label, [patches (9, 1, r, r) per unit])]; each unit
    becomes a 3x3 mosaic (``visualize.filter_mosaic``) of its 9 most exciting input patches.
    Returns the Figure. Introduced in 03_cnn_architectures."""
    units = max(len(p) for _, p in rows)
    fig, axes = plt.subplots(len(rows), units, figsize=(1.6 * units, 1.8 * len(rows) + 0.4), squeeze=False)
    for r, (label, unit_patches) in enumerate(rows):
        for u in range(units):
            ax = no_ticks(axes[r, u])
            if u >= len(unit_patches):
                ax.axis("off")
                continue
            p = np.asarray(unit_patches[u])[:, 0]              # (9, r, r)
            ax.imshow(filter_mosaic(p, max_inputs=len(p)), cmap="gray", vmin=0, vmax=1)
            ax.set_title(f"unit {u}", fontsize=8)
            if u == 0:
                ax.set_ylabel(label, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- the two viewers -------------------------------------------------------------------------

def _viewer_figure(left_title: str, right_title: str, left_width: float = 1.0) -> tuple[Figure, dict]:
    fig = widget_figure((7.2, 3.4))
    ax_l, ax_r = fig.subplots(1, 2, gridspec_kw={"width_ratios": [left_width, 1.6]})
    art = {"ax_left": ax_l, "ax_right": ax_r}
    art["left"] = ax_l.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1)
    art["right"] = ax_r.imshow(np.zeros((2, 2)), cmap="viridis")
    for ax, t in ((ax_l, left_title), (ax_r, right_title)):
        label_axes(ax, "column", "row", t)
        ax.title.set_fontsize(10)
        ax.grid(False)
    fig.colorbar(art["right"], ax=ax_r, fraction=0.046)
    fig.subplots_adjust(left=0.09, right=0.9, bottom=0.15, top=0.88, wspace=0.35)
    return fig, art


def _show(image_artist, a: np.ndarray, lo: float, hi: float) -> None:
    image_artist.set_data(a)
    image_artist.set_clim(lo, hi)
    image_artist.set_extent(image_extent(a.shape))


def kernel_boxes(mosaic: np.ndarray) -> list[tuple[int, int, int, int]]:
    """``(row0, col0, height, width)`` of every kernel tile in a ``visualize.filter_mosaic``
    image (H, W): the blocks between its all-NaN separator lines that hold numbers.
    Introduced in 03_cnn_architectures."""
    blank = np.isnan(mosaic)

    def runs(is_sep: np.ndarray) -> list[tuple[int, int]]:
        out, start = [], None
        for k, sep in enumerate(list(is_sep) + [True]):
            if not sep and start is None:
                start = k
            elif sep and start is not None:
                out.append((start, k - start))
                start = None
        return out

    return [(r0, c0, h, w) for r0, h in runs(blank.all(axis=1)) for c0, w in runs(blank.all(axis=0))
            if not blank[r0:r0 + h, c0:c0 + w].all()]


def filter_viewer_figure(max_kernels: int = 16) -> tuple[Figure, dict]:
    """The filter viewer's figure: a filter's kernels (left, one tile per input channel, each
    in a thin frame, no pixel ticks) and its response to an image (right). Returns
    ``(fig, artists)``; update with :func:`draw_filter_viewer`. Introduced in 03_cnn_architectures."""
    fig, art = _viewer_figure("kernels (per input channel)", "response to the image", left_width=1.1)
    ax = no_ticks(art["ax_left"])
    label_axes(ax, "kernels side by side", "kernel rows")
    art["left"].set_cmap(art["left"].get_cmap().with_extremes(bad="white"))
    art["boxes"] = [Rectangle((0, 0), 1, 1, visible=False, **KERNEL_BORDER) for _ in range(max_kernels)]
    for box in art["boxes"]:
        ax.add_patch(box)
    return fig, art


def draw_filter_viewer(art: dict, state: dict) -> None:
    """Show ``visualize.filter_view(...)``: ``state["kernels"]`` (a filter_mosaic image, symmetric
    grey scale around 0, each kernel framed) and ``state["response"]`` (H, W). Nothing
    changes when ``state["ok"]`` is False. Introduced in 03_cnn_architectures."""
    if not state["ok"]:
        return
    kernels, response = state["kernels"], state["response"]
    lim = float(np.nanmax(np.abs(kernels))) or 1.0
    _show(art["left"], kernels, -lim, lim)
    ax = art["ax_left"]
    ax.set_xlim(-0.5, kernels.shape[1] - 0.5)
    ax.set_ylim(kernels.shape[0] - 0.5, -0.5)
    boxes = kernel_boxes(kernels)
    for k, box in enumerate(art["boxes"]):
        box.set_visible(k < len(boxes))
        if k < len(boxes):
            r0, c0, h, w = boxes[k]
            box.set_bounds(c0 - 0.5, r0 - 0.5, w, h)
    _show(art["right"], response, float(response.min()), float(response.max()) + 1e-9)


def activation_viewer_figure() -> tuple[Figure, dict]:
    """The activation viewer's figure: the input image (left, grey in [0, 1]) and one
    activation map (right). Returns ``(fig, artists)``; update with
    :func:`draw_activation_viewer`. Introduced in 03_cnn_architectures."""
    return _viewer_figure("input image", "activation map")


def draw_activation_viewer(art: dict, image: np.ndarray, activation: np.ndarray) -> None:
    """Show the input ``image`` (H, W) and the ``activation`` map (H_l, W_l) with its own
    colour scale. Introduced in 03_cnn_architectures."""
    _show(art["left"], image, 0.0, 1.0)
    _show(art["right"], activation, float(activation.min()), float(activation.max()) + 1e-9)
