"""Headless tests of the chapter-06 widgets: build them on a small char model, set .value, read
what they show (no browser). The computation behind them is course_lib.char_lm (tested in
test_sequences.py); here we check the wiring: state, message, the drawn images and bars."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib import char_lm
from course_lib.widgets import sequences as seq_widgets


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return char_lm.CharLSTM(hidden=64)


def test_gate_explorer_follows_the_text(model):
    import ipywidgets as W

    w = seq_widgets.gate_explorer(model, "emma")
    assert isinstance(w, W.VBox) and w.children[1] is w.message and w.children[2] is w.image
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert w.state["ok"] and w.state["chars"] == [".", "e", "m", "m", "a"] and "5 steps" in w.message.value
    first = w.image.value
    shown = w.artists["images"]["forget"].get_array()
    np.testing.assert_allclose(shown[:, :5], w.state["gates"]["forget"][:, :32].T)
    assert np.ma.getmaskarray(shown)[:, 5:].all()                       # nothing after the text
    w.text.value = "alexander"
    assert w.state["chars"][-1] == "r" and "10 steps" in w.message.value
    assert [t.get_text() for t in w.artists["chars"][:3]] == [".", "a", "l"]
    assert w.image.value != first
    w.block.value = 1
    assert "showing units 32-63" in w.message.value
    np.testing.assert_allclose(w.artists["images"]["hidden"].get_array()[:, :10], w.state["hidden"][:, 32:64].T)


def test_gate_explorer_reports_bad_text(model):
    w = seq_widgets.gate_explorer(model)
    before = w.image.value
    w.text.value = "r2-d2"
    assert w.state["ok"] is False and "letters a-z" in w.message.value and "color:#c00000" in w.message.value
    assert w.image.value == before
    with pytest.raises(ValueError, match="block"):
        seq_widgets.gate_explorer(model, block=2)


def test_temperature_sampler_follows_the_slider(model):
    train = ["anna", "mary", "emma"]
    w = seq_widgets.temperature_sampler(model, train, temperature=1.0, n=8)
    assert len(w.names) == 8 and "T = 1.00" in w.message.value
    p1 = np.array([b.get_height() for b in w.artists["bars"]])
    np.testing.assert_allclose(p1.sum(), 1.0, atol=1e-9)
    w.temperature.value = 0.2
    p2 = np.array([b.get_height() for b in w.artists["bars"]])
    assert p2.max() > p1.max() and "T = 0.20" in w.message.value       # colder: sharper
    assert w.state["entropy"] < char_lm.temperature_state(model, 1.0, train)["entropy"]
    w.seed.value = 5
    assert w.names == char_lm.sample_names(model, 8, 0.2, seed=5)      # the seed picks the draw


def test_temperature_sampler_rejects_bad_temperature(model):
    with pytest.raises(ValueError, match="temperature"):
        seq_widgets.temperature_sampler(model, ["anna"], temperature=0.0)
    with pytest.raises(TypeError, match="model"):
        seq_widgets.temperature_sampler("model", ["anna"])
