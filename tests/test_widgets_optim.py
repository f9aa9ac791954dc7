"""Chapter 01 widgets, headless: set controls, read what the widget now shows."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib import optim, train, widgets


def test_trajectory_widget_follows_its_controls():
    w = widgets.optimizer_trajectories()
    assert set(w.trajectories) == {"sgd", "momentum", "adam"}
    assert w.image.value[:4] == b"\x89PNG"
    w.show["rmsprop"].value = True
    assert "rmsprop" in w.trajectories
    w.steps.value = 25
    assert all(len(t.points) <= 26 for t in w.trajectories.values())
    # the drawn line is exactly the pure function's trajectory
    ref = optim.optimizer_trajectory(w.surface.value, "adam", w.lr.value, 25, beta=w.beta.value,
                                     beta2=w.beta2.value)
    np.testing.assert_array_equal(w.trajectories["adam"].points, ref.points)
    fig, art = w._figures[w.surface.value]
    np.testing.assert_array_equal(np.asarray(art["lines"]["adam"].get_xdata()), ref.points[:, 0])
    w.surface.value = "saddle"
    assert np.allclose(w.trajectories["sgd"].points[0], optim.SURFACES["saddle"].start)


def test_trajectory_widget_reports_divergence_instead_of_raising():
    w = widgets.optimizer_trajectories(lr=0.05)
    w.lr.value = 1.0
    assert w.trajectories["sgd"].diverged
    assert "diverged" in w.message.value


def test_trajectory_widget_with_nothing_ticked_shows_a_message():
    w = widgets.optimizer_trajectories()
    for box in w.show.values():
        box.value = False
    assert w.trajectories == {}
    assert "Tick at least one" in w.message.value


def _histories():
    out = {}
    for i, name in enumerate(["sgd", "adam"]):
        h = train.History()
        h.step_loss = list(np.linspace(2.0, 0.5 - 0.1 * i, 30))
        h.loss = [2.0, 1.0, 0.5 - 0.1 * i]
        h.val_loss = [2.1, 1.1, 0.6]
        h.val_acc = [0.5, 0.8, 0.9 + 0.05 * i]
        out[name] = h
    return out


def test_comparison_widget_checkboxes_metric_and_smoothing():
    hs = _histories()
    w = widgets.optimizer_comparison(hs, smoothing=0.0)
    assert set(w.curves) == {"sgd", "adam"}
    np.testing.assert_allclose(w.curves["adam"][1], hs["adam"].step_loss)
    w.show["sgd"].value = False
    assert set(w.curves) == {"adam"}
    assert "sgd" not in w.curves
    w.metric.value = "validation accuracy per epoch"
    np.testing.assert_allclose(w.curves["adam"][0], [1, 2, 3])
    np.testing.assert_allclose(w.curves["adam"][1], hs["adam"].val_acc)
    assert "0.95" in w.message.value
    w.metric.value = "loss per step"
    w.smoothing.value = 0.5
    np.testing.assert_allclose(w.curves["adam"][1], optim.ewma(hs["adam"].step_loss, 0.5, bias_correction=True))
    w.show["adam"].value = False
    assert w.curves == {} and "Tick at least one" in w.message.value


def test_history_curves_validates():
    with pytest.raises(ValueError, match="metric"):
        train.history_curves(_histories(), "accuracy")
    with pytest.raises(ValueError, match="smoothing"):
        train.history_curves(_histories(), smoothing=1.0)
    with pytest.raises(ValueError, match="empty"):
        widgets.optimizer_comparison({})


def test_callbacks_record_their_duration():
    # The < 100 ms target is measured and reported by the notebook / make bench, not asserted
    # here (timed tests flake on a busy machine); here we check the measurement exists.
    w = widgets.optimizer_trajectories()
    w.lr.value = 0.1
    assert 0 < w.render_ms < 60_000
    c = widgets.optimizer_comparison(_histories())
    c.smoothing.value = 0.3
    assert 0 < c.render_ms < 60_000


def test_chapter01_plots_return_labelled_figures():
    import matplotlib.pyplot as plt

    from course_lib import backprop, plots

    figs = [
        plots.plot_activations(backprop.ACTIVATIONS),
        plots.plot_descent_1d(lambda w: 0.1 * (w - 5) ** 2, {"gd": [10.0, 9.0, 8.2]}),
        plots.plot_series({"a": [3, 2, 1], "b": [1, 2]}, xlabel="epoch", ylabel="loss", title="t",
                          x={"b": [5, 6]}, styles={"a": {"ls": "--"}}, logy=True),
        plots.plot_layer_statistics({"He": backprop.deep_network_statistics(depth=3, width=8)}),
        plots.plot_search({"grid": np.array([[1e-3, 16], [1e-2, 32]])}, {"grid": np.array([0.5, 0.9])},
                          xlabel="learning rate", ylabel="hidden units"),
    ]
    for fig in figs:
        for ax in fig.axes:
            if ax.get_label() == "<colorbar>":
                continue
            assert ax.get_xlabel() or ax.get_ylabel(), ax.get_title()
        plt.close(fig)
    ax = figs[2].axes[0]
    assert list(ax.lines[1].get_xdata()) == [5, 6] and ax.lines[0].get_linestyle() == "--"
