"""Figures of 10_neural_style_transfer. The numbers come from ``course_lib.style`` and
``course_lib.style_optimize``; these functions only draw. Static figures return the
``Figure``; a widget's figure is built once (``*_figure``) and updated in place (``draw_*``),
rendered by ``plots._figure.figure_png``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_lib.plots._figure import label_axes, no_ticks, widget_figure

__all__ = ["show_images", "plot_costs", "plot_grid", "plot_colour_patches", "explorer_figure", "draw_explorer",
           "replay_figure", "draw_replay", "fast_figure", "draw_fast"]


def _hwc(image) -> np.ndarray:
    a = np.asarray(image)
    if a.ndim == 4:
        a = a[0]
    if a.ndim == 3 and a.shape[0] == 3 and a.shape[-1] != 3:
        a = np.moveaxis(a, 0, -1)
    return np.clip(a, 0, 255 if a.dtype == np.uint8 else 1)


def _image_axes(ax, title: str) -> None:
    label_axes(ax, "column (pixel)", "row (pixel)", title)
    ax.grid(False)


def show_images(images: list, titles: list[str], suptitle: str, size: float = 2.6) -> Figure:
    """A row of images ((3, H, W) or (H, W, 3), float in [0, 1] or uint8) with titles.
    Introduced in 10_neural_style_transfer."""
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), size + 0.5), squeeze=False)
    for ax, im, t in zip(axes[0], images, titles):
        ax.imshow(_hwc(im))
        _image_axes(ax, t)
        ax.title.set_fontsize(9)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_costs(histories: dict, keys: tuple[str, ...] = ("content", "style", "total")) -> Figure:
    """Cost curves of one or more optimisations: {label: StyleResult.history}; one panel per
    cost in ``keys``, log scale. Introduced in 10_neural_style_transfer."""
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.2), squeeze=False)
    for ax, k in zip(axes[0], keys):
        for label, h in histories.items():
            ax.plot(h["step"], np.maximum(h[k], 1e-12), label=label)
        ax.set_yscale("log")
        label_axes(ax, "step", f"J_{k}" if k != "total" else "J(G)", f"{k} cost")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_grid(grid: dict, vary: str, fixed: dict, title: str) -> Figure:
    """One row of the precomputed grid (``style_optimize.load_style_grid``): the results as
    ``vary`` ("betas", "content_layers" or "style_sets") changes, the other two held at
    ``fixed`` ({"betas": value, ...}); each title gives the choice and J_style.
    Introduced in 10_neural_style_transfer."""
    names = ("betas", "content_layers", "style_sets")
    options = list(grid[vary])
    fig, axes = plt.subplots(1, len(options), figsize=(2.5 * len(options), 3.0), squeeze=False)
    for ax, opt in zip(axes[0], options):
        idx = tuple(options.index(opt) if n == vary else list(grid[n]).index(fixed[n]) for n in names)
        ax.imshow(grid["images"][idx])
        shown = f"1/{opt:g}" if vary == "betas" else opt
        _image_axes(ax, f"{'alpha/beta' if vary == 'betas' else vary[:-1].replace('_', ' ')} {shown}\n"
                        f"J_style {grid['style'][idx]:.3g}")
        ax.title.set_fontsize(8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_colour_patches(rows: list, title: str) -> Figure:
    """Zeiler-Fergus grids in colour: ``rows`` is [(label, [patches (k, 3, r, r) per unit])];
    each unit's patches are tiled in a square mosaic. Introduced in 10_neural_style_transfer."""
    units = max(len(p) for _, p in rows)
    fig, axes = plt.subplots(len(rows), units, figsize=(1.7 * units, 1.9 * len(rows) + 0.4), squeeze=False)
    for r, (label, unit_patches) in enumerate(rows):
        for u in range(units):
            ax = no_ticks(axes[r, u])
            if u >= len(unit_patches):
                ax.axis("off")
                continue
            p = np.moveaxis(np.asarray(unit_patches[u]), 1, -1)          # (k, r, r, 3)
            k, side = len(p), int(np.ceil(np.sqrt(len(p))))
            tiles = np.ones((side * side,) + p.shape[1:])
            tiles[:k] = p
            rr = p.shape[1]
            mosaic = tiles.reshape(side, side, rr, rr, 3).transpose(0, 2, 1, 3, 4).reshape(side * rr, side * rr, 3)
            ax.imshow(np.clip(mosaic, 0, 1))
            ax.set_title(f"unit {u}", fontsize=8)
            if u == 0:
                ax.set_ylabel(label, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- widget figures: built once, updated in place ----------------------------------------------

def explorer_figure(content, style, size: int) -> tuple[Figure, dict]:
    """The style explorer: content, style and the chosen result side by side.
    Introduced in 10_neural_style_transfer."""
    fig = widget_figure((8.4, 3.2))
    axes = fig.subplots(1, 3)
    art = {}
    for ax, im, t in zip(axes, (content, style), ("content C", "style S")):
        ax.imshow(_hwc(im))
        _image_axes(ax, t)
    art["result"] = axes[2].imshow(np.zeros((size, size, 3), np.uint8))
    art["ax_result"] = axes[2]
    _image_axes(axes[2], "generated G")
    fig.tight_layout()
    return fig, art


def draw_explorer(art: dict, state: dict) -> None:
    """Show ``state`` of ``style_optimize.grid_state`` in the explorer's figure.
    Introduced in 10_neural_style_transfer."""
    art["result"].set_data(state["image"])
    art["ax_result"].set_title(f"G: J_style {state['style']:.3g}")


def replay_figure(history: dict, size: int) -> tuple[Figure, dict]:
    """The replay: the image at a step beside the cost curves with a marker at that step.
    Introduced in 10_neural_style_transfer."""
    fig = widget_figure((8.4, 3.2))
    ax_i, ax_c = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.5]})
    art = {"image": ax_i.imshow(np.zeros((size, size, 3), np.uint8)), "ax_image": ax_i}
    _image_axes(ax_i, "G at step 0")
    for k in ("content", "style", "total"):
        ax_c.plot(history["step"], np.maximum(history[k], 1e-12), label=k if k != "total" else "J(G)")
    ax_c.set_yscale("log")
    art["marker"] = ax_c.axvline(0, color="k", ls="--", lw=1)
    label_axes(ax_c, "step", "cost (log scale)", "costs during the optimisation")
    ax_c.legend(fontsize=8)
    fig.tight_layout()
    return fig, art


def draw_replay(art: dict, state: dict) -> None:
    """Show ``state`` of ``style_optimize.replay_state``. Introduced in 10_neural_style_transfer."""
    art["image"].set_data(state["image"])
    art["ax_image"].set_title(f"G at step {state['step']}")
    art["marker"].set_xdata([state["step"], state["step"]])


def fast_figure(size: int) -> tuple[Figure, dict]:
    """The fast-style viewer: an input image and the transform network's output.
    Introduced in 10_neural_style_transfer."""
    fig = widget_figure((6.0, 3.2))
    axes = fig.subplots(1, 2)
    art = {"input": axes[0].imshow(np.zeros((size, size, 3))), "output": axes[1].imshow(np.zeros((size, size, 3))),
           "ax_input": axes[0], "ax_output": axes[1]}
    _image_axes(axes[0], "input")
    _image_axes(axes[1], "one forward pass")
    fig.tight_layout()
    return fig, art


def draw_fast(art: dict, image, output, name: str, ms: float) -> None:
    """Show an input ``image`` and the network's ``output``. Introduced in 10_neural_style_transfer."""
    art["input"].set_data(_hwc(image))
    art["output"].set_data(_hwc(output))
    art["ax_input"].set_title(f"input: {name}")
    art["ax_output"].set_title(f"one forward pass: {ms:.0f} ms")
