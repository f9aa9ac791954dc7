"""course_lib.gradcheck: centred differences against exact gradients (float64)."""
import numpy as np
import pytest
import torch

from course_lib import backprop, gradcheck


def test_rel_error_is_cs231n_formula():
    a, b = np.array([1.0, 2.0, 0.0]), np.array([1.0, 2.2, 0.0])
    assert gradcheck.rel_error(a, b) == pytest.approx(0.2 / 4.2, rel=1e-15)
    assert gradcheck.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        gradcheck.rel_error(np.zeros(2), np.zeros(3))


def test_numerical_gradient_matches_autograd():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    f = lambda z: float(np.sum(np.sin(z) * z ** 2))
    xt = torch.tensor(x, requires_grad=True)
    (torch.sin(xt) * xt ** 2).sum().backward()
    num = gradcheck.numerical_gradient(f, x)
    assert gradcheck.rel_error(num, xt.grad.numpy()) < 1e-8      # centred: error O(h^2)
    assert np.array_equal(x, rng.__class__(np.random.PCG64(0)).normal(size=(3, 4)))  # x untouched


def test_centred_difference_beats_one_sided():
    x, h = np.array([0.7]), 1e-5
    exact = np.cos(0.7)
    centred = gradcheck.numerical_gradient(lambda z: float(np.sin(z[0])), x, h)[0]
    one_sided = (np.sin(0.7 + h) - np.sin(0.7)) / h
    assert abs(centred - exact) < 1e-10                            # ~h^2 / 6 * cos = 1e-11
    assert abs(one_sided - exact) > 1e-6                           # ~h / 2 * sin = 3e-6


def test_numerical_gradient_array_is_a_layer_dx():
    rng = np.random.default_rng(1)
    z, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    num = gradcheck.numerical_gradient_array(backprop.sigmoid, z, dout)
    assert gradcheck.rel_error(num, dout * backprop.sigmoid_grad(z)) < 1e-8


def test_gradient_check_separates_right_from_wrong():
    rng = np.random.default_rng(2)
    x = rng.normal(size=6)
    f = lambda z: float(np.sum(z ** 3))
    assert gradcheck.gradient_check(f, x, 3 * x ** 2) < 1e-8
    assert gradcheck.gradient_check(f, x, 2 * x ** 2) > 1e-2      # a wrong factor
    assert gradcheck.gradient_check(f, x, x ** 3) > 1e-2          # forgot to differentiate


def test_refuses_float32_and_bad_shapes():
    with pytest.raises(TypeError, match="float64"):
        gradcheck.numerical_gradient(lambda z: float(z.sum()), np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="must be equal"):
        gradcheck.numerical_gradient_array(lambda z: z[:2], np.ones(3), np.ones(3))
    with pytest.raises(ValueError):
        gradcheck.numerical_gradient(lambda z: float(z.sum()), np.ones(3), h=0.0)
