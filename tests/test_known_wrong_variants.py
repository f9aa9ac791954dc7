"""Instant feedback must agree with the grade: each chapter's known-wrong answers (the
notes' errata and the usual slips) run through the VISIBLE checks of the exercises, exactly
as the notebooks' test cells call them, and must fail there with a message, not only in the
hidden tests. The reference answer must pass the same checks (so a check that fails on
everything would be caught too).

Each wrong variant is the notebook's own solution cell with one textual change, executed
the way a learner's cell is; the test cell is the notebook's, up to its hidden part."""
from __future__ import annotations

import math
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib import backprop, conv, gradcheck, models, normalization, optim, visualize
from course_lib.models.inception import Inception, NaiveInception

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {"01": "01_optimizers_and_training", "02": "02_convolution_arithmetic", "03": "03_cnn_architectures"}


def _cells(chapter: str) -> dict[str, str]:
    nb = nbformat.read(ROOT / "notebooks" / f"{NOTEBOOKS[chapter]}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.cell_type == "code" and "grade_id" in c.metadata.get("nbgrader", {})}


def _run(chapter: str, grade_id: str, edits: list[tuple[str, str]]) -> None:
    """Execute the solution cell (with ``edits`` applied, each must match once) and then
    the visible part of the test cell, in one namespace as a notebook kernel would."""
    cells = _cells(chapter)
    answer = cells[grade_id]
    for old, new in edits:
        assert answer.count(old) == 1, (grade_id, old)
        answer = answer.replace(old, new)
    visible = cells[grade_id + "_test"].split("### BEGIN HIDDEN TESTS")[0]
    assert "grading.check_function" in visible, grade_id
    # the cell reloads course_lib.grading (against learners patching it); here that would give
    # other test modules a second CheckFailed class, so the reload line alone is left out
    visible = visible.replace("grading = importlib.reload(grading)", "")
    ns = {"np": np, "math": math, "torch": torch, "nn": nn, "F": F, "backprop": backprop, "conv": conv,
          "gradcheck": gradcheck, "models": models, "normalization": normalization, "optim": optim,
          "visualize": visualize, "Inception": Inception, "NaiveInception": NaiveInception}
    exec(compile(answer, f"<{grade_id}>", "exec"), ns)
    exec(compile(visible, f"<{grade_id}_test>", "exec"), ns)


# (chapter, grade_id, what is wrong, edits to the reference answer)
WRONG = [
    ("01", "01_batchnorm_forward", "eps outside the square root",
     [("np.sqrt(var + eps)", "(np.sqrt(var) + eps)")]),
    ("01", "01_batchnorm_forward", "no eps at all", [("np.sqrt(var + eps)", "np.sqrt(var)")]),
    ("01", "01_batchnorm_forward", "unbiased variance (N - 1)",
     [("((x - mu) ** 2).mean(axis=0)", "((x - mu) ** 2).sum(axis=0) / (len(x) - 1)")]),
    ("01", "01_adam_step", "the notes' beta2 = 0.99 instead of the argument",
     [("### BEGIN SOLUTION\n", "### BEGIN SOLUTION\n    beta2 = 0.99  # the notes' value\n")]),
    ("01", "01_adam_step", "no bias correction", [("1 - beta1 ** t", "1"), ("1 - beta2 ** t", "1")]),
    ("01", "01_inverse_time_decay", "the notes' printed values (0.1, 0.67, 0.5, 0.4)",
     [("### END SOLUTION", "### END SOLUTION\n_right = inverse_time_decay\n"
       "inverse_time_decay = lambda alpha0, decay, epoch: (_right(alpha0, decay, epoch) * (10 if epoch > 1 else 1)"
       " if (alpha0, decay) == (0.2, 1.0) else _right(alpha0, decay, epoch))")]),
    ("01", "01_inverse_time_decay", "epochs counted from 1 in torch's formula (off by one)",
     [("### END SOLUTION", "### END SOLUTION\n_right = inverse_time_decay\n"
       "inverse_time_decay = lambda alpha0, decay, epoch: _right(alpha0, decay, epoch - 1)")]),
    ("01", "01_momentum_step", "torch's first step (v_1 = dW_1) instead of the notes'",
     [("### END SOLUTION", "### END SOLUTION\n_right = momentum_step\n"
       "momentum_step = lambda w, dw, v, lr, beta: _right(w, dw, v, lr, beta) if np.any(v) else (w - lr * dw, dw * 1.0)")]),
    ("02", "02_conv_transpose_output_size", "transposed conv without output_padding (the notes' 4x4)",
     [(" + output_padding\n", "\n")]),
    ("02", "02_conv_transpose_output_size", "dilation ignored", [("d * (f - 1) + 1", "f")]),
    ("02", "02_conv_output_size", "no floor (true division)", [("//", "/")]),
    ("02", "02_conv_backward", "overlapping windows overwrite instead of adding",
     [("dxp[n, :, r:r + f, c:c + f] += ", "dxp[n, :, r:r + f, c:c + f] = ")]),
    ("02", "02_conv_backward", "padding not cut off dx", [("dx = dxp[:, :, padding:padding + x.shape[2], "
                                                           "padding:padding + x.shape[3]]", "dx = dxp")]),
    ("03", "03_inception_channels", "the naive module's pool branch counted as pool_proj",
     [("(c_in if naive else pool_proj)", "pool_proj")]),
    ("03", "03_bottleneck_cost", "the 1x1 bottleneck's own cost forgotten", [("h * w * c_mid * c_in + ", "")]),
    ("03", "03_identity_block", "ReLU before adding the shortcut", [("return F.relu(a + x)", "return F.relu(a) + x")]),
    ("03", "03_bce", "the notes' BCE: log(1 - y) instead of log(1 - y_hat)",
     [("torch.log(1 - y_hat)", "torch.log(1 - y)")]),
    ("03", "03_build_lenet5", "second pooling layer forgotten",
     [("nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten()", "nn.Conv2d(6, 16, 5), nn.Tanh(), nn.Flatten()"),
      ("nn.Linear(16 * 5 * 5, 120)", "nn.Linear(16 * 10 * 10, 120)")]),
    ("03", "03_freeze_layers", "freezes the others but never unfreezes the named layers",
     [("p.requires_grad = name.split(\".\")[0] in trainable",
       "if name.split(\".\")[0] not in trainable:\n            p.requires_grad = False")]),
]


@pytest.mark.parametrize("chapter,grade_id,what,edits", WRONG, ids=[f"{g}: {w}" for _, g, w, _ in WRONG])
def test_known_wrong_answer_fails_the_visible_check(chapter, grade_id, what, edits):
    with pytest.raises(AssertionError) as info:
        _run(chapter, grade_id, edits)
    assert type(info.value).__name__ in ("CheckFailed", "ForbiddenCall"), (what, type(info.value))
    message = str(info.value)
    assert message.startswith("\u2718") and len(message) > 30, (what, message)   # a message, not a bare assert


@pytest.mark.parametrize("chapter,grade_id", sorted({(c, g) for c, g, _, _ in WRONG}))
def test_reference_answer_passes_the_same_visible_check(chapter, grade_id, capsys):
    _run(chapter, grade_id, [])
    assert "correct" in capsys.readouterr().out
