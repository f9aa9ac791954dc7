"""Widgets of 09_face_recognition: the threshold explorer (ROC point, confusion counts,
example pairs) and the "who is this" recognition view.

The computation lives in ``course_lib.faces`` (``threshold_state``, ``recognition_state``),
the drawing in ``course_lib.plots.faces``; here controls are wired to them. The embeddings
and pair distances are computed once, in the notebook; a callback only thresholds and draws.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from course_lib import faces
from course_lib.plots import faces as face_plots
from course_lib.widgets._base import FigureWidget, timed

__all__ = ["ThresholdExplorer", "threshold_explorer", "RecognitionViewer", "recognition_viewer"]

_STYLE = {"description_width": "80px"}
EXAMPLES = 5   # example pairs of each outcome the explorer can page through


class ThresholdExplorer(FigureWidget):
    """Threshold explorer: ``w.threshold`` (the slider labelled "tau", over [0, max distance]) moves the ROC
    point and the threshold line and picks one example pair per outcome (true/false
    accept/reject); ``w.example`` pages through the 1st..5th pair of each outcome nearest the
    threshold. ``w.state`` is the current ``faces.threshold_state`` dict.
    ``distances``, ``same`` (N,) describe the pairs; ``images_i[k]``, ``images_j[k]`` their faces.
    """

    def __init__(self, distances, same, images_i, images_j, threshold: float | None = None):
        d = np.asarray(distances, dtype=np.float64)
        self.distances, self.same, self.images_i, self.images_j = d, np.asarray(same), images_i, images_j
        self.roc = faces.roc_curve(-d, self.same)
        super().__init__(*face_plots.threshold_figure(self.roc[0], self.roc[1], d, self.same,
                                                      size=np.asarray(images_i).shape[-1]))
        top = float(np.floor(d.max() * 1000) / 1000)      # the slider stays inside [0, max distance]
        start = faces.choose_threshold(d, self.same) if threshold is None else float(threshold)
        self.threshold = W.FloatSlider(value=min(start, top), min=0.0, max=top, step=0.005, readout_format=".3f",
                                       description="tau", style=_STYLE, layout=W.Layout(width="500px"))
        self.example = W.IntSlider(value=1, min=1, max=EXAMPLES, description="example", style=_STYLE)
        for c in (self.threshold, self.example):
            c.observe(self._update, names="value")
        self.state: dict = {}
        self.children = [W.HBox([self.threshold, self.example]), self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = faces.threshold_state(self.distances, self.same, self.threshold.value, roc=self.roc,
                                           examples=EXAMPLES)
        if "message" in self.state:
            self.say((self.state["message"], "error"))
        else:
            st, c = self.state, self.state["counts"]
            self.say(f"tau = {st['threshold']:.3f}", (f"accuracy {st['accuracy']:.3f}", "ok"),
                     f"true accepts {c['tp']}, false rejects {c['fn']}",
                     (f"false accepts {c['fp']}", "warning" if c["fp"] else "plain"), f"true rejects {c['tn']}",
                     f"ROC point (FPR {st['fpr']:.3f}, TPR {st['tpr']:.3f})",
                     f"example pairs #{self.example.value} nearest the threshold")
        face_plots.draw_threshold(self.artists, self.state, self.images_i, self.images_j, self.example.value - 1)
        self.show_figure()


def threshold_explorer(distances, same, images_i, images_j, threshold: float | None = None) -> ThresholdExplorer:
    """Build the threshold explorer (see ``ThresholdExplorer``); the start threshold defaults
    to the best one on these pairs. Introduced in 09_face_recognition."""
    return ThresholdExplorer(distances, same, images_i, images_j, threshold)


class RecognitionViewer(FigureWidget):
    """"Who is this": ``w.query`` picks a probe face, ``w.threshold`` the largest distance
    still recognised; shows the nearest database faces and the answer (an id or "not
    recognized"). ``w.state`` is the current ``faces.recognition_state`` dict. The database
    encodings ``db_embeddings`` are computed once, before.
    """

    def __init__(self, query_images, query_embeddings, query_labels, db_images, db_embeddings, db_labels,
                 threshold: float = 1.0, query: int = 0):
        super().__init__(*face_plots.recognition_figure(3, size=np.asarray(query_images).shape[-1]))
        self.query_images, self.query_embeddings, self.query_labels = query_images, query_embeddings, query_labels
        self.db_images, self.db_embeddings, self.db_labels = db_images, db_embeddings, db_labels
        self.query = W.IntSlider(value=query, min=0, max=len(query_images) - 1, description="query", style=_STYLE)
        self.threshold = W.FloatSlider(value=threshold, min=0.0, max=2.0, step=0.01, description="threshold",
                                       style=_STYLE)
        for c in (self.query, self.threshold):
            c.observe(self._update, names="value")
        self.state: dict = {}
        self.children = [W.HBox([self.query, self.threshold]), self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = faces.recognition_state(self.query.value, self.query_embeddings, self.query_labels,
                                             self.db_embeddings, self.db_labels, self.threshold.value)
        if "message" in self.state:
            self.say((self.state["message"], "error"))
        else:
            st = self.state
            answer = "not recognized" if st["answer"] < 0 else f"id {st['answer']}"
            self.say(f"nearest distance {st['distances'][0]:.3f}", (f"answer: {answer}", "ok" if st["correct"]
                                                                      else "error"),
                     f"truth: id {st['truth']}" + ("" if st["enrolled"] else " (not enrolled)"))
        face_plots.draw_recognition(self.artists, self.state, self.query_images[self.query.value], self.db_images,
                                    self.db_labels)
        self.show_figure()


def recognition_viewer(query_images, query_embeddings, query_labels, db_images, db_embeddings, db_labels,
                       threshold: float = 1.0, query: int = 0) -> RecognitionViewer:
    """Build the recognition view (see ``RecognitionViewer``). Introduced in 09_face_recognition."""
    return RecognitionViewer(query_images, query_embeddings, query_labels, db_images, db_embeddings, db_labels,
                             threshold, query)
