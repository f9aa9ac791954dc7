"""course_lib.dropout against nn.Dropout: the same law for the mask, the same scaling, eval = identity."""
import math

import numpy as np
import pytest
import torch
import torch.nn as nn

from course_lib import dropout


def test_keep_prob_is_one_minus_p():
    assert dropout.keep_prob_to_p(0.8) == pytest.approx(0.2, abs=1e-15)
    assert dropout.keep_prob_to_p(1.0) == 0.0
    with pytest.raises(ValueError):
        dropout.keep_prob_to_p(0.0)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.7])
def test_same_scaling_and_drop_rate_as_torch(p):
    n = 200_000
    x = np.full(n, 3.0)
    out, mask = dropout.dropout_forward(x, p, True, np.random.default_rng(0))
    torch.manual_seed(0)
    ref = nn.Dropout(p).train()(torch.tensor(x)).numpy()
    # kept values: exactly x / (1 - p) in both (float64, 1e-12)
    assert np.allclose(out[out != 0], 3.0 / (1 - p), rtol=1e-12, atol=0)
    assert np.allclose(ref[ref != 0], 3.0 / (1 - p), rtol=1e-12, atol=0)
    # the fraction dropped is p in both, within 5 binomial standard deviations
    sd = math.sqrt(p * (1 - p) / n)
    assert abs(np.mean(out == 0) - p) < 5 * sd and abs(np.mean(ref == 0) - p) < 5 * sd
    assert abs(np.mean(out == 0) - np.mean(ref == 0)) < 5 * math.sqrt(2) * sd
    # inverted dropout keeps the mean: E[out] = x
    assert abs(out.mean() - 3.0) < 5 * 3.0 * math.sqrt(p / (1 - p) / n)
    assert np.array_equal(out, x * mask)


def test_keep_prob_convention_trap():
    # the notes' keep_prob = 0.8 means torch's p = 0.2; passing 0.8 as p drops 80 %
    x = np.ones(100_000)
    out_right, _ = dropout.dropout_forward(x, dropout.keep_prob_to_p(0.8), True, np.random.default_rng(1))
    out_wrong, _ = dropout.dropout_forward(x, 0.8, True, np.random.default_rng(1))
    assert abs(np.mean(out_right == 0) - 0.2) < 0.01 and abs(np.mean(out_wrong == 0) - 0.8) < 0.01


def test_eval_is_identity_like_torch():
    x = np.random.default_rng(2).normal(size=(4, 5))
    out, mask = dropout.dropout_forward(x, 0.5, False, np.random.default_rng(0))
    assert np.array_equal(out, x) and np.array_equal(mask, np.ones_like(x))
    assert np.array_equal(nn.Dropout(0.5).eval()(torch.tensor(x)).numpy(), x)


def test_end_points_match_torch():
    x = np.random.default_rng(3).normal(size=(3, 3))
    assert np.array_equal(dropout.dropout_forward(x, 0.0, True, np.random.default_rng(0))[0], x)
    assert np.array_equal(dropout.dropout_forward(x, 1.0, True, np.random.default_rng(0))[0], np.zeros_like(x))
    assert np.array_equal(nn.Dropout(1.0).train()(torch.tensor(x)).numpy(), np.zeros_like(x))


def test_backward_matches_autograd_with_the_same_mask():
    rng = np.random.default_rng(4)
    x, dout = rng.normal(size=(6, 7)), rng.normal(size=(6, 7))
    out, mask = dropout.dropout_forward(x, 0.3, True, rng)
    xt = torch.tensor(x, requires_grad=True)
    (xt * torch.tensor(mask)).backward(torch.tensor(dout))
    assert np.allclose(dropout.dropout_backward(dout, mask), xt.grad.numpy(), rtol=0, atol=1e-15)


def test_bad_arguments():
    with pytest.raises(ValueError):
        dropout.dropout_forward(np.ones(3), 1.5, True, np.random.default_rng(0))
    with pytest.raises(TypeError):
        dropout.dropout_forward(np.ones(3), 0.5, 1, np.random.default_rng(0))
    with pytest.raises(TypeError):
        dropout.dropout_forward(np.ones(3), 0.5, True, 0)
    with pytest.raises(ValueError, match="mask"):
        dropout.dropout_backward(np.ones(3), np.ones(4))
