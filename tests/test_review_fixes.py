"""Issue 20 (expert review of chapters 01-03): the new from-scratch pieces and the claims the
chapters make, each against torch or an exact value with its tolerance stated."""
import math

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib import backprop, conv, factorization, lrn, optim
from course_lib.models import count_parameters
from course_lib.models.bn_inception import BN_INCEPTION_3A, BNInception, bn_inception_param_count
from course_lib.models.inception import Inception


# --- LRN: the paper sums with alpha; torch averages, so its alpha is n times larger -------------
def test_lrn_paper_form_equals_torch_with_alpha_times_n():
    a = torch.randn(2, 9, 4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 20
    ours = lrn.local_response_norm(a, **lrn.ALEXNET_LRN)
    assert lrn.torch_alpha(1e-4, 5) == pytest.approx(5e-4, rel=1e-15)
    theirs = nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)(a)
    assert torch.allclose(ours, theirs, rtol=0, atol=1e-12)
    # torch with the paper's number (alpha=1e-4) is a different layer: the old text's mistake
    wrong = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(a)
    assert (ours - wrong).abs().max() > 1e-2


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_lrn_any_window_matches_torch(n):
    a = torch.randn(3, 6, 2, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(n)) * 5
    ours = lrn.local_response_norm(a, n=n, alpha=2e-3, beta=0.5, k=1.0)
    theirs = nn.LocalResponseNorm(n, alpha=lrn.torch_alpha(2e-3, n), beta=0.5, k=1.0)(a)
    assert torch.allclose(ours, theirs, rtol=0, atol=1e-12)


# --- BN-Inception -------------------------------------------------------------------------------
def test_bn_inception_3a_shape_and_parameter_count():
    kwargs = {k: v for k, v in BN_INCEPTION_3A.items() if k != "pool"}
    m = BNInception(**BN_INCEPTION_3A)
    assert m(torch.zeros(2, 192, 28, 28)).shape == (2, 256, 28, 28)
    assert count_parameters(m) == bn_inception_param_count(**kwargs) == 219_072
    # by hand: the double-3x3 branch is 192*64 + 9*64*96 + 9*96*96 weights plus 2 per BN channel
    assert sum(p.numel() for p in m.branch33.parameters()) == 192 * 64 + 9 * 64 * 96 + 9 * 96 * 96 + 2 * (64 + 96 + 96)


def test_bn_inception_bn_before_relu_no_dropout_and_two_3x3_see_5x5():
    m = BNInception(**BN_INCEPTION_3A)
    for unit in [m.branch1, *m.branch3, *m.branch33, m.branch_pool[1]]:
        kinds = [type(layer) for layer in unit]
        assert kinds == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU] and unit[0].bias is None
    assert not any(isinstance(layer, (nn.Dropout, nn.LocalResponseNorm)) for layer in m.modules())
    assert conv.receptive_field([(3, 1), (3, 1)]) == [3, 5]
    # two 3x3 (c -> c -> c) vs one 5x5 (c -> c): 18 c^2 vs 25 c^2 weights
    c = 64
    two = count_parameters(nn.Sequential(nn.Conv2d(c, c, 3, bias=False), nn.Conv2d(c, c, 3, bias=False)))
    assert (two, count_parameters(nn.Conv2d(c, c, 5, bias=False))) == (18 * c * c, 25 * c * c)


def test_bn_inception_fewer_parameters_than_googlenet_module_with_5x5():
    # same widths, the 5x5 branch (c33_reduce -> c33) as in GoogLeNet vs two 3x3
    v1 = Inception(192, 64, 64, 64, 64, 96, 32, k5=5)
    assert count_parameters(v1) - count_parameters(BNInception(**BN_INCEPTION_3A)) == 25 * 64 * 96 - (9 * 64 * 96 + 9 * 96 * 96 + 2 * 96)


def test_bn_inception_bad_arguments():
    with pytest.raises(TypeError):
        BNInception(192.0, 64, 64, 64, 64, 96, 32)
    with pytest.raises(ValueError):
        BNInception(192, 64, 64, 64, 64, 96, 32, pool="min")


# --- 1xn + nx1: a rank-1 restriction, lifted by the ReLU between ---------------------------------
def test_factorized_pair_without_relu_is_one_rank1_conv():
    g = torch.Generator().manual_seed(0)
    col, row = torch.randn(3, dtype=torch.float64, generator=g), torch.randn(3, dtype=torch.float64, generator=g)
    x = torch.randn(2, 1, 9, 9, dtype=torch.float64, generator=g)
    k = factorization.separable_kernel(col.numpy(), row.numpy())
    one = F.conv2d(x, torch.from_numpy(k).view(1, 1, 3, 3))
    assert torch.allclose(factorization.factorized_conv(x, col, row), one, rtol=0, atol=1e-12)
    assert factorization.kernel_rank(k) == 1
    assert 2 * 3 < 3 * 3                                      # 6 weights instead of 9


def test_a_generic_kernel_is_not_separable():
    k = np.random.default_rng(1).normal(size=(3, 3))
    assert factorization.kernel_rank(k) == 3
    col, row, err = factorization.best_separable_approximation(k)
    s = np.linalg.svd(k, compute_uv=False)
    assert err == pytest.approx(math.sqrt(s[1] ** 2 + s[2] ** 2), rel=1e-12) and err > 0.1
    assert np.linalg.norm(k - np.outer(col, row)) == pytest.approx(err, rel=1e-12)
    # and a separable kernel is recovered exactly
    sep = np.outer([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0])          # Sobel
    assert factorization.best_separable_approximation(sep)[2] < 1e-12


def test_relu_between_makes_the_pair_nonlinear():
    g = torch.Generator().manual_seed(2)
    col, row = torch.randn(3, dtype=torch.float64, generator=g), torch.randn(3, dtype=torch.float64, generator=g)
    x = torch.randn(1, 1, 8, 8, dtype=torch.float64, generator=g)
    with_relu = lambda z: factorization.factorized_conv(z, col, row, relu_between=True)
    assert not torch.allclose(with_relu(-x), -with_relu(x))       # any conv has f(-x) = -f(x); this pair not
    assert not torch.allclose(with_relu(x), factorization.factorized_conv(x, col, row))


# --- output sizes: dilation, transposed conv with dilation, pooling with padding and ceil_mode ---
def test_conv_output_size_with_dilation_matches_torch():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n, f, p, s, d = (int(v) for v in (rng.integers(1, 30), rng.integers(1, 6), rng.integers(0, 4),
                                          rng.integers(1, 4), rng.integers(1, 4)))
        if d * (f - 1) + 1 > n + 2 * p:
            continue
        out = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, f), stride=s, padding=p, dilation=d)
        assert conv.conv_output_size(n, f, p, s, d) == out.shape[-1] == (n + 2 * p - d * (f - 1) - 1) // s + 1


def test_conv_transpose_with_dilation_matches_torch():
    rng = np.random.default_rng(4)
    for _ in range(20):
        f, s, d = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
        p, op = int(rng.integers(0, 2)), int(rng.integers(0, max(s, d)))
        x, w = rng.normal(size=(1, 2, 4, 5)), rng.normal(size=(2, 3, f, f))
        try:
            ours = conv.conv_transpose2d(x, w, stride=s, padding=p, output_padding=op, dilation=d)
        except ValueError:
            continue
        ref = F.conv_transpose2d(torch.tensor(x), torch.tensor(w), stride=s, padding=p, output_padding=op,
                                 dilation=d).numpy()
        assert ours.shape == ref.shape and np.allclose(ours, ref, rtol=0, atol=1e-10)
        assert ours.shape[-2] == conv.conv_transpose_output_size(4, f, p, s, op, d)


def test_pool_output_size_matches_torch_with_padding_and_ceil_mode():
    rng = np.random.default_rng(5)
    checked = 0
    for _ in range(400):
        n, f, s = int(rng.integers(1, 20)), int(rng.integers(1, 5)), int(rng.integers(1, 4))
        d, p, ceil = int(rng.integers(1, 3)), int(rng.integers(0, 3)), bool(rng.integers(0, 2))
        try:
            ours = conv.pool_output_size(n, f, s, p, d, ceil)
        except ValueError:
            with pytest.raises(RuntimeError):
                F.max_pool1d(torch.zeros(1, 1, n), f, s, p, d, ceil_mode=ceil)
            continue
        assert ours == F.max_pool1d(torch.zeros(1, 1, n), f, s, p, d, ceil_mode=ceil).shape[-1], (n, f, s, p, d, ceil)
        checked += 1
    assert checked > 200


def test_pool_output_size_reproduces_googlenet_and_resnet():
    # GoogLeNet: 224 -> conv 7x7/2 p3 -> 112 -> pool 3/2 ceil -> 56 -> ... -> 28 -> 14 -> 7
    sizes = [conv.conv_output_size(224, 7, 3, 2)]
    for _ in range(4):
        sizes.append(conv.pool_output_size(sizes[-1], 3, 2, ceil_mode=True))
    assert sizes == [112, 56, 28, 14, 7]
    assert conv.pool_output_size(112, 3, 2, ceil_mode=False) == 55          # floor would lose a row
    assert conv.pool_output_size(112, 3, 2, p=1) == 56                       # ResNet's max pool
    assert conv.pool_output_size(4, 2, 2, p=1, ceil_mode=True) == 3          # the window-start rule


def test_pool_output_size_bad_arguments():
    with pytest.raises(ValueError, match="half"):
        conv.pool_output_size(10, 2, 2, p=2)
    with pytest.raises(TypeError):
        conv.pool_output_size(10, 2, 2, ceil_mode=1)


# --- transposed convolution is the adjoint, not the inverse -------------------------------------
@pytest.mark.parametrize("s,p,d", [(1, 0, 1), (2, 1, 1), (2, 0, 2), (3, 1, 1)])
def test_conv_transpose_is_the_adjoint(s, p, d):
    rng = np.random.default_rng(10 * s + p + d)
    x, w = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 3))
    y_shape = conv.conv2d_naive(x, w, stride=s, padding=p, dilation=d).shape
    y = rng.normal(size=y_shape)
    op = tuple((n + 2 * p - d * 2 - 1) % s for n in x.shape[2:])     # recovers x's size exactly
    lhs = np.sum(conv.conv2d_naive(x, w, stride=s, padding=p, dilation=d) * y)
    back = conv.conv_transpose2d(y, w, stride=s, padding=p, output_padding=op, dilation=d)
    assert back.shape == x.shape
    assert lhs == pytest.approx(np.sum(x * back), rel=1e-12)          # <conv(x), y> = <x, conv^T(y)>
    if s == 1 and p == 0 and d == 1:
        return
    again = conv.conv_transpose2d(conv.conv2d_naive(x, w, stride=s, padding=p, dilation=d), w, stride=s,
                                  padding=p, output_padding=op, dilation=d)
    assert again.shape == x.shape and not np.allclose(again, x, atol=1e-3)   # shape back, values not


# --- chapter 01: L2 = weight decay only for SGD; Xavier with tanh decays ------------------------
def test_adam_weight_decay_is_not_adamw():
    rng = np.random.default_rng(6)
    w0 = rng.normal(size=5)
    target = rng.normal(size=5)
    runs = {}
    for name, cls, decoupled in (("adam", torch.optim.Adam, False), ("adamw", torch.optim.AdamW, True)):
        wt = torch.tensor(w0, requires_grad=True)
        opt = cls([wt], lr=0.05, weight_decay=0.1)
        w, m, s = w0.copy(), np.zeros(5), np.zeros(5)
        for t in range(1, 51):
            opt.zero_grad()
            ((wt - torch.tensor(target)) ** 2).sum().backward()
            opt.step()
            w, m, s = optim.adam_step(w, 2 * (w - target), m, s, t, lr=0.05, weight_decay=0.1, decoupled=decoupled)
        assert np.allclose(w, wt.detach().numpy(), rtol=0, atol=1e-10)
        runs[name] = w
    assert np.abs(runs["adam"] - runs["adamw"]).max() > 1e-3
    # with plain SGD the two formulations are one and the same
    w, dw = rng.normal(size=5), rng.normal(size=5)
    assert np.allclose(optim.sgd_step(w, dw, 0.1, weight_decay=0.2), (1 - 0.1 * 0.2) * w - 0.1 * dw, rtol=0, atol=1e-15)


def test_xavier_tanh_decays_he_relu_holds():
    xav = backprop.deep_network_statistics(30, 200, "xavier", "tanh")["activation_std"]
    he = backprop.deep_network_statistics(30, 200, "he", "relu")["activation_std"]
    assert 0.6 < xav[0] < 0.66 and 0.1 < xav[-1] < 0.16 and xav[-1] < xav[0] / 4
    assert 0.5 < he[-1] / he[0] < 2


# --- the degradation curves of chapter 03 come from data/train_degradation.py ---------------------
def test_degradation_script_reproduces_the_committed_first_epoch(tmp_path):
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("train_degradation", root / "data" / "train_degradation.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = script.main(["--epochs", "1", "--seeds", "1", "--out", str(tmp_path / "check.json")])
    committed = json.loads((root / "data" / "degradation_curves.json").read_text())
    assert committed["epochs"] == 40 and len(committed["seeds"]) >= 3
    for name in script.RUNS:
        assert abs(out["loss"][name][0][0] - committed["loss"][name][0][0]) < 1e-4, name
        assert out["parameters"][name] == committed["parameters"][name]
        assert len(committed["loss"][name]) == len(committed["seeds"])
        assert all(len(c) == committed["epochs"] for c in committed["loss"][name])
