"""course_lib.normalization against torch.nn.BatchNorm1d/2d in float64.

Outputs, running mean, running (unbiased) variance and the gradients dx, dgamma, dbeta,
in training and eval mode, over several steps, on random shapes. Tolerance 1e-10.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.normalization import batchnorm_backward, batchnorm_forward

TOL = 1e-10


def _shape(rng, ndim):
    n = int(rng.integers(2, 9))
    c = int(rng.integers(1, 6))
    return (n, c) + tuple(int(s) for s in rng.integers(1, 6, size=ndim - 2))


@pytest.mark.parametrize("ndim", [2, 3, 4])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batchnorm_equals_torch_in_both_modes(ndim, seed):
    rng = np.random.default_rng(seed)
    shape = _shape(rng, ndim)
    c = shape[1]
    momentum, eps = float(rng.uniform(0.05, 0.5)), float(rng.choice([1e-5, 1e-3]))
    layer = (torch.nn.BatchNorm2d if ndim == 4 else torch.nn.BatchNorm1d)(
        c, eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(rng.normal(size=c)))
        layer.bias.copy_(torch.from_numpy(rng.normal(size=c)))
    gamma, beta = layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy()
    rm, rv = np.zeros(c), np.ones(c)  # torch's initial running statistics
    # three training steps (running statistics accumulate), then two eval steps
    for training in (True, True, True, False, False):
        layer.train(training)
        x = rng.normal(loc=2.0, scale=3.0, size=shape)
        dout = rng.normal(size=shape)
        xt = torch.tensor(x, requires_grad=True)
        layer.zero_grad()
        out_t = layer(xt)
        out_t.backward(torch.from_numpy(dout))
        out, cache, rm, rv = batchnorm_forward(x, gamma, beta, rm, rv, training=training,
                                               momentum=momentum, eps=eps)
        dx, dgamma, dbeta = batchnorm_backward(dout, cache)
        np.testing.assert_allclose(out, out_t.detach().numpy(), atol=TOL)
        np.testing.assert_allclose(rm, layer.running_mean.numpy(), atol=TOL)
        np.testing.assert_allclose(rv, layer.running_var.numpy(), atol=TOL)
        np.testing.assert_allclose(dx, xt.grad.numpy(), atol=TOL)
        np.testing.assert_allclose(dgamma, layer.weight.grad.numpy(), atol=TOL)
        np.testing.assert_allclose(dbeta, layer.bias.grad.numpy(), atol=TOL)


def test_training_output_has_zero_mean_unit_variance_per_channel():
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 4.0, size=(64, 3, 4, 4))
    out, _, _, _ = batchnorm_forward(x, np.ones(3), np.zeros(3), np.zeros(3), np.ones(3), eps=0.0)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1.0, atol=1e-12)  # biased variance: exactly 1


def test_eval_mode_does_not_change_running_statistics_and_handles_one_example():
    rm, rv = np.array([1.0, -1.0]), np.array([4.0, 0.25])
    out, _, rm2, rv2 = batchnorm_forward(np.array([[3.0, 0.0]]), np.ones(2), np.zeros(2), rm, rv,
                                         training=False, eps=0.0)
    np.testing.assert_allclose(out, [[1.0, 2.0]])
    assert rm2 is rm and rv2 is rv


def test_bad_inputs_raise_valueerror():
    with pytest.raises(ValueError, match="channels"):
        batchnorm_forward(np.zeros((4, 3)), np.ones(2), np.zeros(2), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="more than 1 value"):
        batchnorm_forward(np.zeros((1, 2)), np.ones(2), np.zeros(2), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="shape"):
        batchnorm_forward(np.zeros((4,)), np.ones(2), np.zeros(2), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="running_var"):
        batchnorm_forward(np.zeros((4, 2)), np.ones(2), np.zeros(2), np.zeros(2), np.ones(3))


def test_learner_errors_name_the_argument_and_the_value():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3))
    params = (np.ones(3), np.zeros(3), np.zeros(3), np.ones(3))
    x_nan = x.copy()
    x_nan[4, 2] = np.nan
    for training in (True, False):
        with pytest.raises(ValueError, match=r"^x contains NaN or infinite values"):
            batchnorm_forward(x_nan, *params, training=training)
    with pytest.raises(ValueError, match=r"eps must be a non-negative number, got -1\.0\."):
        batchnorm_forward(x, *params, eps=-1.0)
    with pytest.raises(ValueError, match=r"eps must be a non-negative number, got nan\."):
        batchnorm_forward(x, *params, eps=float("nan"))
