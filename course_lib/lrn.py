"""Local response normalization (局部响应归一化, LRN) as AlexNet's paper writes it.

Krizhevsky, Sutskever & Hinton (2012), section 3.3: with a^i_{x,y} the activity of channel
i at (x, y) and N channels,

    b^i = a^i / (k + alpha * sum_{j = max(0, i - n/2)}^{min(N-1, i + n/2)} (a^j)^2) ^ beta

with k = 2, n = 5, alpha = 1e-4, beta = 0.75. The sum is multiplied by alpha, *not* by
alpha / n. torch's ``nn.LocalResponseNorm(size, alpha, beta, k)`` divides its alpha by
``size`` (it averages the squares over the window, zeros beyond the edges included), so
the paper's layer is ``nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2)``:
:func:`torch_alpha` does that conversion. Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

import torch

from course_lib._checks import integer, positive, tensor

__all__ = ["ALEXNET_LRN", "torch_alpha", "local_response_norm"]

ALEXNET_LRN = {"n": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}   # the paper's values


def torch_alpha(alpha: float, n: int) -> float:
    """The paper's alpha (multiplies the sum of squares) -> torch's alpha (multiplies their
    mean over ``n`` channels): alpha * n. AlexNet: 1e-4 * 5 = 5e-4. Introduced in
    03_cnn_architectures."""
    return positive(alpha, "alpha", allow_zero=True) * integer(n, "n (window size)", 1)


def local_response_norm(a: torch.Tensor, n: int = 5, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 2.0) -> torch.Tensor:
    """The paper's LRN across channels: ``a: (N, C, H, W) -> (N, C, H, W)``.

    Channel c is divided by (k + alpha * sum of squares over channels c - n//2 ...
    c + (n-1)//2, clipped to 0..C-1) ** beta: for odd n the paper's n/2 on each side; for
    even n the window leans left one channel, as torch's does. Equal to
    ``nn.LocalResponseNorm(n, alpha=torch_alpha(alpha, n), beta=beta, k=k)``.
    Introduced in 03_cnn_architectures.
    """
    a = tensor(a, "a")
    if a.dim() != 4 or not a.is_floating_point():
        raise ValueError(f"local_response_norm: a must be a float tensor (N, C, H, W), got shape "
                         f"{tuple(a.shape)} and dtype {a.dtype}.")
    n = integer(n, "n (window size)", 1)
    alpha, beta, k = positive(alpha, "alpha", allow_zero=True), positive(beta, "beta", allow_zero=True), positive(k, "k")
    channels = a.shape[1]
    out = torch.empty_like(a)
    for c in range(channels):
        lo, hi = max(0, c - n // 2), min(channels, c + (n - 1) // 2 + 1)
        energy = (a[:, lo:hi] ** 2).sum(dim=1)
        out[:, c] = a[:, c] / (k + alpha * energy) ** beta
    return out
