"""Learner-facing errors: the one contract of ``course_lib._checks``, case by case.

A bad input a learner could give to a public function of course_lib must raise the exact
exception type of the contract (../shared/conventions.md):

- **TypeError** for the wrong *kind* of value: a float or a bool where an integer is
  needed, a string where a number is, a list where an array is, something that is not a
  ``torch.nn.Module`` or a ``numpy.random.Generator``;
- **ValueError** for a wrong *value*: negative, zero, NaN or infinite, out of range, the
  wrong shape, a stride that does not fit, a name that is not one of the choices;

raised by course_lib itself (not from deep inside numpy or torch), with a sentence that
names the offending argument. numpy integers are accepted wherever Python ints are.

Each case is ``V(...)`` (expects ValueError) or ``T(...)`` (expects TypeError) with
(module, function, call, argument name, what is wrong). The last test walks every public
function of every module and subpackage of course_lib (``pkgutil.walk_packages``) and fails
when one has neither a case here nor a stated reason in EXEMPT, so a new function gets its
bad-input case (or a reason) when it is written. A case covers the function object it calls,
so ``conv.conv2d_im2col`` covers ``course_lib.conv_fast.conv2d_im2col``.
"""
from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import traceback
from pathlib import Path

import numpy as np
import pytest
import torch

import course_lib

COURSE_LIB = Path(course_lib.__file__).resolve().parent
NAN, INF = float("nan"), float("inf")
rng = np.random.default_rng(0)
X = rng.standard_normal((2, 3, 6, 6))           # (N, C_in, H, W)
W = rng.standard_normal((4, 3, 3, 3))           # (C_out, C_in, kh, kw)
B = rng.standard_normal(4)
X_NAN = X.copy()
X_NAN[0, 1, 2, 3] = NAN
X_INF = X.copy()
X_INF[1, 0, 4, 4] = -INF
WT = rng.standard_normal((3, 4, 3, 3))          # transposed conv: (C_in, C_out, kh, kw)


def _xy(n=20, nan=False, inf=False):
    x = rng.standard_normal((n, 64)).astype(np.float32)
    if nan:
        x[3, 5] = NAN
    if inf:
        x[4, 6] = INF
    return x, rng.integers(0, 10, n)


def _mlp():
    import torch.nn as nn

    return nn.Sequential(nn.Flatten(), nn.Linear(64, 10))


def _bn_inputs(n=8, d=3):
    x = rng.standard_normal((n, d))
    return x, np.ones(d), np.zeros(d), np.zeros(d), np.ones(d)


def _detections():
    """One image's detections [(boxes, scores, labels)], ground-truth boxes and labels."""
    box = np.array([[0.0, 0.0, 2.0, 2.0]])
    return [(box, np.ones(1), np.ones(1, dtype=np.int64))], [box], [np.ones(1, dtype=np.int64)]


def _vocab_vectors():
    """A 3-word vocabulary ("a", "b", "c") and its (3, 2) word vectors."""
    from course_lib.embeddings_text import build_vocab

    return rng.standard_normal((3, 2)), build_vocab([["a", "b", "c"]])


def _style_net():
    """A tiny random multi-scale feature network of chapter 10 (layers scale3, scale5)."""
    from course_lib.models.style_nets import random_multiscale_net

    return random_multiscale_net(sizes=(3, 5), channels=2)


def _with_env(name: str, value: str, call):
    """Call ``call()`` with the environment variable ``name`` set to ``value``, then restore it."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        return call()
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before


class Case:
    def __init__(self, module: str, func: str, call, arg: str, what: str, error: type[Exception]):
        self.module, self.func, self.call, self.arg, self.what = module, func, call, arg, what
        self.error = error
        self.id = f"{module}.{func}: {what} -> {error.__name__}"


def V(module, func, call, arg, what):
    """A wrong value: must raise ValueError."""
    return Case(module, func, call, arg, what, ValueError)


def T(module, func, call, arg, what):
    """The wrong kind of value: must raise TypeError."""
    return Case(module, func, call, arg, what, TypeError)


CASES = [

    # --- course_lib (setup, record_metric) ---
    V("course_lib", "setup", lambda m: m.setup(seed=-1), "seed", "negative seed"),
    T("course_lib", "setup", lambda m: m.setup(seed=1.5), "seed", "float seed"),
    V("course_lib", "setup", lambda m: m.setup(threads=0), "threads", "zero threads"),
    V("course_lib", "record_metric", lambda m: m.record_metric("", 0.9), "name", "empty name"),
    T("course_lib", "record_metric", lambda m: m.record_metric("acc", "high"), "value", "text value"),
    # --- data ---
    V("data", "digits_split", lambda m: m.digits_split(test_fraction=1.5), "test_fraction", "fraction > 1"),
    V("data", "digits_split", lambda m: m.digits_split(test_fraction=NAN), "test_fraction", "NaN fraction"),
    V("data", "digits_split", lambda m: m.digits_split(size=4), "size", "size below 8"),
    V("data", "digits_split", lambda m: m.digits_split(seed=-3), "seed", "negative seed"),
    V("data", "sample_image", lambda m: m.sample_image("lena"), "name", "unknown image"),
    V("data", "sample_image", lambda m: m.sample_image(size=0), "size", "zero size"),
    # --- conv: sizes ---
    V("conv", "conv_output_size", lambda m: m.conv_output_size(-1, 3), "n", "negative n"),
    V("conv", "conv_output_size", lambda m: m.conv_output_size(5, 0), "f", "zero f"),
    V("conv", "conv_output_size", lambda m: m.conv_output_size(5, 3, p=-1), "p", "negative p"),
    V("conv", "conv_output_size", lambda m: m.conv_output_size(5, 3, s=0), "s", "zero stride"),
    V("conv", "conv_output_size", lambda m: m.conv_output_size(3, 5), "f", "filter larger than input"),
    T("conv", "conv_output_size", lambda m: m.conv_output_size(5.5, 3), "n", "fractional n"),
    V("conv", "same_padding", lambda m: m.same_padding(4), "f", "even f"),
    V("conv", "conv_transpose_output_size", lambda m: m.conv_transpose_output_size(3, 3, p=-1), "p", "negative p"),
    V("conv", "conv_transpose_output_size",
      lambda m: m.conv_transpose_output_size(2, 3, p=1, s=2, output_padding=2), "output_padding",
      "output_padding >= stride"),
    V("conv", "conv_param_count", lambda m: m.conv_param_count(-3, 3, 8), "f", "negative f"),
    V("conv", "fc_param_count", lambda m: m.fc_param_count(0, 10), "n_in", "zero n_in"),
    V("conv", "conv_mult_count", lambda m: m.conv_mult_count(-1, 28, 32, 5, 192), "h_out", "negative h_out"),
    V("conv", "receptive_field", lambda m: m.receptive_field([(3, 1), (3, 0)]), "layers|stride|s\\b",
      "zero stride in a layer"),
    V("conv", "receptive_field", lambda m: m.receptive_field([(0, 1)]), "layers|f\\b|filter", "zero filter"),
    # --- conv: arrays ---
    V("conv", "zero_pad", lambda m: m.zero_pad(X, -1), "p", "negative p"),
    V("conv", "zero_pad", lambda m: m.zero_pad(np.ones(3), 1), "x", "1-D x"),
    V("conv", "conv_single_step", lambda m: m.conv_single_step(np.ones((3, 3, 3)), np.ones((2, 2, 3))),
      "a_slice|W", "shapes differ"),
    V("conv", "conv_single_step", lambda m: m.conv_single_step(np.full((2, 2), NAN), np.ones((2, 2))),
      "a_slice", "NaN slice"),
    V("conv", "conv2d_naive", lambda m: m.conv2d_naive(X[0], W), "x", "3-D x (no batch axis)"),
    V("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, W[:, :2]), "w", "C_in of w differs from x"),
    V("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, W, B[:3]), "b", "b of wrong length"),
    V("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, W, stride=0), "stride", "zero stride"),
    V("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, W, padding=-1), "padding", "negative padding"),
    V("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, rng.standard_normal((4, 3, 9, 9))), "w|kernel|filter",
      "filter larger than the input"),
    V("conv", "conv2d_naive", lambda m: m.conv2d_naive(X_NAN, W), "x", "NaN in x"),
    V("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X[0], W), "x", "3-D x"),
    V("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X, W, stride=(1, 0)), "stride", "zero stride"),
    V("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X, W, dilation=0), "dilation", "zero dilation"),
    V("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X_NAN, W), "x", "NaN in x"),
    V("conv", "im2col", lambda m: m.im2col(X, 0, 3), "kh", "zero kh"),
    V("conv", "im2col", lambda m: m.im2col(X, 3, 3, stride=-1), "stride", "negative stride"),
    V("conv", "col2im", lambda m: m.col2im(np.ones((2, 5, 16)), X.shape, 3, 3), "cols", "cols of wrong shape"),
    V("conv", "conv1d", lambda m: m.conv1d(X, W), "x", "4-D x for conv1d"),
    V("conv", "conv1d", lambda m: m.conv1d(np.ones((1, 1, 14)), np.ones((1, 1, 5)), stride=0), "stride",
      "zero stride"),
    V("conv", "conv3d", lambda m: m.conv3d(X, W), "x", "4-D x for conv3d"),
    V("conv", "conv_forward", lambda m: m.conv_forward(X, W, B, stride=0), "stride", "zero stride"),
    V("conv", "conv_forward", lambda m: m.conv_forward(X, W, B[:2]), "b", "b of wrong length"),
    V("conv", "conv_backward", lambda m: m.conv_backward(np.ones((2, 4, 3, 3)), m.conv_forward(X, W, B)[1]),
      "dout", "dout of wrong shape"),
    V("conv", "max_pool2d", lambda m: m.max_pool2d(X, 0), "f", "zero f"),
    V("conv", "max_pool2d", lambda m: m.max_pool2d(X, 7), "f", "window larger than input"),
    V("conv", "max_pool2d", lambda m: m.max_pool2d(X[0], 2), "x", "3-D x"),
    V("conv", "avg_pool2d", lambda m: m.avg_pool2d(X, 2, stride=0), "stride", "zero stride"),
    V("conv", "avg_pool2d", lambda m: m.avg_pool2d(X_NAN, 2), "x", "NaN in x"),
    V("conv", "lp_pool2d", lambda m: m.lp_pool2d(X, 2, p=0), "p", "p = 0"),
    V("conv", "pool_forward", lambda m: m.pool_forward(X, 2, mode="median"), "mode", "unknown mode"),
    V("conv", "pool_backward", lambda m: m.pool_backward(np.ones((2, 3, 2, 2)), m.pool_forward(X, 2)[1]),
      "dout", "dout of wrong shape"),
    V("conv", "conv_transpose2d", lambda m: m.conv_transpose2d(X, WT[:2]), "w", "C_in of w differs from x"),
    V("conv", "conv_transpose2d", lambda m: m.conv_transpose2d(X, WT, stride=2, output_padding=2),
      "output_padding", "output_padding >= stride"),
    V("conv", "conv_transpose2d", lambda m: m.conv_transpose2d(X_NAN, WT), "x", "NaN in x"),
    # --- backprop (chapter 01) ---
    V("backprop", "logistic_forward", lambda m: m.logistic_forward(np.ones((5, 3)), np.ones(4), 0.0), "w|weights",
      "w of wrong length"),
    V("backprop", "logistic_backward",
      lambda m: m.logistic_backward(np.ones((5, 3)), np.full(5, 0.5), np.ones(4)), "y", "y of wrong length"),
    V("backprop", "binary_cross_entropy", lambda m: m.binary_cross_entropy(np.full(5, 0.5), np.ones(4)), "y|p",
      "p and y of different lengths"),
    V("backprop", "binary_cross_entropy", lambda m: m.binary_cross_entropy(np.full(5, 1.5), np.ones(5)), "p",
      "probability above 1"),
    V("backprop", "softmax_cross_entropy", lambda m: m.softmax_cross_entropy(np.zeros((5, 3)), np.full(5, 3)), "y",
      "label out of range"),
    V("backprop", "softmax_regression_forward",
      lambda m: m.softmax_regression_forward(np.ones((5, 4)), np.ones((3, 10)), np.zeros(10)), "w",
      "w rows differ from x features"),
    V("backprop", "softmax_regression_backward",
      lambda m: m.softmax_regression_backward(np.ones((5, 4)), np.ones((6, 3)), np.ones((4, 3))), "dz",
      "dz rows differ from x"),
    V("backprop", "train_softmax_regression",
      lambda m: m.train_softmax_regression(np.ones((6, 4)), np.zeros(6, int), classes=0), "classes", "zero classes"),
    V("backprop", "train_softmax_regression",
      lambda m: m.train_softmax_regression(np.ones((6, 4)), np.zeros(6, int), 3, epochs=0), "epochs", "zero epochs"),
    V("backprop", "train_softmax_regression",
      lambda m: m.train_softmax_regression(np.full((6, 4), NAN), np.zeros(6, int), 3), "x", "NaN in x"),
    V("backprop", "sigmoid", lambda m: m.sigmoid(np.array([0.0, np.nan])), "z", "NaN in z"),
    V("backprop", "sigmoid_grad", lambda m: m.sigmoid_grad(np.array([0.0, np.nan])), "z", "NaN in z"),
    V("backprop", "tanh", lambda m: m.tanh(np.array([0.0, np.nan])), "z", "NaN in z"),
    V("backprop", "tanh_grad", lambda m: m.tanh_grad(np.array([0.0, np.nan])), "z", "NaN in z"),
    V("backprop", "relu", lambda m: m.relu(np.array([0.0, np.nan])), "z", "NaN in z"),
    V("backprop", "relu_grad", lambda m: m.relu_grad(np.array([0.0, np.nan])), "z", "NaN in z"),
    V("backprop", "leaky_relu", lambda m: m.leaky_relu(np.array([0.0, np.nan])), "z", "NaN in z"),
    V("backprop", "leaky_relu_grad", lambda m: m.leaky_relu_grad(np.array([0.0, np.nan])), "z", "NaN in z"),
    V("backprop", "softmax", lambda m: m.softmax(np.array([0.0, np.nan])), "z", "NaN in z"),
    V("backprop", "init_std", lambda m: m.init_std("bogus", 3, 4), "method", "unknown method"),
    V("backprop", "init_std", lambda m: m.init_std("he", -1, 4), "n_in", "negative n_in"),
    V("backprop", "init_weights", lambda m: m.init_weights(0, 3), "n_in", "zero n_in"),
    V("backprop", "deep_network_statistics", lambda m: m.deep_network_statistics(depth=0), "depth", "zero depth"),
    V("backprop", "deep_network_statistics", lambda m: m.deep_network_statistics(activation="bogus"),
      "activation", "unknown activation"),
    V("backprop", "linear_chain", lambda m: m.linear_chain(-1), "depth", "negative depth"),
    V("normalization", "batchnorm_forward",
      lambda m: m.batchnorm_forward(_bn_inputs()[0], np.ones(2), *_bn_inputs()[2:]), "gamma", "gamma of wrong length"),
    V("normalization", "batchnorm_forward",
      lambda m: m.batchnorm_forward(np.full((8, 3), NAN), *_bn_inputs()[1:]), "x", "NaN in x"),
    V("normalization", "batchnorm_forward",
      lambda m: m.batchnorm_forward(*_bn_inputs(), momentum=1.5), "momentum", "momentum above 1"),
    V("normalization", "batchnorm_forward", lambda m: m.batchnorm_forward(*_bn_inputs(), eps=-1.0), "eps",
      "negative eps"),
    V("normalization", "batchnorm_backward",
      lambda m: m.batchnorm_backward(np.ones((8, 2)), m.batchnorm_forward(*_bn_inputs())[1]), "dout",
      "dout of wrong shape"),
    # --- optim ---
    V("optim", "gradient_descent_1d", lambda m: m.gradient_descent_1d(lambda w: 0.2 * (w - 5), 0.0, -0.1, 10),
      "lr", "negative lr"),
    V("optim", "gradient_descent_1d", lambda m: m.gradient_descent_1d(lambda w: 0.2 * (w - 5), 0.0, 0.1, -1),
      "steps", "negative steps"),
    V("optim", "ewma", lambda m: m.ewma(np.ones(5), 1.5), "beta", "beta above 1"),
    V("optim", "ewma", lambda m: m.ewma(np.array([1.0, NAN, 2.0]), 0.9), "values", "NaN in values"),
    V("optim", "sgd_step", lambda m: m.sgd_step(np.ones(3), np.ones(4), 0.1), "dw", "dw of wrong shape"),
    V("optim", "sgd_step", lambda m: m.sgd_step(np.ones(3), np.ones(3), NAN), "lr", "NaN lr"),
    V("optim", "momentum_step", lambda m: m.momentum_step(np.ones(3), np.ones(3), None, 0.1, beta=1.0), "beta",
      "beta = 1"),
    V("optim", "momentum_step", lambda m: m.momentum_step(np.ones(3), np.ones(3), None, 0.1, first_step="bogus"),
      "first_step", "unknown first_step"),
    V("optim", "rmsprop_step", lambda m: m.rmsprop_step(np.ones(3), np.ones(3), np.ones(4), 0.1), "s",
      "s of wrong shape"),
    V("optim", "rmsprop_step", lambda m: m.rmsprop_step(np.ones(3), np.ones(3), np.ones(3), 0.1, eps=-1e-8), "eps",
      "negative eps"),
    V("optim", "adam_step", lambda m: m.adam_step(np.ones(3), np.ones(3), np.zeros(3), np.zeros(3), t=0), "t",
      "step t = 0"),
    V("optim", "adam_step", lambda m: m.adam_step(np.ones(3), np.ones(3), np.zeros(3), np.zeros(3), 1, beta2=1.0),
      "beta2", "beta2 = 1"),
    V("optim", "ScratchOptimizer", lambda m: m.ScratchOptimizer(_mlp().parameters(), rule="adma"), "rule",
      "misspelled rule"),
    V("optim", "ScratchOptimizer", lambda m: m.ScratchOptimizer(_mlp().parameters(), lr=-1.0), "lr", "negative lr"),
    V("optim", "lr_inverse_time", lambda m: m.lr_inverse_time(-1, 0.2), "epoch", "negative epoch"),
    V("optim", "lr_inverse_time", lambda m: m.lr_inverse_time(1, -0.2), "alpha0", "negative alpha0"),
    V("optim", "lr_exponential", lambda m: m.lr_exponential(-2, 0.2), "epoch", "negative epoch"),
    V("optim", "lr_inverse_sqrt", lambda m: m.lr_inverse_sqrt(0, 0.2), "epoch", "epoch 0 (divides by 0)"),
    V("optim", "lr_staircase", lambda m: m.lr_staircase(3, 0.2, step_size=0), "step_size", "zero step_size"),
    V("optim", "sample_log_uniform", lambda m: m.sample_log_uniform(np.random.default_rng(0), -1.0, 1.0, 5), "low",
      "negative low on a log scale"),
    V("optim", "sample_log_uniform", lambda m: m.sample_log_uniform(np.random.default_rng(0), 1.0, 0.1, 5),
      "low|high", "low above high"),
    V("optim", "sample_beta", lambda m: m.sample_beta(np.random.default_rng(0), 0.9, 0.999, -1), "n", "negative n"),
    V("optim", "surface_grid", lambda m: m.surface_grid("nope"), "name|surface", "unknown surface"),
    V("optim", "optimizer_trajectory", lambda m: m.optimizer_trajectory("nope", "adam", 0.1, 10), "surface",
      "unknown surface"),
    V("optim", "optimizer_trajectory",
      lambda m: m.optimizer_trajectory(next(iter(m.SURFACES)), "adma", 0.1, 10), "rule", "misspelled rule"),
    V("optim", "optimizer_trajectory",
      lambda m: m.optimizer_trajectory(next(iter(m.SURFACES)), "adam", 0.1, -5), "steps", "negative steps"),
    T("train", "evaluating", lambda m: m.evaluating("a model").__enter__(), "model", "not a module"),
    T("train", "single_thread", lambda m: m.single_thread(blas="yes").__enter__(), "blas", "text for blas"),
    V("train", "fit", lambda m: m.fit(_mlp(), (_xy()[0], _xy()[1][:-1]), epochs=1, progress=False), "train|y",
      "x and y of different lengths"),
    V("train", "fit", lambda m: m.fit(_mlp(), _xy(), epochs=0, progress=False), "epochs", "zero epochs"),
    V("train", "fit", lambda m: m.fit(_mlp(), _xy(nan=True), epochs=1, progress=False), "train|x", "NaN in x"),
    V("train", "fit", lambda m: m.fit(_mlp(), _xy(), epochs=1, batch_size=0, progress=False), "batch_size",
      "zero batch_size"),
    T("train", "fit", lambda m: m.fit("mlp", _xy(), epochs=1, progress=False), "model", "not a model"),
    V("train", "evaluate", lambda m: m.evaluate(_mlp(), _xy()[0], _xy()[1][:-2]), "y", "y of wrong length"),
    V("optim", "history_curves", lambda m: m.history_curves({"a": m.History()}, metric="bogus"), "metric",
      "unknown metric"),
    V("optim", "history_curves", lambda m: m.history_curves({"a": m.History()}, smoothing=1.0), "smoothing",
      "smoothing = 1"),
    # --- models (chapter 03) ---
    V("models", "lenet5", lambda m: m.lenet5(num_classes=0), "num_classes", "zero classes"),
    V("models", "lenet5", lambda m: m.lenet5(activation="bogus"), "activation", "unknown activation"),
    V("models", "alexnet", lambda m: m.alexnet(width=0), "width", "zero width"),
    V("models", "vgg16", lambda m: m.vgg16(in_channels=0), "in_channels", "zero in_channels"),
    V("models", "resnet18", lambda m: m.resnet18(num_classes=-1), "num_classes", "negative classes"),
    V("models", "resnet50", lambda m: m.resnet50(width=NAN), "width", "NaN width"),
    V("models", "googlenet", lambda m: m.googlenet(num_classes=0), "num_classes", "zero classes"),
    V("models", "inception_v3", lambda m: m.inception_v3(width=-1.0), "width", "negative width"),
    V("models", "stacked_net", lambda m: m.stacked_net(0, residual=True), "blocks_per_stage", "zero blocks"),
    V("models", "conv_bn_relu", lambda m: m.conv_bn_relu(0, 8, 3), "c_in", "zero c_in"),
    V("models", "freeze_except", lambda m: m.freeze_except(m.lenet5(), ["no_such_layer"]), "trainable",
      "unknown layer name"),
    V("models", "multilabel_binary_cross_entropy",
      lambda m: m.multilabel_binary_cross_entropy(torch.full((4, 3), 0.5), torch.ones(4, 2)), "y|y_hat",
      "shapes differ"),
    V("models", "vgg_stage", lambda m: m.vgg_stage(0, (8, 8)), "c_in", "zero c_in"),
    T("models", "random_bottleneck", lambda m: m.random_bottleneck(0, identity=True), "rng", "a seed, not a Generator"),
    V("models", "reduced_model", lambda m: m.reduced_model("bogus"), "name", "unknown model"),
    # --- visualize (chapter 03) ---
    V("visualize", "filter_mosaic", lambda m: m.filter_mosaic(np.ones((3, 3))), "weight", "2-D weight"),
    # --- widgets and the grading pipeline ---
    V("widgets.conv", "filter_playground", lambda m: m.filter_playground(kernel="bogus"), "kernel", "unknown kernel"),
    V("grading.autograde", "grade_folder", lambda m: m.grade_folder("/nonexistent/submissions", out_dir=None),
      "submissions", "missing folder"),
    # --- chapter 03: visualize ---
    T("visualize", "activations", lambda m: m.activations("a model", np.ones((1, 1, 8, 8)), ["0"]), "model",
      "not a module"),
    T("visualize", "conv_layers", lambda m: m.conv_layers("a model"), "model", "not a module"),
    T("visualize", "summary", lambda m: m.summary("a model", (1, 1, 32, 32)), "model", "not a module"),
    V("visualize", "summary", lambda m: m.summary(_mlp(), (1, 64), depth=-1), "depth", "negative depth"),
    T("visualize", "layer_geometry", lambda m: m.layer_geometry("a model"), "model", "not a module"),
    T("visualize", "layer_mult_adds", lambda m: m.layer_mult_adds("conv", torch.ones(1)), "module", "not a module"),
    T("visualize", "format_summary", lambda m: m.format_summary("rows"), "rows", "text for rows"),
    V("visualize", "top_patches",
      lambda m: m.top_patches(np.ones((2, 1, 8, 8)), np.ones((2, 3, 4, 4)), 5,
                              m.layer_geometry(torch.nn.Sequential(torch.nn.Conv2d(1, 3, 5)))[0]), "channel",
      "channel out of range"),
    # --- data for chapters 04-06 ---
    V("data", "first_symbol_task", lambda m: m.first_symbol_task(0, 10), "n", "zero samples"),
    T("data", "first_symbol_task", lambda m: m.first_symbol_task(8, 10.0), "length", "float length"),
    V("scenes", "scenes", lambda m: m.scenes(0), "n", "zero scenes"),
    T("scenes", "scenes", lambda m: m.scenes(2, size=64.0), "size", "float size"),
    # --- detection (chapter 04) ---
    V("detection_boxes", "check_boxes", lambda m: m.check_boxes(np.ones((3, 3))), "boxes", "3 coordinates"),
    T("detection_boxes", "check_boxes", lambda m: m.check_boxes([[0, 0, 1, 1]]), "boxes", "a list"),
    V("detection_boxes", "box_area", lambda m: m.box_area(np.array([[0.0, 0.0, NAN, 1.0]])), "boxes", "NaN"),
    V("detection_boxes", "corners_to_center", lambda m: m.corners_to_center(np.ones((2, 5))), "boxes",
      "5 coordinates"),
    V("detection_boxes", "center_to_corners", lambda m: m.center_to_corners(np.ones((2, 3))), "boxes",
      "3 coordinates"),
    V("detection_boxes", "iou", lambda m: m.iou(np.ones((2, 3)), np.ones((1, 4))), "boxes_a|boxes", "3 coordinates"),
    V("detection_boxes", "iou_loop", lambda m: m.iou_loop(np.ones((2, 4)), np.full((1, 4), INF)), "boxes_b|boxes",
      "inf"),
    V("detection_boxes", "non_max_suppression",
      lambda m: m.non_max_suppression(np.array([[0.0, 0, 2, 2]]), np.ones(1), 1.5), "iou_threshold",
      "threshold above 1"),
    V("detection_boxes", "non_max_suppression_loop",
      lambda m: m.non_max_suppression_loop(np.array([[0.0, 0, 2, 2]]), np.ones(2), 0.5), "scores",
      "one score too many"),
    V("detection_boxes", "non_max_suppression_per_class",
      lambda m: m.non_max_suppression_per_class(np.array([[0.0, 0, 2, 2]]), np.ones(1), np.zeros(2, int), 0.5),
      "labels", "one label too many"),
    V("detection_boxes", "anchor_boxes", lambda m: m.anchor_boxes((4, 4), -8.0), "stride", "negative stride"),
    V("detection_boxes", "assign_anchors",
      lambda m: m.assign_anchors(np.array([[0.0, 0, 2, 2]]), np.array([[0.0, 0, 2, 2]]), 0.3, 0.7),
      "positive_iou|negative_iou", "positive below negative threshold"),
    V("detection_boxes", "ssd_default_boxes", lambda m: m.ssd_default_boxes(image_size=0), "image_size", "zero size"),
    V("detection_eval", "average_precision", lambda m: m.average_precision(np.ones(3), np.ones(3), method="bogus"),
      "method", "unknown method"),
    V("detection_eval", "precision_recall", lambda m: m.precision_recall(np.ones(3), np.ones(3, bool), -1), "n_gt",
      "negative n_gt"),
    V("detection_eval", "match_detections",
      lambda m: m.match_detections(np.ones((2, 4)), np.ones(3), np.ones((1, 4))), "det_scores|scores",
      "one score too many"),
    V("detection_eval", "class_average_precision",
      lambda m: m.class_average_precision(*_detections(), 1, iou_threshold=1.5), "iou_threshold",
      "threshold above 1"),
    V("detection_eval", "mean_average_precision", lambda m: m.mean_average_precision(*_detections(), method="bogus"),
      "method", "unknown method"),
    V("detection_eval", "coco_map", lambda m: m.coco_map(*_detections(), iou_thresholds=np.array([1.5])),
      "iou_thresholds|iou_threshold", "threshold above 1"),
    V("detection_rcnn", "roi_pool", lambda m: m.roi_pool(np.ones((2, 8, 8)), np.ones((1, 4)), output_size=0),
      "output_size", "zero output size"),
    V("detection_rcnn", "roi_pool_bruteforce",
      lambda m: m.roi_pool_bruteforce(np.ones((1, 2, 8, 8)), np.ones((1, 4)), spatial_scale=-1.0), "spatial_scale",
      "negative scale"),
    V("detection_rcnn", "window_classifier", lambda m: m.window_classifier(num_classes=0), "num_classes",
      "zero classes"),
    T("detection_rcnn", "fully_convolutional", lambda m: m.fully_convolutional("a model"), "model", "not a module"),
    T("detection_rcnn", "sliding_windows", lambda m: m.sliding_windows("a model", torch.ones(3, 32, 32)), "model",
      "not a module"),
    V("detection_yolo", "localization_target", lambda m: m.localization_target(np.array([0.0, 0, 8, 8]), 9), "label",
      "label out of range"),
    V("detection_yolo", "localization_loss", lambda m: m.localization_loss(torch.ones(2, 9), torch.ones(2, 8)),
      "y_hat|y", "shapes differ"),
    V("detection_yolo", "yolo_encode", lambda m: m.yolo_encode(np.array([[0.0, 0, 8, 8]]), np.array([1]), grid=0),
      "grid", "zero grid"),
    V("detection_yolo", "yolo_decode", lambda m: m.yolo_decode(np.ones((1, 8, 8, 3))), "output", "wrong channels"),
    V("detection_yolo", "yolo_loss", lambda m: m.yolo_loss(torch.ones(1, 8, 8, 14), torch.ones(1, 8, 8, 13)),
      "pred|target", "shapes differ"),
    T("detection_yolo", "detect", lambda m: m.detect("a model", np.ones((1, 3, 64, 64))), "model", "not a model"),
    T("detection_yolo", "raw_detections", lambda m: m.raw_detections("a model", np.ones((1, 3, 64, 64))), "model",
      "not a model"),
    T("detection_yolo", "save_tiny_yolo", lambda m: m.save_tiny_yolo("a model", "/tmp/x.pt"), "model",
      "not a model"),
    # --- chapter 04: the bad inputs (x2 < x1, negative sizes, NaN scores, thresholds, lengths) ---
    V("detection", "iou", lambda m: m.iou(np.array([[4.0, 0, 2, 2]]), np.ones((1, 4))), "boxes_a", "x2 < x1"),
    V("detection", "center_to_corners", lambda m: m.center_to_corners(np.array([[4.0, 4, -2, 2]])), "boxes",
      "negative width"),
    V("detection", "non_max_suppression",
      lambda m: m.non_max_suppression(np.array([[0.0, 0, 2, 2]]), np.array([NAN]), 0.5), "scores", "NaN score"),
    V("detection", "non_max_suppression_per_class",
      lambda m: m.non_max_suppression_per_class(np.array([[0.0, 0, 2, 2]]), np.ones(1), np.ones(1, int), -0.1),
      "iou_threshold", "negative threshold"),
    T("detection", "non_max_suppression", lambda m: m.non_max_suppression([[0, 0, 2, 2]], np.ones(1), 0.5), "boxes",
      "boxes as a list"),
    V("detection", "yolo_encode", lambda m: m.yolo_encode(np.array([[0.0, 0, 8, 8]]), np.array([1, 2])), "labels",
      "one label too many"),
    V("detection", "detect", lambda m: m.detect(m.TinyYOLO(), np.ones((1, 3, 64, 64)), iou_threshold=2.0),
      "iou_threshold", "threshold above 1"),
    # --- segmentation (chapter 05) ---
    V("models.unet", "double_conv", lambda m: m.double_conv(0, 8), "c_in", "zero c_in"),
    V("models.unet", "unet_output_size", lambda m: m.unet_output_size(-1), "n", "negative n"),
    V("models.unet", "center_crop", lambda m: m.center_crop(torch.ones(1, 1, 4, 4), 8, 8), "height", "crop larger"),
    V("models.blocks", "check_architecture", lambda m: m.check_architecture(0, 3, 1.0), "num_classes",
      "zero classes"),
    V("segmentation", "softmax2d", lambda m: m.softmax2d(np.ones((2, 3))), "logits", "2-D logits"),
    V("segmentation", "one_hot", lambda m: m.one_hot(np.array([[0, 5]]), 3), "target", "label out of range"),
    V("segmentation", "pixel_cross_entropy",
      lambda m: m.pixel_cross_entropy(np.ones((1, 3, 2, 2)), np.zeros((1, 3, 3), int)), "target", "shapes differ"),
    V("segmentation", "soft_dice_loss", lambda m: m.soft_dice_loss(np.ones((1, 3, 2, 2)), np.zeros((1, 2, 2), int),
                                                                    eps=-1.0), "eps", "negative eps"),
    V("segmentation", "confusion_matrix", lambda m: m.confusion_matrix(np.zeros((2, 2), int), np.zeros((3, 3), int), 2),
      "target|pred", "shapes differ"),
    V("segmentation", "iou_per_class", lambda m: m.iou_per_class(np.ones((2, 3))), "cm", "not square"),
    V("segmentation", "mean_iou", lambda m: m.mean_iou(np.ones((2, 3))), "cm", "not square"),
    V("segmentation", "pixel_accuracy", lambda m: m.pixel_accuracy(np.ones((2, 3))), "cm", "not square"),
    V("segmentation", "boundary_mask", lambda m: m.boundary_mask(np.zeros((4, 4), int), width=0), "width", "zero width"),
    T("segmentation", "predict_proba", lambda m: m.predict_proba("a model", np.ones((1, 3, 8, 8))), "model",
      "not a module"),
    # --- segmentation (chapter 05): the bad inputs (shapes that differ, ids out of range, NaN) ---
    V("segmentation", "pixel_cross_entropy",
      lambda m: m.pixel_cross_entropy(np.full((1, 3, 2, 2), NAN), np.zeros((1, 2, 2), int)), "logits", "NaN logits"),
    V("segmentation", "soft_dice_loss", lambda m: m.soft_dice_loss(np.ones((1, 3, 2, 2)), np.full((1, 2, 2), 3)),
      "target", "class id out of range"),
    T("segmentation", "pixel_cross_entropy", lambda m: m.pixel_cross_entropy(np.ones((1, 3, 2, 2)), np.zeros((1, 2, 2))),
      "target", "float class ids"),
    V("segmentation", "confusion_matrix", lambda m: m.confusion_matrix(np.zeros((2, 2), int), np.full((2, 2), -1), 2),
      "pred", "negative class id"),
    V("segmentation", "mean_iou", lambda m: m.mean_iou(np.zeros((3, 3))), "cm", "no pixels"),
    V("segmentation", "prediction_view", lambda m: m.prediction_view(np.ones((3, 8, 8)), np.full((8, 8), 2),
                                                                       np.ones((2, 8, 8))), "target", "id out of range"),
    V("models.unet", "UNet", lambda m: m.UNet(padding="full"), "padding", "unknown padding"),
    T("models.unet", "UNet", lambda m: m.UNet(base=16.0), "base", "float base"),
    V("models.unet", "unet_output_size", lambda m: m.unet_output_size(570, 4, "valid"), "n", "odd size before pooling"),
    # --- sequences (chapter 06) ---
    V("sequences", "check_step", lambda m: m.check_step(np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 4)),
                                                         np.ones((5, 4))), "Wh", "Wh of wrong shape"),
    V("sequences", "check_bias", lambda m: m.check_bias(np.ones(3), 4), "b", "b of wrong length"),
    V("sequences", "check_sequence", lambda m: m.check_sequence(np.ones((2, 3)), np.ones((2, 4))), "x", "2-D x"),
    V("sequences", "rnn_step_forward", lambda m: m.rnn_step_forward(np.full((2, 3), NAN), np.ones((2, 4)),
                                                                     np.ones((3, 4)), np.ones((4, 4)), np.ones(4)),
      "x", "NaN in x"),
    V("sequences", "rnn_forward", lambda m: m.rnn_forward(np.ones((2, 5, 3)), np.ones((2, 4)), np.ones((3, 4)),
                                                           np.ones((4, 4)), np.ones(5)), "b", "b of wrong length"),
    V("sequences", "rnn_step_backward",
      lambda m: m.rnn_step_backward(np.ones((2, 5)), m.rnn_step_forward(np.ones((2, 3)), np.ones((2, 4)),
                                                                         np.ones((3, 4)), np.ones((4, 4)),
                                                                         np.ones(4))[1]), "dh_next", "wrong shape"),
    V("sequences", "rnn_backward",
      lambda m: m.rnn_backward(np.ones((2, 4, 4)), m.rnn_forward(np.ones((2, 5, 3)), np.ones((2, 4)), np.ones((3, 4)),
                                                                  np.ones((4, 4)), np.ones(4))[1]), "dh",
      "wrong length"),
    T("sequences", "rnn_weights_from_torch", lambda m: m.rnn_weights_from_torch("an rnn"), "rnn", "not a module"),
    V("sequences", "clip_grad_norm", lambda m: m.clip_grad_norm([np.ones(3)], -1.0), "max_norm", "negative norm"),
    V("gradcheck", "numerical_gradient", lambda m: m.numerical_gradient(lambda v: float(v.sum()), np.ones(3), h=0.0),
      "h", "zero h (sequences re-exports it)"),
    T("sequences", "gradient_norms_over_time",
      lambda m: m.gradient_norms_over_time("an rnn", torch.ones(1, 5, 3)), "rnn", "not a module"),
    V("sequences", "io_structure", lambda m: m.io_structure("bogus"), "name", "unknown structure"),
    V("gates", "sigmoid", lambda m: m.sigmoid(np.array([NAN])), "a", "NaN"),
    V("gates", "lstm_step_forward", lambda m: m.lstm_step_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 4)),
                                                                   np.ones((3, 16)), np.ones((4, 16)), np.ones(15)),
      "b", "b of wrong length"),
    V("gates", "lstm_forward", lambda m: m.lstm_forward(np.ones((2, 5, 3)), np.ones((2, 4)), np.ones((2, 4)),
                                                         np.ones((3, 16)), np.ones((4, 15)), np.ones(16)),
      "Wh", "Wh of wrong shape"),
    V("gates", "coupled_lstm_step_forward",
      lambda m: m.coupled_lstm_step_forward(np.full((2, 3), INF), np.ones((2, 4)), np.ones((2, 4)), np.ones((3, 12)),
                                            np.ones((4, 12)), np.ones(12)), "x", "inf in x"),
    V("gates", "peephole_lstm_step_forward",
      lambda m: m.peephole_lstm_step_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 4)), np.ones((3, 16)),
                                             np.ones((4, 16)), np.ones(16), np.ones(5)), "peep", "peep of wrong shape"),
    V("gates", "gru_step_forward", lambda m: m.gru_step_forward(np.ones((2, 3)), np.ones((3, 4)), np.ones((3, 12)),
                                                                 np.ones((4, 12)), np.ones(12), np.ones(12)),
      "h_prev", "h_prev rows differ"),
    V("gates", "gru_forward", lambda m: m.gru_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 12)),
                                                       np.ones((4, 12)), np.ones(12), np.ones(12)), "x", "2-D x"),
    T("gates", "lstm_weights_from_torch", lambda m: m.lstm_weights_from_torch(torch.nn.GRU(3, 4)), "lstm",
      "a GRU for an LSTM"),
    T("gates", "gru_weights_from_torch", lambda m: m.gru_weights_from_torch("a gru"), "gru", "not a module"),
    V("memory_task", "train_memory_task", lambda m: m.train_memory_task("transformer", 10), "kind", "unknown kind"),
    T("memory_task", "chrono_init", lambda m: m.chrono_init("an rnn", 10), "rnn", "not a module"),
    T("memory_task", "memory_accuracy", lambda m: m.memory_accuracy("a model", 10), "model", "not a module"),
    V("memory_task", "memory_sweep", lambda m: m.memory_sweep(kinds=("bogus",)), "kinds|kind", "unknown kind"),
    # --- chapter 06: character language model ---
    T("char_lm", "encode_names", lambda m: m.encode_names("anna"), "names", "a string, not a list of names"),
    V("char_lm", "ngram_bits_per_char", lambda m: m.ngram_bits_per_char(["anna"], ["bob"], order=0), "order",
      "order 0"),
    T("char_lm", "bits_per_char", lambda m: m.bits_per_char("a model", ["anna"]), "model", "not a module"),
    V("char_lm", "train_char_lm", lambda m: m.train_char_lm(["anna"], ["bob"], epochs=0), "epochs", "zero epochs"),
    V("char_lm", "temperature_probs", lambda m: m.temperature_probs(np.ones((2, 3)), 0.0), "temperature",
      "zero temperature"),
    T("char_lm", "sample_with_temperature", lambda m: m.sample_with_temperature(np.ones((2, 3)), 1.0, 0), "rng",
      "a seed, not a Generator"),
    T("char_lm", "sample_names", lambda m: m.sample_names("a model", 3), "model", "not a module"),
    T("char_lm", "gate_trace", lambda m: m.gate_trace("a model", "anna"), "model", "not a module"),
    # --- chapter 07: embeddings ---
    V("embeddings_corpus", "analogy_corpus", lambda m: m.analogy_corpus(n_sentences=0), "n_sentences",
      "zero sentences"),
    V("embeddings_corpus", "read_analogy_questions", lambda m: m.read_analogy_questions("/nonexistent/q.txt"), "path",
      "missing file"),
    V("embeddings_losses", "softmax_skipgram_loss",
      lambda m: m.softmax_skipgram_loss(np.ones((4, 5)), np.ones((4, 5)), np.array([7]), np.array([0])), "centers",
      "index out of range"),
    V("embeddings_losses", "unigram_distribution", lambda m: m.unigram_distribution(np.array([1.0, -2.0])), "counts",
      "negative count"),
    T("embeddings_losses", "sample_negatives", lambda m: m.sample_negatives(np.full(3, 1 / 3), (2, 2), 0), "rng",
      "a seed, not a Generator"),
    V("embeddings_losses", "negative_sampling_loss",
      lambda m: m.negative_sampling_loss(np.ones((4, 5)), np.ones((4, 5)), np.array([0]), np.array([1, 2]),
                                         np.zeros((1, 3), int)), "targets|centers", "lengths differ"),
    V("embeddings_losses", "update_cost", lambda m: m.update_cost(0, 50), "vocab_size", "zero vocabulary"),
    V("embeddings_losses", "cooccurrence_matrix", lambda m: m.cooccurrence_matrix([np.array([0, 1])], 2, 0),
      "window", "zero window"),
    V("embeddings_losses", "glove_weight", lambda m: m.glove_weight(np.ones(3), x_max=0.0), "x_max", "zero x_max"),
    V("embeddings_losses", "glove_loss",
      lambda m: m.glove_loss(np.ones((3, 2)), np.ones((3, 2)), np.ones(3), np.ones(3), np.ones((2, 2))), "X",
      "X of wrong shape"),
    V("embeddings_losses", "elmo_combine", lambda m: m.elmo_combine(np.ones((3, 4, 5)), np.ones(2)), "s_logits",
      "one weight per layer missing"),
    V("embeddings_space", "cosine_similarity", lambda m: m.cosine_similarity(np.ones((2, 3)), np.ones((2, 4))), "a|b",
      "dimensions differ"),
    V("embeddings_space", "pca_2d", lambda m: m.pca_2d(np.ones(3)), "X", "1-D X"),
    V("embeddings_space", "nearest_neighbours", lambda m: m.nearest_neighbours(*_vocab_vectors(), "zebra"), "word",
      "unknown word"),
    V("embeddings_space", "analogy", lambda m: m.analogy(*_vocab_vectors(), "a", "b", "zebra"), "c|word",
      "unknown word"),
    V("embeddings_space", "analogy_accuracy", lambda m: m.analogy_accuracy(*_vocab_vectors(), [("a", "b")]),
      "questions", "a pair, not a 4-tuple"),
    V("embeddings_space", "neighbour_overlap",
      lambda m: m.neighbour_overlap(*_vocab_vectors(), *_vocab_vectors(), ["a"], k=0), "k", "zero k"),
    V("embeddings_train", "train_skipgram", lambda m: m.train_skipgram([np.array([0, 1, 2])], _vocab_vectors()[1],
                                                                         dim=0), "dim", "zero dim"),
    V("embeddings_text", "build_vocab", lambda m: m.build_vocab([["a", "b"]], min_count=0), "min_count",
      "zero min_count"),
    V("embeddings_text", "one_hot", lambda m: m.one_hot(5, 3), "j", "index out of range"),
    V("embeddings_text", "embedding_lookup", lambda m: m.embedding_lookup(np.ones((2, 3)), np.array([3])), "ids",
      "index out of range"),
    V("embeddings_text", "last_n_contexts", lambda m: m.last_n_contexts(["a", "b"], 0), "n", "zero n"),
    V("embeddings_text", "window_contexts", lambda m: m.window_contexts(["a", "b"], 0), "window", "zero window"),
    V("embeddings_text", "skipgram_pairs", lambda m: m.skipgram_pairs(["a", "b"], 0), "window", "zero window"),
    V("embeddings_text", "skipgram_pair_array", lambda m: m.skipgram_pair_array([np.array([0, 1])], 0), "window",
      "zero window"),
    V("embeddings_train", "skipgram_step",
      lambda m: m.skipgram_step(torch.ones(4, 5), torch.ones(4, 5), torch.tensor([0]), torch.tensor([1]),
                                torch.zeros(1, 2, dtype=torch.long), lr=-0.1), "lr", "negative lr"),
    V("embeddings_train", "train_glove", lambda m: m.train_glove(np.ones((3, 3)), dim=0), "dim", "zero dim"),
    V("embeddings_train", "train_bilm", lambda m: m.train_bilm([np.array([0, 1])], 2, epochs=0), "epochs",
      "zero epochs"),
    V("embeddings_train", "train_gensim_word2vec", lambda m: m.train_gensim_word2vec([["a", "b"]], dim=0), "dim",
      "zero dim"),
    V("embeddings_train", "softmax_skipgram_step",
      lambda m: m.softmax_skipgram_step(torch.ones(4, 5), torch.ones(4, 5), torch.tensor([0]), torch.tensor([1]),
                                        lr=0.0), "lr", "zero lr"),
    T("embeddings_train", "token_layers", lambda m: m.token_layers("a model", [np.array([0, 1])], 0), "model",
      "not a module"),
    V("embeddings_train", "train_elmo_probe", lambda m: m.train_elmo_probe(np.ones((3, 4, 5)), np.zeros(3, int)),
      "labels", "one label too few"),
    V("embeddings_text", "build_vocab", lambda m: m.build_vocab([]), "sentences", "empty corpus"),
    V("embeddings_space", "nearest_neighbours",
      lambda m: m.nearest_neighbours(np.full((3, 2), NAN), _vocab_vectors()[1], "a"), "vectors", "NaN vectors"),
    T("widgets.embeddings", "neighbour_explorer", lambda m: m.neighbour_explorer(np.ones((3, 2)), ["a", "b", "c"]),
      "vocab", "a list for the vocabulary"),
    V("widgets.embeddings", "neighbour_explorer",
      lambda m: m.neighbour_explorer(np.full((3, 2), NAN), _vocab_vectors()[1]), "vectors", "NaN vectors"),
    # --- chapter 08: GANs (latent size, learning rates, NaN losses, shapes) ---
    T("gan", "discriminator_loss", lambda m: m.discriminator_loss([0.5], np.zeros(2)), "real_logits", "a list"),
    V("gan", "discriminator_loss", lambda m: m.discriminator_loss(np.zeros(0), np.zeros(2)), "real_logits",
      "empty batch"),
    V("gan", "generator_loss", lambda m: m.generator_loss(np.zeros(3), "minimax"), "kind", "unknown kind"),
    V("gan", "generator_logit_gradient", lambda m: m.generator_logit_gradient(np.zeros(3), "wasserstein"), "kind",
      "unknown kind"),
    V("gan", "gaussian_pdf", lambda m: m.gaussian_pdf(np.zeros(3), std=0.0), "std", "zero std"),
    V("gan", "optimal_discriminator", lambda m: m.optimal_discriminator(np.array([-0.1]), np.array([0.2])),
      "p_data", "negative density"),
    V("gan", "gradient_penalty", lambda m: m.gradient_penalty(torch.nn.Linear(2, 1), torch.zeros(4, 2),
                                                              torch.zeros(3, 2)), "fake", "shapes differ"),
    V("gan", "check_latent", lambda m: m.check_latent(np.zeros((2, 8), np.float32), 16), "z", "latent size mismatch"),
    V("gan", "linear_gan_step", lambda m: m.linear_gan_step(np.ones(2), np.ones(2), np.ones(3), np.ones(3), 0.0),
      "lr", "zero learning rate"),
    V("gan", "block_output_shape", lambda m: m.block_output_shape((1, 1, 2, 2), 4, 5, 1, 0), "kernel",
      "kernel larger than the input"),
    T("gan", "dcgan_shapes", lambda m: m.dcgan_shapes("a model"), "model", "not a module"),
    V("gan_train", "ring_centres", lambda m: m.ring_centres(modes=0), "modes", "zero modes"),
    V("gan_train", "ring_mixture", lambda m: m.ring_mixture(10, std=-0.1), "std", "negative std"),
    V("gan_train", "mode_coverage", lambda m: m.mode_coverage(np.zeros((4, 2)), np.zeros((2, 2)), 0.1,
                                                              min_fraction=0.0), "min_fraction", "zero fraction"),
    V("gan_train", "train_gan", lambda m: m.train_gan(_module("gan").MLPGenerator(hidden=4),
                                                      _module("gan").MLPDiscriminator(hidden=4),
                                                      lambda b, g: torch.zeros(b, 2), steps=1, lr_g=0.0), "lr_g",
      "non-positive learning rate"),
    V("gan_train", "train_gan", lambda m: m.train_gan(_module("gan").MLPGenerator(hidden=4),
                                                      _module("gan").MLPDiscriminator(hidden=4),
                                                      lambda b, g: torch.full((b, 2), NAN), steps=3), "step",
      "NaN loss: says at which step"),
    V("gan_eval", "to_gan_range", lambda m: m.to_gan_range(np.full(3, NAN)), "images", "NaN image"),
    V("gan_eval", "to_unit_range", lambda m: m.to_unit_range(np.full(3, INF)), "images", "infinite image"),
    V("gan_eval", "digits_for_gan", lambda m: m.digits_for_gan(test_fraction=1.5), "test_fraction", "fraction > 1"),
    V("gan_eval", "classify", lambda m: m.classify(torch.nn.Linear(2, 2), np.zeros((2, 1, 4, 4))), "images",
      "not 8x8"),
    V("gan_eval", "nearest_neighbour_distances",
      lambda m: m.nearest_neighbour_distances(np.zeros((2, 8, 8)), np.zeros((3, 4, 4))), "queries|references",
      "image shapes differ"),
    V("gan_eval", "interpolate_latents", lambda m: m.interpolate_latents(np.zeros(3), np.zeros(4), np.zeros(2)),
      "z_a|z_b", "latent sizes differ"),
    T("widgets.gan", "latent_interpolation", lambda m: m.latent_interpolation("a model"), "generator",
      "not a generator"),
    V("widgets.gan", "training_view", lambda m: m.training_view({}), "runs", "no runs"),
    # --- upsampling (chapter 05) ---
    V("upsampling", "upsample_nearest", lambda m: m.upsample_nearest(np.ones((1, 1, 2, 2)), scale=0), "scale",
      "zero scale"),
    T("upsampling", "upsample_bilinear", lambda m: m.upsample_bilinear(np.ones((1, 1, 2, 2)), scale=2.0), "scale",
      "float scale"),
    V("upsampling", "phase_means", lambda m: m.phase_means(np.ones((1, 1, 8, 8)), stride=0), "stride", "zero stride"),
    V("upsampling", "checkerboard_amplitude", lambda m: m.checkerboard_amplitude(np.full((1, 1, 8, 8), NAN)), "y",
      "NaN in y"),
    # --- widgets whose builder checks what it is given ---
    T("widgets.segmentation", "layer_viewer", lambda m: m.layer_viewer("a model", np.ones((1, 3, 8, 8))), "model",
      "not a module"),
    T("widgets.segmentation", "scene_viewer",
      lambda m: m.scene_viewer(np.ones((1, 3, 8, 8)), np.ones((1, 8, 8)), np.ones((1, 2, 8, 8)), ("a", "b")),
      "targets", "float labels"),
    V("widgets.optim", "optimizer_comparison", lambda m: m.optimizer_comparison({}), "histories", "no histories"),
    T("widgets.cnn", "activation_viewer", lambda m: m.activation_viewer("a model", np.ones((1, 1, 8, 8)), ["0"]),
      "model", "not a module"),
    T("widgets.cnn", "filter_viewer", lambda m: m.filter_viewer("a model", np.ones((8, 8))), "model", "not a module"),
    V("segmentation", "prediction_view", lambda m: m.prediction_view(np.ones((3, 8, 8)), np.zeros((4, 4), int),
                                                                       np.ones((2, 8, 8))), "target", "shapes differ"),
    # --- chapter 10: neural style transfer (the bad inputs: channel counts, unknown layers
    # listed, negative weights, images over the size budget) ---
    V("style", "load_image", lambda m: m.load_image("mona_lisa"), "name", "not a bundled image"),
    V("style", "to_tensor", lambda m: m.to_tensor(np.ones((2, 2))), "image", "2-D array"),
    T("style", "to_image", lambda m: m.to_image([1, 2]), "x", "a list"),
    T("style", "layer_names", lambda m: m.layer_names("vgg"), "net", "a string"),
    V("style", "features", lambda m: m.features(_style_net(), np.ones((3, 8, 8)), ["conv9_9"]), "layers",
      "unknown layer name"),
    V("style", "features", lambda m: m.features(_style_net(), np.ones((1, 8, 8)), ["scale3"]), "x", "1 channel"),
    V("style", "check_images", lambda m: m.check_images(np.ones((3, 8, 8)), np.ones((1, 8, 8))), "style",
      "different channel counts"),
    V("style", "check_images", lambda m: m.check_images(np.ones((3, 300, 300)), np.ones((3, 8, 8))), "content",
      "larger than the budget"),
    V("style", "check_layer_weights", lambda m: m.check_layer_weights(_style_net(), {"scale3": -1.0}),
      "style_layers", "negative weight"),
    V("style", "content_cost", lambda m: m.content_cost(np.ones((2, 3, 3)), np.ones((2, 3, 4))), "a_G",
      "shapes differ"),
    V("style", "gram_matrix", lambda m: m.gram_matrix(np.ones((3, 3))), "a", "2-D activations"),
    V("style", "gram_matrix_loops", lambda m: m.gram_matrix_loops(np.ones(3)), "a", "1-D activations"),
    V("style", "layer_style_cost", lambda m: m.layer_style_cost(np.ones((2, 3, 3)), np.ones((3, 3, 3))), "a_S",
      "channel counts differ"),
    T("style", "style_cost", lambda m: m.style_cost({}, {}, ["relu1_1"]), "weights", "a list of weights"),
    V("style", "style_cost", lambda m: m.style_cost({"a": np.ones((1, 2, 2))}, {"a": np.ones((1, 2, 2))},
                                                    {"a": -1.0}), "weights", "negative lambda"),
    V("style", "total_cost", lambda m: m.total_cost(1.0, 1.0, alpha=-1.0), "alpha", "negative alpha"),
    V("style", "total_variation", lambda m: m.total_variation(np.ones((3, 3))), "x", "2-D image"),
    V("style", "content_cost_grad", lambda m: m.content_cost_grad(np.ones((2, 2, 2)), np.ones((2, 2, 3))), "a_G",
      "shapes differ"),
    V("style", "layer_style_cost_grad", lambda m: m.layer_style_cost_grad(np.ones((2, 2, 2)), np.ones((2, 2, 3))),
      "a_G", "shapes differ"),
    V("style_optimize", "style_targets", lambda m: m.style_targets(_style_net(), np.ones((3, 8, 8)), np.ones((3, 8, 8)),
                                                                   "conv4_2", ["scale3"]), "content_layer",
      "unknown content layer"),
    V("style_optimize", "style_targets", lambda m: m.style_targets(_style_net(), np.ones((3, 8, 8)), np.ones((3, 8, 8)),
                                                                   "scale3", ["scale3"], beta=-1.0), "beta",
      "negative beta"),
    T("style_optimize", "costs", lambda m: m.costs("targets", torch.ones(1, 3, 8, 8)), "targets", "a string"),
    V("style_optimize", "pixel_step", lambda m: m.pixel_step(torch.ones(1, 3, 4, 4), lambda g: g.sum(), lr=-1.0), "lr",
      "negative lr"),
    T("style_optimize", "transfer", lambda m: m.transfer("targets"), "targets", "a string"),
    V("style_optimize", "fast_stylize", lambda m: m.fast_stylize(torch.nn.Identity(), np.ones((3, 10, 10))), "image",
      "side not a multiple of 4"),
    V("models.style_nets", "named_vgg", lambda m: m.named_vgg(((4,),), in_channels=0), "in_channels", "zero channels"),
    T("models.style_nets", "load_vgg19", lambda m: m.load_vgg19(3), "path", "a number"),
    V("models.style_nets", "load_vgg19", lambda m: m.load_vgg19("/no/such/vgg19.pth"), "path", "no such file"),
    T("models.style_nets", "normalize_mean_activation", lambda m: m.normalize_mean_activation("net", torch.ones(1, 3, 4, 4)),
      "net", "a string"),
    V("models.style_nets", "feature_cnn", lambda m: m.feature_cnn(num_classes=1), "num_classes", "one class"),
    V("models.style_nets", "random_multiscale_net", lambda m: m.random_multiscale_net(sizes=(4,)), "sizes",
      "even kernel size"),
    T("widgets.style", "style_explorer", lambda m: m.style_explorer("grid"), "grid", "a string"),
    T("widgets.style", "replay_viewer", lambda m: m.replay_viewer("result"), "result", "a string"),
    T("widgets.style", "fast_style_viewer", lambda m: m.fast_style_viewer("net"), "transform", "a string"),
    # --- later additions: dropout, gradient checking, LRN, factorized convolutions ---
    V("dropout", "keep_prob_to_p", lambda m: m.keep_prob_to_p(0.0), "keep_prob", "keep nothing"),
    V("dropout", "dropout_forward", lambda m: m.dropout_forward(np.ones(3), 1.5, True, np.random.default_rng(0)), "p",
      "p above 1"),
    V("dropout", "dropout_backward", lambda m: m.dropout_backward(np.ones(3), np.ones(4)), "mask|dout",
      "shapes differ"),
    V("gradcheck", "rel_error", lambda m: m.rel_error(np.ones(3), np.ones(4)), "a|b", "shapes differ"),
    V("gradcheck", "numerical_gradient", lambda m: m.numerical_gradient(lambda v: float(v.sum()), np.ones(3), h=0.0),
      "h", "zero step"),
    V("gradcheck", "numerical_gradient_array",
      lambda m: m.numerical_gradient_array(lambda v: v * 2, np.ones(3), np.ones(4)), "dout", "dout of wrong shape"),
    V("gradcheck", "gradient_check", lambda m: m.gradient_check(lambda v: float(v.sum()), np.ones(3), np.ones(4)),
      "analytic", "analytic of wrong shape"),
    V("lrn", "torch_alpha", lambda m: m.torch_alpha(1e-4, 0), "n", "zero n"),
    V("lrn", "local_response_norm", lambda m: m.local_response_norm(torch.ones(1, 4, 3, 3), n=0), "n", "zero n"),
    V("factorization", "separable_kernel", lambda m: m.separable_kernel(np.ones((2, 2)), np.ones(3)), "col",
      "2-D col"),
    V("factorization", "kernel_rank", lambda m: m.kernel_rank(np.ones(3)), "kernel", "1-D kernel"),
    V("factorization", "best_separable_approximation", lambda m: m.best_separable_approximation(np.full((2, 2), NAN)),
      "kernel", "NaN kernel"),
    V("factorization", "factorized_conv", lambda m: m.factorized_conv(torch.ones(1, 1, 5, 5), torch.ones(2, 2),
                                                                       torch.ones(3)), "col", "2-D col"),
    V("models.bn_inception", "bn_inception_param_count",
      lambda m: m.bn_inception_param_count(0, 8, 8, 8, 8, 8, 8), "c_in", "zero c_in"),
    T("widgets.sequences", "gate_explorer", lambda m: m.gate_explorer("a model"), "model", "not a module"),
    T("widgets.sequences", "temperature_sampler", lambda m: m.temperature_sampler("a model", ["anna"]), "model",
      "not a module"),
    V("conv", "pool_output_size", lambda m: m.pool_output_size(6, 3, p=2), "p|padding", "padding above half the window"),
    T("conv", "pool_output_size", lambda m: m.pool_output_size(6, 3, ceil_mode=1), "ceil_mode", "1 for True"),
    # --- drift named in the issue: one contract everywhere ---
    # a bool or a float where an integer is needed -> TypeError
    T("course_lib", "setup", lambda m: m.setup(threads=True), "threads", "threads=True"),
    T("course_lib", "setup", lambda m: m.setup(threads=2.0), "threads", "float threads"),
    T("course_lib", "setup", lambda m: m.setup(style="yes"), "style", "text for a bool"),
    T("course_lib", "record_metric", lambda m: m.record_metric(3, 0.5), "name", "number for a name"),
    V("course_lib", "record_metric", lambda m: m.record_metric("acc", NAN), "value", "NaN value"),
    T("course_lib", "record_metric", lambda m: m.record_metric("acc", 0.5, unit=1), "unit", "number for a unit"),
    V("course_lib", "device", lambda m: _with_env("COURSE_DEVICE", "gpu", m.device), "COURSE_DEVICE",
      "COURSE_DEVICE=gpu"),
    T("data", "digits_split", lambda m: m.digits_split(size=8.0), "size", "float size"),
    T("data", "digits_split", lambda m: m.digits_split(test_fraction="0.2"), "test_fraction", "text fraction"),
    T("data", "sample_image", lambda m: m.sample_image(3), "name", "number for a name"),
    T("data", "sample_image", lambda m: m.sample_image(gray=1), "gray", "1 for True"),
    T("conv", "conv2d_naive", lambda m: m.conv2d_naive(X, W, stride=1.0), "stride", "float stride"),
    T("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X, W, padding=(1, 1.5)), "padding", "float padding"),
    T("conv", "im2col", lambda m: m.im2col(X, 3.0, 3), "kh", "float kh"),
    T("conv", "max_pool2d", lambda m: m.max_pool2d(X, 2.0), "f", "float f"),
    T("conv", "conv_param_count", lambda m: m.conv_param_count(3.0, 3, 8), "f", "float f"),
    T("conv", "conv_transpose_output_size", lambda m: m.conv_transpose_output_size(2, 3, s=True), "s", "bool s"),
    T("conv", "receptive_field", lambda m: m.receptive_field([3, 3]), "layers", "ints, not (f, s) pairs"),
    T("conv", "pool_forward", lambda m: m.pool_forward(X, 2, mode=1), "mode", "number for a mode"),
    T("conv", "col2im", lambda m: m.col2im(np.ones((2, 27, 16)), 24, 3, 3), "x_shape", "int for a shape"),
    T("backprop", "init_std", lambda m: m.init_std("he", 3.0, 4), "n_in", "float n_in"),
    T("backprop", "train_softmax_regression",
      lambda m: m.train_softmax_regression(np.ones((6, 4)), np.zeros(6, int), 3, batch_size=2.5), "batch_size",
      "float batch_size"),
    T("backprop", "softmax_cross_entropy",
      lambda m: m.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), "y", "float labels"),
    T("normalization", "batchnorm_forward", lambda m: m.batchnorm_forward(*_bn_inputs(), training="yes"),
      "training", "text for a bool"),
    T("optim", "gradient_descent_1d", lambda m: m.gradient_descent_1d(lambda w: w, 0.0, 0.1, 2.0), "steps",
      "float steps"),
    T("optim", "adam_step", lambda m: m.adam_step(np.ones(3), np.ones(3), np.zeros(3), np.zeros(3), t=1.0), "t",
      "float t"),
    T("optim", "lr_staircase", lambda m: m.lr_staircase(3, 0.2, step_size=2.0), "step_size", "float step_size"),
    T("optim", "sample_beta", lambda m: m.sample_beta(np.random.default_rng(0), 0.9, 0.999, 3.0), "n", "float n"),
    T("optim", "sample_log_uniform", lambda m: m.sample_log_uniform(0, 1e-3, 1.0, 5), "rng", "a seed, not a Generator"),
    T("optim", "random_points", lambda m: m.random_points(np.random.default_rng(0), "abc", 3), "samplers",
      "text for samplers"),
    V("optim", "surface_grid", lambda m: m.surface_grid("saddle", n=1), "n", "a 1-point grid"),
    T("optim", "optimizer_trajectory", lambda m: m.optimizer_trajectory("saddle", "adam", 0.1, 10.0), "steps",
      "float steps"),
    T("optim", "optimizer_trajectory", lambda m: m.optimizer_trajectory("saddle", "adam", "0.1", 10), "lr",
      "text lr"),
    T("optim", "ScratchOptimizer", lambda m: m.ScratchOptimizer(_mlp().parameters(), lr="fast"), "lr", "text lr"),
    T("train", "fit", lambda m: m.fit(_mlp(), _xy(), epochs=2.5, progress=False), "epochs", "float epochs"),
    T("train", "fit", lambda m: m.fit(_mlp(), _xy()[0], epochs=1, progress=False), "train", "x without y"),
    T("train", "fit", lambda m: m.fit(_mlp(), (_xy()[0].tolist(), _xy()[1]), epochs=1, progress=False), "x|list",
      "a list for x"),
    T("train", "fit", lambda m: m.fit(_mlp(), _xy(), epochs=1, progress=False, device=0), "device", "0 for a device"),
    V("train", "fit", lambda m: m.fit(_mlp(), _xy(), epochs=1, progress=False, device="tpu"), "device",
      "unknown device"),
    V("train", "evaluate", lambda m: m.evaluate(_mlp(), *_xy(), device="gpu"), "device", "unknown device"),
    T("optim", "history_curves", lambda m: m.history_curves({"a": m.History()}, metric=3), "metric",
      "number for a metric"),
    T("models", "lenet5", lambda m: m.lenet5(num_classes=10.0), "num_classes", "float num_classes"),
    T("models", "resnet18", lambda m: m.resnet18(num_classes=True), "num_classes", "bool num_classes"),
    # a list where an array is -> TypeError
    T("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X.tolist(), W), "x", "a list for x"),
    T("conv", "conv_single_step", lambda m: m.conv_single_step("abc", W[0]), "a_slice", "text for a_slice"),
    T("backprop", "sigmoid", lambda m: m.sigmoid([0.0, 1.0]), "z", "a list for z"),
    T("optim", "ewma", lambda m: m.ewma([1.0, 2.0], 0.9), "values", "a list for values"),
    # inf refused by array inputs everywhere -> ValueError
    V("conv", "conv2d_naive", lambda m: m.conv2d_naive(X_INF, W), "x", "inf in x"),
    V("conv", "conv2d_im2col", lambda m: m.conv2d_im2col(X, W, np.full(4, INF)), "b", "inf in b"),
    V("conv", "im2col", lambda m: m.im2col(X_INF, 3, 3), "x", "inf in x"),
    V("conv", "conv1d", lambda m: m.conv1d(X_INF[:, :, 4], W[:, :, 0]), "x", "inf in x"),
    V("conv", "zero_pad", lambda m: m.zero_pad(X_INF, 1), "x", "inf in x"),
    V("conv", "max_pool2d", lambda m: m.max_pool2d(X_INF, 2), "x", "inf in x"),
    V("conv", "lp_pool2d", lambda m: m.lp_pool2d(X, 2, p=INF), "p", "p = inf"),
    V("conv", "conv_transpose2d", lambda m: m.conv_transpose2d(X_INF, WT), "x", "inf in x"),
    V("backprop", "sigmoid", lambda m: m.sigmoid(np.array([0.0, INF])), "z", "inf in z"),
    V("backprop", "logistic_forward", lambda m: m.logistic_forward(np.full((5, 3), INF), np.ones(3), 0.0), "x",
      "inf in x"),
    V("normalization", "batchnorm_forward", lambda m: m.batchnorm_forward(np.full((8, 3), INF), *_bn_inputs()[1:]),
      "x", "inf in x"),
    V("optim", "ewma", lambda m: m.ewma(np.array([1.0, INF]), 0.9), "values", "inf in values"),
    V("optim", "sgd_step", lambda m: m.sgd_step(np.ones(3), np.ones(3), INF), "lr", "inf lr"),
    V("train", "fit", lambda m: m.fit(_mlp(), _xy(inf=True), epochs=1, progress=False), "x", "inf in x"),
    V("train", "evaluate", lambda m: m.evaluate(_mlp(), *_xy(inf=True)), "x", "inf in x"),
    # --- chapter 09: faces (wrong shapes, empty database, threshold out of range, one image per identity) ---
    T("face_gen", "faces", lambda m: m.faces(2.0), "identities", "a float count"),
    V("face_gen", "faces", lambda m: m.faces(2, nuisance=3.0), "nuisance", "nuisance above 2"),
    V("face_gen", "identity_factors", lambda m: m.identity_factors(np.array([-1])), "identities", "negative id"),
    V("face_gen", "identity_split", lambda m: m.identity_split(0, 1, 1), "train", "no training identities"),
    V("face_gen", "augment_faces", lambda m: m.augment_faces(np.ones((2, 3, 8, 8))), "images", "RGB, not grey"),
    V("face_gen", "lfw_identities", lambda m: m.lfw_identities(per_image=0), "per_image", "zero copies"),
    T("face_gen", "olivetti_faces", lambda m: m.olivetti_faces(data_home=3), "data_home", "a number for a folder"),
    V("face_gen", "lfw_people", lambda m: m.lfw_people(min_faces_per_person=0), "min_faces_per_person", "zero"),
    V("faces", "false_accept_probability", lambda m: m.false_accept_probability(1.5, 10), "fpr", "rate above 1"),
    V("faces", "make_pairs", lambda m: m.make_pairs(np.arange(4), 3, np.random.default_rng(0)), "labels",
      "every identity has one image: no same pair"),
    V("faces", "pair_distances", lambda m: m.pair_distances(np.ones((3, 4)), np.ones((3, 5))), "b", "shapes differ"),
    V("faces", "pair_features", lambda m: m.pair_features(np.ones((3, 4)), np.ones((3, 4)), "sq"), "kind",
      "unknown kind"),
    V("faces", "verify", lambda m: m.verify(np.array([0.2, 0.5]), -0.1), "threshold", "negative threshold"),
    V("faces", "confusion_counts", lambda m: m.confusion_counts(np.ones(3), np.ones(2, bool), 0.5), "same",
      "lengths differ"),
    T("faces", "roc_point", lambda m: m.roc_point(np.ones(3), np.ones(3), 0.5), "same", "floats, not booleans"),
    V("faces", "roc_curve", lambda m: m.roc_curve(np.ones(3), np.ones(3, bool)), "same", "only same pairs"),
    V("faces", "roc_auc", lambda m: m.roc_auc(np.array([0.0, 1.0, 0.5]), np.ones(3)), "fpr", "not increasing"),
    V("faces", "choose_threshold", lambda m: m.choose_threshold(np.array([-1.0, 0.5]), np.ones(2, bool)),
      "distances", "negative distance"),
    V("faces", "verification_accuracy", lambda m: m.verification_accuracy(np.ones(2), np.ones(2, bool), INF),
      "threshold", "inf threshold"),
    V("faces", "recognize", lambda m: m.recognize(np.ones((1, 2)), np.zeros((0, 2)), np.zeros(0, np.int64), 0.5),
      "database", "empty database"),
    V("faces", "threshold_state", lambda m: m.threshold_state(np.ones((2, 2)), np.ones(2, bool), 0.5), "distances",
      "2-D distances"),
    V("faces", "recognition_state", lambda m: m.recognition_state(0, np.ones((2, 3)), np.arange(2), np.ones((0, 3)),
                                                                  np.zeros(0, np.int64), 0.5), "database",
      "empty database"),
    V("faces_classical", "flatten_faces", lambda m: m.flatten_faces(np.ones((2, 3, 8, 8))), "images",
      "three channels"),
    V("faces_classical", "pca_fit", lambda m: m.pca_fit(np.ones((5, 4)), 6), "k", "more components than rows"),
    T("faces_classical", "project", lambda m: m.project(np.ones((2, 3)), (np.zeros(3), np.eye(3))), "projection",
      "a tuple, not a Projection"),
    T("faces_classical", "reconstruct", lambda m: m.reconstruct(np.ones((2, 3)), "pca"), "projection", "a string"),
    V("faces_classical", "lda_fit", lambda m: m.lda_fit(np.ones((4, 3)), np.zeros(4, np.int64)), "labels",
      "one identity"),
    V("faces_classical", "fisherfaces_fit", lambda m: m.fisherfaces_fit(np.ones((4, 3)), np.arange(4)), "n_pca",
      "one image per identity: N - c = 0"),
    V("faces_classical", "svm_on_projections",
      lambda m: m.svm_on_projections(np.ones((4, 3)), np.arange(4), np.ones((2, 5))), "z_test", "columns differ"),
    V("faces_metric", "embed", lambda m: m.embed(m.FaceEmbedder(2, 4), np.ones((2, 32, 32), np.float32)), "images",
      "no channel axis"),
    V("faces_metric", "triplet_loss", lambda m: m.triplet_loss(torch.ones(3, 4), torch.ones(3, 4), torch.ones(2, 4)),
      "negative", "shapes differ"),
    T("faces_metric", "batch_all_triplet_loss", lambda m: m.batch_all_triplet_loss(torch.ones(3, 4), [0, 0, 1]),
      "labels", "a list"),
    V("faces_metric", "distance_matrix", lambda m: m.distance_matrix(np.ones(4)), "embeddings", "1-D"),
    V("faces_metric", "random_triplets", lambda m: m.random_triplets(np.arange(4), 2, np.random.default_rng(0)),
      "labels", "one image per identity"),
    V("faces_metric", "batch_hard_triplets", lambda m: m.batch_hard_triplets(np.ones((3, 4)), np.arange(3)),
      "distances", "not square"),
    V("faces_metric", "semi_hard_triplets", lambda m: m.semi_hard_triplets(np.ones((3, 3)), np.arange(3), -0.1),
      "margin", "negative margin"),
    V("faces_metric", "triplet_losses", lambda m: m.triplet_losses(np.ones((3, 3)), np.array([[0, 1]])), "triplets",
      "two columns"),
    V("faces_metric", "zero_loss_fraction",
      lambda m: m.zero_loss_fraction(np.ones((3, 3)), np.zeros((0, 3), np.int64)), "triplets", "no triplets"),
    T("faces_metric", "save_embedder", lambda m: m.save_embedder(_mlp(), "/tmp/x.pt"), "model", "not a FaceEmbedder"),
    V("faces_metric", "load_embedder", lambda m: m.load_embedder("/nonexistent/face.pt"), "path", "missing file"),
    # --- _checks: each validator keeps the contract itself ---
    T("_checks", "integer", lambda m: m.integer(3.0, "k"), "k", "3.0 for an int"),
    V("_checks", "integers", lambda m: m.integers((1, 2, 3), "stride", 2), "stride", "3 entries for 2 axes"),
    T("_checks", "number", lambda m: m.number("1", "lr"), "lr", "text for a number"),
    V("_checks", "positive", lambda m: m.positive(-1, "lr"), "lr", "negative"),
    V("_checks", "beta", lambda m: m.beta(1.0, "beta"), "beta", "beta = 1"),
    V("_checks", "fraction", lambda m: m.fraction(0, "width"), "width", "zero"),
    V("_checks", "text", lambda m: m.text(" ", "name"), "name", "blank"),
    T("_checks", "boolean", lambda m: m.boolean(1, "flag"), "flag", "1 for True"),
    V("_checks", "choice", lambda m: m.choice("median", "mode", ("max", "avg")), "mode", "unknown choice"),
    T("_checks", "real_array", lambda m: m.real_array([1.0], "x"), "x", "a list"),
    T("_checks", "labels", lambda m: m.labels(np.array([0.5]), "y", 3), "y", "float labels"),
    T("_checks", "tensor", lambda m: m.tensor([1.0], "x"), "x", "a list"),
    V("_checks", "same_shape", lambda m: m.same_shape(np.ones(2), np.ones(3), "dw"), "dw", "shapes differ"),
    V("_checks", "ndim", lambda m: m.ndim(np.ones(2), "x", 4), "x", "1 axis for 4"),
    T("_checks", "generator", lambda m: m.generator(0, "rng"), "rng", "a seed"),
    V("_checks", "torch_device", lambda m: m.torch_device("tpu"), "device", "unknown device"),
    T("_checks", "module", lambda m: m.module(lambda t: t, "model"), "model", "a function"),
]

# Cases that modules owned by other chapters do not meet yet. They run as xfail(strict=True):
# reported as expected failures, never as passes, and the suite turns red the day one is fixed,
# so the entry is removed here and the case holds from then on.
KNOWN_VIOLATIONS = {
}

# Public functions that need no bad-input case, each with the reason. Keys are the function's
# home, "<module>.<name>" under course_lib (where it is defined, not where it is re-exported).
_NEVER_RAISES = ("widget state function documented never to raise: an impossible setting gives a message "
                 "(ok=False) for the widget to show")
_SLIDERS = ("widget builder whose arguments are the sliders' start values; an impossible setting is shown "
            "as a message by the state function (tests/test_widgets_<KEY>.py), it does not raise")
_DRAWS = ("presentation (plots/): draws a figure from values that a topic-module function computed and "
          "checked, where the learner's mistake is caught; tested in tests/test_widgets_<KEY>.py")
_GRADING = ("grading pipeline: called by the notebooks' locked test cells and by make release / make grade "
            "with teacher input, not with a learner's values; tested in tests/test_grading_*.py")
_FED_BY_NOTEBOOK = ("widget builder fed with the chapter's own model output (e.g. detection_yolo.raw_detections), "
                    "not a learner's values; its slider settings go through a never-raising state function")
_WIDGET_HELPER = "widgets/_base helper used by widget code (HTML escaping, styling, timing), never by a learner"
EXEMPT = {
    "data.load_digits": "takes no arguments",
    "data.census_first_names": "takes no arguments",
    "embeddings_corpus.lee_corpus": "takes no arguments",
    "conv_arithmetic.explorer_state": _NEVER_RAISES + " (tested below)",
    "visualize.activation_view": _NEVER_RAISES + " (tested below)",
    "visualize.filter_view": _NEVER_RAISES,
    "detection.iou_explorer_state": _NEVER_RAISES,
    "detection.nms_explorer_state": _NEVER_RAISES,
    "detection.viewer_state": _NEVER_RAISES,
    "embeddings_space.explorer_state": _NEVER_RAISES,
    "char_lm.temperature_state": _NEVER_RAISES,
    "widgets.conv.conv_explorer": _SLIDERS,
    "widgets.optim.optimizer_trajectories": _SLIDERS,
    "widgets.start.slider_check": "00_start_here's demo slider: its one argument is the start value, "
                                  "checked by ipywidgets itself",
    "optim.grid_points": "takes two sequences of candidate values (the notebook passes lists); any numbers form a grid",
    "models.blocks.scaled": "channel-width helper; the constructors check width themselves (cases above)",
    "models.blocks.count_parameters": "any nn.Module is valid",
    "models.resnet.identity_block": "wrapper of a residual block's forward; torch reports shape errors",
    "models.resnet.convolutional_block": "wrapper of a residual block's forward; torch reports shape errors",
    "models.save_models": "teacher/notebook plumbing (files), not learner input",
    "models.load_reduced_models": "teacher/notebook plumbing (files), not learner input",
    "detection_yolo.load_tiny_yolo": "notebook plumbing: loads the committed checkpoint, not learner input",
    "models.unet.load_unets": "notebook plumbing: loads the committed checkpoint, not learner input",
    "widgets.detection.iou_explorer": _SLIDERS,
    "widgets.detection.nms_explorer": _FED_BY_NOTEBOOK,
    "widgets.detection.detection_viewer": _FED_BY_NOTEBOOK,
    "style_optimize.grid_state": _NEVER_RAISES,
    "style_optimize.replay_state": _NEVER_RAISES,
    "style_optimize.load_style_grid": "notebook plumbing: loads the committed grid file, not learner input",
    "models.style_nets.vgg19_features": "takes no arguments (VGG-19's fixed layout)",
    "models.style_nets.save_style_nets": "teacher/notebook plumbing (files), not learner input",
    "models.style_nets.load_style_nets": "notebook plumbing: loads the committed checkpoints, not learner input",
    **{f"plots.style.{name}": _DRAWS for name in (
        "show_images", "plot_costs", "plot_grid", "plot_colour_patches", "explorer_figure", "draw_explorer",
        "replay_figure", "draw_replay", "fast_figure", "draw_fast")},
    "face_gen.lfw_subset_faces": "takes no arguments",
    "widgets.faces.threshold_explorer": _FED_BY_NOTEBOOK,
    "widgets.faces.recognition_viewer": _FED_BY_NOTEBOOK,
    "gan_train.training_view_state": _NEVER_RAISES,
    "gan_eval.interpolation_state": _NEVER_RAISES,
    "gan_eval.save_gan_checkpoint": "teacher plumbing (data/train_gan.py writes the file), not learner input",
    "gan_eval.load_gan_checkpoint": "notebook plumbing: loads the committed checkpoint, not learner input",
    **{f"plots.gan.{name}": _DRAWS for name in (
        "plot_optimal_discriminator", "plot_generator_gradients", "plot_mixture_runs", "show_digits",
        "training_view_figure", "draw_training_view", "interpolation_figure", "draw_interpolation")},
    **{f"widgets._base.{name}": _WIDGET_HELPER for name in ("escape", "styled", "timed")},
    **{f"plots.{name}": _DRAWS for name in (
        "_figure.cache_background", "_figure.figure_png", "_figure.grid_axes", "_figure.image_extent",
        "_figure.label_axes", "_figure.no_ticks", "_figure.snapshot_row", "_figure.widget_figure",
        "cnn.activation_viewer_figure", "cnn.draw_activation_viewer", "cnn.draw_filter_viewer",
        "cnn.filter_viewer_figure", "cnn.kernel_boxes", "cnn.plot_activation_maps", "cnn.plot_filters",
        "cnn.plot_top_patches",
        "detection.draw_iou_explorer", "detection.draw_nms", "detection.draw_viewer",
        "detection.iou_explorer_figure", "detection.nms_figure", "detection.plot_anchors",
        "detection.plot_pr_curves", "detection.plot_yolo_grid", "detection.show_scenes", "detection.viewer_figure",
        "faces.show_faces", "faces.show_components", "faces.plot_roc", "faces.plot_distance_histograms",
        "faces.plot_compounding", "faces.threshold_figure", "faces.draw_threshold", "faces.recognition_figure",
        "faces.draw_recognition",
        "sequences.draw_gate_explorer", "sequences.draw_io_structures", "sequences.draw_temperature",
        "sequences.gate_explorer_figure", "sequences.plot_bpc_history", "sequences.plot_gate_heatmaps",
        "sequences.plot_gradient_norms", "sequences.plot_memory_sweep", "sequences.temperature_figure",
        "diagrams.inception_module_diagram", "diagrams.residual_block_diagram",
        "embeddings.draw_explorer", "embeddings.explorer_figure", "embeddings.plot_glove_weight",
        "embeddings.plot_projection", "embeddings.plot_sampling_distributions", "embeddings.plot_training",
        "embeddings.plot_update_cost",
        "conv.bar_counts", "conv.conv_explorer_figure", "conv.draw_conv_explorer", "conv.draw_filter_playground",
        "conv.filter_playground_figure", "conv.show_grid_values", "conv.show_images",
        "optim.comparison_figure", "optim.curve_limits", "optim.curves_figure", "optim.draw_curves",
        "optim.draw_trajectories", "optim.plot_activations", "optim.plot_curves", "optim.plot_descent_1d",
        "optim.plot_history", "optim.plot_layer_statistics", "optim.plot_search", "optim.trajectory_figure",
        "segmentation.boundary_comparison", "segmentation.class_cmap", "segmentation.class_legend",
        "segmentation.draw_layer_viewer", "segmentation.draw_scene_viewer", "segmentation.layer_viewer_figure",
        "segmentation.scene_viewer_figure", "segmentation.task_comparison", "segmentation.unet_diagram",
    )},
    **{f"grading.{name}": _GRADING for name in (
        "checks.check_array", "check_function", "check_not_calling", "checks.check_value", "random_cases",
        "checks.rel_error",
        "autograde.exercise_notebooks", "autograde.main", "autograde.release",
        "judge.begin_cell", "judge.extract_code", "judge.load_outcomes", "judge.record", "judge.recording",
        "judge.score_all", "judge.static_hits", "judge.verdict", "judge.write_index",
        "report.format_points", "report.write_feedback", "report.write_grades_csv",
        "rules.rule_for", "runner.main",
        "sandbox.available", "sandbox.hidden_paths", "sandbox.run",
        "submission.error_text", "submission.failure", "submission.finish", "submission.first_line",
        "submission.run_sandboxed",
    )},
}


def _module(name: str):
    if name == "course_lib":
        return course_lib
    try:
        return importlib.import_module(f"course_lib.{name}")
    except ImportError as exc:  # a renamed or broken module must not pass as skipped
        pytest.fail(f"course_lib.{name} cannot be imported ({exc})")


def _home(obj) -> str:
    """Where a function or class is defined, relative to course_lib: 'conv_fast.im2col'."""
    return f"{obj.__module__}.{obj.__name__}".removeprefix("course_lib.")


def _params():
    for c in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_VIOLATIONS[c.id])] if c.id in KNOWN_VIOLATIONS else []
        yield pytest.param(c, id=c.id, marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input_raises_the_contract_type_with_a_sentence_naming_the_argument(case):
    mod = _module(case.module)
    if not hasattr(mod, case.func):
        pytest.fail(f"course_lib.{case.module}.{case.func} does not exist: update this case")
    with pytest.raises(Exception) as info:
        case.call(mod)
    exc = info.value
    msg = str(exc)
    last = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{Path(last.filename).name}:{last.lineno} ({last.name})"
    assert type(exc) is case.error, \
        f"{type(exc).__name__} instead of {case.error.__name__} ({case.what}), raised at {where}: {msg}"
    assert Path(last.filename).resolve().is_relative_to(COURSE_LIB), \
        f"raised from outside course_lib, at {last.filename}:{last.lineno}: {type(exc).__name__}: {msg}"
    assert re.search(rf"\b(?:{case.arg})\b", msg, re.IGNORECASE), \
        f"the message does not name the argument ({case.arg}): {type(exc).__name__}: {msg}"
    assert len(msg.split()) >= 4, f"not a sentence: {msg!r}"


# numpy integers are accepted wherever Python ints are (a size computed with numpy is an np.int64)
I10, I3 = np.int64(10), np.int32(3)
NUMPY_INTS = [
    ("models", lambda m: m.lenet5(num_classes=I10)),
    ("models", lambda m: m.alexnet(num_classes=I10)),
    ("models", lambda m: m.vgg16(num_classes=I10, in_channels=np.int64(1))),
    ("models", lambda m: m.resnet18(num_classes=I10)),
    ("models", lambda m: m.googlenet(num_classes=I10)),
    ("conv", lambda m: m.conv_output_size(np.int64(6), I3, p=np.int64(1), s=np.int64(2))),
    ("conv", lambda m: m.conv2d_im2col(X, W, stride=np.int64(2), padding=(I3, np.int64(0)))),
    ("conv", lambda m: m.max_pool2d(X, np.int64(2))),
    ("optim", lambda m: m.lr_staircase(np.int64(12), 0.2, step_size=I3)),
    ("optim", lambda m: m.adam_step(np.ones(3), np.ones(3), np.zeros(3), np.zeros(3), np.int64(1))),
    ("backprop", lambda m: m.init_std("he", np.int64(300), np.int64(200))),
    ("data", lambda m: m.digits_split(seed=np.int64(1))),
    ("train", lambda m: m.fit(_mlp(), _xy(), epochs=np.int64(1), batch_size=np.int64(8), seed=np.int64(2),
                              progress=False)),
]


@pytest.mark.parametrize("module, call", NUMPY_INTS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(NUMPY_INTS)])
def test_numpy_integers_are_accepted_wherever_python_ints_are(module, call):
    assert call(_module(module)) is not None


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


def _public_functions() -> dict[str, object]:
    """Every public function defined in course_lib, its package ``__init__`` and every module
    and subpackage below it, by home ('conv_fast.im2col'). Re-exports count once, at home."""
    modules = [course_lib]
    for info in pkgutil.walk_packages(course_lib.__path__, prefix="course_lib."):
        try:
            modules.append(importlib.import_module(info.name))
        except Exception as exc:  # noqa: BLE001 - a module that does not import must fail loudly
            pytest.fail(f"{info.name} cannot be imported ({type(exc).__name__}: {exc})")
    found = {}
    for mod in modules:
        for name, obj in vars(mod).items():
            if not name.startswith("_") and inspect.isfunction(obj) and obj.__module__ == mod.__name__:
                found[_home(obj)] = obj
    return found


def test_every_public_function_has_a_bad_input_case_or_a_reason():
    public = _public_functions()
    assert len(public) > 100, f"the walker found only {len(public)} functions: is it walking course_lib?"
    covered = set()
    for c in CASES:
        obj = getattr(_module(c.module), c.func, None)
        if obj is not None:
            covered.add(_home(obj))
    missing = sorted(k for k in public if k not in covered and k not in EXEMPT)
    assert missing == [], ("public functions without a learner bad-input case in "
                           f"tests/test_learner_errors.py (add one, or a reason to EXEMPT): {missing}")


def test_exemptions_name_existing_functions_without_a_case():
    public = _public_functions()
    covered = {_home(getattr(_module(c.module), c.func)) for c in CASES if hasattr(_module(c.module), c.func)}
    stale = sorted(k for k in EXEMPT if k not in public)
    both = sorted(k for k in EXEMPT if k in covered)
    assert stale == [], f"EXEMPT names functions that no longer exist (renamed or moved?): {stale}"
    assert both == [], f"EXEMPT names functions that have a case (drop the exemption): {both}"
    assert all(isinstance(r, str) and len(r.split()) >= 3 for r in EXEMPT.values()), "every exemption states a reason"


def test_known_violations_name_existing_cases():
    ids = {c.id for c in CASES}
    assert sorted(set(KNOWN_VIOLATIONS) - ids) == [], "KNOWN_VIOLATIONS names a case that does not exist"
    assert len(ids) == len(CASES), "two cases share an id"
