"""Learner-facing errors: bad input a learner would give to course_lib's public functions
(wrong shapes, negative sizes, a stride that does not fit, a NaN, an unknown name) must
raise ValueError or TypeError, raised by course_lib itself (not from deep inside numpy
or torch), with a message that names the offending argument.

Each case is (module, function, call, argument name). The last test walks the public
functions of the learner-facing modules and fails when one has neither a case here nor
a stated reason in EXEMPT, so a new function gets its bad-input case.
"""
from __future__ import annotations

import importlib
import inspect
import re
import traceback
from pathlib import Path

import numpy as np
import pytest
import torch

import course_lib

COURSE_LIB = Path(course_lib.__file__).resolve().parent
NAN = float("nan")
rng = np.random.default_rng(0)
X = rng.standard_normal((2, 3, 6, 6))           # (N, C_in, H, W)
W = rng.standard_normal((4, 3, 3, 3))           # (C_out, C_in, kh, kw)
B = rng.standard_normal(4)
X_NAN = X.copy()
X_NAN[0, 1, 2, 3] = NAN
WT = rng.standard_normal((3, 4, 3, 3))          # transposed conv: (C_in, C_out, kh, kw)


def _xy(n=20, nan=False):
    x = rng.standard_normal((n, 64)).astype(np.float32)
    if nan:
        x[3, 5] = NAN
    return x, rng.integers(0, 10, n)


def _mlp():
    import torch.nn as nn

    return nn.Sequential(nn.Flatten(), nn.Linear(64, 10))


def _bn_inputs(n=8, d=3):
    x = rng.standard_normal((n, d))
    return x, np.ones(d), np.zeros(d), np.zeros(d), np.ones(d)


class Case:
    def __init__(self, module: str, func: str, call, arg: str, what: str):
        self.module, self.func, self.call, self.arg, self.what = module, func, call, arg, what
        self.id = f"{module}.{func}: {what}"


C = Case
CASES = [
    # --- course_lib (setup, record_metric) ---
    C("course_lib", "setup", lambda m: m.setup(seed=-1), "seed", "negative seed"),
    C("course_lib", "setup", lambda m: m.setup(seed=1.5), "seed", "float seed"),
    C("course_lib", "setup", lambda m: m.setup(threads=0), "threads", "zero threads"),
    C("course_lib", "record_metric", lambda m: m.record_metric("", 0.9), "name", "empty name"),
    C("course_lib", "record_metric", lambda m: m.record_metric("acc", "high"), "value", "text value"),
    # --- data ---
    C("data", "digits_split", lambda m: m.digits_split(test_fraction=1.5), "test_fraction", "fraction > 1"),
    C("data", "digits_split", lambda m: m.digits_split(test_fraction=NAN), "test_fraction", "NaN fraction"),
    C("data", "digits_split", lambda m: m.digits_split(size=4), "size", "size below 8"),
    C("data", "digits_split", lambda m: m.digits_split(seed=-3), "seed", "negative seed"),
    C("data", "sample_image", lambda m: m.sample_image("lena"), "name", "unknown image"),
    C("data", "sample_image", lambda m: m.sample_image(size=0), "size", "zero size"),
    # --- conv: sizes ---
    C("conv", "conv_output_size", lambda m: m.conv_output_size(-1, 3), "n", "negative n"),
    C("conv", "conv_output_size", lambda m: m.conv_output_size(5, 0), "f", "zero f"),
    C("conv", "conv_output_size", lambda m: m.conv_output_size(5, 3, p=-1), "p", "negative p"),
    C("conv", "conv_output_size", lambda m: m.conv_output_size(5, 3, s=0), "s", "zero stride"),
    C("conv", "conv_output_size", lambda m: m.conv_output_size(3, 5), "f", "filter larger than input"),
    C("conv", "conv_output_size", lambda m: m.conv_output_size(5.5, 3), "n", "fractional n"),
    C("conv", "same_padding", lambda m: m.same_padding(4), "f", "even f"),
    C("conv", "conv_transpose_output_size", lambda m: m.conv_transpose_output_size(3, 3, p=-1), "p", "negative p"),
    C("conv", "conv_transpose_output_size",
      lambda m: m.conv_transpose_output_size(2, 3, p=1, s=2, output_padding=2), "output_padding",
      "output_padding >= stride"),
    C("conv", "conv_param_count", lambda m: m.conv_param_count(-3, 3, 8), "f", "negative f"),
    C("conv", "fc_param_count", lambda m: m.fc_param_count(0, 10), "n_in", "zero n_in"),
    C("conv", "conv_mult_count", lambda m: m.conv_mult_count(-1, 28, 32, 5, 192), "h_out", "negative h_out"),
    C("conv", "receptive_field", lambda m: m.receptive_field([(3, 1), (3, 0)]), "layers|stride|s\\b",
      "zero stride in a layer"),
    C("conv", "receptive_field", lambda m: m.receptive_field([(0, 1)]), "layers|f\\b|filter", "zero filter"),
    # --- conv: arrays ---
    C("conv", "zero_pad", lambda m: m.zero_pad(X, -1), "p", "negative p"),
    C("conv", "zero_pad", lambda m: m.zero_pad(np.ones(3), 1), "x", "1-D x"),
    C("conv", "conv_single_step", lambda m: m.conv_single_step(np.ones((3, 3, 3)), np.ones((2, 2, 3))),
      "a_slice|W", "shapes differ"),
    C("conv", "conv_single_step", lambda m: m.conv_single_step(np.full((2, 2), NAN), np.ones((2, 2))),
      "a_slice", "NaN slice"),
    C("conv", "conv2d_naive", lambda m: m.conv2d_naive(X[0], W), "x", "3-D x (no batch axis)"),
    C("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, W[:, :2]), "w", "C_in of w differs from x"),
    C("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, W, B[:3]), "b", "b of wrong length"),
    C("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, W, stride=0), "stride", "zero stride"),
    C("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, W, padding=-1), "padding", "negative padding"),
    C("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, rng.standard_normal((4, 3, 9, 9))), "w|kernel|filter",
      "filter larger than the input"),
    C("conv", "conv2d_naive", lambda m: m.conv2d_naive(X_NAN, W), "x", "NaN in x"),
    C("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X[0], W), "x", "3-D x"),
    C("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X, W, stride=(1, 0)), "stride", "zero stride"),
    C("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X, W, dilation=0), "dilation", "zero dilation"),
    C("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X_NAN, W), "x", "NaN in x"),
    C("conv", "im2col", lambda m: m.im2col(X, 0, 3), "kh", "zero kh"),
    C("conv", "im2col", lambda m: m.im2col(X, 3, 3, stride=-1), "stride", "negative stride"),
    C("conv", "col2im", lambda m: m.col2im(np.ones((2, 5, 16)), X.shape, 3, 3), "cols", "cols of wrong shape"),
    C("conv", "conv1d", lambda m: m.conv1d(X, W), "x", "4-D x for conv1d"),
    C("conv", "conv1d", lambda m: m.conv1d(np.ones((1, 1, 14)), np.ones((1, 1, 5)), stride=0), "stride",
      "zero stride"),
    C("conv", "conv3d", lambda m: m.conv3d(X, W), "x", "4-D x for conv3d"),
    C("conv", "conv_forward", lambda m: m.conv_forward(X, W, B, stride=0), "stride", "zero stride"),
    C("conv", "conv_forward", lambda m: m.conv_forward(X, W, B[:2]), "b", "b of wrong length"),
    C("conv", "conv_backward", lambda m: m.conv_backward(np.ones((2, 4, 3, 3)), m.conv_forward(X, W, B)[1]),
      "dout", "dout of wrong shape"),
    C("conv", "max_pool2d", lambda m: m.max_pool2d(X, 0), "f", "zero f"),
    C("conv", "max_pool2d", lambda m: m.max_pool2d(X, 7), "f", "window larger than input"),
    C("conv", "max_pool2d", lambda m: m.max_pool2d(X[0], 2), "x", "3-D x"),
    C("conv", "avg_pool2d", lambda m: m.avg_pool2d(X, 2, stride=0), "stride", "zero stride"),
    C("conv", "avg_pool2d", lambda m: m.avg_pool2d(X_NAN, 2), "x", "NaN in x"),
    C("conv", "lp_pool2d", lambda m: m.lp_pool2d(X, 2, p=0), "p", "p = 0"),
    C("conv", "pool_forward", lambda m: m.pool_forward(X, 2, mode="median"), "mode", "unknown mode"),
    C("conv", "pool_backward", lambda m: m.pool_backward(np.ones((2, 3, 2, 2)), m.pool_forward(X, 2)[1]),
      "dout", "dout of wrong shape"),
    C("conv", "conv_transpose2d", lambda m: m.conv_transpose2d(X, WT[:2]), "w", "C_in of w differs from x"),
    C("conv", "conv_transpose2d", lambda m: m.conv_transpose2d(X, WT, stride=2, output_padding=2),
      "output_padding", "output_padding >= stride"),
    C("conv", "conv_transpose2d", lambda m: m.conv_transpose2d(X_NAN, WT), "x", "NaN in x"),
    # --- backprop (chapter 01) ---
    C("backprop", "logistic_forward", lambda m: m.logistic_forward(np.ones((5, 3)), np.ones(4), 0.0), "w|weights",
      "w of wrong length"),
    C("backprop", "logistic_backward",
      lambda m: m.logistic_backward(np.ones((5, 3)), np.full(5, 0.5), np.ones(4)), "y", "y of wrong length"),
    C("backprop", "binary_cross_entropy", lambda m: m.binary_cross_entropy(np.full(5, 0.5), np.ones(4)), "y|p",
      "p and y of different lengths"),
    C("backprop", "binary_cross_entropy", lambda m: m.binary_cross_entropy(np.full(5, 1.5), np.ones(5)), "p",
      "probability above 1"),
    C("backprop", "softmax_cross_entropy", lambda m: m.softmax_cross_entropy(np.zeros((5, 3)), np.full(5, 3)), "y",
      "label out of range"),
    C("backprop", "softmax_regression_forward",
      lambda m: m.softmax_regression_forward(np.ones((5, 4)), np.ones((3, 10)), np.zeros(10)), "w",
      "w rows differ from x features"),
    C("backprop", "softmax_regression_backward",
      lambda m: m.softmax_regression_backward(np.ones((5, 4)), np.ones((6, 3)), np.ones((4, 3))), "dz",
      "dz rows differ from x"),
    C("backprop", "train_softmax_regression",
      lambda m: m.train_softmax_regression(np.ones((6, 4)), np.zeros(6, int), classes=0), "classes", "zero classes"),
    C("backprop", "train_softmax_regression",
      lambda m: m.train_softmax_regression(np.ones((6, 4)), np.zeros(6, int), 3, epochs=0), "epochs", "zero epochs"),
    C("backprop", "train_softmax_regression",
      lambda m: m.train_softmax_regression(np.full((6, 4), NAN), np.zeros(6, int), 3), "x", "NaN in x"),
    C("backprop", "sigmoid", lambda m: m.sigmoid(np.array([0.0, np.nan])), "z", "NaN in z"),
    C("backprop", "sigmoid_grad", lambda m: m.sigmoid_grad(np.array([0.0, np.nan])), "z", "NaN in z"),
    C("backprop", "tanh", lambda m: m.tanh(np.array([0.0, np.nan])), "z", "NaN in z"),
    C("backprop", "tanh_grad", lambda m: m.tanh_grad(np.array([0.0, np.nan])), "z", "NaN in z"),
    C("backprop", "relu", lambda m: m.relu(np.array([0.0, np.nan])), "z", "NaN in z"),
    C("backprop", "relu_grad", lambda m: m.relu_grad(np.array([0.0, np.nan])), "z", "NaN in z"),
    C("backprop", "leaky_relu", lambda m: m.leaky_relu(np.array([0.0, np.nan])), "z", "NaN in z"),
    C("backprop", "leaky_relu_grad", lambda m: m.leaky_relu_grad(np.array([0.0, np.nan])), "z", "NaN in z"),
    C("backprop", "softmax", lambda m: m.softmax(np.array([0.0, np.nan])), "z", "NaN in z"),
    C("backprop", "init_std", lambda m: m.init_std("bogus", 3, 4), "method", "unknown method"),
    C("backprop", "init_std", lambda m: m.init_std("he", -1, 4), "n_in", "negative n_in"),
    C("backprop", "init_weights", lambda m: m.init_weights(0, 3), "n_in", "zero n_in"),
    C("backprop", "deep_network_statistics", lambda m: m.deep_network_statistics(depth=0), "depth", "zero depth"),
    C("backprop", "deep_network_statistics", lambda m: m.deep_network_statistics(activation="bogus"),
      "activation", "unknown activation"),
    C("backprop", "linear_chain", lambda m: m.linear_chain(-1), "depth", "negative depth"),
    C("normalization", "batchnorm_forward",
      lambda m: m.batchnorm_forward(_bn_inputs()[0], np.ones(2), *_bn_inputs()[2:]), "gamma", "gamma of wrong length"),
    C("normalization", "batchnorm_forward",
      lambda m: m.batchnorm_forward(np.full((8, 3), NAN), *_bn_inputs()[1:]), "x", "NaN in x"),
    C("normalization", "batchnorm_forward",
      lambda m: m.batchnorm_forward(*_bn_inputs(), momentum=1.5), "momentum", "momentum above 1"),
    C("normalization", "batchnorm_forward", lambda m: m.batchnorm_forward(*_bn_inputs(), eps=-1.0), "eps",
      "negative eps"),
    C("normalization", "batchnorm_backward",
      lambda m: m.batchnorm_backward(np.ones((8, 2)), m.batchnorm_forward(*_bn_inputs())[1]), "dout",
      "dout of wrong shape"),
    # --- optim ---
    C("optim", "gradient_descent_1d", lambda m: m.gradient_descent_1d(lambda w: 0.2 * (w - 5), 0.0, -0.1, 10),
      "lr", "negative lr"),
    C("optim", "gradient_descent_1d", lambda m: m.gradient_descent_1d(lambda w: 0.2 * (w - 5), 0.0, 0.1, -1),
      "steps", "negative steps"),
    C("optim", "ewma", lambda m: m.ewma(np.ones(5), 1.5), "beta", "beta above 1"),
    C("optim", "ewma", lambda m: m.ewma(np.array([1.0, NAN, 2.0]), 0.9), "values", "NaN in values"),
    C("optim", "sgd_step", lambda m: m.sgd_step(np.ones(3), np.ones(4), 0.1), "dw", "dw of wrong shape"),
    C("optim", "sgd_step", lambda m: m.sgd_step(np.ones(3), np.ones(3), NAN), "lr", "NaN lr"),
    C("optim", "momentum_step", lambda m: m.momentum_step(np.ones(3), np.ones(3), None, 0.1, beta=1.0), "beta",
      "beta = 1"),
    C("optim", "momentum_step", lambda m: m.momentum_step(np.ones(3), np.ones(3), None, 0.1, first_step="bogus"),
      "first_step", "unknown first_step"),
    C("optim", "rmsprop_step", lambda m: m.rmsprop_step(np.ones(3), np.ones(3), np.ones(4), 0.1), "s",
      "s of wrong shape"),
    C("optim", "rmsprop_step", lambda m: m.rmsprop_step(np.ones(3), np.ones(3), np.ones(3), 0.1, eps=-1e-8), "eps",
      "negative eps"),
    C("optim", "adam_step", lambda m: m.adam_step(np.ones(3), np.ones(3), np.zeros(3), np.zeros(3), t=0), "t",
      "step t = 0"),
    C("optim", "adam_step", lambda m: m.adam_step(np.ones(3), np.ones(3), np.zeros(3), np.zeros(3), 1, beta2=1.0),
      "beta2", "beta2 = 1"),
    C("optim", "ScratchOptimizer", lambda m: m.ScratchOptimizer(_mlp().parameters(), rule="adma"), "rule",
      "misspelled rule"),
    C("optim", "ScratchOptimizer", lambda m: m.ScratchOptimizer(_mlp().parameters(), lr=-1.0), "lr", "negative lr"),
    C("optim", "lr_inverse_time", lambda m: m.lr_inverse_time(-1, 0.2), "epoch", "negative epoch"),
    C("optim", "lr_inverse_time", lambda m: m.lr_inverse_time(1, -0.2), "alpha0", "negative alpha0"),
    C("optim", "lr_exponential", lambda m: m.lr_exponential(-2, 0.2), "epoch", "negative epoch"),
    C("optim", "lr_inverse_sqrt", lambda m: m.lr_inverse_sqrt(0, 0.2), "epoch", "epoch 0 (divides by 0)"),
    C("optim", "lr_staircase", lambda m: m.lr_staircase(3, 0.2, step_size=0), "step_size", "zero step_size"),
    C("optim", "sample_log_uniform", lambda m: m.sample_log_uniform(np.random.default_rng(0), -1.0, 1.0, 5), "low",
      "negative low on a log scale"),
    C("optim", "sample_log_uniform", lambda m: m.sample_log_uniform(np.random.default_rng(0), 1.0, 0.1, 5),
      "low|high", "low above high"),
    C("optim", "sample_beta", lambda m: m.sample_beta(np.random.default_rng(0), 0.9, 0.999, -1), "n", "negative n"),
    C("optim", "surface_grid", lambda m: m.surface_grid("nope"), "name|surface", "unknown surface"),
    C("optim", "optimizer_trajectory", lambda m: m.optimizer_trajectory("nope", "adam", 0.1, 10), "surface",
      "unknown surface"),
    C("optim", "optimizer_trajectory",
      lambda m: m.optimizer_trajectory(next(iter(m.SURFACES)), "adma", 0.1, 10), "rule", "misspelled rule"),
    C("optim", "optimizer_trajectory",
      lambda m: m.optimizer_trajectory(next(iter(m.SURFACES)), "adam", 0.1, -5), "steps", "negative steps"),
    C("train", "evaluating", lambda m: m.evaluating("a model").__enter__(), "model", "not a module"),
    C("train", "fit", lambda m: m.fit(_mlp(), (_xy()[0], _xy()[1][:-1]), epochs=1, progress=False), "train|y",
      "x and y of different lengths"),
    C("train", "fit", lambda m: m.fit(_mlp(), _xy(), epochs=0, progress=False), "epochs", "zero epochs"),
    C("train", "fit", lambda m: m.fit(_mlp(), _xy(nan=True), epochs=1, progress=False), "train|x", "NaN in x"),
    C("train", "fit", lambda m: m.fit(_mlp(), _xy(), epochs=1, batch_size=0, progress=False), "batch_size",
      "zero batch_size"),
    C("train", "fit", lambda m: m.fit("mlp", _xy(), epochs=1, progress=False), "model", "not a model"),
    C("train", "evaluate", lambda m: m.evaluate(_mlp(), _xy()[0], _xy()[1][:-2]), "y", "y of wrong length"),
    C("train", "history_curves", lambda m: m.history_curves({"a": m.History()}, metric="bogus"), "metric",
      "unknown metric"),
    C("train", "history_curves", lambda m: m.history_curves({"a": m.History()}, smoothing=1.0), "smoothing",
      "smoothing = 1"),
    # --- models (chapter 03) ---
    C("models", "lenet5", lambda m: m.lenet5(num_classes=0), "num_classes", "zero classes"),
    C("models", "lenet5", lambda m: m.lenet5(activation="bogus"), "activation", "unknown activation"),
    C("models", "alexnet", lambda m: m.alexnet(width=0), "width", "zero width"),
    C("models", "vgg16", lambda m: m.vgg16(in_channels=0), "in_channels", "zero in_channels"),
    C("models", "resnet18", lambda m: m.resnet18(num_classes=-1), "num_classes", "negative classes"),
    C("models", "resnet50", lambda m: m.resnet50(width=NAN), "width", "NaN width"),
    C("models", "googlenet", lambda m: m.googlenet(num_classes=0), "num_classes", "zero classes"),
    C("models", "inception_v3", lambda m: m.inception_v3(width=-1.0), "width", "negative width"),
    C("models", "stacked_net", lambda m: m.stacked_net(0, residual=True), "blocks_per_stage", "zero blocks"),
    C("models", "conv_bn_relu", lambda m: m.conv_bn_relu(0, 8, 3), "c_in", "zero c_in"),
    C("models", "freeze_except", lambda m: m.freeze_except(m.lenet5(), ["no_such_layer"]), "trainable",
      "unknown layer name"),
    C("models", "multilabel_binary_cross_entropy",
      lambda m: m.multilabel_binary_cross_entropy(torch.full((4, 3), 0.5), torch.ones(4, 2)), "y|y_hat",
      "shapes differ"),
    C("models", "vgg_stage", lambda m: m.vgg_stage(0, (8, 8)), "c_in", "zero c_in"),
    C("models", "random_bottleneck", lambda m: m.random_bottleneck(0, identity=True), "rng", "a seed, not a Generator"),
    C("models", "reduced_model", lambda m: m.reduced_model("bogus"), "name", "unknown model"),
    # --- visualize (chapter 03) ---
    C("visualize", "filter_mosaic", lambda m: m.filter_mosaic(np.ones((3, 3))), "weight", "2-D weight"),
    # --- widgets and the grading pipeline ---
    C("widgets", "filter_playground", lambda m: m.filter_playground(kernel="bogus"), "kernel", "unknown kernel"),
    C("grading.autograde", "grade_folder", lambda m: m.grade_folder("/nonexistent/submissions", out_dir=None),
      "submissions", "missing folder"),
]

# Public functions of the learner-facing modules that need no bad-input case, and why.
EXEMPT = {
    "data.load_digits": "takes no arguments",
    "conv.explorer_state": "documented never to raise: returns ok=False and a message (tested below)",
    "optim.random_points": "takes sampler callables written by the notebook, not learner data",
    "optim.grid_points": "any two 1-D arrays are valid input",
    "models.scaled": "channel-width helper; the constructors check width themselves (cases above)",
    "models.count_parameters": "any nn.Module is valid",
    "models.identity_block": "wrappers of a residual block's forward; torch reports shape errors",
    "models.convolutional_block": "wrappers of a residual block's forward; torch reports shape errors",
    "models.save_models": "teacher/notebook plumbing (files), not learner input",
    "models.load_reduced_models": "teacher/notebook plumbing (files), not learner input",
}
WALKED_MODULES = ["conv", "data", "backprop", "normalization", "optim", "train", "models"]


def _module(name: str):
    if name == "course_lib":
        return course_lib
    try:
        return importlib.import_module(f"course_lib.{name}")
    except ImportError as exc:  # a renamed or broken module must not pass as skipped
        pytest.fail(f"course_lib.{name} cannot be imported ({exc})")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_raises_a_sentence_naming_the_argument(case):
    mod = _module(case.module)
    if not hasattr(mod, case.func):
        pytest.fail(f"course_lib.{case.module}.{case.func} does not exist: update this case")
    with pytest.raises(Exception) as info:
        case.call(mod)
    exc = info.value
    msg = str(exc)
    last = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{Path(last.filename).name}:{last.lineno} ({last.name})"
    assert isinstance(exc, (ValueError, TypeError)), \
        f"{type(exc).__name__} instead of ValueError/TypeError, raised at {where}: {msg}"
    assert Path(last.filename).resolve().is_relative_to(COURSE_LIB), \
        f"raised from outside course_lib, at {last.filename}:{last.lineno}: {type(exc).__name__}: {msg}"
    assert re.search(rf"\b(?:{case.arg})\b", msg, re.IGNORECASE), \
        f"the message does not name the argument ({case.arg}): {type(exc).__name__}: {msg}"
    assert len(msg.split()) >= 4, f"not a sentence: {msg!r}"


def test_explorer_state_reports_impossible_settings_instead_of_raising():
    conv = _module("conv")
    for args in [(5, 7, 0, 1), (-1, 3, 0, 1), (6, 3, -1, 1), (6, 3, 0, 0), (6, NAN, 0, 1)]:
        state = conv.explorer_state(*args)
        assert state["ok"] is False, args
        assert isinstance(state["message"], str) and len(state["message"].split()) >= 3, state


def test_activation_view_reports_impossible_choices_instead_of_raising():
    vis = _module("visualize")
    acts = {"conv1": np.ones((2, 4, 5, 5))}
    for layer, channel, image, word in [("nope", 0, 0, "layer"), ("conv1", 9, 0, "channel"),
                                        ("conv1", 0, 5, "image")]:
        view = vis.activation_view(acts, layer, channel, image)
        assert view["ok"] is False and view["map"] is None, view
        assert re.search(rf"\b{word}\b", view["message"]), view["message"]


def test_every_public_function_has_a_bad_input_case_or_a_reason():
    covered = {f"{c.module}.{c.func}" for c in CASES}
    missing = []
    for name in WALKED_MODULES:
        mod = _module(name)
        public = getattr(mod, "__all__", None) or [n for n in vars(mod) if not n.startswith("_")]
        for fname in public:
            obj = getattr(mod, fname, None)
            is_func = inspect.isfunction(obj) and f"{obj.__module__}.".startswith(f"{mod.__name__}.")  # and submodules
            is_lower_class = inspect.isclass(obj) and f"{name}.{fname}" in covered
            if not (is_func or is_lower_class):
                continue
            key = f"{name}.{fname}"
            if key not in covered and key not in EXEMPT:
                missing.append(key)
    assert missing == [], ("public functions without a learner bad-input case in "
                           f"tests/test_learner_errors.py (add one, or a reason to EXEMPT): {missing}")

