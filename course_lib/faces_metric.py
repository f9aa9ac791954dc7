"""Metric learning for faces (chapter 09): the Siamese embedding network, the triplet loss,
triplet mining (random, batch-hard, semi-hard) and the checkpoint of the trained embedder.

A Siamese network (孪生网络) is one network ``f`` applied to two (or three) images with the
same weights; it maps a face to a point on the unit sphere, ``f(x) in R^d, ||f(x)|| = 1``,
so that the distance between two embeddings says whether they are the same person.
Introduced in 09_face_recognition.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib._checks import generator, integer, module, number, positive, real_array, tensor

__all__ = ["FaceEmbedder", "embed", "triplet_loss", "batch_all_triplet_loss", "distance_matrix",
           "random_triplets", "batch_hard_triplets", "semi_hard_triplets", "triplet_losses",
           "zero_loss_fraction", "save_embedder", "load_embedder", "CHECKPOINT"]

CHECKPOINT = Path(__file__).resolve().parent.parent / "data" / "face_embedder.pt"


class FaceEmbedder(nn.Module):
    """A small CNN ``f``: (N, 1, S, S) grey faces -> (N, dim) unit-length embeddings.
    Three blocks (two 3x3 conv + batch norm + ReLU, then 2x2 max pooling) of ``width``,
    2 ``width``, 4 ``width`` channels, global average pooling, a linear layer to ``dim``,
    L2 normalisation. Introduced in 09_face_recognition."""

    def __init__(self, width: int = 16, dim: int = 64) -> None:
        super().__init__()
        self.width, self.dim = integer(width, "width", 1), integer(dim, "dim", 1)

        def block(c_in: int, c_out: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
                                 nn.Conv2d(c_out, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
                                 nn.MaxPool2d(2))

        w = self.width
        self.features = nn.Sequential(block(1, w), block(w, 2 * w), block(2 * w, 4 * w),
                                      nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(4 * w, self.dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != 1:
            raise ValueError(f"x must have shape (N, 1, H, W) (grey faces), got {tuple(x.shape)}.")
        return F.normalize(self.head(self.features(x)), dim=1)


def embed(model: nn.Module, images, batch_size: int = 500) -> np.ndarray:
    """``f(x)`` for every image, in eval mode without gradients: images (N, 1, H, W) ->
    float32 (N, dim). The database encodings are computed once with this. Introduced in
    09_face_recognition."""
    model = module(model, "model")
    x = real_array(images, "images", dtype=np.float32)
    if x.ndim != 4 or x.shape[1] != 1:
        raise ValueError(f"images must have shape (N, 1, H, W) (grey faces), got {x.shape}.")
    batch_size = integer(batch_size, "batch_size", 1)
    model.eval()
    with torch.no_grad():
        out = [model(torch.from_numpy(np.ascontiguousarray(x[i:i + batch_size]))) for i in range(0, len(x), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros((0, getattr(model, "dim", 0)), np.float32)


def triplet_loss(anchor, positive, negative, margin: float = 0.2, eps: float = 1e-6) -> torch.Tensor:
    """The triplet loss, mean over the batch: ``max(||f(A) - f(P)|| - ||f(A) - f(N)|| + alpha, 0)``.

    ``anchor``, ``positive``, ``negative``: (N, d) embeddings (torch tensors or arrays);
    ``margin`` alpha >= 0. The distances are ``||a - p + eps||`` as in torch's
    ``pairwise_distance``, so the value equals ``nn.TripletMarginLoss(margin)``. Returns a
    0-d tensor. Introduced in 09_face_recognition."""
    a, p, n = tensor(anchor, "anchor"), tensor(positive, "positive"), tensor(negative, "negative")
    if a.ndim != 2:
        raise ValueError(f"anchor must have shape (N, d), got {tuple(a.shape)}.")
    for t, name in ((p, "positive"), (n, "negative")):
        if t.shape != a.shape:
            raise ValueError(f"{name} must have the shape of anchor {tuple(a.shape)}, got {tuple(t.shape)}.")
    margin = number(margin, "margin", 0.0)
    d_ap = (a - p + eps).norm(dim=1)
    d_an = (a - n + eps).norm(dim=1)
    return torch.clamp(d_ap - d_an + margin, min=0).mean()


def _labels(labels, n: int) -> np.ndarray:
    lab = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else labels
    if not isinstance(lab, np.ndarray) or lab.dtype.kind not in "iu":
        raise TypeError(f"labels must be an integer numpy array (one identity per row), got {type(labels).__name__}.")
    if lab.shape != (n,):
        raise ValueError(f"labels must have shape (N,) = ({n},), one identity per embedding, got {lab.shape}.")
    return lab.astype(np.int64)


def distance_matrix(embeddings) -> np.ndarray:
    """All pairwise Euclidean distances: (N, d) -> (N, N) float64, ``D[i, j] = ||e_i - e_j||``.
    Introduced in 09_face_recognition."""
    e = real_array(embeddings, "embeddings", dtype=np.float64)
    if e.ndim != 2:
        raise ValueError(f"embeddings must have shape (N, d), got {e.shape}.")
    sq = (e ** 2).sum(1)
    return np.sqrt(np.clip(sq[:, None] + sq[None, :] - 2 * e @ e.T, 0, None))


def batch_all_triplet_loss(embeddings: torch.Tensor, labels, margin: float = 0.2) -> torch.Tensor:
    """"Batch all" (Hermans et al. 2017): the triplet loss of every valid (a, p, n) in the
    batch, averaged over the triplets whose loss is positive (the easy ones, loss 0, would
    dilute the mean). ``embeddings`` (N, d) tensor, ``labels`` (N,) ints. The loss
    ``data/train_faces.py`` trains with. Introduced in 09_face_recognition."""
    e = tensor(embeddings, "embeddings")
    if e.ndim != 2:
        raise ValueError(f"embeddings must have shape (N, d), got {tuple(e.shape)}.")
    y = torch.from_numpy(_labels(labels, len(e)))
    margin = number(margin, "margin", 0.0)
    d = torch.cdist(e, e)
    same = y[:, None] == y[None, :]
    pos = same & ~torch.eye(len(y), dtype=torch.bool)
    valid = pos[:, :, None] & ~same[:, None, :]
    loss = F.relu(d[:, :, None] - d[:, None, :] + margin) * valid
    return loss.sum() / ((loss > 1e-12).sum() + 1)


def random_triplets(labels, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random valid triplets (anchor, positive, negative) as (n, 3) int64 row indices:
    a random anchor among the rows whose identity has >= 2 images, a random other image of
    it, a random image of another identity. Introduced in 09_face_recognition."""
    lab = np.asarray(labels)
    lab = _labels(lab, len(lab))
    n, rng = integer(n, "n", 1), generator(rng)
    ids, counts = np.unique(lab, return_counts=True)
    ok = np.flatnonzero(np.isin(lab, ids[counts >= 2]))
    if len(ok) == 0 or len(ids) < 2:
        raise ValueError("labels must hold at least one identity with two images and a second identity "
                         "(a triplet needs an anchor, a positive and a negative).")
    out = np.empty((n, 3), np.int64)
    for k in range(n):
        a = rng.choice(ok)
        out[k] = a, rng.choice(np.flatnonzero((lab == lab[a]) & (np.arange(len(lab)) != a))), \
            rng.choice(np.flatnonzero(lab != lab[a]))
    return out


def _square(distances) -> np.ndarray:
    d = real_array(distances, "distances", dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ValueError(f"distances must be a square (N, N) distance matrix, got shape {d.shape}.")
    return d


def batch_hard_triplets(distances, labels) -> np.ndarray:
    """Batch-hard mining: for each anchor that has a positive and a negative in the batch,
    its *farthest* positive and its *closest* negative (ties: the lowest index). ``distances``
    (N, N), ``labels`` (N,) -> (M, 3) int64 rows (a, p, n), anchors in increasing order.
    Introduced in 09_face_recognition."""
    d = _square(distances)
    lab = _labels(labels, len(d))
    rows = []
    for a in range(len(d)):
        pos = np.flatnonzero((lab == lab[a]) & (np.arange(len(d)) != a))
        neg = np.flatnonzero(lab != lab[a])
        if len(pos) and len(neg):
            rows.append((a, pos[np.argmax(d[a, pos])], neg[np.argmin(d[a, neg])]))
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def semi_hard_triplets(distances, labels, margin: float = 0.2) -> np.ndarray:
    """Semi-hard mining (FaceNet): for each (anchor, positive) pair, the negative that is
    farther than the positive but inside the margin, ``d(a, p) < d(a, n) < d(a, p) + alpha``,
    and of those the closest (ties: the lowest index); pairs without one are skipped.
    ``distances`` (N, N), ``labels`` (N,) -> (M, 3) int64 rows (a, p, n), in order of a then p.
    Introduced in 09_face_recognition."""
    d = _square(distances)
    lab = _labels(labels, len(d))
    margin = positive(margin, "margin")
    rows = []
    for a in range(len(d)):
        neg = np.flatnonzero(lab != lab[a])
        for p in np.flatnonzero((lab == lab[a]) & (np.arange(len(d)) != a)):
            dn = d[a, neg]
            ok = (dn > d[a, p]) & (dn < d[a, p] + margin)
            if ok.any():
                rows.append((a, p, neg[ok][np.argmin(dn[ok])]))
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def triplet_losses(distances, triplets, margin: float = 0.2) -> np.ndarray:
    """The loss of each triplet (row a, p, n of ``triplets`` (M, 3)) from a distance matrix:
    ``max(D[a, p] - D[a, n] + alpha, 0)`` -> (M,). Introduced in 09_face_recognition."""
    d = _square(distances)
    t = np.asarray(triplets)
    if t.dtype.kind not in "iu" or t.ndim != 2 or t.shape[1] != 3:
        raise ValueError(f"triplets must be an integer array of shape (M, 3) (a, p, n), got {t.dtype} {t.shape}.")
    margin = number(margin, "margin", 0.0)
    return np.maximum(d[t[:, 0], t[:, 1]] - d[t[:, 0], t[:, 2]] + margin, 0.0)


def zero_loss_fraction(distances, triplets, margin: float = 0.2) -> float:
    """The fraction of ``triplets`` whose loss is already 0 (they teach the network nothing).
    Introduced in 09_face_recognition."""
    losses = triplet_losses(distances, triplets, margin)
    if len(losses) == 0:
        raise ValueError("triplets is empty: there is no fraction of nothing.")
    return float(np.mean(losses == 0))


def save_embedder(model: FaceEmbedder, path, meta: dict | None = None) -> None:
    """Save float16 weights with the model's settings and ``meta`` (numbers the training
    script measured). Introduced in 09_face_recognition."""
    if not isinstance(module(model, "model"), FaceEmbedder):
        raise TypeError(f"model must be a FaceEmbedder, got {type(model).__name__}.")
    state = {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    torch.save({"config": {"width": model.width, "dim": model.dim}, "state_dict": state,
                "meta": dict(meta or {})}, path)


def load_embedder(path=None) -> tuple[FaceEmbedder, dict]:
    """The trained embedder (float32, eval mode) and its ``meta``, from
    ``data/face_embedder.pt`` unless ``path`` is given. Introduced in 09_face_recognition."""
    path = CHECKPOINT if path is None else Path(path)
    if not Path(path).exists():
        raise ValueError(f"path {str(path)!r} does not exist; make it with python data/train_faces.py.")
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    model = FaceEmbedder(**ckpt["config"])
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()})
    return model.eval(), ckpt["meta"]
