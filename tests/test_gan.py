"""Chapter 08 (gan): the from-scratch pieces against torch or hand-worked values (tolerances
stated per test), the training loop's seeding and divergence message, the digits judge, the
checkpoint and its training script (rerun on a tiny schedule), and the notebook's visible
exercise checks against the common wrong answers."""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib import data, gan, gan_eval, gan_train, models

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "08_generative_adversarial_networks.ipynb"


# --- losses (float64, tolerance 1e-12) ------------------------------------------------------

@pytest.mark.parametrize("n", [1, 7, 64])
def test_discriminator_loss_is_bce_with_logits(n):
    g = torch.Generator().manual_seed(n)
    r, f = 3 * torch.randn(n, generator=g, dtype=torch.float64), 3 * torch.randn(n + 2, generator=g, dtype=torch.float64)
    want = (F.binary_cross_entropy_with_logits(r, torch.ones_like(r))
            + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f)))
    assert abs(gan.discriminator_loss(r, f).item() - want.item()) < 1e-12
    assert abs(gan.discriminator_loss(r.numpy(), f.numpy()).item() - want.item()) < 1e-12
    # hand value: D = 1/2 everywhere (logit 0) costs 2 log 2
    assert abs(gan.discriminator_loss(np.zeros(3), np.zeros(5)).item() - 2 * math.log(2)) < 1e-12
    # large logits stay finite (softplus, no log(0))
    assert math.isfinite(gan.discriminator_loss(np.array([-800.0]), np.array([800.0])).item())


def test_generator_losses_both_forms_against_torch():
    f = torch.linspace(-9, 9, 37, dtype=torch.float64)
    ns = F.binary_cross_entropy_with_logits(f, torch.ones_like(f))            # -mean log D
    sat = -F.binary_cross_entropy_with_logits(f, torch.zeros_like(f))         # mean log(1 - D)
    assert abs(gan.generator_loss(f, "non_saturating").item() - ns.item()) < 1e-12
    assert abs(gan.generator_loss(f, "saturating").item() - sat.item()) < 1e-12
    for kind in gan.GENERATOR_LOSSES:
        x = f.clone().requires_grad_(True)
        gan.generator_loss(x, kind).backward()
        assert np.allclose(gan.generator_logit_gradient(f.numpy(), kind), x.grad.numpy(), atol=1e-15, rtol=1e-12)


def test_saturating_gradient_vanishes_when_d_is_sure_the_sample_is_fake():
    sure_fake = np.full(10, -8.0)                       # D(G(z)) = sigmoid(-8) = 3.4e-4
    sat = np.abs(gan.generator_logit_gradient(sure_fake, "saturating")).sum()
    ns = np.abs(gan.generator_logit_gradient(sure_fake, "non_saturating")).sum()
    assert sat < 1e-3 and ns > 0.99 and ns / sat > 1000


# --- the optimal discriminator ----------------------------------------------------------------

def test_optimal_discriminator_hand_values_and_pointwise_maximum():
    p, q = np.array([1.0, 0.0, 2.0, 0.0, 0.3]), np.array([1.0, 2.0, 0.0, 0.0, 0.1])
    assert np.allclose(gan.optimal_discriminator(p, q), [0.5, 0.0, 1.0, 0.5, 0.75], atol=1e-15)
    # D* maximises p log D + q log(1 - D) for each x: compare with a fine grid of D values
    d = np.linspace(1e-4, 1 - 1e-4, 20001)
    for a, b in [(0.3, 0.1), (1.0, 2.5), (0.05, 0.8)]:
        best = d[np.argmax(a * np.log(d) + b * np.log(1 - d))]
        assert abs(best - gan.optimal_discriminator(np.array([a]), np.array([b]))[0]) < 1e-4


def test_gaussian_pdf_integrates_to_one():
    x = np.linspace(-10, 10, 40001)
    assert abs(np.trapezoid(gan.gaussian_pdf(x, 1.0, 1.5), x) - 1) < 1e-9


# --- gradient penalty -------------------------------------------------------------------------

def test_gradient_penalty_of_a_linear_critic_is_exact():
    lin = nn.Linear(3, 1).double()
    real, fake = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    gp = gan.gradient_penalty(lin, real, fake, torch.rand(5, dtype=torch.float64))
    assert abs(gp.item() - (lin.weight.norm().item() - 1) ** 2) < 1e-12


def test_gradient_penalty_against_finite_differences_and_differentiable():
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    real, fake = torch.randn(4, 2, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
    alpha = torch.tensor([0.0, 0.25, 0.5, 1.0], dtype=torch.float64)
    x_hat = alpha[:, None] * real + (1 - alpha[:, None]) * fake
    eps, norms = 1e-6, []
    for x in x_hat:                                     # central differences, error O(eps^2)
        g = [(critic((x + eps * e)[None]).item() - critic((x - eps * e)[None]).item()) / (2 * eps)
             for e in torch.eye(2, dtype=torch.float64)]
        norms.append(np.hypot(*g))
    want = np.mean((np.array(norms) - 1) ** 2)
    gp = gan.gradient_penalty(critic, real, fake, alpha)
    assert abs(gp.item() - want) < 1e-8
    gp.backward()                                       # create_graph: the critic's update sees it
    # every parameter that shapes the gradient in x gets a gradient (the last bias does not)
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in (critic[0].weight, critic[0].bias,
                                                                             critic[2].weight))
    assert critic[2].bias.grad is None


def test_gradient_penalty_bad_inputs():
    lin = nn.Linear(2, 1)
    with pytest.raises(ValueError, match="fake"):
        gan.gradient_penalty(lin, torch.zeros(4, 2), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="alpha"):
        gan.gradient_penalty(lin, torch.zeros(4, 2), torch.zeros(4, 2), torch.full((4,), 1.5))
    with pytest.raises(TypeError, match="critic"):
        gan.gradient_penalty("critic", torch.zeros(4, 2), torch.zeros(4, 2))


# --- networks -----------------------------------------------------------------------------------

def test_dcgan_shapes_and_latent_size_mismatch():
    g, d = gan.DCGANGenerator(latent_dim=16, width=8), gan.DCGANDiscriminator(width=8)
    assert [s for _, s in gan.dcgan_shapes(g, batch=3)] == [(3, 16), (3, 16, 2, 2), (3, 8, 4, 4), (3, 1, 8, 8)]
    assert [s for _, s in gan.dcgan_shapes(d, batch=3)] == [(3, 1, 8, 8), (3, 8, 4, 4), (3, 16, 2, 2), (3,)]
    out = g.eval()(torch.randn(5, 16) * 100)
    assert out.shape == (5, 1, 8, 8) and out.abs().max() <= 1          # tanh range
    with pytest.raises(ValueError, match="latent size of 16"):
        g(torch.randn(5, 10))
    # the paper's guidelines: no pooling, strided (transposed) convolutions, BN, tanh output
    kinds = {type(m) for m in [*g.modules(), *d.modules()]}
    assert not any(issubclass(k, (nn.MaxPool2d, nn.AvgPool2d)) for k in kinds)
    assert {nn.ConvTranspose2d, nn.Conv2d, nn.BatchNorm2d, nn.LeakyReLU, nn.ReLU} <= kinds


def test_conditional_networks_need_valid_labels():
    g, d = gan.DCGANGenerator(num_classes=10).eval(), gan.DCGANDiscriminator(num_classes=10)
    y = torch.arange(4)
    assert d(g(torch.randn(4, 16), y), y).shape == (4,)
    with pytest.raises(ValueError, match="labels"):
        g(torch.randn(4, 16))
    with pytest.raises(ValueError, match="labels"):
        g(torch.randn(4, 16), torch.tensor([0, 1, 2, 10]))


def test_pacgan_discriminator_packs_samples():
    d = gan.MLPDiscriminator(pack=4)
    assert d(torch.zeros(8, 2)).shape == (2,)
    with pytest.raises(ValueError, match="pack"):
        d(torch.zeros(6, 2))


# --- mixture and the mode-counting rule ------------------------------------------------------

def test_ring_mixture_is_seeded_and_on_the_ring():
    a, b = gan_train.ring_mixture(4000, seed=3), gan_train.ring_mixture(4000, seed=3)
    assert np.array_equal(a, b) and not np.array_equal(a, gan_train.ring_mixture(4000, seed=4))
    assert abs(np.linalg.norm(a, axis=1).mean() - 2.0) < 0.01
    cov = gan_train.mode_coverage(a, gan_train.ring_centres(), std=0.02)
    assert cov["modes_covered"] == 8 and cov["high_quality"] > 0.98      # 3 sigma holds 98.9 % in 2-D


def test_mode_coverage_hand_example():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    samples = np.array([[0.1, 0], [0, 0.2], [10.29, 0], [5, 5], [10, 0.31], [0, 9.95]] + [[0, 0]] * 4)
    cov = gan_train.mode_coverage(samples, centres, std=0.1, sigmas=3, min_fraction=0.1)
    assert cov["counts"].tolist() == [6, 1, 1]          # 10.29 is within 0.3, 0.31 is not
    assert cov["covered"].tolist() == [True, True, True] and cov["high_quality"] == 0.8
    strict = gan_train.mode_coverage(samples, centres, std=0.1, sigmas=3, min_fraction=0.2)
    assert strict["modes_covered"] == 1


# --- the training loop ------------------------------------------------------------------------

def _sampler(b, g):
    return torch.from_numpy(gan_train.ring_centres()[0:1]).float() + torch.randn(b, 2, generator=g) * 0.05


@pytest.mark.parametrize("loss", gan_train.LOSSES)
def test_train_gan_is_seeded(loss):
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        G, D = gan.MLPGenerator(hidden=16), gan.MLPDiscriminator(hidden=16)
        runs.append(gan_train.train_gan(G, D, _sampler, steps=6, loss=loss, n_critic=2, batch_size=16,
                                        snapshot_every=3, seed=5))
    assert runs[0]["d_loss"] == runs[1]["d_loss"] and runs[0]["g_loss"] == runs[1]["g_loss"]
    assert [s for s, _ in runs[0]["snapshots"]] == [0, 3, 6] and runs[0]["snapshots"][1][1].shape == (512, 2)


class _NaNAfter(nn.Module):
    """A discriminator whose output becomes NaN from its 4th call on."""

    def __init__(self):
        super().__init__()
        self.lin, self.calls = nn.Linear(2, 1), 0

    def forward(self, x):
        self.calls += 1
        out = self.lin(x).squeeze(1)
        return out * float("nan") if self.calls > 6 else out


def test_nan_loss_stops_training_and_names_the_step():
    with pytest.raises(ValueError, match=r"discriminator loss became nan at step 3"):
        gan_train.train_gan(gan.MLPGenerator(hidden=8), _NaNAfter(), _sampler, steps=10, batch_size=8)


def test_train_gan_bad_learning_rates_and_loss():
    G, D = gan.MLPGenerator(hidden=8), gan.MLPDiscriminator(hidden=8)
    for kw in ({"lr_g": 0.0}, {"lr_d": -1e-3}, {"lr_g": float("nan")}):
        with pytest.raises(ValueError, match="lr_"):
            gan_train.train_gan(G, D, _sampler, steps=1, **kw)
    with pytest.raises(ValueError, match="loss"):
        gan_train.train_gan(G, D, _sampler, steps=1, loss="lsgan")


def test_training_view_state_messages():
    runs = {"a": {"steps": np.array([0, 5]), "samples": np.zeros((2, 3, 2)), "d_loss": np.arange(5.0),
                  "g_loss": -np.arange(5.0)}}
    st = gan_train.training_view_state(runs, "a", 1)
    assert st["step"] == 5 and st["d_loss"].tolist() == [0, 1, 2, 3, 4] and st["steps_so_far"].tolist() == [1, 2, 3, 4, 5]
    assert gan_train.training_view_state(runs, "a", 0)["d_loss"].size == 0
    assert "does not exist" in gan_train.training_view_state(runs, "a", 2)["message"]
    assert "no run" in gan_train.training_view_state(runs, "b", 0)["message"]


# --- digits: the judge and the memorisation check ---------------------------------------------

def test_classify_resizes_as_chapter_03_fed_its_classifier():
    clf = models.load_reduced_models()[0]["resnet18"]
    small, big = data.digits_split(size=8), data.digits_split(size=32)
    with torch.no_grad():
        want = torch.softmax(clf(torch.from_numpy(big.x_test[:50])), 1).numpy()
    got = gan_eval.classify(clf, small.x_test[:50])
    assert np.allclose(got, want, atol=1e-5)
    assert (got.argmax(1) == small.y_test[:50]).mean() > 0.9


def test_nearest_neighbour_distances_brute_force():
    rng = np.random.default_rng(0)
    q, r = rng.random((7, 1, 8, 8)), rng.random((20, 1, 8, 8))
    d, idx = gan_eval.nearest_neighbour_distances(q, r)
    brute = np.array([[np.linalg.norm(a - b) for b in r] for a in q])
    assert np.array_equal(idx, brute.argmin(1)) and np.allclose(d, brute.min(1), atol=1e-9)
    d0, i0 = gan_eval.nearest_neighbour_distances(r[3:4], r)
    assert i0[0] == 3 and d0[0] < 1e-6


def test_interpolation_endpoints_and_state():
    a, b = torch.randn(4), torch.randn(4)
    z = gan_eval.interpolate_latents(a, b, np.array([0.0, 0.5, 1.0]))
    assert torch.allclose(z[0], a) and torch.allclose(z[2], b) and torch.allclose(z[1], (a + b) / 2)
    g = gan.DCGANGenerator(width=4).eval()
    st = gan_eval.interpolation_state(g, None, 0, 1, 0.0, frames=5)
    assert st["strip"].shape == (5, 8, 8) and np.allclose(st["image"], st["strip"][0], atol=1e-6)
    assert "message" in gan_eval.interpolation_state(g, None, 0, 1, 1.5)
    assert "message" in gan_eval.interpolation_state(g, None, -1, 1, 0.5)
    assert "message" in gan_eval.interpolation_state(gan.DCGANGenerator(width=4, num_classes=10), None, 0, 1, 0.5)


# --- checkpoint and training script -----------------------------------------------------------

def test_committed_checkpoint_is_small_float16_and_complete():
    path = gan_eval.GAN_CHECKPOINT
    assert path.exists() and path.stat().st_size < 2e6
    raw = torch.load(path, weights_only=True)
    assert all(v.dtype == torch.float16 for s in raw["state"].values() for v in s.values() if v.is_floating_point())
    gens, runs, meta = gan_eval.load_gan_checkpoint()
    assert {"dcgan", "cgan"} <= set(gens) and set(runs) == {"plain GAN", "WGAN-GP"}
    for r in runs.values():
        assert len(r["steps"]) == len(r["samples"]) and len(r["d_loss"]) == r["steps"][-1] == meta["mixture"]["steps"]
    assert meta["mixture"]["WGAN-GP"]["modes_covered"] == 8


def test_training_script_reruns_on_a_tiny_schedule(tmp_path):
    spec = importlib.util.spec_from_file_location("train_gan", REPO / "data" / "train_gan.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "check.pt"
    meta = mod.main(["--mixture-steps", "20", "--digits-steps", "10", "--threads", "1", "--out", str(out)])
    gens, runs, saved = gan_eval.load_gan_checkpoint(out)
    assert saved["mixture"]["steps"] == 20 and len(runs["WGAN-GP"]["d_loss"]) == 20
    assert 0 <= meta["dcgan_mean_confidence"] <= 1 and saved["cgan_label_accuracy"] == meta["cgan_label_accuracy"]
    assert gens["cgan"](torch.zeros(2, 16), torch.tensor([1, 2])).shape == (2, 1, 8, 8)
    assert out.stat().st_size < 2e6


# --- the notebook's visible checks catch the common wrong answers ---------------------------

@pytest.fixture(scope="module")
def notebook_cells():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.cell_type == "code" and "grade_id" in c.metadata.get("nbgrader", {})}


def _run_visible(cells, grade_id, edits):
    from course_lib import grading

    answer = cells[grade_id]
    for old, new in edits:
        assert answer.count(old) == 1, (grade_id, old)
        answer = answer.replace(old, new)
    visible = cells[grade_id + "_test"].split("### BEGIN HIDDEN TESTS")[0]
    visible = visible.replace("grading = importlib.reload(grading)", "")   # one CheckFailed class
    ns = {"np": np, "torch": torch, "F": F, "gan": gan, "gan_train": gan_train, "grading": grading}
    exec(compile(answer, f"<{grade_id}>", "exec"), ns)
    exec(compile(visible, f"<{grade_id}_test>", "exec"), ns)


GRADE_IDS = ["08_discriminator_loss", "08_generator_loss", "08_alternating_step", "08_count_modes",
             "08_gradient_penalty", "08_block_output_shape"]
WRONG = [
    ("08_discriminator_loss", "real term's sign flipped", [("-real_logits", "real_logits")]),
    ("08_discriminator_loss", "no fake term", [(" + np.logaddexp(0.0, fake_logits).mean()", "")]),
    ("08_discriminator_loss", "one mean over both batches",
     [("np.logaddexp(0.0, -real_logits).mean() + np.logaddexp(0.0, fake_logits).mean()",
       "2 * np.logaddexp(0.0, np.concatenate([-real_logits, fake_logits])).mean()")]),
    ("08_discriminator_loss", "log of sigmoid: overflows at large logits",
     [("np.logaddexp(0.0, -real_logits).mean() + np.logaddexp(0.0, fake_logits).mean()",
       "-np.log(1 / (1 + np.exp(-real_logits))).mean() - np.log(1 - 1 / (1 + np.exp(-fake_logits))).mean()")]),
    ("08_generator_loss", "the two kinds swapped", [('if kind == "saturating":', 'if kind == "non_saturating":')]),
    ("08_generator_loss", "saturating loss with the wrong sign",
     [("return float(-np.logaddexp(0.0, fake_logits).mean())", "return float(np.logaddexp(0.0, fake_logits).mean())")]),
    ("08_alternating_step", "generator against the old discriminator",
     [("d_new[0] * (gt[0] * zt + gt[1]) + d_new[1]", "dt[0].detach() * (gt[0] * zt + gt[1]) + dt[1].detach()")]),
    ("08_alternating_step", "saturating generator loss", [("j_g = F.softplus(-(", "j_g = -F.softplus((")]),
    ("08_alternating_step", "gradient ascent on D", [("d_new = (dt - lr * grad_d)", "d_new = (dt + lr * grad_d)")]),
    ("08_count_modes", "1 sigma instead of 3", [("<= 3 * std", "<= std")]),
    ("08_count_modes", "one sample covers a mode", [("counts >= 0.02 * len(samples)", "counts >= 1")]),
    ("08_count_modes", "2 % of the good samples only", [("0.02 * len(samples)", "0.02 * good.sum()")]),
    ("08_gradient_penalty", "penalty at the real points",
     [("x_hat = alpha[:, None] * real + (1 - alpha[:, None]) * fake", "x_hat = real")]),
    ("08_gradient_penalty", "alpha weighs the fake sample",
     [("x_hat = alpha[:, None] * real + (1 - alpha[:, None]) * fake",
       "x_hat = alpha[:, None] * fake + (1 - alpha[:, None]) * real")]),
    ("08_gradient_penalty", "squared norm, no -1",
     [("(np.linalg.norm(grad, axis=1) - 1) ** 2", "np.linalg.norm(grad, axis=1) ** 2")]),
    ("08_gradient_penalty", "sum instead of mean", [("np.mean((np.linalg", "np.sum((np.linalg")]),
    ("08_block_output_shape", "convolution formula for a transposed convolution",
     [("(v - 1) * stride - 2 * padding + kernel + output_padding", "(v + 2 * padding - kernel) // stride + 1")]),
    ("08_block_output_shape", "output_padding forgotten", [(" + output_padding for", " for")]),
    ("08_block_output_shape", "input channels kept", [("(n, out_channels, size[0], size[1])", "(n, shape[1], size[0], size[1])")]),
]


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_reference_answers_pass_the_visible_checks(notebook_cells, grade_id):
    _run_visible(notebook_cells, grade_id, [])


@pytest.mark.parametrize("grade_id, what, edits", WRONG, ids=[f"{g}: {w}" for g, w, _ in WRONG])
def test_common_wrong_answers_fail_the_visible_checks(notebook_cells, grade_id, what, edits):
    from course_lib import grading

    with pytest.raises(grading.CheckFailed):
        _run_visible(notebook_cells, grade_id, edits)


def test_unfinished_exercises_fail_their_visible_checks(notebook_cells):
    from course_lib import grading

    for gid in GRADE_IDS:
        body = notebook_cells[gid].split("### BEGIN SOLUTION")[0] + "    raise NotImplementedError()\n"
        with pytest.raises(grading.CheckFailed, match="not implemented"):
            _run_visible(dict(notebook_cells, **{gid: body}), gid, [])


def test_gradient_penalty_equals_the_hand_derived_gradient_of_a_tanh_critic():
    """The exercise's analytic route, grad C = W1^T (w2 * (1 - tanh^2)), against autograd (float64, 1e-12)."""
    rng = np.random.default_rng(7)
    W1, b1, w2 = rng.normal(size=(5, 2)), rng.normal(size=5), rng.normal(size=5)
    real, fake, alpha = rng.normal(size=(6, 2)), rng.normal(2, 1, (6, 2)), rng.uniform(0, 1, 6)
    x_hat = alpha[:, None] * real + (1 - alpha[:, None]) * fake
    grad = ((1 - np.tanh(x_hat @ W1.T + b1) ** 2) * w2) @ W1
    by_hand = np.mean((np.linalg.norm(grad, axis=1) - 1) ** 2)
    critic = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1, bias=False)).double()
    with torch.no_grad():
        critic[0].weight.copy_(torch.tensor(W1))
        critic[0].bias.copy_(torch.tensor(b1))
        critic[2].weight.copy_(torch.tensor(w2)[None])
    gp = gan.gradient_penalty(critic, torch.tensor(real), torch.tensor(fake), torch.tensor(alpha))
    assert abs(gp.item() - by_hand) < 1e-12


def test_linear_gan_step_equals_autograd():
    """The hand-derived alternating step against torch autograd on the same losses (float64, 1e-12)."""
    rng = np.random.default_rng(3)
    g, d, x, z = rng.normal(size=2), rng.normal(size=2), rng.normal(2, 1, 7), rng.normal(size=5)
    gt, dt = torch.tensor(g, requires_grad=True), torch.tensor(d, requires_grad=True)
    fake = (gt[0] * torch.tensor(z) + gt[1]).detach()
    gan.discriminator_loss(dt[0] * torch.tensor(x) + dt[1], dt[0] * fake + dt[1]).backward()
    d_new = (dt - 0.3 * dt.grad).detach()
    gan.generator_loss(d_new[0] * (gt[0] * torch.tensor(z) + gt[1]) + d_new[1]).backward()
    g_new = (gt - 0.3 * gt.grad).detach()
    got_g, got_d = gan.linear_gan_step(g, d, x, z, 0.3)
    assert np.allclose(got_g, g_new.numpy(), atol=1e-12) and np.allclose(got_d, d_new.numpy(), atol=1e-12)


def test_block_output_shape_matches_torch_layers():
    for shape, c, k, s, p, t, op in [((2, 64, 2, 2), 32, 4, 2, 1, True, 0), ((1, 3, 7, 9), 5, 3, 2, 1, False, 0),
                                     ((1, 2, 3, 3), 4, 3, 2, 1, True, 1), ((3, 1, 8, 8), 6, 5, 3, 2, False, 0)]:
        layer = nn.ConvTranspose2d(shape[1], c, k, s, p, op) if t else nn.Conv2d(shape[1], c, k, s, p)
        assert gan.block_output_shape(shape, c, k, s, p, t, op) == tuple(layer(torch.zeros(shape)).shape)
    with pytest.raises(ValueError, match="output_padding"):
        gan.block_output_shape((1, 1, 4, 4), 1, 3, 2, 1, True, 2)
