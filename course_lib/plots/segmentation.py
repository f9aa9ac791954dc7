"""Figures of 05_semantic_segmentation. The numbers come from ``course_lib.segmentation``,
``course_lib.upsampling`` and ``course_lib.visualize``; these functions only draw. Static
figures return the ``Figure``; a widget's figure is built once (``*_figure``) and updated
in place (``draw_*``), rendered by ``plots._figure.figure_png``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from course_lib.plots._figure import cache_background, figure_png, label_axes, snapshot_row, widget_figure

__all__ = ["CLASS_COLOURS", "UNSURE_COLOUR", "class_cmap", "class_legend", "task_comparison",
           "unet_diagram", "boundary_comparison", "scene_viewer_figure", "draw_scene_viewer",
           "layer_viewer_figure", "draw_layer_viewer", "snapshot_row"]

# background, circle, square, triangle, cross (and more classes cycle through the rest)
CLASS_COLOURS = ["#202020", "#e6194b", "#3cb44b", "#4363d8", "#ffe119", "#f58231", "#911eb4"]
UNSURE_COLOUR = "#bbbbbb"
ERROR_COLOURS = ListedColormap(["#e3f2e3", "#c00000", UNSURE_COLOUR])   # right (pale green), wrong, unsure


def class_cmap(num_classes: int, unsure: bool = False) -> ListedColormap:
    """One colour per class id 0..K-1 (background dark); with ``unsure`` a grey for id -1
    first, so draw ``pred + 1`` with it. Introduced in 05_semantic_segmentation."""
    colours = [CLASS_COLOURS[c % len(CLASS_COLOURS)] for c in range(num_classes)]
    return ListedColormap(([UNSURE_COLOUR] if unsure else []) + colours)


def class_legend(ax, class_names, unsure: bool = False, **kwargs) -> None:
    """A legend of the class colours (and "unsure") on ``ax``. Introduced in 05_semantic_segmentation."""
    handles = [Patch(color=CLASS_COLOURS[c % len(CLASS_COLOURS)], label=n) for c, n in enumerate(class_names)]
    if unsure:
        handles.append(Patch(color=UNSURE_COLOUR, label="unsure"))
    ax.legend(handles=handles, **kwargs)


def _image_axes(ax, title: str) -> None:
    label_axes(ax, "column (pixel)", "row (pixel)", title)
    ax.grid(False)


def task_comparison(image: np.ndarray, mask: np.ndarray, instances: np.ndarray, boxes: np.ndarray,
                    labels: np.ndarray, class_names, image_label: int) -> Figure:
    """One scene, four tasks: classification (one label for the image), detection (a box and
    a label per object), semantic segmentation (a class per pixel), instance segmentation
    (an object id per pixel). ``image`` (3, H, W), ``mask``/``instances`` (H, W), ``boxes``
    (n, 4) as (x1, y1, x2, y2), ``labels`` (n,). Introduced in 05_semantic_segmentation."""
    k = len(class_names)
    rgb = np.moveaxis(np.asarray(image), 0, -1)
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.9))
    axes[0].imshow(rgb)
    _image_axes(axes[0], f"classification:\n'{class_names[image_label]}'")
    axes[1].imshow(rgb)
    for (x1, y1, x2, y2), lab in zip(boxes, labels):
        colour = CLASS_COLOURS[int(lab) % len(CLASS_COLOURS)]
        axes[1].add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, lw=2, ec=colour))
        axes[1].text(x1 - 0.5, y1 - 1.5, class_names[int(lab)], color=colour, fontsize=8,
                     bbox=dict(facecolor="white", alpha=0.7, pad=1, lw=0))
    _image_axes(axes[1], f"detection:\n{len(boxes)} boxes + labels")
    axes[2].imshow(mask, cmap=class_cmap(k), vmin=-0.5, vmax=k - 0.5, interpolation="nearest")
    _image_axes(axes[2], "semantic segmentation:\na class per pixel")
    inst_cmap = ListedColormap(["#202020"] + [plt.cm.tab10(i % 10) for i in range(int(instances.max()))])
    axes[3].imshow(instances, cmap=inst_cmap, vmin=-0.5, vmax=instances.max() + 0.5, interpolation="nearest")
    _image_axes(axes[3], f"instance segmentation:\n{int(instances.max())} objects, one id each")
    class_legend(axes[2], class_names, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    fig.tight_layout()
    return fig


def unet_diagram(stages: list[str], shapes: list[tuple], ax=None, skips: bool = True,
                 title: str = "the U: resolution along the network") -> Figure:
    """The U of a U-Net drawn from its stages' output shapes: x = stage (in running order),
    y = feature-map side (log scale, so each pooling is one step down), the channel count
    written at each stage, dashed arrows for the skip connections (``skips``).
    ``shapes`` are (N, C, H, W) per stage, e.g. from ``visualize.summary``.
    Returns the Figure. Introduced in 05_semantic_segmentation."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
    fig = ax.figure
    sides = [s[-1] for s in shapes]
    xs = np.arange(len(stages))
    ax.plot(xs, sides, "-o", color="tab:blue", zorder=2)
    for x, name, s in zip(xs, stages, shapes):
        ax.annotate(f"{name}\n{s[1]}ch", (x, s[-1]), textcoords="offset points", xytext=(0, 8),
                    ha="center", fontsize=7)
    if skips:
        for a, name in enumerate(stages):
            if name.startswith("up"):
                src = len(stages) - 2 - a      # enc1 <-> last up, down1 <-> second-to-last, ...
                if 0 <= src < a:
                    ax.annotate("", xy=(a, sides[a]), xytext=(src, sides[src]),
                                arrowprops=dict(arrowstyle="->", ls="--", color="tab:orange", lw=1))
    ax.set_yscale("log", base=2)
    ax.set_xticks(xs, stages, rotation=30, fontsize=8)
    ax.set_ylim(min(sides) / 2, max(sides) * 2.5)
    label_axes(ax, "stage (in the order it runs)", "feature-map side (pixels, log scale)", title)
    return fig


def boundary_comparison(images: np.ndarray, targets: np.ndarray, preds: dict, boundary: np.ndarray,
                        class_names) -> Figure:
    """For each scene (rows): the image, the ground truth, then for each model in ``preds``
    ({name: (n, H, W)}) its wrong pixels, red on the boundary band (``boundary`` (n, H, W)
    bool) and orange inside regions, with the count of wrong boundary pixels in the title.
    Introduced in 05_semantic_segmentation."""
    n, k = len(images), len(class_names)
    fig, axes = plt.subplots(n, 2 + len(preds), figsize=(3.0 * (2 + len(preds)), 3.0 * n), squeeze=False)
    err_cmap = ListedColormap(["#ffffff", "#f5a623", "#c00000"])   # right, wrong inside, wrong on boundary
    for r in range(n):
        axes[r, 0].imshow(np.moveaxis(images[r], 0, -1))
        _image_axes(axes[r, 0], "image")
        axes[r, 1].imshow(targets[r], cmap=class_cmap(k), vmin=-0.5, vmax=k - 0.5, interpolation="nearest")
        _image_axes(axes[r, 1], "ground truth")
        for c, (name, p) in enumerate(preds.items(), start=2):
            wrong = p[r] != targets[r]
            code = np.where(wrong, np.where(boundary[r], 2, 1), 0)
            axes[r, c].imshow(code, cmap=err_cmap, vmin=-0.5, vmax=2.5, interpolation="nearest")
            _image_axes(axes[r, c], f"{name}: {int((wrong & boundary[r]).sum())} wrong\non the boundary band")
    fig.suptitle("errors: red = on the boundary band, orange = elsewhere")
    fig.tight_layout()
    return fig


# --- the scene viewer (widget) ------------------------------------------------------------------
def scene_viewer_figure(num_classes: int, size: int) -> tuple[Figure, dict]:
    """The scene viewer's figure: image, ground truth, prediction (grey = unsure), errors
    (red wrong, grey unsure), side by side. Returns ``(fig, artists)``; update with
    :func:`draw_scene_viewer`. Introduced in 05_semantic_segmentation."""
    fig = widget_figure((12.0, 3.4))
    axes = fig.subplots(1, 4)
    blank = np.zeros((size, size))
    art = {"axes": axes}
    art["image"] = axes[0].imshow(np.zeros((size, size, 3)))
    art["target"] = axes[1].imshow(blank, cmap=class_cmap(num_classes), vmin=-0.5, vmax=num_classes - 0.5,
                                   interpolation="nearest")
    art["pred"] = axes[2].imshow(blank, cmap=class_cmap(num_classes, unsure=True), vmin=-0.5,
                                 vmax=num_classes + 0.5, interpolation="nearest")
    art["errors"] = axes[3].imshow(blank, cmap=ERROR_COLOURS, vmin=-0.5, vmax=2.5, interpolation="nearest")
    for ax, title in zip(axes, ["image", "ground truth", "prediction (grey: unsure)",
                                "errors (red: wrong, grey: unsure)"]):
        label_axes(ax, "column", "row", title)
        ax.grid(False)
        ax.title.set_fontsize(10)
    fig.tight_layout()
    cache_background(fig, art, [art["image"], art["target"], art["pred"], art["errors"]])
    return fig, art


def draw_scene_viewer(art: dict, view: dict) -> None:
    """Show a ``segmentation.prediction_view(...)`` dict on the scene viewer's figure.
    Introduced in 05_semantic_segmentation."""
    art["image"].set_data(view["rgb"])
    art["target"].set_data(view["target"])
    art["pred"].set_data(view["pred"] + 1)          # -1 (unsure) -> colour 0
    art["errors"].set_data(view["errors"])


# --- the layer viewer (widget) --------------------------------------------------------------------
def layer_viewer_figure(stages: list[str], shapes: list[tuple], size: int) -> tuple[Figure, dict]:
    """The layer viewer's figure: the U (left, :func:`unet_diagram` with the chosen stage
    marked) and the chosen stage's activation map (right), stretched over the ``size`` x
    ``size`` input so that a coarse map's cells show the part of the image they stand for.
    Returns ``(fig, artists)``; update with :func:`draw_layer_viewer` (only the marker, the
    map and its caption are redrawn). Introduced in 05_semantic_segmentation."""
    fig = widget_figure((11.0, 3.8))
    ax_u, ax_map = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    unet_diagram(stages, shapes, ax=ax_u, title="where along the U")
    art = {"sides": [s[-1] for s in shapes]}
    (art["marker"],) = ax_u.plot([0], [art["sides"][0]], "o", ms=14, mfc="none", mec="tab:red", mew=2.5)
    extent = (-0.5, size - 0.5, size - 0.5, -0.5)
    art["map"] = ax_map.imshow(np.zeros((8, 8)), cmap="viridis", interpolation="nearest", extent=extent)
    label_axes(ax_map, "column (input pixel)", "row (input pixel)", "activation map")
    ax_map.grid(False)
    art["caption"] = ax_map.title               # redrawn with the map: "stage, channel: size"
    art["caption"].set_fontsize(9)
    fig.tight_layout()
    cache_background(fig, art, [art["marker"], art["map"], art["caption"]])
    return fig, art


def draw_layer_viewer(art: dict, stage_index: int, activation: np.ndarray, caption: str) -> None:
    """Mark stage ``stage_index`` on the U and show its ``activation`` map (H_l, W_l) with its
    own colour scale and a ``caption`` as its title. Introduced in 05_semantic_segmentation."""
    art["marker"].set_data([stage_index], [art["sides"][stage_index]])
    art["map"].set_data(activation)
    art["map"].set_clim(float(activation.min()), float(activation.max()) + 1e-9)
    art["caption"].set_text(caption)
