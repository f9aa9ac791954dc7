"""Factorized convolutions (chapter 03): what an n x 1 conv followed by a 1 x n conv can and
cannot express.

Inception-v3 (Szegedy et al., 2015) replaces an n x n conv by an n x 1 conv then a 1 x n
conv: 2n instead of n^2 weights per pair of channels. Without a non-linearity between them,
one input channel to one output channel through one middle channel, the pair *is* an n x n
conv whose kernel is the outer product col row^T: a rank-1 (可分离, separable) kernel. Most
n x n kernels have rank n, so the factorized pair is a restriction, not a free saving; the
paper puts BN + ReLU between the two convs, which makes the pair non-linear (no longer a
single conv at all) and lets the network learn through the restriction. Introduced in
03_cnn_architectures.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from course_lib._checks import boolean, real_array, tensor

__all__ = ["separable_kernel", "kernel_rank", "best_separable_approximation", "factorized_conv"]


def separable_kernel(col, row) -> np.ndarray:
    """The n x m kernel of an n x 1 conv (weights ``col``) followed by a 1 x m conv (``row``):
    ``col: (n,), row: (m,) -> (n, m)``, the outer product col row^T (rank 1).
    Introduced in 03_cnn_architectures."""
    col, row = real_array(col, "col"), real_array(row, "row")
    if col.ndim != 1 or row.ndim != 1:
        raise ValueError(f"separable_kernel: col and row must be 1-D, got shapes {col.shape} and {row.shape}.")
    return np.outer(col, row)


def kernel_rank(kernel, tol: float = 1e-10) -> int:
    """Rank of a 2-D kernel ``(n, m)``: the number of singular values above ``tol`` times the
    largest. 1 for a separable kernel; a random n x n kernel has rank n.
    Introduced in 03_cnn_architectures."""
    k = real_array(kernel, "kernel", dtype=np.float64)
    if k.ndim != 2:
        raise ValueError(f"kernel_rank: kernel must be 2-D (n, m), got shape {k.shape}.")
    s = np.linalg.svd(k, compute_uv=False)
    return int(np.sum(s > tol * max(s[0], np.finfo(float).tiny)))


def best_separable_approximation(kernel) -> tuple[np.ndarray, np.ndarray, float]:
    """The closest rank-1 kernel (Eckart-Young, from the SVD): ``kernel: (n, m) -> (col: (n,),
    row: (m,), error)`` with col row^T the best approximation in the Frobenius norm and
    ``error`` = ||kernel - col row^T||_F = sqrt(s_2^2 + s_3^2 + ...), 0 only for a separable
    kernel. Introduced in 03_cnn_architectures."""
    k = real_array(kernel, "kernel", dtype=np.float64)
    if k.ndim != 2:
        raise ValueError(f"best_separable_approximation: kernel must be 2-D (n, m), got shape {k.shape}.")
    u, s, vt = np.linalg.svd(k)
    col, row = u[:, 0] * np.sqrt(s[0]), vt[0] * np.sqrt(s[0])
    return col, row, float(np.sqrt(np.sum(s[1:] ** 2)))


def factorized_conv(x: torch.Tensor, col: torch.Tensor, row: torch.Tensor, relu_between: bool = False) -> torch.Tensor:
    """One channel through an n x 1 conv (``col: (n,)``), optionally a ReLU, then a 1 x m conv
    (``row: (m,)``), no padding: ``x: (N, 1, H, W) -> (N, 1, H - n + 1, W - m + 1)``. Without
    the ReLU it equals one conv with :func:`separable_kernel`. Introduced in 03_cnn_architectures."""
    x, col, row = tensor(x, "x"), tensor(col, "col"), tensor(row, "row")
    relu_between = boolean(relu_between, "relu_between")
    if x.dim() != 4 or x.shape[1] != 1 or col.dim() != 1 or row.dim() != 1:
        raise ValueError(f"factorized_conv: x must be (N, 1, H, W) and col, row 1-D, got shapes "
                         f"{tuple(x.shape)}, {tuple(col.shape)}, {tuple(row.shape)}.")
    a = F.conv2d(x, col.to(x.dtype).view(1, 1, -1, 1))
    if relu_between:
        a = F.relu(a)
    return F.conv2d(a, row.to(x.dtype).view(1, 1, 1, -1))
