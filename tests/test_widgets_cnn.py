"""Chapter-03 widgets, driven like ipywidgets' own tests: build, set ``.value``, read what
the widget now shows, and compare with the pure functions in course_lib.visualize."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_lib import models, visualize  # noqa: E402
from course_lib.plots import cnn as cnn_plots  # noqa: E402
from course_lib.widgets import cnn as cnn_widgets  # noqa: E402


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    return models.vgg16(num_classes=10, in_channels=1, width=1 / 16, small_input=True).eval()


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((4, 1, 32, 32)).astype(np.float32)


def test_filter_viewer_shows_the_chosen_filter(net, images):
    w = cnn_widgets.filter_viewer(net, images[0])
    assert list(w.layer.options) == visualize.conv_layers(net)
    w.layer.value = "stage2.2"
    w.channel.value = 3
    weight = dict(net.named_modules())["stage2.2"].weight.detach().numpy()
    assert w.channel.max == weight.shape[0] - 1
    np.testing.assert_allclose(w.kernels, visualize.filter_mosaic(weight[3]))
    conv_out = visualize.activations(net, images[:1], ["stage2.2"])["stage2.2"][0, 3]
    np.testing.assert_allclose(w.response, conv_out, rtol=1e-5, atol=1e-6)
    assert "filter 3" in w.message.value and w.image.value[:4] == b"\x89PNG"


def test_filter_viewer_clamps_channel_when_layer_has_fewer_filters(net, images):
    w = cnn_widgets.filter_viewer(net, images[0], layer="stage5.4")
    w.channel.value = w.channel.max
    w.layer.value = "stage1.0"
    assert w.channel.value <= len(dict(net.named_modules())["stage1.0"].weight) - 1
    assert w.kernels is not None and "stage1.0" in w.message.value


def test_activation_viewer_follows_controls(net, images):
    layers = ["stage1.1", "stage3.5"]
    w = cnn_widgets.activation_viewer(net, images, layers)
    w.layer.value = "stage3.5"
    w.channel.value = 2
    w.index.value = 3
    acts = visualize.activations(net, images, layers)
    np.testing.assert_allclose(w.map, acts["stage3.5"][3, 2], rtol=1e-5, atol=1e-6)
    assert w.state["ok"] and w.channel.max == acts["stage3.5"].shape[1] - 1
    assert w.render_ms > 0


def test_activation_view_never_raises():
    acts = {"a": np.zeros((2, 3, 4, 4))}
    assert not visualize.activation_view(acts, "b", 0, 0)["ok"]
    bad = visualize.activation_view(acts, "a", 5, 0)
    assert not bad["ok"] and "0..2" in bad["message"]
    assert not visualize.activation_view(acts, "a", 0, 9)["ok"]
    assert visualize.activation_view(acts, "a", 2, 1)["map"].shape == (4, 4)


def test_filter_viewer_kernels_have_frames_and_no_pixel_ticks(net, images):
    # expert review: the kernel mosaic carried pixel ticks (0.0, 2.5, ...) that mean nothing
    w = cnn_widgets.filter_viewer(net, images[0], layer="stage2.2")
    ax = w.artists["ax_left"]
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert ax.get_xlabel() and ax.get_ylabel()
    n_in = dict(net.named_modules())["stage2.2"].weight.shape[1]
    framed = [b for b in w.artists["boxes"] if b.get_visible()]
    assert len(framed) == min(n_in, 16)
    # each frame surrounds one kernel tile of the mosaic exactly (cell edges at half-integers)
    kh = dict(net.named_modules())["stage2.2"].weight.shape[2]
    assert all((b.get_width(), b.get_height()) == (kh, kh) for b in framed)
    assert framed[0].get_xy() == (-0.5, -0.5)
    for b in framed:
        x, y = b.get_xy()
        r, c = int(y + 0.5), int(x + 0.5)
        assert not np.isnan(w.kernels[r:r + kh, c:c + kh]).any()


def test_filter_viewer_y_label_is_inside_the_image(net, images):
    # expert review: the y label of the kernel panel was clipped at the left edge
    # (with the old pixel ticks it was: x0 = -5.7 px for the 15x15 mosaics of stage3..5)
    w = cnn_widgets.filter_viewer(net, images[0])
    renderer = w.figure.canvas.get_renderer()
    for layer in w.layer.options:
        w.layer.value = layer     # the widget renders the figure, which places the labels
        for ax in w.figure.axes:
            if ax.get_ylabel():
                box = ax.yaxis.label.get_window_extent(renderer)
                assert box.x0 >= 0 and box.y0 >= 0, (layer, ax.get_ylabel(), box)


def test_kernel_boxes_find_each_tile_of_a_mosaic():
    weight = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)  # 5 kernels of 2x3: a 2x3 grid of tiles
    mosaic = visualize.filter_mosaic(weight)
    boxes = cnn_plots.kernel_boxes(mosaic)
    assert boxes == [(0, 0, 2, 3), (0, 4, 2, 3), (0, 8, 2, 3), (3, 0, 2, 3), (3, 4, 2, 3)]
    for (r, c, h, wd), k in zip(boxes, weight):
        np.testing.assert_array_equal(mosaic[r:r + h, c:c + wd], k)
    assert cnn_plots.kernel_boxes(visualize.filter_mosaic(weight[:1])) == [(0, 0, 2, 3)]


def test_filter_view_never_raises():
    weights = {"a": np.zeros((3, 2, 3, 3))}
    responses = {"a": np.zeros((3, 5, 5))}
    assert not visualize.filter_view(weights, responses, "b", 0)["ok"]
    bad = visualize.filter_view(weights, responses, "a", 3)
    assert not bad["ok"] and "0..2" in bad["message"]
    good = visualize.filter_view(weights, responses, "a", 1)
    assert good["ok"] and good["response"].shape == (5, 5) and "filter 1" in good["message"]


def test_chapter03_figures():
    import matplotlib.pyplot as plt

    w = np.random.default_rng(0).standard_normal((6, 1, 5, 5))
    fig = cnn_plots.plot_filters(w, "filters", ncols=6)
    assert all(list(ax.get_xticks()) == [] for ax in fig.axes)
    patches = [np.random.default_rng(1).random((9, 1, 4, 4)) for _ in range(2)]
    fig2 = cnn_plots.plot_top_patches([("layer", patches)], "top")
    assert fig2.axes[0].get_ylabel() == "layer"
    fig3 = cnn_plots.plot_activation_maps(np.zeros((8, 8)), {"l": np.zeros((2, 4, 4))}, channels=2)
    assert fig3.axes[0].get_ylabel() == "l"
    plt.close("all")
