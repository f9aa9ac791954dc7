"""Chapter 01 widgets, headless: set controls, read what the widget now shows."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib import backprop, optim, train
from course_lib.plots import optim as optim_plots
from course_lib.widgets import optim as optim_widgets


def test_trajectory_widget_follows_its_controls():
    w = optim_widgets.optimizer_trajectories()
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
    w = optim_widgets.optimizer_trajectories(lr=0.05)
    w.lr.value = 1.0
    assert w.trajectories["sgd"].diverged
    assert "diverged" in w.message.value


def test_trajectory_widget_with_nothing_ticked_shows_a_message():
    w = optim_widgets.optimizer_trajectories()
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
    w = optim_widgets.optimizer_comparison(hs, smoothing=0.0)
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
    np.testing.assert_allclose(w.curves["adam"][1], optim.ewma(np.array(hs["adam"].step_loss), 0.5, bias_correction=True))
    w.show["adam"].value = False
    assert w.curves == {} and "Tick at least one" in w.message.value


def test_history_curves_validates():
    with pytest.raises(ValueError, match="metric"):
        optim.history_curves(_histories(), "accuracy")
    with pytest.raises(ValueError, match="smoothing"):
        optim.history_curves(_histories(), smoothing=1.0)
    with pytest.raises(ValueError, match="empty"):
        optim_widgets.optimizer_comparison({})


def test_callbacks_record_their_duration():
    # The < 100 ms target is measured and reported by the notebook / make bench, not asserted
    # here (timed tests flake on a busy machine); here we check the measurement exists.
    w = optim_widgets.optimizer_trajectories()
    w.lr.value = 0.1
    assert 0 < w.render_ms < 60_000
    c = optim_widgets.optimizer_comparison(_histories())
    c.smoothing.value = 0.3
    assert 0 < c.render_ms < 60_000


def test_chapter01_plots_return_labelled_figures():
    import matplotlib.pyplot as plt

    figs = [
        optim_plots.plot_activations(backprop.ACTIVATIONS),
        optim_plots.plot_descent_1d(lambda w: 0.1 * (w - 5) ** 2, {"gd": [10.0, 9.0, 8.2]}),
        optim_plots.plot_curves({"a": [3, 2, 1], "b": [1, 2]}, xlabel="epoch", ylabel="loss", title="t",
                                x={"b": [5, 6]}, styles={"a": {"ls": "--"}}, logy=True),
        optim_plots.plot_layer_statistics({"He": backprop.deep_network_statistics(depth=3, width=8)}),
        optim_plots.plot_search({"grid": np.array([[1e-3, 16], [1e-2, 32]])}, {"grid": np.array([0.5, 0.9])},
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


def test_trajectory_legend_lists_only_the_ticked_optimizers():
    # expert review: rmsprop (unticked) was listed in the legend with no line
    w = optim_widgets.optimizer_trajectories(show=("sgd", "adam"))
    fig, art = w._figures[w.surface.value]
    legend = art["ax"].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["sgd", "adam"]
    assert ("sgd", "adam") in art["backgrounds"]  # the legend of this set is in its cached background
    assert not art["lines"]["rmsprop"].get_visible()
    w.show["rmsprop"].value = True
    w.show["sgd"].value = False
    legend = art["ax"].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["rmsprop", "adam"]
    assert art["lines"]["rmsprop"].get_visible() and not art["lines"]["sgd"].get_visible()
    w.show["sgd"].value = True    # back to a set seen before: its legend and background again
    assert [t.get_text() for t in art["ax"].get_legend().get_texts()] == ["sgd", "rmsprop", "adam"]
    w.show["rmsprop"].value = False
    assert [t.get_text() for t in art["ax"].get_legend().get_texts()] == ["sgd", "adam"]
    fig.canvas.draw()             # a full redraw (not blitted) shows the same legend
    assert art["ax"].get_legend().axes is art["ax"]


def test_comparison_legend_lists_only_the_ticked_runs():
    w = optim_widgets.optimizer_comparison(_histories(), smoothing=0.0)
    w.show["sgd"].value = False
    art = w.artists
    assert [t.get_text() for t in art["ax"].get_legend().get_texts()] == ["adam"]
    assert not art["lines"]["sgd"].get_visible()


def test_curve_limits_fit_every_run():
    curves = {"a": (np.arange(3), np.array([1.0, 2.0, np.inf])), "b": (np.arange(1, 6), np.array([0.5] * 5))}
    (x0, x1), (y0, y1) = optim_plots.curve_limits(curves, logy=True)
    assert x0 == 0 and x1 == pytest.approx(5) and y0 == pytest.approx(0.5 / 1.2) and y1 == pytest.approx(2.4)
    (_, _), (y0, y1) = optim_plots.curve_limits(curves, logy=False)
    assert y0 == pytest.approx(0.5 - 0.075) and y1 == pytest.approx(2.0 + 0.075)
    (x0, x1), (y0, y1) = optim_plots.curve_limits({"e": (np.array([]), np.array([]))}, logy=False)
    assert (x0, x1, y0, y1) == pytest.approx((0.0, 1.0, -0.05, 1.05))


def _blobs(n=30):
    g = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(n // 2, 2, generator=g) - 2, torch.randn(n - n // 2, 2, generator=g) + 2])
    y = torch.cat([torch.zeros(n // 2, dtype=torch.long), torch.ones(n - n // 2, dtype=torch.long)])
    return x, y


def _mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))


def test_history_plot_has_labelled_loss_and_accuracy_panels():
    x, y = _blobs(n=30)
    h = train.fit(_mlp(), (x, y), epochs=2, val=(x, y), progress=True)
    fig = optim_plots.plot_history(h)
    axes = fig.get_axes()
    assert [a.get_xlabel() for a in axes] == ["epoch", "epoch"]
    assert [a.get_ylabel() for a in axes] == ["loss", "accuracy"]
    assert len(axes[0].lines) == 2  # train and validation
    np.testing.assert_allclose(axes[0].lines[0].get_ydata(), h.loss)
    np.testing.assert_allclose(axes[0].lines[1].get_xdata(), [1, 2])


def test_live_plot_runs_outside_a_notebook_and_follows_fit():
    x, y = _blobs(n=30)
    live = optim_plots.LiveHistoryPlot()
    assert live.handle is None  # no IPython here: nothing displayed, the figure is still kept
    seen = []
    h = train.fit(_mlp(), (x, y), epochs=2, progress=False, on_epoch=lambda hist: (live(hist), seen.append(hist.epochs)))
    assert h.epochs == 2 and seen == [1, 2]
    ax_loss, ax_acc = live.axes
    np.testing.assert_allclose(live.lines[0]["train"].get_ydata(), h.loss)
    assert not live.lines[0]["validation"].get_visible()  # no val given: not drawn, not in the legend
    assert [t.get_text() for t in ax_loss.get_legend().get_texts()] == ["train"]
    assert ax_loss.get_xlabel() == "epoch" and ax_acc.get_ylabel() == "accuracy"
    with pytest.raises(TypeError, match="on_epoch"):
        train.fit(_mlp(), (x, y), epochs=1, progress=False, on_epoch=True)


def test_train_draws_nothing():
    # the import cycle train -> plots -> visualize -> train is gone: train never loads matplotlib
    import subprocess
    import sys

    code = "import sys, course_lib.train; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_snapshot_row_shows_each_setting_of_the_widget_view():
    # the static book's small multiples: one panel per setting, the widget's own picture in each
    import io

    import matplotlib.pyplot as plt
    from PIL import Image

    fig_t, art_t = optim_plots.trajectory_figure("ill-conditioned bowl", ("sgd",))
    pngs = []
    for lr in (0.01, 0.3):
        optim_plots.draw_trajectories(art_t, {"sgd": optim.optimizer_trajectory("ill-conditioned bowl", "sgd", lr, 20).points})
        pngs.append(optim_plots.figure_png(fig_t, art_t))
    assert pngs[0] != pngs[1]                                  # the setting changes the picture
    fig = optim_plots.snapshot_row(pngs, ["lr 0.01", "lr 0.3"], "what to see")
    assert [ax.get_title() for ax in fig.axes] == ["lr 0.01", "lr 0.3"] and fig._suptitle.get_text() == "what to see"
    shown = fig.axes[1].images[0].get_array()
    np.testing.assert_array_equal(np.asarray(shown), np.asarray(Image.open(io.BytesIO(pngs[1]))))
    plt.close(fig)
    grid = optim_plots.snapshot_row(pngs + [(fig_t, art_t)], ["a", "b", "c"], "three views, two per row", ncols=2)
    assert len(grid.axes) == 4 and not grid.axes[3].images   # 2 x 2, the spare panel left empty
    plt.close(grid)
    with pytest.raises(ValueError, match="one title per view"):
        optim_plots.snapshot_row(pngs, ["only one"], "t")
