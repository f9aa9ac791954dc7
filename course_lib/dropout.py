"""Dropout (随机失活) from scratch: inverted dropout, training vs evaluation.

In training every unit is kept with probability keep_prob and set to 0 otherwise; the kept
ones are divided by keep_prob ("inverted" dropout), so the expected value of each output
equals its input and nothing has to change at test time, when dropout does nothing.
Two conventions for the one number: the notes (and Andrew Ng's course) use ``keep_prob``;
torch's ``nn.Dropout(p)`` takes the probability of *dropping*, p = 1 - keep_prob. So the
notes' keep_prob = 0.8 is ``nn.Dropout(p=0.2)``. This module follows torch (``p`` = drop
probability) and converts with :func:`keep_prob_to_p`. Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

import numpy as np

from course_lib._checks import boolean, fraction, generator, number, real_array

__all__ = ["keep_prob_to_p", "dropout_forward", "dropout_backward"]


def keep_prob_to_p(keep_prob: float) -> float:
    """The notes' keep probability (in (0, 1]) -> torch's drop probability p = 1 - keep_prob.
    Introduced in 03_cnn_architectures."""
    return 1.0 - fraction(keep_prob, "keep_prob")


def dropout_forward(x, p: float, training: bool, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout: ``x: any shape -> (out, mask)``, both of x's shape.

    Training: mask = (uniform draws >= p) / (1 - p), i.e. 0 with probability p and
    1/(1-p) otherwise, and out = x * mask, so E[out] = x. Evaluation (``training=False``):
    out = x and mask = ones (nothing dropped, nothing scaled). ``p`` is torch's drop
    probability in [0, 1]; p = 1 drops everything (out = 0, as ``nn.Dropout(1.0)``).
    Introduced in 03_cnn_architectures.
    """
    x = real_array(x, "x")
    p = number(p, "p (drop probability)", low=0.0, high=1.0)
    training, rng = boolean(training, "training"), generator(rng)
    if not training or p == 0.0:
        mask = np.ones_like(x)
    elif p == 1.0:
        mask = np.zeros_like(x)
    else:
        mask = (rng.random(x.shape) >= p).astype(x.dtype) / (1.0 - p)
    return x * mask, mask


def dropout_backward(dout, mask) -> np.ndarray:
    """Gradient of dropout: ``dout`` and ``mask`` of the same shape -> dx = dout * mask
    (dropped units get no gradient, kept ones the same 1/(1-p) scale). Introduced in
    03_cnn_architectures."""
    dout, mask = real_array(dout, "dout"), real_array(mask, "mask")
    if dout.shape != mask.shape:
        raise ValueError(f"dropout_backward: dout has shape {dout.shape} but the mask has shape "
                         f"{mask.shape}; pass the mask dropout_forward returned.")
    return dout * mask
