"""Matplotlib figures used by the notebooks. Each function takes data, returns the
``Figure`` (so tests can inspect it) and labels every axis.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

# --- shared ------------------------------------------------------------------------------

# --- chapter 02 --------------------------------------------------------------------------
# Introduced in 02_convolution_arithmetic.

def show_images(images: list, titles: list[str], suptitle: str | None = None,
                cmap: str = "gray", size: float = 3.0) -> plt.Figure:
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
        ax.set_title(title)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        ax.grid(False)
        if img.min() < 0:
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_grid_values(a: np.ndarray, title: str, ax=None, fmt: str = "{:.0f}", cmap: str = "coolwarm"):
    """Draw a small 2-D array as coloured cells with its value written in each cell.

    Used for the worked 6x6 edge-detection example and max pooling. Returns the axes.
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
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title(title)
    ax.grid(False)
    return ax


def bar_counts(labels: list[str], values: list[float], title: str, ylabel: str,
               log: bool = True) -> plt.Figure:
    """Bar chart of counts (parameters, multiplications), log scale by default, value on each bar."""
    fig, ax = plt.subplots(figsize=(1.8 * len(labels) + 1.5, 3.6))
    bars = ax.bar(range(len(values)), values, color="tab:blue")
    ax.set_xticks(range(len(labels)), labels)
    if log:
        ax.set_yscale("log")
    for b, v in zip(bars, values):
        ax.text(b.get_x() + b.get_width() / 2, v, f"{v:,.0f}", ha="center", va="bottom", fontsize=9)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("layer")
    ax.set_title(title)
    fig.tight_layout()
    return fig


PAD_COLOUR = "#f4b183"     # the zero border added by padding
INPUT_COLOUR = "#bdd7ee"   # the original input cells
WINDOW_COLOUR = "#c00000"  # the filter window / the chosen output cell


def conv_explorer_figure():
    """A persistent ``Figure`` for the convolution explorer widget, plus its artists.

    Built with ``matplotlib.figure.Figure`` (not pyplot), so nothing is displayed by
    itself; ``draw_conv_explorer`` updates the artists in place. Returns
    ``(fig, artists)`` with ``artists`` a dict of the images and rectangles.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(7.6, 3.7), dpi=72)
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
        ax.set_xlabel("column")
        ax.set_ylabel("row")
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


def _grid_axes(ax, size: int) -> None:
    ax.set_xlim(-0.5, size - 0.5)
    ax.set_ylim(size - 0.5, -0.5)
    ticks = np.arange(size)
    step = 1 if size <= 12 else 2
    ax.set_xticks(ticks[::step])
    ax.set_yticks(ticks[::step])
    ax.set_xticks(np.arange(-0.5, size, 1.0), minor=True)
    ax.set_yticks(np.arange(-0.5, size, 1.0), minor=True)


def draw_conv_explorer(art: dict, state: dict, n: int, p: int, position: tuple[int, int]) -> None:
    """Update the explorer's artists from ``conv.explorer_state(...)`` (a dict; see conv).

    Left: the padded input (padding in its own colour) and the window of the chosen output
    position; right: the output grid with that position marked. An impossible setting
    (``state["ok"]`` False) draws the padded input only and says why in the title.
    ``position`` is the output cell (i, j) whose window ``state["window"]`` is.
    """
    size = int(state["padded_size"])
    cells = np.zeros((size, size))
    cells[p:p + n, p:p + n] = 1
    art["input"].set_data(cells)
    art["input"].set_extent((-0.5, size - 0.5, size - 0.5, -0.5))
    _grid_axes(art["ax_in"], size)
    art["ax_in"].set_title(f"input {n}x{n}, padded to {size}x{size}")
    if state["ok"]:
        r0, c0, r1, c1 = state["window"]
        art["window"].set_xy((c0 - 0.5, r0 - 0.5))
        art["window"].set_width(c1 - c0)
        art["window"].set_height(r1 - r0)
        art["window"].set_visible(True)
        o = int(state["out_size"])
        art["output"].set_data(np.zeros((o, o)))
        art["output"].set_extent((-0.5, o - 0.5, o - 0.5, -0.5))
        art["output"].set_visible(True)
        _grid_axes(art["ax_out"], o)
        i, j = position
        art["cell"].set_xy((j - 0.5, i - 0.5))
        art["cell"].set_visible(True)
        art["ax_out"].set_title(f"output {o}x{o}, position ({i}, {j})")
    else:
        art["window"].set_visible(False)
        art["output"].set_visible(False)
        art["cell"].set_visible(False)
        art["ax_out"].set_title("no output: impossible setting")
        _grid_axes(art["ax_out"], 1)


def figure_png(fig, dpi: int = 72) -> bytes:
    """Render a ``Figure`` to PNG bytes (for an ``ipywidgets.Image``)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def filter_playground_figure(image: np.ndarray):
    """A persistent ``Figure`` for the filter playground: the input image and the filtered one.

    Returns ``(fig, artists)``; the widget updates ``artists["filtered"]`` with ``set_data``
    and ``set_clim``. ``image`` is (H, W) in [0, 1].
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.6, 3.9), dpi=72)
    ax_in, ax_out = fig.subplots(1, 2)
    art = {"ax_in": ax_in, "ax_out": ax_out}
    art["input"] = ax_in.imshow(image, cmap="gray", vmin=0, vmax=1)
    art["filtered"] = ax_out.imshow(np.zeros_like(image), cmap="gray")
    ax_in.set_title("input image")
    for ax in (ax_in, ax_out):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        ax.grid(False)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.9, wspace=0.3)
    return fig, art


# --- chapter 01 --------------------------------------------------------------------------

# --- chapter 03 --------------------------------------------------------------------------
