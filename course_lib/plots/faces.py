"""Figures of 09_face_recognition. The numbers come from ``course_lib.faces`` (and
``faces_classical``, ``faces_metric``); these functions only draw. Static figures return the
``Figure``; a widget's figure is built once (``*_figure``) and updated in place (``draw_*``),
rendered by ``plots._figure.figure_png`` over a cached background.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_lib.plots._figure import cache_background, figure_png, label_axes, no_ticks, snapshot_row, widget_figure

__all__ = ["show_faces", "show_components", "plot_roc", "plot_distance_histograms", "plot_compounding",
           "threshold_figure", "draw_threshold", "recognition_figure", "draw_recognition", "snapshot_row",
           "EXAMPLE_GROUPS"]

EXAMPLE_GROUPS = ("true accept", "false accept", "true reject", "false reject")
_GROUP_COLOURS = {"true accept": "#1a7f37", "true reject": "#1a7f37", "false accept": "#c00000",
                  "false reject": "#c00000"}


def _grey(img) -> np.ndarray:
    img = np.asarray(img)
    return img[0] if img.ndim == 3 else img


def show_faces(images, labels=None, rows: int = 4, cols: int = 8, title: str = "Faces") -> Figure:
    """A ``rows`` x ``cols`` grid of grey faces (N, 1, H, W) or (N, H, W), each titled with its
    label if given. Introduced in 09_face_recognition."""
    fig, axes = plt.subplots(rows, cols, figsize=(1.15 * cols, 1.3 * rows + 0.4), squeeze=False)
    for k, ax in enumerate(axes.flat):
        no_ticks(ax)
        if k < len(images):
            ax.imshow(_grey(images[k]), cmap="gray", vmin=0, vmax=1)
            if labels is not None:
                ax.set_title(str(labels[k]), fontsize=7)
        else:
            ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("x", fontsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("y", fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_components(components, shape: tuple[int, int], n: int = 8, values=None,
                    title: str = "Components") -> Figure:
    """The first ``n`` rows of ``components`` (k, H*W) as images (eigenfaces, Fisherfaces),
    in a diverging colour map centred on 0. Introduced in 09_face_recognition."""
    comps = np.asarray(components)[:n]
    fig, axes = plt.subplots(1, len(comps), figsize=(1.3 * len(comps), 1.8), squeeze=False)
    for k, (ax, c) in enumerate(zip(axes[0], comps)):
        lim = np.abs(c).max() or 1.0
        ax.imshow(c.reshape(shape), cmap="RdBu_r", vmin=-lim, vmax=lim)
        no_ticks(ax)
        ax.set_title(f"#{k + 1}" + (f"\n{values[k]:.3g}" if values is not None else ""), fontsize=7)
        ax.set_xlabel("x", fontsize=7)
    axes[0, 0].set_ylabel("y", fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_roc(curves: dict, points: dict | None = None, title: str = "ROC on unseen identities") -> Figure:
    """One ROC curve per ``{name: (fpr, tpr, auc)}``; ``points`` ``{name: (fpr, tpr)}`` marks
    the operating point of each chosen threshold. Introduced in 09_face_recognition."""
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    for name, (fpr, tpr, auc) in curves.items():
        line, = ax.plot(fpr, tpr, lw=1.5, label=f"{name} (AUC {auc:.3f})")
        if points and name in points:
            ax.plot(*points[name], "o", color=line.get_color(), ms=6)
    ax.plot([0, 1], [0, 1], ":", color="0.5", lw=1, label="chance")
    ax.legend(loc="lower right", fontsize=8)
    label_axes(ax, "false accept rate (FPR)", "true accept rate (TPR)", title)
    fig.tight_layout()
    return fig


def plot_distance_histograms(panels: dict, title: str = "Distances of same and different pairs") -> Figure:
    """One panel per ``{name: (distances, same, threshold)}``: histograms of same-person and
    different-person pair distances with the threshold. Introduced in 09_face_recognition."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.2), squeeze=False)
    for ax, (name, (d, same, tau)) in zip(axes[0], panels.items()):
        bins = np.linspace(0, float(np.max(d)), 40)
        ax.hist(d[same], bins, alpha=0.6, label="same person", color="tab:green")
        ax.hist(d[~same], bins, alpha=0.6, label="different", color="tab:red")
        ax.axvline(tau, color="k", ls="--", lw=1.2, label=f"tau = {tau:.3f}")
        ax.legend(fontsize=7)
        label_axes(ax, "distance d(img1, img2)", "pairs", name)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_compounding(fprs, ks, title: str = "Recognition compounds the verifier's errors") -> Figure:
    """P(a stranger is accepted as someone) = 1 - (1 - FPR)^K against the database size K, one
    line per FPR. Introduced in 09_face_recognition."""
    fig, ax = plt.subplots(figsize=(5.0, 3.4))
    ks = np.asarray(ks)
    for f in fprs:
        ax.plot(ks, 1 - (1 - f) ** ks, lw=1.5, label=f"FPR = {f:g}")
    ax.set_xscale("log")
    ax.legend(fontsize=8)
    label_axes(ax, "people in the database K", "P(stranger accepted)", title)
    fig.tight_layout()
    return fig


def threshold_figure(fpr, tpr, distances, same, size: int = 32) -> tuple[Figure, dict]:
    """The threshold explorer's figure: the ROC curve (static) with a moving point, the
    distance histograms with a moving threshold line, and one example pair per outcome
    (true/false accept/reject). Returns ``(figure, artists)``. Introduced in 09_face_recognition."""
    fig = widget_figure((9.6, 4.6))
    ax_roc = fig.add_axes([0.06, 0.13, 0.27, 0.72])
    ax_hist = fig.add_axes([0.40, 0.13, 0.27, 0.72])
    ax_roc.plot(fpr, tpr, lw=1.5, color="tab:blue")
    ax_roc.plot([0, 1], [0, 1], ":", color="0.5")
    label_axes(ax_roc, "false accept rate", "true accept rate", "ROC")
    d = np.asarray(distances)
    bins = np.linspace(0, float(d.max()), 40)
    ax_hist.hist(d[same], bins, alpha=0.6, color="tab:green", label="same")
    ax_hist.hist(d[~same], bins, alpha=0.6, color="tab:red", label="different")
    ax_hist.legend(fontsize=7, loc="upper right")
    label_axes(ax_hist, "distance", "pairs", "Distances")
    art = {"fig": fig, "ax_roc": ax_roc, "point": ax_roc.plot([0], [0], "o", color="k", ms=8)[0],
           "line": ax_hist.axvline(0, color="k", ls="--", lw=1.5),
           "suptitle": fig.suptitle(" ", fontsize=11), "pairs": [], "labels": []}
    blank = np.zeros((size, size))
    for g, group in enumerate(EXAMPLE_GROUPS):
        row = []
        for side in range(2):
            ax = fig.add_axes([0.72 + 0.135 * side, 0.71 - 0.215 * g, 0.12, 0.17])
            no_ticks(ax)
            row.append(ax.imshow(blank, cmap="gray", vmin=0, vmax=1))
        art["pairs"].append(row)
        art["labels"].append(fig.text(0.855, 0.895 - 0.215 * g, group, ha="center", fontsize=8,
                                      color=_GROUP_COLOURS[group]))
    return fig, art


def draw_threshold(art: dict, state: dict, images_i, images_j, rank: int = 0) -> None:
    """Update the threshold explorer from ``faces.threshold_state``; ``images_i[k]``,
    ``images_j[k]`` are the two faces of pair k; ``rank`` picks which example of each outcome
    (0: the one nearest the threshold). Introduced in 09_face_recognition."""
    animated = [art["point"], art["line"], art["suptitle"], *art["labels"]] + [im for row in art["pairs"] for im in row]
    cache_background(art["fig"], art, animated)
    if "message" in state:
        art["point"].set_visible(False)
        art["line"].set_visible(False)
        art["suptitle"].set_text("threshold out of range")
        return
    art["point"].set(data=([state["fpr"]], [state["tpr"]]), visible=True)
    art["line"].set(xdata=[state["threshold"]] * 2, visible=True)
    c = state["counts"]
    art["suptitle"].set_text(f"tau = {state['threshold']:.3f}: TPR {state['tpr']:.3f}, FPR {state['fpr']:.3f}, "
                             f"accuracy {state['accuracy']:.3f} (TP {c['tp']}, FN {c['fn']}, FP {c['fp']}, "
                             f"TN {c['tn']})")
    for g, group in enumerate(EXAMPLE_GROUPS):
        found = state["examples"][group][rank:rank + 1]
        for side, im in enumerate(art["pairs"][g]):
            im.set_visible(bool(found))
            if found:
                im.set_data(_grey((images_i if side == 0 else images_j)[found[0]]))
        art["labels"][g].set_text(f"{group} #{rank + 1}" + ("" if found else ": none"))


def recognition_figure(top: int = 3, size: int = 32) -> tuple[Figure, dict]:
    """The "who is this" view: the query face and its ``top`` nearest database faces with
    their distances. Returns ``(figure, artists)``. Introduced in 09_face_recognition."""
    fig = widget_figure((1.9 * (top + 1), 2.6))
    blank = np.zeros((size, size))
    axes = [fig.add_subplot(1, top + 1, k + 1) for k in range(top + 1)]
    ims = []
    for k, ax in enumerate(axes):
        no_ticks(ax)
        ims.append(ax.imshow(blank, cmap="gray", vmin=0, vmax=1))
        label_axes(ax, "x", "y" if k == 0 else "", "query" if k == 0 else f"#{k}")
    fig.tight_layout(rect=(0, 0, 1, 0.86))
    return fig, {"fig": fig, "axes": axes, "images": ims, "suptitle": fig.suptitle(" ", fontsize=10)}


def draw_recognition(art: dict, state: dict, query_image, db_images, db_labels) -> None:
    """Update the recognition view from ``faces.recognition_state``. Introduced in
    09_face_recognition."""
    animated = [*art["images"], art["suptitle"], *[ax.title for ax in art["axes"]]]
    cache_background(art["fig"], art, animated)
    if "message" in state:
        art["suptitle"].set_text("no such query")
        return
    art["images"][0].set_data(_grey(query_image))
    art["axes"][0].set_title(f"query (id {state['truth']})", fontsize=8)
    for k, (im, ax) in enumerate(zip(art["images"][1:], art["axes"][1:])):
        show = k < len(state["nearest"])
        im.set_visible(show)
        if show:
            r = state["nearest"][k]
            im.set_data(_grey(db_images[r]))
            ax.set_title(f"id {db_labels[r]}, d={state['distances'][k]:.2f}", fontsize=8)
    answer = "not recognized" if state["answer"] < 0 else f"id {state['answer']}"
    verdict = "right" if state["correct"] else "wrong"
    art["suptitle"].set_text(f"answer: {answer} (tau = {state['threshold']:.2f}) - {verdict}"
                             + ("" if state["enrolled"] else "; this person is not in the database"))
