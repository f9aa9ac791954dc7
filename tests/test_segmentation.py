"""course_lib.segmentation, course_lib.upsampling and course_lib.models.unet against torch
(float64, tolerance stated per test) and against hand-worked masks with known answers."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib import conv, segmentation as seg, upsampling, visualize
from course_lib.models import count_parameters
from course_lib.models.unet import UNET_CHECKPOINT, UNet, center_crop, double_conv, load_unets, unet_output_size

ROOT = Path(__file__).resolve().parents[1]
ATOL = 1e-12  # float64: only summation-order rounding


def _case(seed: int):
    rng = np.random.default_rng(seed)
    n, k, h, w = (int(v) for v in (rng.integers(1, 4), rng.integers(2, 6), rng.integers(1, 7), rng.integers(1, 7)))
    return rng.normal(scale=3.0, size=(n, k, h, w)), rng.integers(0, k, (n, h, w))


# --- losses ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_pixel_cross_entropy_equals_torch_forward_and_backward(seed):
    z, t = _case(seed)
    loss, dz = seg.pixel_cross_entropy(z, t)
    zt = torch.tensor(z, requires_grad=True)
    ref = F.cross_entropy(zt, torch.tensor(t))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-12
    np.testing.assert_allclose(dz, zt.grad.numpy(), rtol=0, atol=ATOL)


def _torch_soft_dice(z: torch.Tensor, t: torch.Tensor, eps: float) -> torch.Tensor:
    k = z.shape[1]
    p = z.softmax(dim=1)
    g = F.one_hot(t, k).permute(0, 3, 1, 2).to(z.dtype)
    inter, total = (p * g).sum(dim=(0, 2, 3)), p.sum(dim=(0, 2, 3)) + g.sum(dim=(0, 2, 3))
    return 1 - ((2 * inter + eps) / (total + eps)).mean()


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("eps", [1.0, 1e-3])
def test_soft_dice_gradient_equals_autograd(seed, eps):
    z, t = _case(seed)
    loss, dz = seg.soft_dice_loss(z, t, eps=eps)
    zt = torch.tensor(z, requires_grad=True)
    ref = _torch_soft_dice(zt, torch.tensor(t), eps)
    ref.backward()
    assert abs(loss - ref.item()) < 1e-12
    np.testing.assert_allclose(dz, zt.grad.numpy(), rtol=0, atol=1e-12)


def test_soft_dice_of_confident_logits_is_the_brute_force_dice_of_the_masks():
    rng = np.random.default_rng(3)
    t = rng.integers(0, 3, (2, 6, 5))
    pred = rng.integers(0, 3, (2, 6, 5))
    logits = 60.0 * np.moveaxis(np.eye(3)[pred], -1, 1)       # softmax = one-hot(pred) to 1e-26
    loss, _ = seg.soft_dice_loss(logits, t, eps=1e-9)
    dice = []
    for c in range(3):                                         # sets of pixel coordinates
        a = {idx for idx in np.ndindex(t.shape) if pred[idx] == c}
        b = {idx for idx in np.ndindex(t.shape) if t[idx] == c}
        dice.append(2 * len(a & b) / (len(a) + len(b)))
    assert loss == pytest.approx(1 - np.mean(dice), abs=1e-9)


def test_perfect_prediction_has_zero_dice_loss_and_tiny_cross_entropy():
    t = np.array([[[0, 1], [2, 1]]])
    logits = 50.0 * np.moveaxis(np.eye(3)[t], -1, 1)
    assert seg.soft_dice_loss(logits, t, eps=1e-6)[0] == pytest.approx(0.0, abs=1e-12)
    assert seg.pixel_cross_entropy(logits, t)[0] < 1e-20


def test_softmax_and_one_hot():
    z, t = _case(11)
    np.testing.assert_allclose(seg.softmax2d(z), torch.tensor(z).softmax(1).numpy(), atol=ATOL)
    np.testing.assert_array_equal(seg.one_hot(t, z.shape[1]),
                                  F.one_hot(torch.tensor(t), z.shape[1]).permute(0, 3, 1, 2).numpy())


# --- metrics on hand-made masks ---------------------------------------------------------------
def test_confusion_matrix_iou_and_accuracy_by_hand():
    target = np.array([[0, 0, 1, 1],
                       [0, 0, 1, 1],
                       [2, 2, 2, 2]])
    pred = np.array([[0, 1, 1, 1],
                     [0, 0, 1, 0],
                     [2, 2, 1, 2]])
    cm = seg.confusion_matrix(target, pred, 3)
    np.testing.assert_array_equal(cm, [[3, 1, 0], [1, 3, 0], [0, 1, 3]])
    # class 0: TP 3, FN 1, FP 1 -> 3/5; class 1: TP 3, FN 1, FP 2 -> 3/6; class 2: TP 3, FN 1 -> 3/4
    np.testing.assert_allclose(seg.iou_per_class(cm), [3 / 5, 1 / 2, 3 / 4], rtol=0, atol=1e-15)
    assert seg.mean_iou(cm) == pytest.approx((0.6 + 0.5 + 0.75) / 3, abs=1e-15)
    assert seg.pixel_accuracy(cm) == pytest.approx(9 / 12, abs=1e-15)


def test_absent_class_is_nan_and_skipped_by_the_mean():
    target = np.array([[0, 0], [1, 1]])
    cm = seg.confusion_matrix(target, target, 4)       # classes 2 and 3 appear nowhere
    ious = seg.iou_per_class(cm)
    assert ious[:2].tolist() == [1.0, 1.0] and np.isnan(ious[2:]).all()
    assert seg.mean_iou(cm) == 1.0
    # a class predicted but absent from the truth has IoU 0, not NaN
    cm2 = seg.confusion_matrix(target, np.array([[0, 3], [1, 1]]), 4)
    assert seg.iou_per_class(cm2)[3] == 0.0 and seg.iou_per_class(cm2)[0] == 0.5


def test_metrics_match_an_independent_count_on_random_maps():
    rng = np.random.default_rng(5)
    t, p = rng.integers(0, 5, (3, 16, 16)), rng.integers(0, 5, (3, 16, 16))
    cm = seg.confusion_matrix(t, p, 5)
    for c in range(5):
        inter, union = np.sum((t == c) & (p == c)), np.sum((t == c) | (p == c))
        assert seg.iou_per_class(cm)[c] == pytest.approx(inter / union, abs=1e-15)
    assert seg.pixel_accuracy(cm) == pytest.approx(np.mean(t == p), abs=1e-15)
    assert cm.sum() == t.size


def test_boundary_mask_by_hand():
    m = np.array([[0, 0, 0, 1, 1],
                  [0, 0, 0, 1, 1]])
    np.testing.assert_array_equal(seg.boundary_mask(m), [[0, 0, 1, 1, 0], [0, 0, 1, 1, 0]])
    np.testing.assert_array_equal(seg.boundary_mask(m, width=2), [[0, 1, 1, 1, 1], [0, 1, 1, 1, 1]])
    assert not seg.boundary_mask(np.zeros((3, 4, 4), np.int64)).any()
    assert seg.boundary_mask(np.stack([m, m])).shape == (2, 2, 5)


# --- upsampling and the checkerboard ------------------------------------------------------------
@pytest.mark.parametrize("scale", [1, 2, 3, 4])
def test_upsampling_equals_torch_interpolate(scale):
    x = np.random.default_rng(scale).normal(size=(2, 3, 5, 7))
    xt = torch.tensor(x)
    np.testing.assert_array_equal(upsampling.upsample_nearest(x, scale),
                                  F.interpolate(xt, scale_factor=scale, mode="nearest").numpy())
    np.testing.assert_allclose(upsampling.upsample_bilinear(x, scale),
                               F.interpolate(xt, scale_factor=scale, mode="bilinear", align_corners=False).numpy(),
                               rtol=0, atol=1e-12)


def test_checkerboard_of_a_transposed_conv_and_none_after_resize_conv():
    flat = np.ones((1, 1, 8, 8))
    ones3 = np.ones((1, 1, 3, 3))
    stamped = conv.conv_transpose2d(flat, ones3, stride=2, padding=1, output_padding=1)
    # stamps overlap 1, 2 or 4 times: after the crop of p = 1, phase (even, even) is covered by
    # one stamp only, (odd, odd) by four
    np.testing.assert_array_equal(upsampling.phase_means(stamped, 2), [[1.0, 2.0], [2.0, 4.0]])
    assert upsampling.checkerboard_amplitude(stamped) == pytest.approx(3 / 2.25)
    for up in (upsampling.upsample_nearest, upsampling.upsample_bilinear):
        smooth = conv.conv2d_im2col(up(flat, 2), ones3 / 9, padding=1)
        assert upsampling.checkerboard_amplitude(smooth) == pytest.approx(0.0, abs=1e-12)


# --- the U-Net ------------------------------------------------------------------------------
def _independent_unet_count(c_in, k, base, depth, skip=True, bn=True) -> int:
    """Parameters counted from the layer list by conv.conv_param_count, not from the model."""
    def block(a, b):
        if bn:
            return conv.conv_param_count(3, a, b, bias=False) + conv.conv_param_count(3, b, b, bias=False) + 4 * b
        return conv.conv_param_count(3, a, b) + conv.conv_param_count(3, b, b)

    total = block(c_in, base)
    for lvl in range(1, depth + 1):
        total += block(base * 2 ** (lvl - 1), base * 2 ** lvl)
    for lvl in range(depth, 0, -1):
        c = base * 2 ** lvl
        total += conv.conv_param_count(2, c, c // 2)                  # 2x2 transposed conv, same count
        total += block(c if skip else c // 2, c // 2)
    return total + conv.conv_param_count(1, base, k)


@pytest.mark.parametrize("kw", [dict(), dict(skip=False), dict(base=8, depth=2, num_classes=3),
                                dict(in_channels=1, num_classes=2, base=64, depth=4, padding="valid",
                                     batch_norm=False)])
def test_unet_parameter_count_equals_an_independent_count(kw):
    model = UNet(**kw)
    a = dict(in_channels=3, num_classes=5, base=16, depth=3, skip=True, batch_norm=True) | kw
    expected = _independent_unet_count(a["in_channels"], a["num_classes"], a["base"], a["depth"], a["skip"],
                                       a["batch_norm"])
    assert count_parameters(model) == expected


def test_paper_unet_572_to_388_and_31_million_parameters():
    paper = UNet(1, 2, base=64, depth=4, padding="valid", batch_norm=False).to("meta")
    assert paper(torch.zeros(1, 1, 572, 572, device="meta")).shape == (1, 2, 388, 388)
    assert unet_output_size(572, 4, "valid") == 388
    assert count_parameters(paper) == 31_030_658


def test_unet_shapes_along_the_u():
    rows = visualize.summary(UNet(), (2, 3, 64, 64))
    shapes = {r.name: r.output_shape for r in rows}
    assert [r.name for r in rows] == UNet().stage_names()
    assert shapes == {"enc1": (2, 16, 64, 64), "down1": (2, 32, 32, 32), "down2": (2, 64, 16, 16),
                      "down3": (2, 128, 8, 8), "up1": (2, 64, 16, 16), "up2": (2, 32, 32, 32),
                      "up3": (2, 16, 64, 64), "head": (2, 5, 64, 64)}


@pytest.mark.parametrize("n,depth,padding,expected", [(572, 4, "valid", 388), (64, 3, "same", 64),
                                                      (188, 3, "valid", 100), (92, 2, "valid", 52)])
def test_unet_output_size_matches_the_model(n, depth, padding, expected):
    assert unet_output_size(n, depth, padding) == expected
    m = UNet(3, 2, base=2, depth=depth, padding=padding)
    assert m(torch.zeros(1, 3, n, n)).shape[-1] == expected


def test_unet_output_size_refuses_sizes_that_do_not_fit():
    with pytest.raises(ValueError, match="even"):
        unet_output_size(570, 4, "valid")          # 566 -> 283: odd before a pooling
    with pytest.raises(ValueError, match="n"):
        unet_output_size(20, 3, "valid")


def test_center_crop_and_double_conv():
    x = torch.arange(2 * 3 * 6 * 7, dtype=torch.float64).reshape(2, 3, 6, 7)
    c = center_crop(x, 2, 3)
    assert torch.equal(c, x[:, :, 2:4, 2:5])
    block = double_conv(3, 4, padding="valid", batch_norm=False)
    assert block(torch.zeros(1, 3, 10, 10)).shape == (1, 4, 6, 6)
    assert [type(m) for m in block] == [nn.Conv2d, nn.ReLU, nn.Conv2d, nn.ReLU]


def test_without_skips_everything_passes_through_the_bottom_of_the_u():
    # fix the bottom stage's output: the no-skip U then gives the same output for any input,
    # the skip U does not (the contracting path reaches the expanding path directly)
    torch.manual_seed(0)
    for skip in (True, False):
        m = UNet(3, 2, base=4, depth=2, skip=skip).eval()
        fixed = torch.ones(1, 16, 4, 4)
        m.down2.register_forward_hook(lambda mod, inp, out: fixed)
        with torch.no_grad():
            a, b = m(torch.rand(1, 3, 16, 16)), m(torch.rand(1, 3, 16, 16))
        assert (not torch.allclose(a, b)) if skip else torch.equal(a, b)


# --- the widgets' state function ---------------------------------------------------------------
def test_prediction_view_threshold():
    probs = np.zeros((3, 2, 2))
    probs[:, 0, 0] = [0.9, 0.05, 0.05]      # sure, right (background)
    probs[:, 0, 1] = [0.2, 0.7, 0.1]        # sure at 0.5, wrong (truth is 2)
    probs[:, 1, 0] = [0.3, 0.4, 0.3]        # unsure at 0.5, right at 0
    probs[:, 1, 1] = [0.1, 0.1, 0.8]        # sure, right
    target = np.array([[0, 2], [1, 2]])
    v = seg.prediction_view(np.zeros((3, 2, 2)), target, probs, 0.5)
    assert v["ok"] and v["pred"].tolist() == [[0, 1], [-1, 2]]
    assert v["errors"].tolist() == [[0, 1], [2, 0]]
    assert v["coverage"] == 0.75 and v["accuracy"] == pytest.approx(2 / 3)
    np.testing.assert_allclose(v["iou"], [1.0, 0.0, 0.5])
    v0 = seg.prediction_view(np.zeros((3, 2, 2)), target, probs, 0.0)
    assert v0["coverage"] == 1.0 and v0["accuracy"] == 0.75
    for bad in (1.5, float("nan"), -0.1):
        v = seg.prediction_view(np.zeros((3, 2, 2)), target, probs, bad)
        assert v["ok"] is False and "threshold" in v["message"]


def test_predict_proba_sums_to_one_and_keeps_eval_mode_off_after():
    m = UNet(3, 4, base=4, depth=2).train()
    p = seg.predict_proba(m, np.random.default_rng(0).random((3, 3, 16, 16), dtype=np.float32), batch_size=2)
    assert p.shape == (3, 4, 16, 16) and np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert m.training


# --- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call,exc,word", [
    (lambda: seg.pixel_cross_entropy(np.zeros((1, 3, 4, 4)), np.zeros((1, 4, 5), np.int64)), ValueError, "target"),
    (lambda: seg.pixel_cross_entropy(np.zeros((1, 3, 4, 4)), np.full((1, 4, 4), 3)), ValueError, "target"),
    (lambda: seg.pixel_cross_entropy(np.zeros((1, 3, 4, 4)), np.zeros((1, 4, 4))), TypeError, "target"),
    (lambda: seg.pixel_cross_entropy(np.full((1, 3, 2, 2), np.nan), np.zeros((1, 2, 2), np.int64)), ValueError,
     "logits"),
    (lambda: seg.soft_dice_loss(np.zeros((1, 3, 2, 2)), np.zeros((1, 2, 2), np.int64), eps=0), ValueError, "eps"),
    (lambda: seg.confusion_matrix(np.zeros((2, 2), np.int64), np.zeros((2, 3), np.int64), 2), ValueError, "pred"),
    (lambda: seg.confusion_matrix(np.zeros((2, 2), np.int64), np.full((2, 2), -1), 2), ValueError, "pred"),
    (lambda: seg.confusion_matrix([0, 1], np.zeros(2, np.int64), 2), TypeError, "target"),
    (lambda: seg.iou_per_class(np.ones((2, 3))), ValueError, "cm"),
    (lambda: seg.mean_iou(np.zeros((3, 3))), ValueError, "cm"),
    (lambda: upsampling.upsample_bilinear(np.ones((2, 2)), 2), ValueError, "x"),
    (lambda: upsampling.upsample_nearest(np.ones((1, 1, 2, 2)), 1.5), TypeError, "scale"),
    (lambda: UNet(padding="full"), ValueError, "padding"),
    (lambda: UNet()(torch.zeros(1, 3, 60, 60)), ValueError, "divisible"),
])
def test_bad_input_names_the_argument(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


# --- the training script and its committed checkpoint ------------------------------------------
def test_training_script_runs_briefly_and_its_file_loads(tmp_path):
    spec = importlib.util.spec_from_file_location("train_segmentation", ROOT / "data" / "train_segmentation.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "unets.pt"
    meta = script.main(["--epochs", "1", "--train", "32", "--test", "16", "--threads", "1", "--out", str(out)])
    assert meta["epochs"] == 1 and set(meta["loss"]) == {"skip", "no_skip"}
    nets, meta2 = load_unets(out)
    assert meta2["train_scenes"] == 32 and nets["skip"].skip and not nets["no_skip"].skip
    x = torch.rand(2, 3, 64, 64)
    assert nets["skip"](x).shape == (2, 5, 64, 64)


def test_committed_checkpoint_matches_its_description():
    assert UNET_CHECKPOINT == ROOT / "data" / "unet_scenes.pt" and UNET_CHECKPOINT.exists()
    nets, meta = load_unets()
    assert set(nets) == {"skip", "no_skip"} and meta["train_seed"] == 1 and meta["test_seed"] == 2
    assert count_parameters(nets["skip"]) == _independent_unet_count(3, 5, 16, 3)
    assert count_parameters(nets["no_skip"]) == _independent_unet_count(3, 5, 16, 3, skip=False)
    assert all(not m.training for m in nets.values())
