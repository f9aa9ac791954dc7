"""Headless tests of the chapter-05 widgets: build them, set .value, read what they show (no
browser). The computation behind them is course_lib.segmentation / course_lib.visualize; here
we check the wiring: the state, the message, the drawn artists and the displayed PNG."""
from __future__ import annotations

import ipywidgets as W
import numpy as np
import pytest
import torch

from course_lib import segmentation as seg
from course_lib.models.unet import UNet
from course_lib.widgets import segmentation as seg_widgets

CLASSES = ("background", "a", "b")


@pytest.fixture(scope="module")
def scene_data():
    rng = np.random.default_rng(0)
    images = rng.random((4, 3, 16, 16), dtype=np.float32)
    targets = rng.integers(0, 3, (4, 16, 16))
    logits = rng.normal(scale=2.0, size=(4, 3, 16, 16))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return images, targets, probs


@pytest.fixture()
def viewer(scene_data):
    return seg_widgets.scene_viewer(*scene_data, CLASSES, threshold=0.0)


def test_scene_viewer_structure(viewer):
    assert isinstance(viewer, W.VBox)
    controls = viewer.children[0]
    assert [c.description for c in controls.children] == ["scene", "threshold"]
    assert viewer.children[1] is viewer.message and viewer.children[2] is viewer.image
    assert viewer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_scene_viewer_follows_scene_and_threshold(viewer, scene_data):
    images, targets, probs = scene_data
    first_png = viewer.image.value
    assert viewer.state["coverage"] == 1.0 and "100.0% of the pixels decided" in viewer.message.value
    np.testing.assert_array_equal(viewer.artists["pred"].get_array(), probs[0].argmax(0) + 1)
    viewer.scene.value = 2
    np.testing.assert_array_equal(viewer.state["target"], targets[2])
    np.testing.assert_array_equal(viewer.artists["target"].get_array(), targets[2])
    np.testing.assert_array_equal(viewer.artists["pred"].get_array(), probs[2].argmax(0) + 1)
    assert viewer.image.value != first_png
    viewer.threshold.value = 0.6
    unsure = probs[2].max(0) < 0.6
    assert unsure.any() and not unsure.all()
    np.testing.assert_array_equal(viewer.state["pred"] == -1, unsure)
    np.testing.assert_array_equal(viewer.artists["errors"].get_array() == 2, unsure)
    assert viewer.state["coverage"] == pytest.approx(1 - unsure.mean())
    assert "threshold 0.60" in viewer.message.value and "scene 2" in viewer.message.value
    assert viewer.render_ms > 0


def test_scene_viewer_refuses_mismatched_inputs(scene_data):
    images, targets, probs = scene_data
    with pytest.raises(ValueError, match="same N scenes"):
        seg_widgets.scene_viewer(images, targets[:, :8], probs, CLASSES)
    with pytest.raises(ValueError, match="class_names"):
        seg_widgets.scene_viewer(images, targets, probs, CLASSES[:2])
    with pytest.raises(ValueError, match="targets"):
        seg_widgets.scene_viewer(images, targets + 3, probs, CLASSES)
    with pytest.raises(ValueError, match="threshold"):
        seg_widgets.scene_viewer(images, targets, probs, CLASSES, threshold=1.5)


@pytest.fixture(scope="module")
def layers():
    torch.manual_seed(0)
    model = UNet(3, 3, base=4, depth=2).eval()
    images = np.random.default_rng(1).random((3, 3, 16, 16), dtype=np.float32)
    return model, images, seg_widgets.layer_viewer(model, images)


def test_layer_viewer_walks_along_the_u(layers):
    model, images, lv = layers
    assert list(lv.stage.options) == model.stage_names() == ["enc1", "down1", "down2", "up1", "up2", "head"]
    first_png = lv.image.value
    lv.stage.value = "down2"                       # the bottom: 4x4, 16 channels
    assert lv.channel.max == 15 and lv.map.shape == (4, 4)
    assert lv.artists["marker"].get_data()[0] == [2]
    assert "down2" in lv.message.value and "4x4" in lv.message.value
    assert lv.image.value != first_png
    lv.stage.value = "head"                         # class scores: channel slider clipped to K - 1
    lv.channel.value = 2
    lv.index.value = 1
    with torch.no_grad():
        head = model(torch.from_numpy(images[1:2]))[0, 2].numpy()
    np.testing.assert_allclose(lv.map, head, atol=1e-5)
    np.testing.assert_allclose(lv.artists["map"].get_array(), head, atol=1e-5)
    assert lv.channel.max == 2 and "class score 2" in lv.artists["caption"].get_text()


def test_layer_viewer_needs_a_unet():
    with pytest.raises(TypeError, match="model"):
        seg_widgets.layer_viewer(torch.nn.Conv2d(3, 3, 3), np.zeros((1, 3, 16, 16), np.float32))
    with pytest.raises(TypeError, match="model"):
        seg_widgets.layer_viewer("unet", np.zeros((1, 3, 16, 16), np.float32))


def test_prediction_view_is_what_the_viewer_shows(viewer, scene_data):
    images, targets, probs = scene_data
    viewer.scene.value, viewer.threshold.value = 3, 0.45
    direct = seg.prediction_view(images[3], targets[3], probs[3], 0.45)
    for key in ("pred", "errors", "target"):
        np.testing.assert_array_equal(viewer.state[key], direct[key])
