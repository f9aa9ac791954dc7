"""Figures of 04_object_detection. The numbers come from ``course_lib.detection``; these
functions only draw. Images are shown with ``extent=(0, W, H, 0)``, so a box
(x1, y1, x2, y2) in the course's continuous pixel coordinates is drawn where it is.
Static figures return the ``Figure``; a widget's figure is built once (``*_figure``) and
updated in place (``draw_*``), rendered by ``plots._figure.figure_png``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from course_lib.plots._figure import cache_background, figure_png, label_axes, snapshot_row, widget_figure
from course_lib.scenes import CLASS_NAMES

__all__ = ["CLASS_COLOURS", "show_scenes", "plot_pr_curves", "plot_anchors", "plot_yolo_grid",
           "iou_explorer_figure", "draw_iou_explorer", "nms_figure", "draw_nms",
           "viewer_figure", "draw_viewer", "snapshot_row", "MAX_BOXES"]

CLASS_COLOURS = {1: "#ffd33d", 2: "#2ea0ff", 3: "#ff5d5d", 4: "#7dff6a"}
MAX_BOXES = 64          # rectangles the viewer keeps ready (the NMS explorer: twice, S*S*B = 128)


def _image(ax, img: np.ndarray):
    """Show a (3, H, W) or (H, W, 3) image in pixel coordinates [0, W] x [0, H]."""
    img = np.asarray(img)
    if img.shape[0] == 3:
        img = img.transpose(1, 2, 0)
    h, w = img.shape[:2]
    im = ax.imshow(img, extent=(0, w, h, 0), interpolation="nearest")
    ax.grid(False)
    return im


def _box(ax, box, colour: str, **kw) -> Rectangle:
    x1, y1, x2, y2 = np.asarray(box, float)
    kw.setdefault("lw", 1.5)
    return ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, ec=colour, **kw))


def show_scenes(images, boxes, labels, n: int = 8, cols: int = 4, title: str = "Generated scenes") -> Figure:
    """A grid of the first ``n`` scenes with their ground-truth boxes and class names.
    Introduced in 04_object_detection."""
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols, 2.5 * rows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.axis("off")
            continue
        _image(ax, images[k])
        for b, c in zip(boxes[k], labels[k]):
            _box(ax, b, CLASS_COLOURS[int(c)])
            ax.text(b[0], b[1] - 0.5, CLASS_NAMES[int(c)], color=CLASS_COLOURS[int(c)], fontsize=7,
                    va="bottom", bbox=dict(fc="black", alpha=0.5, pad=0.5, lw=0))
        label_axes(ax, "x (pixels)", "y (pixels)", f"scene {k}")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_pr_curves(curves: dict, title: str = "Precision-recall") -> Figure:
    """One precision-recall curve per entry ``{name: (precision, recall, ap)}``, with the
    interpolated envelope dashed. Introduced in 04_object_detection."""
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    for name, (p, r, ap) in curves.items():
        line, = ax.plot(r, p, lw=1.2, label=f"{name} (AP {ap:.3f})")
        env = np.maximum.accumulate(np.asarray(p)[::-1])[::-1]
        ax.step(r, env, where="post", ls="--", color=line.get_color(), lw=1)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left", fontsize=8)
    label_axes(ax, "recall", "precision", title)
    fig.tight_layout()
    return fig


def plot_anchors(image, anchors: np.ndarray, gt_boxes: np.ndarray, assignment: np.ndarray,
                 title: str = "Anchors assigned by IoU") -> Figure:
    """A scene with its ground truth (white), positive anchors (coloured by the box they
    match) and ignored anchors (grey, dotted). Introduced in 04_object_detection."""
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    _image(ax, image)
    for k, a in enumerate(anchors):
        if assignment[k] >= 0:
            _box(ax, a, plt.cm.tab10(int(assignment[k]) % 10), lw=1.0)
        elif assignment[k] == -2:
            _box(ax, a, "0.6", lw=0.6, ls=":")
    for g in gt_boxes:
        _box(ax, g, "white", lw=2.2)
    h, w = np.asarray(image).shape[-2:]
    ax.set_xlim(-8, w + 8)
    ax.set_ylim(h + 8, -8)
    label_axes(ax, "x (pixels)", "y (pixels)", title)
    fig.tight_layout()
    return fig


def plot_yolo_grid(image, boxes, labels, grid: int = 8, title: str = "YOLO's grid") -> Figure:
    """A scene with the S x S grid, each box and the cell holding its centre (shaded).
    Introduced in 04_object_detection."""
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    _image(ax, image)
    size = np.asarray(image).shape[-1]
    cell = size / grid
    for k in range(1, grid):
        ax.axhline(k * cell, color="white", lw=0.5, alpha=0.6)
        ax.axvline(k * cell, color="white", lw=0.5, alpha=0.6)
    for b, c in zip(boxes, labels):
        colour = CLASS_COLOURS[int(c)]
        _box(ax, b, colour)
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        j, i = min(int(cx // cell), grid - 1), min(int(cy // cell), grid - 1)
        ax.add_patch(Rectangle((j * cell, i * cell), cell, cell, color=colour, alpha=0.45))
        ax.plot(cx, cy, "o", color=colour, ms=4)
    label_axes(ax, "x (pixels)", "y (pixels)", title)
    fig.tight_layout()
    return fig


def iou_explorer_figure(size: int = 64) -> tuple[Figure, dict]:
    """The IoU explorer's figure: a ``size`` x ``size`` canvas with box A, box B and their
    overlap. Returns ``(figure, artists)``. Introduced in 04_object_detection."""
    fig = widget_figure((4.4, 4.4))
    ax = fig.add_subplot(111)
    art = {"a": ax.add_patch(Rectangle((0, 0), 1, 1, fill=True, fc="tab:blue", alpha=0.25, ec="tab:blue", lw=2)),
           "b": ax.add_patch(Rectangle((0, 0), 1, 1, fill=True, fc="tab:orange", alpha=0.25, ec="tab:orange", lw=2)),
           "overlap": ax.add_patch(Rectangle((0, 0), 1, 1, fc="tab:red", alpha=0.6, hatch="//")),
           "ax": ax, "fig": fig}
    ax.set_xlim(0, size)
    ax.set_ylim(size, 0)
    ax.set_aspect("equal")
    label_axes(ax, "x (pixels)", "y (pixels)", "IoU")
    fig.tight_layout()
    return fig, art


def draw_iou_explorer(art: dict, state: dict) -> None:
    """Update the IoU explorer from ``detection.iou_explorer_state``. Introduced in
    04_object_detection."""
    if "message" in state:
        for k in ("a", "b", "overlap"):
            art[k].set_visible(False)
        art["ax"].set_title("impossible box")
        cache_background(art["fig"], art, [art["a"], art["b"], art["overlap"], art["ax"].title])
        return
    for k in ("a", "b"):
        x1, y1, x2, y2 = state[f"box_{k}"]
        art[k].set_bounds(x1, y1, x2 - x1, y2 - y1)
        art[k].set_visible(True)
    ov = state["overlap"]
    art["overlap"].set_visible(ov is not None)
    if ov is not None:
        art["overlap"].set_bounds(ov[0], ov[1], ov[2] - ov[0], ov[3] - ov[1])
    art["ax"].set_title(f"IoU = {state['intersection']:.0f} / {state['union']:.0f} = {state['iou']:.3f}")
    cache_background(art["fig"], art, [art["a"], art["b"], art["overlap"], art["ax"].title])


def _boxes_figure(title: str, n_boxes: int) -> tuple[Figure, dict]:
    fig = widget_figure((4.6, 4.6))
    ax = fig.add_subplot(111)
    im = _image(ax, np.zeros((64, 64, 3)))
    rects = [ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, lw=1.5, visible=False)) for _ in range(n_boxes)]
    texts = [ax.text(0, 0, "", fontsize=7, va="bottom", visible=False, clip_on=True,
                     bbox=dict(fc="black", alpha=0.5, pad=0.5, lw=0)) for _ in range(n_boxes)]
    label_axes(ax, "x (pixels)", "y (pixels)", title)
    fig.tight_layout()
    return fig, {"ax": ax, "fig": fig, "image": im, "rects": rects, "texts": texts, "shown": None}


def _set_scene(art: dict, image, key) -> None:
    """Show scene ``key``'s image. The axes (frame, ticks, labels) are drawn once and kept
    (``cache_background``); a callback draws only the image, the boxes and the title."""
    if art["shown"] != key:
        art["image"].set_data(np.asarray(image).transpose(1, 2, 0))
        art["shown"] = key
    cache_background(art["fig"], art, [art["image"], *art["rects"], *art["texts"], art["ax"].title])


def _show_boxes(art: dict, items: list) -> None:
    """``items``: (box, colour, linestyle, linewidth, text or None), at most one per rectangle."""
    for k, (rect, text) in enumerate(zip(art["rects"], art["texts"])):
        if k < len(items):
            (x1, y1, x2, y2), colour, ls, lw, label = items[k]
            rect.set_bounds(x1, y1, x2 - x1, y2 - y1)
            rect.set(edgecolor=colour, linestyle=ls, linewidth=lw, visible=True)
            text.set(position=(x1, y1 - 0.3), text=label or "", color=colour, visible=bool(label))
        else:
            rect.set_visible(False)
            text.set_visible(False)


def nms_figure() -> tuple[Figure, dict]:
    """The NMS explorer's figure: a scene and up to ``2 * MAX_BOXES`` rectangles. Returns
    ``(figure, artists)``. Introduced in 04_object_detection."""
    return _boxes_figure("Non-max suppression", 2 * MAX_BOXES)


def draw_nms(art: dict, image, boxes, scores, labels, state: dict, key=None) -> None:
    """Kept boxes solid in their class colour with the score, suppressed ones dotted grey;
    ``key`` names the scene shown. Introduced in 04_object_detection."""
    _set_scene(art, image, key)
    if "message" in state:
        _show_boxes(art, [])
        art["ax"].set_title("no box to show")
        return
    items = [(boxes[k], CLASS_COLOURS[int(labels[k])], "-", 2.0, f"{scores[k]:.2f}") for k in state["kept"]]
    items += [(boxes[k], "0.85", ":", 1.0, None) for k in state["suppressed"]]
    _show_boxes(art, items)
    art["ax"].set_title(f"{len(state['candidates'])} above threshold -> {len(state['kept'])} kept")


def viewer_figure() -> tuple[Figure, dict]:
    """The detection viewer's figure. Returns ``(figure, artists)``. Introduced in
    04_object_detection."""
    return _boxes_figure("Predictions vs ground truth", MAX_BOXES)


def draw_viewer(art: dict, image, state: dict, key=None) -> None:
    """Ground truth white (dashed when missed), true positives in their class colour, false
    positives red, each prediction with its class and score; ``key`` names the scene shown.
    Introduced in 04_object_detection."""
    _set_scene(art, image, key)
    if "message" in state:
        _show_boxes(art, [])
        art["ax"].set_title("nothing to show")
        return
    items = [(g, "white", "-" if f else "--", 2.5, None) for g, f in zip(state["gt_boxes"], state["found"])]
    items += [(b, CLASS_COLOURS[int(c)] if t else "red", "-", 1.5, f"{CLASS_NAMES[int(c)]} {s:.2f}")
              for b, s, c, t in zip(state["boxes"], state["scores"], state["labels"], state["tp"])]
    _show_boxes(art, items)
    art["ax"].set_title(f"{int(state['tp'].sum())} TP, {int((~state['tp']).sum())} FP, "
                        f"{int((~state['found']).sum())} missed")
