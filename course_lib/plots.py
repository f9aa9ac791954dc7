"""Matplotlib figures used by the notebooks. Each function takes data, returns the
``Figure`` (so tests can inspect it) and labels every axis.
"""
from __future__ import annotations

from typing import Any, Callable

import matplotlib.pyplot as plt
import numpy as np

# --- shared ------------------------------------------------------------------------------

def _canvas_png(canvas: Any) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(buf, format="png", compress_level=1)
    return buf.getvalue()


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
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title(title)
    ax.grid(False)
    return ax


def bar_counts(labels: list[str], values: list[float], title: str, ylabel: str,
               log: bool = True) -> plt.Figure:
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
    ax.set_ylabel(ylabel)
    ax.set_xlabel("layer")
    ax.set_title(title)
    fig.tight_layout()
    return fig


PAD_COLOUR = "#f4b183"     # the zero border added by padding
INPUT_COLOUR = "#bdd7ee"   # the original input cells
WINDOW_COLOUR = "#c00000"  # the filter window / the chosen output cell


def conv_explorer_figure() -> tuple[plt.Figure, dict]:
    """A persistent ``Figure`` for the convolution explorer widget, plus its artists.

    Built with ``matplotlib.figure.Figure`` (not pyplot), so nothing is displayed by
    itself; ``draw_conv_explorer`` updates the artists in place. Returns
    ``(fig, artists)`` with ``artists`` a dict of the images and rectangles.
    Introduced in 02_convolution_arithmetic.
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
    Introduced in 02_convolution_arithmetic.
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


def figure_png(fig: plt.Figure) -> bytes:
    """Render a ``Figure`` to PNG bytes for an ``ipywidgets.Image``, at the figure's own dpi,
    with light compression (about twice as quick as ``savefig`` in a widget callback; the
    image is a little larger). Introduced in 02_convolution_arithmetic.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return _canvas_png(canvas)


def filter_playground_figure(image: np.ndarray) -> tuple[plt.Figure, dict]:
    """A persistent ``Figure`` for the filter playground: the input image and the filtered one.

    Returns ``(fig, artists)``; the widget updates ``artists["filtered"]`` with ``set_data``
    and ``set_clim``. ``image`` is (H, W) in [0, 1]. Introduced in 02_convolution_arithmetic.
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
# Introduced in 01_optimizers_and_training. The numbers come from course_lib.backprop,
# course_lib.optim and course_lib.normalization; these functions only draw.


def plot_activations(activations: dict, z: np.ndarray | None = None) -> plt.Figure:
    """Each activation g(z) (top row) and its derivative g'(z) (bottom row), one column each.

    ``activations`` maps a name to ``(g, g_prime)`` (e.g. ``backprop.ACTIVATIONS``).
    Introduced in 01_optimizers_and_training.
    """
    z = np.linspace(-5, 5, 401) if z is None else z
    k = len(activations)
    fig, axes = plt.subplots(2, k, figsize=(3.0 * k, 5.0), sharex=True)
    axes = np.asarray(axes).reshape(2, k)
    for col, (name, (g, dg)) in enumerate(activations.items()):
        axes[0, col].plot(z, g(z), color="C0")
        axes[0, col].set(title=name, ylabel="g(z)")
        axes[1, col].plot(z, dg(z), color="C3")
        axes[1, col].set(xlabel="z", ylabel="g'(z)")
    fig.suptitle("Activation functions (top) and their derivatives (bottom)")
    fig.tight_layout()
    return fig


def plot_descent_1d(loss: Callable, iterates: dict, w_range: tuple[float, float] = (-1.0, 11.0)) -> plt.Figure:
    """A 1-D loss J(w) and, for each label, the gradient-descent iterates drawn on it.
    Introduced in 01_optimizers_and_training."""
    w = np.linspace(*w_range, 300)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(w, loss(w), color="0.3", label="J(W)")
    for i, (label, ws) in enumerate(iterates.items()):
        ws = np.asarray(ws)
        ax.plot(ws, loss(ws), "o-", ms=4, color=f"C{i}", label=label, alpha=0.8)
    ax.set(xlabel="W", ylabel="J(W)", title="Gradient descent steps against the gradient")
    ax.legend()
    return fig


def plot_series(curves: dict, xlabel: str, ylabel: str, title: str, logy: bool = False,
                x: dict | None = None, styles: dict | None = None, ax: plt.Axes | None = None) -> plt.Figure:
    """Several named curves on one axis (loss curves, learning-rate schedules, averages).

    ``curves`` maps a label to a 1-D sequence; ``x`` optionally maps a label to its
    x values (default 0, 1, 2...); ``styles`` to matplotlib keyword dicts. Returns the Figure.
    Introduced in 01_optimizers_and_training.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
    else:
        fig = ax.figure
    for label, ys in curves.items():
        ys = np.asarray(ys, dtype=float)
        xs = np.arange(len(ys)) if x is None or label not in x else np.asarray(x[label])
        ax.plot(xs, ys, label=label, **((styles or {}).get(label, {})))
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    return fig


def plot_layer_statistics(stats: dict) -> plt.Figure:
    """Per-layer std of activations (left) and of the backward signal dL/dz (right), log scale.

    ``stats`` maps a label (e.g. "He, ReLU") to ``backprop.deep_network_statistics`` output.
    Introduced in 01_optimizers_and_training.
    """
    fig, (ax_a, ax_g) = plt.subplots(1, 2, figsize=(10, 3.8))
    for label, s in stats.items():
        layers = np.arange(1, len(s["activation_std"]) + 1)
        ax_a.plot(layers, np.maximum(s["activation_std"], 1e-300), "o-", ms=3, label=label)
        ax_g.plot(layers, np.maximum(s["delta_std"], 1e-300), "o-", ms=3, label=label)
    ax_a.set(xlabel="layer", ylabel="std of activations", title="Forward: activations", yscale="log")
    ax_g.set(xlabel="layer", ylabel="std of dL/dz", title="Backward: gradients", yscale="log")
    ax_g.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_search(points: dict, scores: dict, xlabel: str, ylabel: str, logx: bool = True) -> plt.Figure:
    """Hyper-parameter search: one panel per strategy ("grid", "random"), each tried point
    coloured by its score (e.g. validation accuracy); projections show how many distinct
    values of each hyper-parameter were tried. ``points[k]`` is (n, 2), ``scores[k]`` (n,).
    Introduced in 01_optimizers_and_training."""
    fig, axes = plt.subplots(1, len(points), figsize=(5.0 * len(points), 4.0), sharey=True)
    axes = np.atleast_1d(axes)
    lo = min(float(np.min(s)) for s in scores.values())
    hi = max(float(np.max(s)) for s in scores.values())
    for ax, (name, pts) in zip(axes, points.items()):
        pts = np.asarray(pts)
        sc = ax.scatter(pts[:, 0], pts[:, 1], c=scores[name], cmap="viridis", vmin=lo, vmax=hi,
                        s=70, edgecolor="k")
        best = int(np.argmax(scores[name]))
        ax.plot(*pts[best], "r*", ms=16, label=f"best {scores[name][best]:.3f}")
        ax.set(xlabel=xlabel, title=f"{name} search: {len(np.unique(pts[:, 0]))} distinct values on the x axis")
        if logx:
            ax.set_xscale("log")
        ax.legend(loc="upper right", fontsize=8)
    axes[0].set_ylabel(ylabel)
    fig.colorbar(sc, ax=list(axes), label="validation accuracy")
    return fig


def trajectory_figure(surface_name: str, rules: tuple[str, ...]) -> tuple[plt.Figure, dict]:
    """A persistent Figure for the trajectory widget: the surface (filled log-contours, the
    minima as stars, the start as a dot) rendered once into a cached background, and one
    animated line plus end marker per optimizer. Returns ``(fig, artists)`` with
    ``artists["lines"][rule]``, ``artists["ends"][rule]``, ``artists["ax"]``; draw with
    :func:`draw_trajectories`. Introduced in 01_optimizers_and_training."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from course_lib import optim

    fig = Figure(figsize=(7.2, 4.4), dpi=72)
    canvas = FigureCanvasAgg(fig)
    ax = fig.subplots()
    x, y, z = optim.surface_grid(surface_name, n=100)
    ax.contourf(x, y, np.log10(z - z.min() + 1e-3), levels=25, cmap="Blues_r")
    s = optim.SURFACES[surface_name]
    for m in s.minima:
        ax.plot(*m, "k*", ms=12)
    ax.plot(*s.start, "ko", ms=6)
    lines = {r: ax.plot([], [], "-", lw=1.8, color=f"C{i + 1}", label=r, animated=True)[0]
             for i, r in enumerate(rules)}
    ends = {r: ax.plot([], [], "o", ms=6, color=f"C{i + 1}", animated=True)[0] for i, r in enumerate(rules)}
    ax.set(xlim=s.xlim, ylim=s.ylim, xlabel="$w_1$", ylabel="$w_2$",
           title=f"Optimizers on the {surface_name} (star: minimum, dot: start)")
    ax.grid(False)
    ax.legend(handles=list(lines.values()), loc="lower right", fontsize=8)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.13, top=0.92)
    canvas.draw()
    return fig, {"ax": ax, "lines": lines, "ends": ends, "canvas": canvas,
                 "background": canvas.copy_from_bbox(fig.bbox)}


def draw_trajectories(art: dict, trajectories: dict) -> bytes:
    """Draw ``{rule: points (T, 2)}`` over the cached background; returns PNG bytes.
    Only the lines are redrawn (blitting), which keeps a widget callback fast. Introduced in 01_optimizers_and_training."""
    canvas, ax = art["canvas"], art["ax"]
    canvas.restore_region(art["background"])
    for rule, line in art["lines"].items():
        pts = trajectories.get(rule)
        if pts is None:
            continue
        line.set_data(pts[:, 0], pts[:, 1])
        art["ends"][rule].set_data(pts[-1:, 0], pts[-1:, 1])
        ax.draw_artist(line)
        ax.draw_artist(art["ends"][rule])
    return _canvas_png(canvas)


def curves_figure(names: list[str], xlim: tuple[float, float], ylim: tuple[float, float], xlabel: str,
                  ylabel: str, title: str, logy: bool = False) -> tuple[plt.Figure, dict]:
    """A persistent Figure for comparing runs with fixed axes: the axes, labels and a legend
    of every run rendered once into a cached background, one animated line per run.
    Returns ``(fig, artists)``; draw with :func:`draw_curves`. Introduced in 01_optimizers_and_training."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 3.8), dpi=72)
    canvas = FigureCanvasAgg(fig)
    ax = fig.subplots()
    lines = {n: ax.plot([], [], lw=1.6, color=f"C{i}", label=n, animated=True)[0] for i, n in enumerate(names)}
    if logy:
        ax.set_yscale("log")
        ax.minorticks_off()
    ax.set(xlim=xlim, ylim=ylim, xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(handles=list(lines.values()), fontsize=8, loc="best")
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.9)
    canvas.draw()
    return fig, {"ax": ax, "lines": lines, "canvas": canvas, "background": canvas.copy_from_bbox(fig.bbox)}


def draw_curves(art: dict, curves: dict) -> bytes:
    """Draw ``{name: (x, y)}`` over the cached background of :func:`curves_figure`; PNG bytes.
    Introduced in 01_optimizers_and_training."""
    canvas, ax = art["canvas"], art["ax"]
    canvas.restore_region(art["background"])
    for name, line in art["lines"].items():
        if name in curves:
            line.set_data(*curves[name])
            ax.draw_artist(line)
    return _canvas_png(canvas)


# --- chapter 03 --------------------------------------------------------------------------
# Introduced in 03_cnn_architectures. The numbers come from course_lib.visualize / models.

def plot_curves(curves: dict, title: str, ylabel: str, xlabel: str = "epoch", logy: bool = False):
    """One line per entry of ``curves`` ({label: list of values per epoch}); returns the Figure."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for label, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", ms=3, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_filters(weight: np.ndarray, title: str, ncols: int = 8):
    """First-layer filters ``weight`` (C_out, C_in, k, k), channel 0 of each, one small image
    per filter with its own colour scale (dark = negative, light = positive). Returns the Figure."""
    weight = np.asarray(weight)
    n = len(weight)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, min(n, ncols), figsize=(1.1 * min(n, ncols), 1.25 * nrows + 0.5),
                             squeeze=False)
    for idx, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if idx < n:
            ax.imshow(weight[idx, 0], cmap="gray")
            ax.set_title(f"filter {idx}", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_activation_maps(image: np.ndarray, maps: dict, channels: int = 6, title: str = ""):
    """The input ``image`` (H, W) and, per layer of ``maps`` ({name: (C, H_l, W_l)}), the first
    ``channels`` activation maps. Rows are layers (deeper = lower), columns channels."""
    fig, axes = plt.subplots(len(maps), channels + 1, figsize=(1.3 * (channels + 1), 1.4 * len(maps) + 0.4),
                             squeeze=False)
    for r, (name, m) in enumerate(maps.items()):
        axes[r, 0].imshow(image, cmap="gray")
        axes[r, 0].set_ylabel(name, fontsize=8)
        axes[r, 0].set_xticks([])
        axes[r, 0].set_yticks([])
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


def plot_top_patches(rows: list, title: str):
    """Zeiler-Fergus grids: ``rows`` is [(label, [patches (9, 1, r, r) per unit])]; each unit
    becomes a 3x3 mosaic of its 9 most exciting input patches. Returns the Figure."""
    from course_lib.visualize import filter_mosaic  # the same near-square tiling as the filter viewer

    units = max(len(p) for _, p in rows)
    fig, axes = plt.subplots(len(rows), units, figsize=(1.6 * units, 1.8 * len(rows) + 0.4), squeeze=False)
    for r, (label, unit_patches) in enumerate(rows):
        for u in range(units):
            ax = axes[r, u]
            ax.set_xticks([])
            ax.set_yticks([])
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


def viewer_figure(left_title: str, right_title: str):
    """A persistent two-panel ``Figure`` for the chapter-03 viewers; returns (fig, artists) with
    ``artists["left"]`` and ``artists["right"]`` AxesImages updated with ``set_data``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 3.4), dpi=72)
    ax_l, ax_r = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    art = {"ax_left": ax_l, "ax_right": ax_r, "fig": fig}
    art["left"] = ax_l.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1)
    art["right"] = ax_r.imshow(np.zeros((2, 2)), cmap="viridis")
    for ax, t in ((ax_l, left_title), (ax_r, right_title)):
        ax.set_title(t, fontsize=10)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        ax.grid(False)
    fig.colorbar(art["right"], ax=ax_r, fraction=0.046)
    fig.subplots_adjust(left=0.07, right=0.9, bottom=0.15, top=0.88, wspace=0.35)
    return fig, art
