"""Chapter 10 (neural style transfer): every from-scratch piece against a hand-worked value
or torch autograd (float64, tolerances stated), the networks, the optimisation, the widget
state functions, the bad inputs of the issue, and the scripts under data/ on tiny schedules."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn

from course_lib import style, style_optimize as so
from course_lib.models import style_nets as sn

DATA = Path(__file__).resolve().parents[1] / "data"
rng = np.random.default_rng(0)


def _run_script(name: str, args: list[str]):
    spec = importlib.util.spec_from_file_location(name, DATA / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main(args)


# --- the costs, by hand and against brute force / autograd --------------------------------------

def test_gram_matrix_equals_the_brute_force_sum():
    a = torch.tensor(rng.normal(size=(5, 4, 3)))
    np.testing.assert_allclose(style.gram_matrix(a).numpy(), style.gram_matrix_loops(a), rtol=0, atol=1e-10)
    np.testing.assert_allclose(style.gram_matrix(a[None]).numpy(), style.gram_matrix(a).numpy(), atol=0)
    g = style.gram_matrix(a).numpy()
    np.testing.assert_allclose(g, g.T, atol=1e-12)                 # symmetric
    assert np.all(np.linalg.eigvalsh(g) > -1e-9)                  # positive semi-definite


def test_costs_hand_worked_on_tiny_tensors():
    a_C = torch.zeros(1, 1, 2, dtype=torch.float64)
    a_G = torch.tensor([[[1.0, 2.0]]], dtype=torch.float64)
    assert float(style.content_cost(a_C, a_G)) == pytest.approx(0.5 * (1 + 4), abs=1e-12)
    # one channel, 1x2: G_S = 1 + 1 = 2, G_G = 1; E = (2 - 1)^2 / (4 * 1^2 * 2^2) = 1/16
    a_S = torch.tensor([[[1.0, 1.0]]], dtype=torch.float64)
    a_G2 = torch.tensor([[[1.0, 0.0]]], dtype=torch.float64)
    assert float(style.layer_style_cost(a_S, a_G2)) == pytest.approx(1 / 16, abs=1e-12)
    # two layers with weights 0.25 and 0.75
    feats_S, feats_G = {"a": a_S, "b": a_S}, {"a": a_G2, "b": a_S}
    assert float(style.style_cost(feats_S, feats_G, {"a": 0.25, "b": 0.75})) == pytest.approx(0.25 / 16, abs=1e-12)
    assert style.total_cost(2.0, 3.0, alpha=10, beta=40) == pytest.approx(140.0)
    # TV: one channel [[0, 1], [3, 3]]: vertical (3-0)^2 + (3-1)^2 = 13, horizontal 1 + 0 = 1
    x = torch.tensor([[[0.0, 1.0], [3.0, 3.0]]], dtype=torch.float64)
    assert float(style.total_variation(x)) == pytest.approx(14.0, abs=1e-12)


def test_layer_style_cost_matches_the_paper_formula_on_random_tensors():
    a_S, a_G = rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 3, 5))
    G_S = np.einsum("kij,lij->kl", a_S, a_S)
    G_G = np.einsum("kij,lij->kl", a_G, a_G)
    want = ((G_S - G_G) ** 2).sum() / (4 * 4 ** 2 * 15 ** 2)
    assert float(style.layer_style_cost(a_S, a_G)) == pytest.approx(want, rel=1e-12)


def test_hand_derived_gradients_match_autograd():
    a_C = torch.tensor(rng.normal(size=(3, 4, 5)))
    a_S = torch.tensor(rng.normal(size=(3, 4, 5)))
    a_G = torch.tensor(rng.normal(size=(3, 4, 5)), requires_grad=True)
    (g,) = torch.autograd.grad(style.content_cost(a_C, a_G), a_G)
    np.testing.assert_allclose(style.content_cost_grad(a_C, a_G), g.numpy(), atol=1e-10)
    (g,) = torch.autograd.grad(style.layer_style_cost(a_S, a_G), a_G)
    np.testing.assert_allclose(style.layer_style_cost_grad(a_S, a_G), g.numpy(), rtol=1e-9, atol=1e-12)


# --- networks --------------------------------------------------------------------------------

def test_named_vgg_follows_torchvision_feature_order_and_layer_names():
    net = sn.vgg19_features()
    names = style.layer_names(net)
    assert len(names) == 16 * 2 + 5 and names[:5] == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"]
    convs = [k for k, m in enumerate(net) if isinstance(m, nn.Conv2d)]
    # torchvision vgg19.features: convs at these indices
    assert convs == [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34]
    assert sum(p.numel() for p in net.parameters()) == 20_024_384


def test_load_vgg19_reads_a_torchvision_layout_file(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    monkeypatch.delenv("VGG19_WEIGHTS", raising=False)
    assert sn.load_vgg19() is None                                  # no file: None, nothing downloaded
    ref = sn.vgg19_features()
    state = {f"features.{k}.{p}": v.clone() for k, m in enumerate(ref) for p, v in m.state_dict().items()}
    state["classifier.0.weight"] = torch.zeros(2, 2)                # extra keys are ignored
    torch.save(state, tmp_path / "vgg19.pth")
    net = sn.load_vgg19(tmp_path / "vgg19.pth")
    x = torch.rand(1, 3, 32, 32)
    torch.testing.assert_close(net(x), ref(x))
    state["features.0.weight"] = torch.zeros(3, 3, 3, 3)
    torch.save(state, tmp_path / "bad.pth")
    with pytest.raises(ValueError, match="path"):
        sn.load_vgg19(tmp_path / "bad.pth")


def test_normalize_mean_activation_keeps_the_classifier_and_sets_means_to_one():
    torch.manual_seed(0)
    net = sn.feature_cnn(5).eval()
    x = torch.rand(6, 3, 24, 24)
    before = net(x)
    sn.normalize_mean_activation(net, x)
    torch.testing.assert_close(net(x), before, rtol=1e-4, atol=1e-5)
    f = style.features(net, x[:1], ["relu1_1", "relu2_2", "relu3_1"])
    with torch.no_grad():
        for layer in ("relu1_1", "relu2_2", "relu3_1"):
            assert float(net.features[: list(dict(net.features.named_children())).index(layer) + 1](x).mean()) \
                == pytest.approx(1.0, rel=1e-4)
    rnd = sn.random_multiscale_net(sizes=(3, 5), channels=4)
    sn.normalize_mean_activation(rnd, x)
    assert float(rnd.scales["scale5"](x).mean()) == pytest.approx(1.0, rel=1e-4)
    assert set(f) == {"relu1_1", "relu2_2", "relu3_1"}


def test_features_by_name_and_the_random_net():
    rnd = sn.random_multiscale_net(sizes=(3, 7), channels=4)
    x = torch.rand(3, 20, 20)
    f = style.features(rnd, x, ["scale7", "scale3"])
    assert list(f) == ["scale7", "scale3"] and f["scale7"].shape == (1, 4, 20, 20)
    assert rnd(x[None]).shape == (1, 8, 20, 20)
    assert not any(p.requires_grad for p in rnd.parameters())
    net = sn.feature_cnn()
    f = style.features(net, x, ["relu2_1"])
    assert f["relu2_1"].shape == (1, 32, 10, 10)
    torch.testing.assert_close(f["relu2_1"], net.features[:7](x[None]))
    t = sn.TransformNet(4, 1)
    assert t(torch.rand(2, 3, 16, 24)).shape == (2, 3, 16, 24)


# --- the optimisation ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_targets():
    torch.manual_seed(0)
    net = sn.random_multiscale_net(sizes=(3, 5), channels=8)
    C, S = style.load_image("chelsea", 24), style.load_image("flower", 24)
    return so.style_targets(net, C, S, "scale3", ["scale3", "scale5"], alpha=1.0, beta=1e3, tv_weight=0.1)


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_transfer_lowers_the_total_cost(tiny_targets, optimizer):
    r = so.transfer(tiny_targets, steps=15, optimizer=optimizer, init="noise", snapshot_every=5)
    h = r.history
    assert h["step"] == list(range(16)) and h["total"][-1] < 0.5 * h["total"][0]
    assert [s for s, _ in r.snapshots] == [0, 5, 10, 15] and r.snapshots[0][1].dtype == np.uint8
    assert float(r.image.min()) >= 0 and float(r.image.max()) <= 1
    with torch.no_grad():       # the recorded final costs are those of the returned image (Adam clips each step)
        if optimizer == "adam":
            assert so.costs(tiny_targets, r.image)["total"].item() == pytest.approx(h["total"][-1], rel=1e-5)


def test_pixel_step_is_one_clipped_gradient_step(tiny_targets):
    G = tiny_targets.content_image.clone()
    new = so.pixel_step(G, lambda g: so.costs(tiny_targets, g)["total"], lr=1e-3)
    g = G.clone().requires_grad_(True)
    so.costs(tiny_targets, g)["total"].backward()
    torch.testing.assert_close(new, (G - 1e-3 * g.grad).clamp(0, 1))
    torch.testing.assert_close(G, tiny_targets.content_image)             # input untouched


# --- widget states ----------------------------------------------------------------------------

def test_grid_and_replay_states(tiny_targets):
    grid = {"images": np.zeros((2, 1, 1, 4, 4, 3), np.uint8), "content": np.ones((2, 1, 1)),
            "style": np.array([[[0.5]], [[0.25]]]), "betas": [10.0, 100.0], "content_layers": ["a"],
            "style_sets": ["s"]}
    st = so.grid_state(grid, 100.0, "a", "s")
    assert st["ok"] and st["style"] == 0.25 and "1/100" in st["message"]
    bad = so.grid_state(grid, 100.0, "zzz", "s")
    assert not bad["ok"] and "content_layer" in bad["message"] and "'a'" in bad["message"]
    r = so.transfer(tiny_targets, steps=6, optimizer="adam", snapshot_every=3)
    st = so.replay_state(r, 4)
    assert st["ok"] and st["step"] == 3 and st["total"] == r.history["total"][3]
    assert not so.replay_state(r, 99)["ok"]


# --- the bad inputs --------------------------------------------------------------------

def test_bad_inputs_name_the_argument(tiny_targets):
    net = tiny_targets.net
    C = style.load_image("chelsea", 24)
    with pytest.raises(ValueError, match=r"content and style .*3 colour channels"):
        style.check_images(C, C[:1])
    with pytest.raises(ValueError, match=r"scale3.*scale5"):       # unknown layer: the valid names listed
        so.style_targets(net, C, C, "conv4_2", ["scale3"])
    with pytest.raises(ValueError, match=r"style_layers.*valid layer names"):
        so.style_targets(net, C, C, "scale3", ["relu9"])
    with pytest.raises(ValueError, match="beta"):
        so.style_targets(net, C, C, "scale3", ["scale3"], beta=-1.0)
    with pytest.raises(ValueError, match=r"style_layers\['scale3'\]"):
        so.style_targets(net, C, C, "scale3", {"scale3": -0.5})
    with pytest.raises(ValueError, match="content is 300x300"):
        so.style_targets(net, np.zeros((3, 300, 300), np.float32), C, "scale3", ["scale3"])


# --- the scripts under data/, on tiny schedules, and the committed files ----------------------

def test_train_style_features_script_runs_on_a_tiny_schedule(tmp_path):
    meta = _run_script("train_style_features", ["--steps", "3", "--eval", "26", "--out", str(tmp_path / "f.pt")])
    nets, saved = sn.load_style_nets(tmp_path / "f.pt")
    assert saved["steps"] == 3 and 0 <= meta["heldout_accuracy"] <= 1
    assert nets["feature_cnn"](torch.rand(1, 3, 32, 32)).shape == (1, len(style.STYLE_IMAGES))


def test_train_fast_style_and_grid_scripts_run_on_tiny_schedules(tmp_path):
    meta = _run_script("train_fast_style", ["--steps", "2", "--out", str(tmp_path / "t.pt")])
    nets, saved = sn.load_style_nets(tmp_path / "t.pt")
    assert saved["steps"] == 2 and np.isfinite(meta["heldout_costs"]["total"])
    assert nets["transform"](torch.rand(1, 3, 32, 32)).shape == (1, 3, 32, 32)
    out = tmp_path / "g.npz"
    _run_script("make_style_grid", ["--steps", "1", "--size", "16", "--out", str(out)])
    grid = so.load_style_grid(out)
    assert grid["images"].shape == (4, 3, 3, 16, 16, 3) and np.isfinite(grid["style"]).all()


def test_committed_files_are_small_float16_and_load():
    for name in ("style_features.pt", "fast_style.pt"):
        assert (DATA / name).stat().st_size < 2e6
        ckpt = torch.load(DATA / name, weights_only=True)
        assert all(v.dtype == torch.float16 for s in ckpt["state"].values() for v in s.values() if v.is_floating_point())
    nets, meta = sn.load_style_nets()
    assert meta["heldout_accuracy"] > 0.9
    assert (DATA / "style_grid.npz").stat().st_size < 2e6
    assert so.load_style_grid()["images"].dtype == np.uint8


# --- the notebook's visible checks catch the usual wrong answers (and pass the reference) -----

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_neural_style_transfer.ipynb"
ORDER = ["10_content_cost", "10_gram_matrix", "10_layer_style_cost", "10_style_cost", "10_total_cost", "10_style_step"]
WRONG = [
    ("10_content_cost", "a mean instead of a sum", [("np.sum", "np.mean")]),
    ("10_content_cost", "the 1/2 forgotten", [("0.5 * ", "")]),
    ("10_gram_matrix", "A^T A (positions x positions)", [("A @ A.T", "A.T @ A")]),
    ("10_gram_matrix", "normalised by the number of positions", [("return A @ A.T", "return A @ A.T / A.shape[1]")]),
    ("10_layer_style_cost", "n_H n_W not squared", [("(n_H * n_W) ** 2", "(n_H * n_W)")]),
    ("10_layer_style_cost", "n_C not squared", [("4 * n_C ** 2", "4 * n_C")]),
    ("10_layer_style_cost", "the 4 forgotten", [("(4 * n_C ** 2", "(n_C ** 2")]),
    ("10_style_cost", "the weights lambda ignored", [("lam * layer_style_cost", "layer_style_cost")]),
    ("10_total_cost", "alpha and beta swapped", [("alpha * content_cost", "beta * content_cost"),
                                                 ("beta * style_cost", "alpha * style_cost")]),
    ("10_style_step", "uphill (wrong sign)", [("a_G - lr", "a_G + lr")]),
    ("10_style_step", "the 4 of the cost kept in the gradient", [("/ (n_C ** 2", "/ (4 * n_C ** 2")]),
]


def _nb_cells() -> dict[str, str]:
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.cell_type == "code" and "grade_id" in c.metadata.get("nbgrader", {})}


def _run_exercise(grade_id: str, edits: list) -> None:
    cells = _nb_cells()
    ns = {"np": np, "torch": torch, "style": style}
    for gid in ORDER[:ORDER.index(grade_id)]:                     # the reference answers before it
        exec(compile(cells[gid], f"<{gid}>", "exec"), ns)
    answer = cells[grade_id]
    for old, new in edits:
        assert answer.count(old) == 1, (grade_id, old)
        answer = answer.replace(old, new)
    visible = cells[grade_id + "_test"].split("### BEGIN HIDDEN TESTS")[0]
    visible = visible.replace("grading = importlib.reload(grading)", "")
    exec(compile(answer, f"<{grade_id}>", "exec"), ns)
    exec(compile(visible, f"<{grade_id}_test>", "exec"), ns)


@pytest.mark.parametrize("grade_id,what,edits", WRONG, ids=[f"{g}: {w}" for g, w, _ in WRONG])
def test_known_wrong_answer_fails_the_visible_check(grade_id, what, edits):
    with pytest.raises(AssertionError) as info:
        _run_exercise(grade_id, edits)
    assert type(info.value).__name__ in ("CheckFailed", "ForbiddenCall"), (what, type(info.value))
    assert str(info.value).startswith("\u2718"), (what, str(info.value))


@pytest.mark.parametrize("grade_id", ORDER)
def test_reference_answer_passes_the_visible_check(grade_id, capsys):
    _run_exercise(grade_id, [])
    assert "correct" in capsys.readouterr().out
