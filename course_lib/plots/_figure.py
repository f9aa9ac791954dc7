"""Shared rendering for every chapter's figures: one PNG renderer and a few axis helpers.

A widget's figure is a ``matplotlib.figure.Figure`` built once (never shown by pyplot);
``plots/<KEY>.py`` updates its artists and :func:`figure_png` turns it into PNG bytes for
an ``ipywidgets.Image``. A figure with a cached background (:func:`cache_background`)
redraws only its animated artists on top of it (blitting), which keeps a callback fast.
"""
from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["widget_figure", "figure_png", "cache_background", "grid_axes", "label_axes",
           "image_extent", "no_ticks", "snapshot_row"]


def widget_figure(figsize: tuple[float, float], dpi: int = 72) -> Figure:
    """A ``Figure`` with its own Agg canvas, for a widget (nothing is displayed by itself).
    Introduced in 02_convolution_arithmetic."""
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def cache_background(fig: Figure, art: dict, animated: list, key: object = None) -> None:
    """Draw ``fig`` without the ``animated`` artists and keep the pixels as
    ``art["background"]``; :func:`figure_png` then redraws only ``art["animated"]`` over it.
    Backgrounds are kept per ``key`` (e.g. which curves the legend lists), so each
    distinct background is drawn once. Introduced in 01_optimizers_and_training."""
    backgrounds = art.setdefault("backgrounds", {})
    if key not in backgrounds:
        for a in animated:
            a.set_animated(True)
        canvas = _agg_canvas(fig)
        canvas.draw()
        backgrounds[key] = canvas.copy_from_bbox(fig.bbox)
    art["background"] = backgrounds[key]
    art["animated"] = list(animated)


def figure_png(fig: Figure, art: dict | None = None) -> bytes:
    """Render ``fig`` to PNG bytes at the figure's own dpi, lightly compressed (about twice as
    quick as ``savefig`` in a widget callback). With ``art`` holding a cached background
    (:func:`cache_background`), only the visible animated artists are drawn over it.
    The one renderer of every widget. Introduced in 02_convolution_arithmetic."""
    canvas = _agg_canvas(fig)
    if art is not None and "background" in art:
        canvas.restore_region(art["background"])
        for a in art["animated"]:
            if a.get_visible():
                (a.axes or fig).draw_artist(a)
    else:
        canvas.draw()
    buf = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(buf, format="png", compress_level=1)
    return buf.getvalue()


def snapshot_row(views: list, titles: list[str], suptitle: str, width: float = 4.6, ncols: int | None = None) -> Figure:
    """Small multiples of a widget's view for the static book: one panel per setting, in a row
    (or ``ncols`` per row). Each of ``views`` is the PNG bytes of :func:`figure_png` or a
    ``(fig, artists)`` pair rendered now; ``titles`` names each panel's setting, ``suptitle``
    says what to see. The panels are pictures of labelled figures, so their own ticks are
    hidden. Returns a pyplot ``Figure``. Introduced in 01_optimizers_and_training."""
    if len(views) != len(titles) or not views:
        raise ValueError(f"need one title per view (at least one), got {len(views)} views, {len(titles)} titles.")
    pictures = [np.asarray(Image.open(io.BytesIO(v if isinstance(v, bytes) else figure_png(*v)))) for v in views]
    cols = min(ncols or len(pictures), len(pictures))
    rows = -(-len(pictures) // cols)
    h, w = pictures[0].shape[:2]
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, (width * h / w + 0.4) * rows + 0.3), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, pic, title in zip(axes.flat, pictures, titles):
        ax.imshow(pic)
        ax.set_title(title, fontsize=10)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def _agg_canvas(fig: Figure) -> FigureCanvasAgg:
    return fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)


def label_axes(ax: Axes, xlabel: str, ylabel: str, title: str | None = None) -> Axes:
    """Set the x and y labels (and the title, if given) of ``ax``; returns ``ax``.
    Every course figure labels its axes. Introduced in 01_optimizers_and_training."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax


def no_ticks(ax: Axes) -> Axes:
    """Remove the tick marks and numbers of ``ax`` (pixel positions that mean nothing, e.g. on
    a tile of kernels), keeping its frame and labels. Introduced in 03_cnn_architectures."""
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def image_extent(shape: tuple[int, ...]) -> tuple[float, float, float, float]:
    """The ``imshow`` extent that puts pixel (r, c) of an (H, W) image at (x=c, y=r).
    Introduced in 02_convolution_arithmetic."""
    h, w = shape[0], shape[1]
    return (-0.5, w - 0.5, h - 0.5, -0.5)


def grid_axes(ax: Axes, size: int) -> None:
    """Limits, integer ticks and minor grid lines of a ``size`` x ``size`` cell grid.
    Introduced in 02_convolution_arithmetic."""
    ax.set_xlim(-0.5, size - 0.5)
    ax.set_ylim(size - 0.5, -0.5)
    ticks = np.arange(size)
    step = 1 if size <= 12 else 2
    ax.set_xticks(ticks[::step])
    ax.set_yticks(ticks[::step])
    ax.set_xticks(np.arange(-0.5, size, 1.0), minor=True)
    ax.set_yticks(np.arange(-0.5, size, 1.0), minor=True)
