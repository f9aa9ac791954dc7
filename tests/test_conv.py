"""course_lib.conv against torch (float64, atol 1e-10) on random shapes, plus the
hand-worked values of chapter 02 and the messages a learner sees for bad input."""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import conv

ATOL = 1e-10  # float64 throughout: differences are summation-order rounding only
SEEDS = range(6)


def t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def random_conv_case(seed: int, nd: int):
    """Random shapes with stride, padding, dilation (per axis), batch > 1, channels > 1."""
    rng = np.random.default_rng(seed)
    n, c_in, c_out = rng.integers(2, 4), rng.integers(2, 4), rng.integers(2, 5)
    k = tuple(int(v) for v in rng.integers(1, 4, nd))
    s = tuple(int(v) for v in rng.integers(1, 4, nd))
    d = tuple(int(v) for v in rng.integers(1, 3, nd))
    p = tuple(int(v) for v in rng.integers(0, 3, nd))
    size = tuple(int(d_ * (k_ - 1) + 1 + rng.integers(0, 6)) for k_, d_ in zip(k, d))
    x = rng.standard_normal((n, c_in) + size)
    w = rng.standard_normal((c_out, c_in) + k)
    b = rng.standard_normal(c_out)
    return x, w, b, dict(stride=s, padding=p, dilation=d)


# --- hand-worked values ------------------------------------------------------------------
def test_output_size_examples_from_the_notes():
    assert conv.conv_output_size(6, 3) == 4                       # 6x6 * 3x3 -> 4x4
    assert conv.conv_output_size(14, 5) == 10                     # 1-D EKG: 14 -> 10
    assert conv.conv_output_size(6, 3, p=1) == 6                  # "same"
    assert conv.conv_output_size(7, 3, p=0, s=2) == 3             # floor((7-3)/2)+1
    assert conv.conv_output_size(7, 3, p=0, s=1, d=2) == 3        # extent 5
    assert conv.same_padding(3) == 1 and conv.same_padding(5) == 2 and conv.same_padding(3, d=2) == 2
    x1 = np.random.default_rng(0).standard_normal((1, 1, 14))
    assert conv.conv1d(x1, np.ones((1, 1, 5))).shape == (1, 1, 10)
    x3 = np.random.default_rng(0).standard_normal((1, 1, 14, 14, 14))
    assert conv.conv3d(x3, np.ones((2, 1, 5, 5, 5))).shape == (1, 2, 10, 10, 10)


def test_single_step_and_tiny_edge_detector_by_hand():
    assert conv.conv_single_step(np.arange(4.0).reshape(2, 2), np.ones((2, 2)), 0.5) == 6.5
    # a vertical edge (10s left of 0s) under the vertical-edge filter [[1,0,-1]]*3
    img = np.array([[10.0, 10, 10, 0, 0, 0]] * 6)[None, None]
    edge = np.array([[1.0, 0, -1]] * 3)[None, None]
    expected = np.array([[0.0, 30, 30, 0]] * 4)
    np.testing.assert_array_equal(conv.conv2d_naive(img, edge)[0, 0], expected)
    np.testing.assert_array_equal(conv.conv2d_im2col(img, edge)[0, 0], expected)


def test_receptive_field_and_counts():
    assert conv.receptive_field([(3, 1), (3, 1)]) == [3, 5]
    assert conv.receptive_field([(3, 1)] * 3) == [3, 5, 7]
    assert conv.receptive_field([(2, 2), (3, 1), (3, 2), (3, 1)]) == [2, 6, 10, 18]
    assert conv.conv_param_count(3, 3, 10) == 280
    assert conv.conv_param_count(3, 3, 10, bias=False) == 270
    assert conv.fc_param_count(1000 * 1000 * 3, 1000) == 3_000_001_000
    naive = conv.conv_mult_count(28, 28, 32, 5, 192)
    bottleneck = conv.conv_mult_count(28, 28, 16, 1, 192) + conv.conv_mult_count(28, 28, 32, 5, 16)
    assert naive == 120_422_400
    assert bottleneck == 12_443_648


@pytest.mark.parametrize("layers", [[(3, 1)] * 3, [(5, 2), (3, 1), (3, 2)], [(2, 2), (2, 2)]])
def test_receptive_field_equals_the_gradient_footprint_in_torch(layers):
    size = 41
    x = torch.zeros(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    y = x
    for f, s in layers:
        y = F.conv2d(y, torch.ones(1, 1, f, f, dtype=torch.float64), stride=s)
    y[0, 0, 0, 0].backward()
    touched = (x.grad[0, 0] != 0).nonzero()
    assert touched[:, 0].max().item() + 1 == conv.receptive_field(layers)[-1]


def test_param_counts_equal_torch_modules():
    for f, c_in, c_out in [(3, 3, 10), (5, 192, 32), (1, 192, 16)]:
        layer = torch.nn.Conv2d(c_in, c_out, f)
        assert conv.conv_param_count(f, c_in, c_out) == sum(p.numel() for p in layer.parameters())
    assert conv.fc_param_count(400, 120) == sum(p.numel() for p in torch.nn.Linear(400, 120).parameters())


# --- convolution equals torch ----------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_naive_and_im2col_equal_torch(seed):
    x, w, b, kw = random_conv_case(seed, 2)
    ref = F.conv2d(t(x), t(w), t(b), **kw).numpy()
    naive = conv.conv2d_naive(x, w, b, **kw)
    fast = conv.conv2d_im2col(x, w, b, **kw)
    np.testing.assert_allclose(naive, ref, rtol=0, atol=ATOL)
    np.testing.assert_allclose(fast, ref, rtol=0, atol=ATOL)
    np.testing.assert_allclose(fast, naive, rtol=0, atol=ATOL)
    np.testing.assert_allclose(conv.conv2d_im2col(x, w, None, **kw),
                               F.conv2d(t(x), t(w), None, **kw).numpy(), rtol=0, atol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_im2col_equals_torch_unfold_and_col2im_is_its_adjoint(seed):
    x, w, _, kw = random_conv_case(seed, 2)
    kh, kwid = w.shape[2:]
    cols = conv.im2col(x, kh, kwid, **kw)
    np.testing.assert_allclose(cols, F.unfold(t(x), (kh, kwid), **kw).numpy(), rtol=0, atol=0)
    # <im2col(x), c> == <x, col2im(c)> for any c: col2im is the transpose of im2col
    c = np.random.default_rng(seed + 100).standard_normal(cols.shape)
    back = conv.col2im(c, x.shape, kh, kwid, **kw)
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-12)
    np.testing.assert_allclose(back, F.fold(t(c), x.shape[2:], (kh, kwid), **kw).numpy(),
                               rtol=0, atol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_conv1d_equals_torch(seed):
    x, w, b, kw = random_conv_case(seed, 1)
    np.testing.assert_allclose(conv.conv1d(x, w, b, **kw), F.conv1d(t(x), t(w), t(b), **kw).numpy(),
                               rtol=0, atol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_conv3d_equals_torch(seed):
    x, w, b, kw = random_conv_case(seed, 3)
    np.testing.assert_allclose(conv.conv3d(x, w, b, **kw), F.conv3d(t(x), t(w), t(b), **kw).numpy(),
                               rtol=0, atol=ATOL)


def test_dtypes_float32_stays_float32_and_torch_tensors_accepted():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 8, 8)).astype(np.float32), rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    out = conv.conv2d_im2col(x, w, padding=1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, F.conv2d(t(x), t(w), padding=1).numpy(), rtol=0, atol=1e-4)
    assert conv.conv2d_im2col(x.astype(np.float64), w).dtype == np.float64
    assert conv.conv2d_im2col(np.ones((1, 1, 4, 4), dtype=int), np.ones((1, 1, 2, 2), dtype=int)).dtype == np.float64
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    np.testing.assert_allclose(conv.conv2d_im2col(xt, w), F.conv2d(xt, t(w).double()).detach().numpy(),
                               rtol=0, atol=1e-6)


# --- backward passes equal autograd ----------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_conv_backward_equals_autograd(seed):
    x, w, b, kw = random_conv_case(seed, 2)
    out, cache = conv.conv_forward(x, w, b, **kw)
    dout = np.random.default_rng(seed + 50).standard_normal(out.shape)
    dx, dw, db = conv.conv_backward(dout, cache)
    xt, wt, bt = (t(a).requires_grad_() for a in (x, w, b))
    ref = F.conv2d(xt, wt, bt, **kw)
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=0, atol=ATOL)
    ref.backward(t(dout))
    for got, want in ((dx, xt), (dw, wt), (db, bt)):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want.grad.numpy(), rtol=0, atol=ATOL)


def pool_case(seed):
    rng = np.random.default_rng(seed)
    f = int(rng.integers(1, 4))
    s = int(rng.integers(1, 4))
    shape = (int(rng.integers(2, 4)), int(rng.integers(2, 4)),
             int(f + rng.integers(0, 7)), int(f + rng.integers(0, 7)))
    return rng.standard_normal(shape), f, s  # random floats: no ties in max pooling


@pytest.mark.parametrize("seed", SEEDS)
def test_pooling_forward_equals_torch(seed):
    x, f, s = pool_case(seed)
    np.testing.assert_allclose(conv.max_pool2d(x, f, s), F.max_pool2d(t(x), f, s).numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(conv.avg_pool2d(x, f, s), F.avg_pool2d(t(x), f, s).numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(conv.max_pool2d(x, f), F.max_pool2d(t(x), f).numpy(), rtol=0, atol=ATOL)
    np.testing.assert_allclose(conv.lp_pool2d(x, f, s), F.lp_pool2d(t(x), 2, f, s).numpy(), rtol=0, atol=ATOL)
    pos = np.abs(x)  # odd or fractional p: torch raises x (not |x|) to p, so compare on x >= 0
    for p in (1, 3, 1.5):
        np.testing.assert_allclose(conv.lp_pool2d(pos, f, s, p=p), F.lp_pool2d(t(pos), p, f, s).numpy(),
                                   rtol=1e-12, atol=ATOL)
    for mode, ref in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        out, _ = conv.pool_forward(x, f, s, mode=mode)
        np.testing.assert_allclose(out, ref(t(x), f, s).numpy(), rtol=0, atol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool_backward_equals_autograd(seed, mode):
    x, f, s = pool_case(seed)
    out, cache = conv.pool_forward(x, f, s, mode=mode)
    dout = np.random.default_rng(seed + 7).standard_normal(out.shape)
    xt = t(x).requires_grad_()
    (F.max_pool2d if mode == "max" else F.avg_pool2d)(xt, f, s).backward(t(dout))
    np.testing.assert_allclose(conv.pool_backward(dout, cache), xt.grad.numpy(), rtol=0, atol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", [2, 3, 1.5])
def test_lp_pool_forward_and_backward_equal_autograd(seed, p):
    x, f, s = pool_case(seed)
    if p != 2:
        x = np.abs(x) + 0.1  # torch raises x (not |x|) to p: stay positive for odd/fractional p
    out, cache = conv.pool_forward(x, f, s, mode="lp", p=p)
    dout = np.random.default_rng(seed + 9).standard_normal(out.shape)
    xt = t(x).requires_grad_()
    ref = F.lp_pool2d(xt, p, f, s)
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=ATOL)
    ref.backward(t(dout))
    np.testing.assert_allclose(conv.pool_backward(dout, cache), xt.grad.numpy(), rtol=1e-10, atol=ATOL)


def test_max_pool_backward_routes_to_first_maximum_on_ties_like_torch():
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, 0.0, 2.0], [2.0, 0.0, 0.0]]]])
    out, cache = conv.pool_forward(x, 2, 1, mode="max")
    dout = np.arange(1.0, 5.0).reshape(out.shape)
    xt = t(x).requires_grad_()
    F.max_pool2d(xt, 2, 1).backward(t(dout))
    np.testing.assert_array_equal(conv.pool_backward(dout, cache), xt.grad.numpy())


# --- transposed convolution ------------------------------------------------------------
def test_transposed_conv_sizes_from_the_errata():
    assert conv.conv_transpose_output_size(2, 3, p=1, s=2) == 3
    assert conv.conv_transpose_output_size(2, 3, p=1, s=2, output_padding=1) == 4
    x = np.random.default_rng(0).standard_normal((1, 1, 2, 2))
    w = np.random.default_rng(1).standard_normal((1, 1, 3, 3))
    for op, size in ((0, 3), (1, 4)):
        got = conv.conv_transpose2d(x, w, stride=2, padding=1, output_padding=op)
        ref = F.conv_transpose2d(t(x), t(w), stride=2, padding=1, output_padding=op).numpy()
        assert got.shape == ref.shape == (1, 1, size, size)
        np.testing.assert_allclose(got, ref, rtol=0, atol=ATOL)
    with pytest.raises(ValueError, match="output_padding=2 must be smaller than the stride"):
        conv.conv_transpose_output_size(2, 3, p=1, s=2, output_padding=2)
    with pytest.raises(ValueError, match="output_padding=1 must be smaller"):
        conv.conv_transpose2d(x, w, stride=1, output_padding=1)
    with pytest.raises(RuntimeError):  # torch refuses the same setting
        F.conv_transpose2d(t(x), t(w), stride=1, output_padding=1)
    # allowed by torch when output_padding < dilation even if not < stride
    got = conv.conv_transpose2d(x, w, stride=1, output_padding=1, dilation=2)
    ref = F.conv_transpose2d(t(x), t(w), stride=1, output_padding=1, dilation=2).numpy()
    np.testing.assert_allclose(got, ref, rtol=0, atol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_transpose2d_equals_torch(seed):
    rng = np.random.default_rng(seed)
    n, c_in, c_out = (int(v) for v in rng.integers(1, 4, 3))
    k, s, d = rng.integers(1, 4, 2), rng.integers(1, 4, 2), rng.integers(1, 3, 2)
    p = np.minimum(rng.integers(0, 3, 2), (d * (k - 1)) // 2)
    op = np.array([rng.integers(0, max(si, di)) for si, di in zip(s, d)])
    x = rng.standard_normal((n, c_in) + tuple(int(v) for v in rng.integers(1, 6, 2)))
    w = rng.standard_normal((c_in, c_out) + tuple(int(v) for v in k))
    b = rng.standard_normal(c_out)
    kw = {name: tuple(int(v) for v in val) for name, val in
          dict(stride=s, padding=p, output_padding=op, dilation=d).items()}
    ref = F.conv_transpose2d(t(x), t(w), t(b), **kw).numpy()
    np.testing.assert_allclose(conv.conv_transpose2d(x, w, b, **kw), ref, rtol=0, atol=ATOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_transpose_is_the_input_gradient_of_conv(seed):
    x, w, b, kw = random_conv_case(seed, 2)
    kw["dilation"] = (1, 1)
    # grow x so the stride fits exactly (else the transposed conv needs output_padding)
    grow = [(-(x.shape[2 + a] + 2 * kw["padding"][a] - w.shape[2 + a])) % kw["stride"][a] for a in (0, 1)]
    x = np.pad(x, [(0, 0), (0, 0), (0, grow[0]), (0, grow[1])])
    out, cache = conv.conv_forward(x, w, b, **kw)
    dout = np.random.default_rng(seed).standard_normal(out.shape)
    dx = conv.conv_backward(dout, cache)[0]
    np.testing.assert_allclose(conv.conv_transpose2d(dout, w, stride=kw["stride"], padding=kw["padding"]),
                               dx, rtol=0, atol=ATOL)


# --- explorer widget logic -------------------------------------------------------------
def test_explorer_state():
    st = conv.explorer_state(6, 3, 1, 1, i=2, j=3)
    assert st["ok"] and st["out_size"] == 6 and st["padded_size"] == 8
    assert st["window"] == (2, 3, 5, 6) and st["message"] == "n=6, f=3, p=1, s=1 -> 6x6 output"
    st = conv.explorer_state(7, 3, 0, 2, i=99, j=-4)      # (i, j) clipped into the 3x3 grid
    assert st["ok"] and st["out_size"] == 3 and st["window"] == (4, 0, 7, 3) and st["leftover"] == 0
    st = conv.explorer_state(6, 3, 0, 2, i=1, j=1)        # floor((6-3)/2)+1 = 2, one column unused
    assert st["ok"] and st["out_size"] == 2 and st["leftover"] == 1 and "does not fit" in st["message"]
    for bad in [(5, 7, 0, 1), (5, 3, -1, 1), (5, 3, 0, 0), (0, 3, 0, 1), (5, 3.5, 0, 1), ("a", 3, 0, 1)]:
        st = conv.explorer_state(*bad)
        assert not st["ok"] and st["out_size"] is None and st["window"] is None
        assert "Impossible setting" in st["message"]
    assert "larger than the padded input" in conv.explorer_state(5, 7, 0, 1)["message"]
    assert conv.explorer_state(5, 3, 0, 1, i=float("nan"), j=None)["window"] == (0, 0, 3, 3)
    start = time.perf_counter()
    for _ in range(100):
        conv.explorer_state(28, 5, 2, 3, 4, 5)
    assert (time.perf_counter() - start) / 100 < 1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_explorer_window_is_the_window_torch_uses(seed):
    rng = np.random.default_rng(seed)
    f, s, p = (int(v) for v in (rng.integers(1, 6), rng.integers(1, 4), rng.integers(0, 3)))
    n = int(max(f - 2 * p, 1) + rng.integers(0, 8))
    x, w = rng.standard_normal((n, n)), rng.standard_normal((f, f))
    ref = F.conv2d(t(x)[None, None], t(w)[None, None], stride=s, padding=p)[0, 0].numpy()
    xp = np.pad(x, p)
    for i, j in rng.integers(0, ref.shape[0], (3, 2)):
        st = conv.explorer_state(n, f, p, s, int(i), int(j))
        assert st["ok"] and st["out_size"] == ref.shape[0] and st["padded_size"] == n + 2 * p
        r0, c0, r1, c1 = st["window"]
        assert np.sum(xp[r0:r1, c0:c1] * w) == pytest.approx(ref[i, j], abs=ATOL)
        assert st["leftover"] == n + 2 * p - ((ref.shape[0] - 1) * s + f) >= 0


# --- messages for what a learner gets wrong -------------------------------------------
def test_learner_errors_name_the_argument():
    x, w = np.ones((1, 3, 5, 5)), np.ones((2, 3, 3, 3))
    with pytest.raises(ValueError, match=r"x must have 4 axes \(N, C, H, W\), got shape \(5, 5\)"):
        conv.conv2d_im2col(np.ones((5, 5)), w)
    with pytest.raises(ValueError, match=r"w must have 4 axes"):
        conv.conv2d_naive(x, np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"x has 3 input channels .* expect 4"):
        conv.conv2d_im2col(x, np.ones((2, 4, 3, 3)))
    with pytest.raises(ValueError, match=r"filter .* is larger than the padded input"):
        conv.conv2d_im2col(x, np.ones((2, 3, 7, 7)))
    with pytest.raises(ValueError, match=r"stride must be a positive integer, got 0"):
        conv.conv2d_im2col(x, w, stride=0)
    with pytest.raises(ValueError, match=r"padding must be a non-negative integer, got -1"):
        conv.conv1d(np.ones((1, 3, 5)), np.ones((2, 3, 3)), padding=-1)
    with pytest.raises(ValueError, match=r"stride must be an int or a tuple of 2 ints"):
        conv.conv2d_naive(x, w, stride=(1, 1, 1))
    with pytest.raises(TypeError, match=r"stride must be an integer, got 1.5"):
        conv.conv3d(np.ones((1, 3, 5, 5, 5)), np.ones((2, 3, 3, 3, 3)), stride=1.5)
    with pytest.raises(ValueError, match=r"x contains NaN"):
        conv.conv2d_im2col(np.full((1, 3, 5, 5), np.nan), w)
    with pytest.raises(ValueError, match=r"b must have shape \(C_out,\) = \(2,\)"):
        conv.conv2d_im2col(x, w, np.ones(3))
    with pytest.raises(TypeError, match=r"x must be a numpy array or a torch tensor .* got list"):
        conv.conv2d_naive([[[[1.0, 2.0], [3.0]]]], w)
    with pytest.raises(ValueError, match=r"x contains NaN or infinite values"):
        conv.conv2d_naive(np.full((1, 3, 5, 5), np.inf), w)
    with pytest.raises(ValueError, match=r"col2im: cols must have shape .* = \(1, 27, 9\)"):
        conv.col2im(np.ones((1, 27, 8)), (1, 3, 5, 5), 3, 3)
    with pytest.raises(TypeError, match=r"x must be an array of real numbers"):
        conv.conv2d_im2col(np.array([["a"]]), w)
    with pytest.raises(ValueError, match=r"n \(input size\) must be a positive integer, got 0"):
        conv.conv_output_size(0, 3)
    with pytest.raises(ValueError, match=r"f \(filter size\) must be a positive integer, got -3"):
        conv.conv_output_size(5, -3)
    with pytest.raises(TypeError, match=r"n \(input size\) must be an integer, got 5.5"):
        conv.conv_output_size(5.5, 3)
    with pytest.raises(ValueError, match=r"larger than the padded input \(n \+ 2p = 4 \+ 2\*0 = 4\)"):
        conv.conv_output_size(4, 5)
    with pytest.raises(ValueError, match=r"'same' padding needs .* odd filter size"):
        conv.same_padding(4)
    with pytest.raises(ValueError, match=r"pool window f=4 is larger than the input \(H = 3\)"):
        conv.max_pool2d(np.ones((1, 1, 3, 5)), 4)
    with pytest.raises(ValueError, match=r"mode must be one of \['max', 'avg', 'lp'\], got 'min'"):
        conv.pool_forward(np.ones((1, 1, 4, 4)), 2, mode="min")
    with pytest.raises(ValueError, match=r"p must be a positive number, got 0"):
        conv.lp_pool2d(np.ones((1, 1, 4, 4)), 2, p=0)
    with pytest.raises(ValueError, match=r"x has 2 channels .* w expects 3"):
        conv.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((3, 1, 3, 3)))
    with pytest.raises(TypeError, match=r"layers must be a list of \(f, s\) pairs"):
        conv.receptive_field([3, 3])
    with pytest.raises(ValueError, match=r"dout must have the shape of the forward output"):
        out, cache = conv.conv_forward(x, w, None)
        conv.conv_backward(np.ones((1, 2, 2, 2)), cache)
    with pytest.raises(ValueError, match=r"a_slice \(2, 2\) and W \(3, 3\) must have the same shape"):
        conv.conv_single_step(np.ones((2, 2)), np.ones((3, 3)))


# --- the split: one namespace for the notebooks, naive and fast agree ---------------------
def test_conv_re_exports_every_room_of_the_chapter():
    """``course_lib.conv.<name>`` is the very object of conv_arithmetic, conv_fast and
    pooling (the notebooks and the graders' forbidden-call lists name it that way)."""
    from course_lib import conv_arithmetic, conv_fast, pooling

    for room in (conv_arithmetic, conv_fast, pooling):
        for name in room.__all__:
            assert getattr(conv, name) is getattr(room, name), f"conv.{name} is not {room.__name__}.{name}"
            assert name in conv.__all__, name


@pytest.mark.parametrize("seed", SEEDS)
def test_naive_and_fast_agree_with_the_same_signature(seed):
    """conv_fast.conv2d_im2col takes exactly conv2d_naive's arguments and gives its result."""
    import inspect

    from course_lib import conv_fast

    assert inspect.signature(conv_fast.conv2d_im2col) == inspect.signature(conv.conv2d_naive)
    x, w, b, kw = random_conv_case(seed, 2)
    np.testing.assert_allclose(conv_fast.conv2d_im2col(x, w, b, **kw), conv.conv2d_naive(x, w, b, **kw),
                               rtol=0, atol=ATOL)
