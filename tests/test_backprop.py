"""course_lib.backprop against torch (float64). Tolerance: 1e-10 absolute unless stated."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_lib import backprop as bp

TOL = 1e-10
RNG_SEEDS = [0, 1, 2]


def _rand_shape(rng):
    return tuple(int(s) for s in rng.integers(1, 6, size=rng.integers(1, 4)))


@pytest.mark.parametrize("seed", RNG_SEEDS)
@pytest.mark.parametrize("name, torch_fn", [
    ("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu", torch.relu),
    ("leaky_relu", lambda t: torch.nn.functional.leaky_relu(t, 0.01)),
])
def test_activations_and_derivatives_match_autograd(seed, name, torch_fn):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=4.0, size=_rand_shape(rng))
    z.flat[0] = 0.0  # the kink: both sides use the same convention at exactly 0
    g, dg = bp.ACTIVATIONS[name]
    zt = torch.tensor(z, requires_grad=True)
    out = torch_fn(zt)
    out.sum().backward()
    np.testing.assert_allclose(g(z), out.detach().numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(dg(z), zt.grad.numpy(), atol=TOL, rtol=0)


def test_sigmoid_is_stable_for_large_inputs():
    z = np.array([-800.0, -50.0, 0.0, 50.0, 800.0])
    with np.errstate(over="raise", invalid="raise"):  # underflow to 0 is fine
        s = bp.sigmoid(z)
    np.testing.assert_allclose(s, torch.sigmoid(torch.from_numpy(z)).numpy(), atol=TOL)


def test_activation_rejects_nan():
    with pytest.raises(ValueError, match="NaN"):
        bp.sigmoid(np.array([0.0, np.nan]))


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_logistic_regression_gradients_match_autograd(seed):
    rng = np.random.default_rng(seed)
    n, d = rng.integers(2, 30), rng.integers(1, 8)
    x, w, b = rng.normal(size=(n, d)), rng.normal(size=d), float(rng.normal())
    y = rng.integers(0, 2, size=n).astype(np.float64)
    p = bp.logistic_forward(x, w, b)
    loss = bp.binary_cross_entropy(p, y)
    dw, db = bp.logistic_backward(x, p, y)
    wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, dtype=torch.float64, requires_grad=True)
    lt = torch.nn.functional.binary_cross_entropy_with_logits(torch.from_numpy(x) @ wt + bt, torch.from_numpy(y))
    lt.backward()
    assert abs(loss - lt.item()) < TOL
    np.testing.assert_allclose(dw, wt.grad.numpy(), atol=TOL)
    assert abs(db - bt.grad.item()) < TOL


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_softmax_cross_entropy_matches_torch(seed):
    rng = np.random.default_rng(seed)
    n, k = rng.integers(1, 20), rng.integers(2, 12)
    z = rng.normal(scale=5.0, size=(n, k))
    y = rng.integers(0, k, size=n)
    loss, dz = bp.softmax_cross_entropy(z, y)
    zt = torch.tensor(z, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(zt, torch.from_numpy(y))
    lt.backward()
    assert abs(loss - lt.item()) < TOL
    np.testing.assert_allclose(dz, zt.grad.numpy(), atol=TOL)
    np.testing.assert_allclose(bp.softmax(z), torch.softmax(torch.from_numpy(z), 1).numpy(), atol=TOL)


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_softmax_regression_backward_with_weight_decay(seed):
    rng = np.random.default_rng(seed)
    n, d, k, lam = 7, 4, 3, 0.3
    x, w, b = rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k)
    y = rng.integers(0, k, size=n)
    _, dz = bp.softmax_cross_entropy(bp.softmax_regression_forward(x, w, b), y)
    dw, db = bp.softmax_regression_backward(x, dz, w, weight_decay=lam)
    wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(torch.from_numpy(x) @ wt + bt, torch.from_numpy(y))
    (loss + 0.5 * lam * (wt ** 2).sum()).backward()
    np.testing.assert_allclose(dw, wt.grad.numpy(), atol=TOL)
    np.testing.assert_allclose(db, bt.grad.numpy(), atol=TOL)


def test_softmax_cross_entropy_bad_labels():
    with pytest.raises(ValueError, match="labels"):
        bp.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="y"):
        bp.softmax_cross_entropy(np.zeros((2, 3)), np.array([0]))


def test_train_softmax_regression_learns_and_validates():
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=4, size=(3, 2))
    y = rng.integers(0, 3, size=150)
    x = centers[y] + rng.normal(size=(150, 2))
    w, b, losses = bp.train_softmax_regression(x, y, 3, lr=0.1, epochs=20, batch_size=16)
    assert losses[-1] < 0.5 * losses[0]
    acc = (bp.softmax_regression_forward(x, w, b).argmax(1) == y).mean()
    assert acc > 0.85  # chance is 1/3; the clusters overlap a little
    _, _, full = bp.train_softmax_regression(x, y, 3, epochs=3, batch_size=None)
    assert len(full) == 3
    with pytest.raises(ValueError, match="batch_size"):
        bp.train_softmax_regression(x, y, 3, batch_size=0)


@pytest.mark.parametrize("method, torch_init", [
    ("he", lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="relu")),
    ("xavier", torch.nn.init.xavier_normal_),
    ("lecun", lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="linear")),
])
def test_init_std_equals_torch_init(method, torch_init):
    # torch's normal_(0, std) and randn * std draw the same numbers from the same seed,
    # so equal stds give equal matrices (tolerance 1e-12).
    n_in, n_out = 37, 23
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    ours = bp.init_weights(n_in, n_out, method, g1)
    torch.manual_seed(5)
    ref = torch_init(torch.empty(n_out, n_in, dtype=torch.float64))
    del g2
    assert ours.shape == (n_out, n_in)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), atol=1e-12)


def test_init_statistics_of_many_draws():
    w = bp.init_weights(500, 400, "he", torch.Generator().manual_seed(0))
    assert abs(w.mean().item()) < 0.01 * math.sqrt(2 / 500) * 10
    assert abs(w.std().item() / math.sqrt(2 / 500) - 1) < 0.01
    with pytest.raises(ValueError, match="method"):
        bp.init_std("glorot", 3, 3)
    with pytest.raises(ValueError, match="n_in"):
        bp.init_std("he", 0, 3)


def test_deep_network_he_keeps_relu_signal_while_small_init_vanishes():
    he = bp.deep_network_statistics(depth=20, width=100, method="he", activation="relu")
    small = bp.deep_network_statistics(depth=20, width=100, method="small", activation="relu")
    assert 0.3 < he["activation_std"][-1] < 3.0
    assert small["activation_std"][-1] < 1e-20
    assert small["delta_std"][0] < 1e-20 * small["delta_std"][-1]
    ratio = he["delta_std"][0] / he["delta_std"][-1]
    assert 0.2 < ratio < 5.0


@pytest.mark.parametrize("scale, depth", [(1.5, 10), (0.5, 12)])
def test_linear_chain_grows_like_scale_to_the_depth(scale, depth):
    r = bp.linear_chain(depth, scale)
    np.testing.assert_allclose(r["output_norm"], scale ** np.arange(1, depth + 1) * math.sqrt(2), rtol=1e-12)
    np.testing.assert_allclose(r["grad_x"], [scale ** depth, 0.0], rtol=1e-12)


def test_learner_errors_name_the_argument_and_the_value():
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\], got values from 1\.5 to 1\.5"):
        bp.binary_cross_entropy(np.full(5, 1.5), np.ones(5))
    with pytest.raises(ValueError, match=r"dz must be \(N, K\) with one row per sample of x \(N = 5\)"):
        bp.softmax_regression_backward(np.ones((5, 4)), np.ones((6, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"w must be \(D, K\) = \(4, 3\) to match x and dz, got \(3, 4\)\."):
        bp.softmax_regression_backward(np.ones((5, 4)), np.ones((5, 3)), np.ones((3, 4)))
    x, y = np.ones((6, 4)), np.zeros(6, int)
    with pytest.raises(ValueError, match=r"classes must be a positive integer, got 0\."):
        bp.train_softmax_regression(x, y, classes=0)
    with pytest.raises(ValueError, match=r"lr must be a positive number, got -0\.5\."):
        bp.train_softmax_regression(x, y, 3, lr=-0.5)
    x[2, 1] = math.nan
    with pytest.raises(ValueError, match=r"^x contains NaN or infinite values"):
        bp.train_softmax_regression(x, y, 3)
    with pytest.raises(ValueError, match=r"width must be a positive integer, got 0\."):
        bp.deep_network_statistics(depth=2, width=0)
    # the clipping near 0 and 1 still works for real probabilities
    assert math.isfinite(bp.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0])))
