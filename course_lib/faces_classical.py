"""The classical face baseline (chapter 09): eigenfaces (PCA), Fisherfaces (PCA then LDA)
from scratch, and a linear SVM on the projections (scikit-learn's ``SVC``: not the lesson).

Eigenfaces (特征脸, Turk & Pentland 1991): the directions of largest pixel variance over a
set of faces. Fisherfaces (Belhumeur et al. 1997): first PCA down to N - c dimensions (so
the within-class scatter is invertible), then linear discriminant analysis (线性判别分析,
LDA): the directions that maximise between-identity scatter over within-identity scatter.
Introduced in 09_face_recognition.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.linalg

from course_lib._checks import integer, real_array

__all__ = ["Projection", "pca_fit", "project", "reconstruct", "lda_fit", "fisherfaces_fit", "flatten_faces",
           "svm_on_projections"]


class Projection(NamedTuple):
    """A linear projection ``z = (x - mean) @ components.T``: ``mean`` (D,), ``components``
    (k, D) (rows: eigenfaces or Fisherfaces), ``values`` (k,) (PCA: the variance along each
    component; LDA: the ratio of between- to within-identity scatter)."""

    mean: np.ndarray
    components: np.ndarray
    values: np.ndarray


def flatten_faces(images, name: str = "images") -> np.ndarray:
    """Images (N, 1, H, W) or (N, H, W) -> float64 rows (N, H*W). Introduced in
    09_face_recognition."""
    x = real_array(images, name, dtype=np.float64)
    if x.ndim == 4 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 3:
        raise ValueError(f"{name} must have shape (N, H, W) or (N, 1, H, W) (grey faces), got {np.shape(images)}.")
    return x.reshape(len(x), -1)


def _rows(x, name: str) -> np.ndarray:
    x = real_array(x, name, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (N, D), one flattened face per row, got {x.shape}.")
    return x


def pca_fit(x, k: int) -> Projection:
    """Eigenfaces: the top ``k`` principal directions of ``x`` (N, D) from the SVD of the
    centred data, ``X - mean = U S V^T``; components = the first k rows of V^T, values =
    S^2 / (N - 1) (the variance along each). Each component's sign is fixed so its largest
    entry is positive. ``k`` <= min(N, D). Introduced in 09_face_recognition."""
    x = _rows(x, "x")
    k = integer(k, "k", 1)
    if k > min(x.shape):
        raise ValueError(f"k must be at most min(N, D) = {min(x.shape)} for x of shape {x.shape}, got {k}.")
    mean = x.mean(0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    comps = vt[:k]
    comps = comps * np.sign(comps[np.arange(k), np.abs(comps).argmax(1)])[:, None]
    return Projection(mean, comps, s[:k] ** 2 / max(len(x) - 1, 1))


def project(x, projection: Projection) -> np.ndarray:
    """``z = (x - mean) @ components.T``: (N, D) -> (N, k). Introduced in 09_face_recognition."""
    if not isinstance(projection, Projection):
        raise TypeError(f"projection must be a Projection (from pca_fit / lda_fit), got {type(projection).__name__}.")
    x = _rows(x, "x")
    if x.shape[1] != projection.mean.shape[0]:
        raise ValueError(f"x must have {projection.mean.shape[0]} columns (the projection's D), got {x.shape[1]}.")
    return (x - projection.mean) @ projection.components.T


def reconstruct(z, projection: Projection) -> np.ndarray:
    """Back from PCA coordinates: ``x_hat = mean + z @ components`` (orthonormal components),
    (N, k) -> (N, D). Introduced in 09_face_recognition."""
    if not isinstance(projection, Projection):
        raise TypeError(f"projection must be a Projection (from pca_fit), got {type(projection).__name__}.")
    z = _rows(z, "z")
    if z.shape[1] != len(projection.components):
        raise ValueError(f"z must have {len(projection.components)} columns (one per component), got {z.shape[1]}.")
    return projection.mean + z @ projection.components


def _labels(labels, n: int) -> np.ndarray:
    if not isinstance(labels, np.ndarray) or labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be an integer numpy array (one identity per row), got {type(labels).__name__}.")
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one identity per row, got {labels.shape}.")
    return labels


def lda_fit(x, labels, k: int | None = None) -> Projection:
    """Linear discriminant analysis: the directions ``w`` maximising ``w^T S_B w / w^T S_W w``,
    from the generalised eigenproblem ``S_B w = lambda S_W w`` (``scipy.linalg.eigh``), with
    ``S_W = sum_c sum_{i in c} (x_i - mu_c)(x_i - mu_c)^T`` and ``S_B = sum_c n_c (mu_c -
    mu)(mu_c - mu)^T``. At most min(c - 1, D) directions (``k``, default that many). ``S_W`` must be
    invertible: use PCA first (``fisherfaces_fit``). Introduced in 09_face_recognition."""
    x = _rows(x, "x")
    lab = _labels(labels, len(x))
    classes = np.unique(lab)
    if len(classes) < 2:
        raise ValueError("labels must hold at least two identities for LDA.")
    k = min(len(classes) - 1, x.shape[1]) if k is None else integer(k, "k", 1)
    if k > min(len(classes) - 1, x.shape[1]):
        raise ValueError(f"k must be at most min(c - 1, D) = {min(len(classes) - 1, x.shape[1])}, got {k}.")
    mu = x.mean(0)
    sw = np.zeros((x.shape[1], x.shape[1]))
    sb = np.zeros_like(sw)
    for c in classes:
        xc = x[lab == c]
        mc = xc.mean(0)
        sw += (xc - mc).T @ (xc - mc)
        sb += len(xc) * np.outer(mc - mu, mc - mu)
    try:
        vals, vecs = scipy.linalg.eigh(sb, sw)
    except np.linalg.LinAlgError:
        raise ValueError("the within-identity scatter S_W is singular (more dimensions than images minus "
                         "identities): project with pca_fit first, as fisherfaces_fit does.") from None
    order = np.argsort(vals)[::-1][:k]
    comps = vecs[:, order].T
    comps = comps * np.sign(comps[np.arange(k), np.abs(comps).argmax(1)])[:, None]
    return Projection(mu, comps, vals[order])


def fisherfaces_fit(x, labels, n_pca: int | None = None, k: int | None = None) -> Projection:
    """Fisherfaces: PCA to ``n_pca`` dimensions (default N - c, the most that keeps S_W
    invertible), then LDA to ``k`` (default min(c - 1, n_pca)); the two combined into one projection of
    the pixels, components (k, D) = W_lda^T W_pca. Introduced in 09_face_recognition."""
    x = _rows(x, "x")
    lab = _labels(labels, len(x))
    c = len(np.unique(lab))
    if len(x) - c < 1:
        raise ValueError(f"labels must give some identity two or more images: with N = {len(x)} images of c = {c} "
                         f"identities, n_pca can be at most N - c = {len(x) - c}.")
    n_pca = min(len(x) - c, x.shape[1]) if n_pca is None else integer(n_pca, "n_pca", 1)
    if n_pca > len(x) - c:
        raise ValueError(f"n_pca must be at most N - c = {len(x) - c} (or S_W is singular), got {n_pca}.")
    pca = pca_fit(x, n_pca)
    lda = lda_fit(project(x, pca), lab, k)
    return Projection(pca.mean, lda.components @ pca.components, lda.values)


def svm_on_projections(z_train, y_train, z_test, c: float = 1.0) -> np.ndarray:
    """Recognition with the classical pipeline: a linear SVM (scikit-learn's ``SVC``,
    one-vs-one) fitted on projected gallery faces ``z_train`` (N, k) with identities
    ``y_train``, predicting the identity of each row of ``z_test`` -> int64 (M,).
    Introduced in 09_face_recognition."""
    from sklearn.svm import SVC

    z_train, z_test = _rows(z_train, "z_train"), _rows(z_test, "z_test")
    y = _labels(y_train, len(z_train))
    if z_test.shape[1] != z_train.shape[1]:
        raise ValueError(f"z_test must have {z_train.shape[1]} columns like z_train, got {z_test.shape[1]}.")
    if len(np.unique(y)) < 2:
        raise ValueError("y_train must hold at least two identities for an SVM.")
    return SVC(kernel="linear", C=float(c)).fit(z_train, y).predict(z_test).astype(np.int64)
