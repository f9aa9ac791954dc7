"""Headless tests of the chapter-09 widgets: build them, set .value, read what they show
(no browser). The computation is course_lib.faces (tested in test_faces.py); here the
wiring: state, message, the drawn artists, the displayed image."""
from __future__ import annotations

import ipywidgets as W
import numpy as np
import pytest

from course_lib import data, faces
from course_lib.widgets import faces as fw


@pytest.fixture(scope="module")
def pairs():
    f = data.faces(12, 4, seed=3)
    x = f.images.reshape(len(f), -1)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    i, j, same = faces.make_pairs(f.identities, 60, np.random.default_rng(0))
    return f, x, i, j, same, faces.pair_distances(x[i], x[j])


def test_threshold_explorer_follows_the_slider(pairs):
    f, _, i, j, same, d = pairs
    w = fw.threshold_explorer(d, same, f.images[i], f.images[j])
    assert isinstance(w, W.VBox) and w.children[1] is w.message and w.children[2] is w.image
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert w.threshold.value == pytest.approx(faces.choose_threshold(d, same), abs=1e-3)
    png, msg = bytes(w.image.value), w.message.value
    w.threshold.value = float(np.percentile(d, 25))
    assert w.state["counts"] == faces.confusion_counts(d, same, w.threshold.value)
    assert (w.state["fpr"], w.state["tpr"]) == pytest.approx(faces.roc_point(d, same, w.threshold.value))
    assert bytes(w.image.value) != png and w.message.value != msg
    assert w.artists["point"].get_xdata()[0] == pytest.approx(w.state["fpr"])
    assert w.artists["line"].get_xdata()[0] == pytest.approx(w.threshold.value)
    w.threshold.value = 0.0                                  # nothing accepted
    assert w.state["counts"]["tp"] + w.state["counts"]["fp"] == int((d <= 0).sum())
    assert "true accepts 0" in w.message.value
    assert w.render_ms < 2000


def test_threshold_explorer_example_pairs_show_the_right_faces(pairs):
    f, _, i, j, same, d = pairs
    w = fw.threshold_explorer(d, same, f.images[i], f.images[j], threshold=float(np.median(d)))
    for g, group in enumerate(("true accept", "false accept", "true reject", "false reject")):
        found = w.state["examples"][group]
        if found:
            assert np.array_equal(w.artists["pairs"][g][0].get_array(), f.images[i][found[0], 0])
            assert np.array_equal(w.artists["pairs"][g][1].get_array(), f.images[j][found[0], 0])


def test_recognition_viewer_answers_and_says_not_recognized(pairs):
    f, x, *_ = pairs
    db = np.flatnonzero((np.arange(len(f)) % 4 == 0) & (f.identities < 6))
    q = np.flatnonzero(np.arange(len(f)) % 4 != 0)
    w = fw.recognition_viewer(f.images[q], x[q], f.identities[q], f.images[db], x[db], f.identities[db], threshold=2.0)
    assert w.state["answer"] >= 0 and "answer: id" in w.message.value
    png = bytes(w.image.value)
    w.threshold.value = 0.0
    assert w.state["answer"] == -1 and "not recognized" in w.message.value and bytes(w.image.value) != png
    stranger = int(np.flatnonzero(f.identities[q] >= 6)[0])
    w.query.value = stranger
    assert w.state["enrolled"] is False and w.state["correct"] is True      # tau = 0: rejected, rightly
    assert "not enrolled" in w.message.value
    w.threshold.value = 2.0
    assert w.state["correct"] is False                                      # a stranger taken for someone


def test_threshold_explorer_example_slider_pages_through_pairs(pairs):
    f, _, i, j, same, d = pairs
    w = fw.threshold_explorer(d, same, f.images[i], f.images[j], threshold=float(np.median(d)))
    group = next(g for g in range(4) if len(w.state["examples"][("true accept", "false accept", "true reject",
                                                                  "false reject")[g]]) >= 2)
    name = ("true accept", "false accept", "true reject", "false reject")[group]
    png, msg = bytes(w.image.value), w.message.value
    w.example.value = 2
    second = w.state["examples"][name][1]
    assert np.array_equal(w.artists["pairs"][group][0].get_array(), f.images[i][second, 0])
    assert bytes(w.image.value) != png and w.message.value != msg and "#2" in w.message.value
    assert w.threshold.value == pytest.approx(float(np.median(d)), abs=5e-3)      # tau untouched
