"""Figures of 01_optimizers_and_training. The numbers come from ``course_lib.backprop``,
``course_lib.optim`` and ``course_lib.train``; these functions only draw.

Every loss curve of the course is drawn by one code path: :func:`plot_curves` (a static
figure; :func:`plot_history` is two of them), and its update-in-place versions built on
the same helpers, :func:`curves_figure` / :func:`draw_curves` (the run-comparison widget)
and :class:`LiveHistoryPlot` (redrawn after each epoch of ``train.fit``).
"""
from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython
from IPython.display import Image, display
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from course_lib import optim
from course_lib.plots._figure import cache_background, figure_png, label_axes, snapshot_row, widget_figure
from course_lib.train import History

__all__ = ["plot_activations", "plot_descent_1d", "plot_curves", "plot_history", "LiveHistoryPlot",
           "plot_layer_statistics", "plot_search", "trajectory_figure", "draw_trajectories",
           "curve_limits", "curves_figure", "comparison_figure", "draw_curves", "snapshot_row"]


def plot_activations(activations: dict, z: np.ndarray | None = None) -> Figure:
    """Each activation g(z) (top row) and its derivative g'(z) (bottom row), one column each.

    ``activations`` maps a name to ``(g, g_prime)`` (e.g. ``backprop.ACTIVATIONS``); ``z``
    (T,) the inputs (default 401 points in [-5, 5]). Introduced in 01_optimizers_and_training.
    """
    z = np.linspace(-5, 5, 401) if z is None else z
    k = len(activations)
    fig, axes = plt.subplots(2, k, figsize=(3.0 * k, 5.0), sharex=True)
    axes = np.asarray(axes).reshape(2, k)
    for col, (name, (g, dg)) in enumerate(activations.items()):
        axes[0, col].plot(z, g(z), color="C0")
        label_axes(axes[0, col], "z", "g(z)", name)
        axes[1, col].plot(z, dg(z), color="C3")
        label_axes(axes[1, col], "z", "g'(z)")
    fig.suptitle("Activation functions (top) and their derivatives (bottom)")
    fig.tight_layout()
    return fig


def plot_descent_1d(loss: Callable, iterates: dict, w_range: tuple[float, float] = (-1.0, 11.0)) -> Figure:
    """A 1-D loss J(w) and, for each label, the gradient-descent iterates (a 1-D sequence of w)
    drawn on it. Introduced in 01_optimizers_and_training."""
    w = np.linspace(*w_range, 300)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(w, loss(w), color="0.3", label="J(W)")
    for i, (label, ws) in enumerate(iterates.items()):
        ws = np.asarray(ws)
        ax.plot(ws, loss(ws), "o-", ms=4, color=f"C{i}", label=label, alpha=0.8)
    label_axes(ax, "W", "J(W)", "Gradient descent steps against the gradient")
    ax.legend()
    return fig


# --- loss curves: one drawer, static and in place -------------------------------------------

def _curve_lines(ax: Axes, names: list[str], styles: dict | None = None) -> dict[str, Line2D]:
    """One empty line per name, in the colour cycle unless ``styles[name]`` says otherwise."""
    return {n: ax.plot([], [], label=n, **((styles or {}).get(n, {})))[0] for n in names}


def _set_curves(lines: dict[str, Line2D], curves: dict) -> None:
    """Give each line its (x, y) from ``curves``; lines without a curve are hidden."""
    for name, line in lines.items():
        if name in curves:
            line.set_data(*curves[name])
        line.set_visible(name in curves)


def _legend(ax: Axes, lines: dict[str, Line2D], **kwargs):
    """A legend of the visible lines only (a hidden run is not listed)."""
    shown = [ln for ln in lines.values() if ln.get_visible()]
    ax.legend_ = ax.legend(handles=shown, **kwargs) if shown else None  # replaces the previous one
    return ax.legend_


def _shown_legend(art: dict, shown: tuple, **kwargs) -> tuple:
    """Make the legend of ``art["ax"]`` list the ``shown`` lines (one legend kept per set, as
    each goes into its own cached background); returns ``shown``."""
    legends = art.setdefault("legends", {})
    if shown not in legends:
        legends[shown] = _legend(art["ax"], art["lines"], **kwargs)
    art["ax"].legend_ = legends[shown]
    return shown


def plot_curves(curves: dict, xlabel: str, ylabel: str, title: str, logy: bool = False,
                x: dict | None = None, styles: dict | None = None, ax: Axes | None = None) -> Figure:
    """Several named curves on one labelled axis (loss curves, learning-rate schedules, averages).

    ``curves`` maps a label to a 1-D sequence y (T,); ``x`` optionally maps a label to its
    x values (T,) (default 0, 1, 2...); ``styles`` to matplotlib keyword dicts. Draws on
    ``ax`` (a new figure if None) and returns the Figure. The course's one loss-curve drawer.
    Introduced in 01_optimizers_and_training.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
    else:
        fig = ax.figure
    data = {}
    for label, ys in curves.items():
        ys = np.asarray(ys, dtype=float)
        data[label] = (np.arange(len(ys)) if x is None or label not in x else np.asarray(x[label]), ys)
    lines = _curve_lines(ax, list(curves), styles)
    _set_curves(lines, data)
    ax.relim()
    ax.autoscale_view()
    label_axes(ax, xlabel, ylabel, title)
    if logy:
        ax.set_yscale("log")
    _legend(ax, lines)
    return fig


def _history_panels(h: History) -> list[tuple[dict, dict, str, str]]:
    """(curves, x, ylabel, title) of the loss and the accuracy panel of a History."""
    out = []
    for train_key, val_key, ylabel, title in (("loss", "val_loss", "loss", "Loss"),
                                               ("acc", "val_acc", "accuracy", "Accuracy")):
        curves = {"train": getattr(h, train_key)}
        if getattr(h, val_key):
            curves["validation"] = getattr(h, val_key)
        x = {k: np.arange(1, len(v) + 1) for k, v in curves.items()}
        out.append((curves, x, ylabel, title))
    return out


_HISTORY_STYLES = {"train": dict(marker="o", ms=3), "validation": dict(marker="s", ms=3, ls="--")}


def plot_history(history: History, title: str = "Training history") -> Figure:
    """A ``train.History`` as two panels of :func:`plot_curves`: loss per epoch (left) and
    accuracy per epoch (right), training and (if recorded) validation. Returns the Figure,
    closed in pyplot so a notebook shows it once. Introduced in 01_optimizers_and_training."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, (curves, x, ylabel, panel) in zip(axes, _history_panels(history)):
        plot_curves(curves, "epoch", ylabel, panel, x=x, styles=_HISTORY_STYLES, ax=ax)
    fig.suptitle(title)
    fig.tight_layout()
    plt.close(fig)
    return fig


class LiveHistoryPlot:
    """Pass as ``train.fit(..., on_epoch=LiveHistoryPlot())``: the loss/accuracy panels of
    :func:`plot_history`, shown once in the notebook and redrawn in place after each epoch.

    The figure keeps its lines (``set_data``) and is rendered by ``figure_png``; outside
    IPython nothing is displayed (``handle`` is None), the figure is still updated.
    Introduced in 01_optimizers_and_training.
    """

    def __init__(self, title: str = "Training") -> None:
        self.title = title
        self.fig = widget_figure((9, 3.4))
        self.axes = self.fig.subplots(1, 2)
        self.lines = []
        for ax, (ylabel, panel) in zip(self.axes, (("loss", "Loss"), ("accuracy", "Accuracy"))):
            self.lines.append(_curve_lines(ax, ["train", "validation"], _HISTORY_STYLES))
            label_axes(ax, "epoch", ylabel, panel)
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.84, wspace=0.25)
        self.handle = (display(Image(data=figure_png(self.fig), format="png"), display_id=True)
                       if get_ipython() is not None else None)

    def __call__(self, history: History) -> None:
        """Redraw from ``history`` (called by ``fit`` after every epoch)."""
        for ax, lines, (curves, x, _, _) in zip(self.axes, self.lines, _history_panels(history)):
            _set_curves(lines, {k: (x[k], v) for k, v in curves.items()})
            _legend(ax, lines, loc="best")
            ax.relim(visible_only=True)
            ax.autoscale_view()
        self.fig.suptitle(f"{self.title}: epoch {history.epochs}")
        if self.handle is not None:
            self.handle.update(Image(data=figure_png(self.fig), format="png"))


def curve_limits(curves: dict, logy: bool) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis limits ``(xlim, ylim)`` that fit every curve of ``curves`` ({name: (x (T,), y (T,))}),
    with a margin (multiplicative on a log axis); non-finite values are ignored, empty
    curves give (0, 1). Pure: no figure involved. Introduced in 01_optimizers_and_training."""
    xs = [np.asarray(x, dtype=float) for x, y in curves.values() if len(x)] or [np.array([0.0, 1.0])]
    ys = [np.asarray(y, dtype=float) for x, y in curves.values() if len(y)]
    ys = [y[np.isfinite(y) & ((y > 0) if logy else True)] for y in ys]
    ys = [y for y in ys if y.size] or [np.array([1.0, 2.0] if logy else [0.0, 1.0])]
    lo, hi = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
    margin = 0.05 * (hi - lo + 1e-12)
    ylim = (lo / 1.2, hi * 1.2) if logy else (lo - margin, hi + margin)
    xlim = (min(float(x.min()) for x in xs), max(float(x.max()) for x in xs) + 1e-9)
    return xlim, ylim


def curves_figure(names: list[str], xlim: tuple[float, float], ylim: tuple[float, float], xlabel: str,
                  ylabel: str, title: str, logy: bool = False) -> tuple[Figure, dict]:
    """A persistent Figure for comparing runs with fixed axes: the labelled axes rendered once
    into a cached background, one animated line per name (the lines of :func:`plot_curves`).
    Returns ``(fig, artists)``; update with :func:`draw_curves`. Introduced in
    01_optimizers_and_training."""
    fig = widget_figure((7.2, 3.8))
    ax = fig.subplots()
    lines = _curve_lines(ax, names, {n: dict(lw=1.6) for n in names})
    if logy:
        ax.set_yscale("log")
        ax.minorticks_off()
    ax.set(xlim=xlim, ylim=ylim)
    label_axes(ax, xlabel, ylabel, title)
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.9)
    art = {"ax": ax, "lines": lines, "fig": fig}
    draw_curves(art, {})
    return fig, art


def comparison_figure(curves: dict, metric: str) -> tuple[Figure, dict]:
    """:func:`curves_figure` for one metric of ``optim.CURVE_METRICS`` whose axes fit every
    run's raw ``curves`` ({name: (x, y)}, from ``optim.history_curves``): log y for a loss
    that stays positive. Introduced in 01_optimizers_and_training."""
    logy = "loss" in metric and all((np.asarray(y) > 0).all() for _, y in curves.values() if len(y))
    xlim, ylim = curve_limits(curves, logy)
    per_step = metric == "loss per step"
    return curves_figure(list(curves), xlim, ylim, xlabel="step (mini-batch)" if per_step else "epoch",
                         ylabel=metric.split(" per")[0], title=metric, logy=logy)


def draw_curves(art: dict, curves: dict) -> None:
    """Show ``{name: (x, y)}`` on the figure of :func:`curves_figure`; runs not in ``curves``
    are hidden and left out of the legend (drawn into the cached background of that set of
    runs; the lines are drawn over it). Introduced in 01_optimizers_and_training."""
    _set_curves(art["lines"], curves)
    shown = _shown_legend(art, tuple(n for n in art["lines"] if n in curves), fontsize=8, loc="best")
    cache_background(art["fig"], art, list(art["lines"].values()), key=shown)


# --- other chapter-01 figures ----------------------------------------------------------------

def plot_layer_statistics(stats: dict) -> Figure:
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


def plot_search(points: dict, scores: dict, xlabel: str, ylabel: str, logx: bool = True) -> Figure:
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


# --- optimizer trajectories ------------------------------------------------------------------

def trajectory_figure(surface_name: str, rules: tuple[str, ...]) -> tuple[Figure, dict]:
    """A persistent Figure for the trajectory widget: the surface (filled log-contours, the
    minima as stars, the start as a dot) rendered once into a cached background, and one
    animated line plus end marker per optimizer. Returns ``(fig, artists)`` with
    ``artists["lines"][rule]``, ``artists["ends"][rule]``, ``artists["ax"]``; update with
    :func:`draw_trajectories`. Introduced in 01_optimizers_and_training."""
    fig = widget_figure((7.2, 4.4))
    ax = fig.subplots()
    x, y, z = optim.surface_grid(surface_name, n=100)
    ax.contourf(x, y, np.log10(z - z.min() + 1e-3), levels=25, cmap="Blues_r")
    s = optim.SURFACES[surface_name]
    for m in s.minima:
        ax.plot(*m, "k*", ms=12)
    ax.plot(*s.start, "ko", ms=6)
    lines = {r: ax.plot([], [], "-", lw=1.8, color=f"C{i + 1}", label=r)[0] for i, r in enumerate(rules)}
    ends = {r: ax.plot([], [], "o", ms=6, color=f"C{i + 1}")[0] for i, r in enumerate(rules)}
    ax.set(xlim=s.xlim, ylim=s.ylim)
    label_axes(ax, "$w_1$", "$w_2$", f"Optimizers on the {surface_name} (star: minimum, dot: start)")
    ax.grid(False)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.13, top=0.92)
    art = {"ax": ax, "lines": lines, "ends": ends, "fig": fig}
    draw_trajectories(art, {})
    return fig, art


def draw_trajectories(art: dict, trajectories: dict) -> None:
    """Show ``{rule: points (T, 2)}`` on the figure of :func:`trajectory_figure`: each path and
    its end point; optimizers not in ``trajectories`` are hidden and left out of the legend
    (drawn into the cached background of that set of optimizers; the paths are drawn over it).
    Introduced in 01_optimizers_and_training."""
    _set_curves(art["lines"], {r: (p[:, 0], p[:, 1]) for r, p in trajectories.items()})
    _set_curves(art["ends"], {r: (p[-1:, 0], p[-1:, 1]) for r, p in trajectories.items()})
    shown = _shown_legend(art, tuple(r for r in art["lines"] if r in trajectories), loc="lower right",
                          fontsize=8)
    cache_background(art["fig"], art, [*art["lines"].values(), *art["ends"].values()], key=shown)
