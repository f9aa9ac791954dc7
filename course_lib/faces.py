"""Face verification and recognition (chapter 09): pairs, distances, the verification
decision, ROC and AUC from scratch, the threshold chosen on validation, recognition against
a database with "not recognized", and the state of the chapter's widgets.

Verification (人脸验证, 1:1): is this image the claimed person? ``d(img1, img2) <= tau``.
Recognition (人脸识别, 1:K): who of the K people in the database is this, if anyone?
The classical baseline lives in ``faces_classical``, the learned embedding and the triplet
loss in ``faces_metric``, the generated faces in ``face_gen`` (re-exported by ``data``).
Introduced in 09_face_recognition.
"""
from __future__ import annotations

import numpy as np

from course_lib._checks import choice, fraction, generator, integer, number, real_array

__all__ = ["false_accept_probability", "make_pairs", "pair_distances", "pair_features", "verify",
           "confusion_counts", "roc_point", "roc_curve", "roc_auc", "choose_threshold",
           "verification_accuracy", "recognize", "threshold_state", "recognition_state"]


def false_accept_probability(fpr: float, k: int) -> float:
    """Recognition against K people with a verifier of false accept rate ``fpr`` (per
    comparison, independent): the chance that a stranger is accepted as *someone*,
    ``1 - (1 - fpr)^K``. With fpr = 1 % and K = 100 that is 63 %. Introduced in
    09_face_recognition."""
    fpr, k = fraction(fpr, "fpr", allow_zero=True), integer(k, "k", 1)
    return float(1.0 - (1.0 - fpr) ** k)


def _ids(labels, name: str = "labels") -> np.ndarray:
    lab = labels.detach().cpu().numpy() if hasattr(labels, "detach") else labels
    if not isinstance(lab, np.ndarray) or lab.dtype.kind not in "iu" or lab.ndim != 1:
        raise TypeError(f"{name} must be a 1-D integer numpy array (one identity per image), "
                        f"got {type(labels).__name__}.")
    return lab.astype(np.int64)


def make_pairs(labels, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` pairs of image indices, half "same person" and half "different": returns
    ``i, j`` int64 (n,) and ``same`` bool (n,). A same pair takes two different images of one
    identity (only identities with >= 2 images qualify). Introduced in 09_face_recognition."""
    lab = _ids(labels)
    n, rng = integer(n, "n", 1), generator(rng)
    ids, counts = np.unique(lab, return_counts=True)
    multi = ids[counts >= 2]
    if len(multi) == 0:
        raise ValueError("labels must hold at least one identity with two or more images: a same-person "
                         "pair needs two images of one identity.")
    if len(ids) < 2:
        raise ValueError("labels must hold at least two identities: a different-person pair needs two people.")
    same = np.arange(n) % 2 == 0
    i, j = np.empty(n, np.int64), np.empty(n, np.int64)
    for k in range(n):
        if same[k]:
            members = np.flatnonzero(lab == rng.choice(multi))
            i[k], j[k] = rng.choice(members, 2, replace=False)
        else:
            a, b = rng.choice(ids, 2, replace=False)
            i[k], j[k] = rng.choice(np.flatnonzero(lab == a)), rng.choice(np.flatnonzero(lab == b))
    return i, j, same


def _emb(x, name: str) -> np.ndarray:
    e = real_array(x, name, dtype=np.float64)
    if e.ndim != 2:
        raise ValueError(f"{name} must have shape (N, d), one feature vector per row, got {e.shape}.")
    return e


def pair_distances(a, b, metric: str = "euclidean") -> np.ndarray:
    """Row-wise distance ``d(a_k, b_k)`` between two (N, d) arrays -> (N,): "euclidean"
    ``||a - b||``, "cosine" ``1 - a.b / (|a| |b|)`` or "chi2" ``sum (a - b)^2 / (a + b)``
    (non-negative features; terms with a + b = 0 count 0). Introduced in 09_face_recognition."""
    a, b = _emb(a, "a"), _emb(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}, got {b.shape}.")
    metric = choice(metric, "metric", ("euclidean", "cosine", "chi2"))
    if metric == "euclidean":
        return np.linalg.norm(a - b, axis=1)
    if metric == "cosine":
        na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
        return 1.0 - (a * b).sum(1) / np.maximum(na * nb, 1e-12)
    return pair_features(a, b, "chi2").sum(1)


def pair_features(a, b, kind: str = "abs") -> np.ndarray:
    """The features a *learned* verifier classifies (DeepFace, Taigman et al. 2014):
    "abs" ``|f(x_i) - f(x_j)|`` or "chi2" ``(f(x_i) - f(x_j))^2 / (f(x_i) + f(x_j))``,
    element-wise, (N, d) -> (N, d); a logistic regression on them outputs P(same).
    Introduced in 09_face_recognition."""
    a, b = _emb(a, "a"), _emb(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}, got {b.shape}.")
    kind = choice(kind, "kind", ("abs", "chi2"))
    if kind == "abs":
        return np.abs(a - b)
    s = a + b
    return np.where(s != 0, (a - b) ** 2 / np.where(s != 0, s, 1.0), 0.0)


def _distances(distances, same=None):
    d = real_array(distances, "distances", dtype=np.float64)
    if d.ndim != 1 or len(d) == 0:
        raise ValueError(f"distances must be a non-empty 1-D array (one per pair), got shape {d.shape}.")
    if (d < 0).any():
        raise ValueError("distances must be >= 0 (a distance), got a negative value.")
    if same is None:
        return d
    s = np.asarray(same)
    if not isinstance(same, np.ndarray) or s.dtype != bool:
        raise TypeError(f"same must be a boolean numpy array (True: same person), got {type(same).__name__}.")
    if s.shape != d.shape:
        raise ValueError(f"same must have the shape of distances {d.shape}, got {s.shape}.")
    return d, s


def verify(distances, threshold: float) -> np.ndarray:
    """The verification decision: accept ("same person") when ``d <= tau``. ``distances``
    (N,) >= 0, ``threshold`` tau >= 0 -> bool (N,). Introduced in 09_face_recognition."""
    d = _distances(distances)
    tau = number(threshold, "threshold", 0.0)
    return d <= tau


def confusion_counts(distances, same, threshold: float) -> dict[str, int]:
    """At threshold tau: ``tp`` same pairs accepted, ``fn`` same pairs rejected, ``fp``
    different pairs accepted (false accepts), ``tn`` different pairs rejected.
    Introduced in 09_face_recognition."""
    d, s = _distances(distances, same)
    acc = verify(d, threshold)
    return {"tp": int((acc & s).sum()), "fn": int((~acc & s).sum()), "fp": int((acc & ~s).sum()),
            "tn": int((~acc & ~s).sum())}


def roc_point(distances, same, threshold: float) -> tuple[float, float]:
    """The ROC point at tau: ``(FPR, TPR) = (fp / (fp + tn), tp / (tp + fn))`` (0 when a
    class is absent). Introduced in 09_face_recognition."""
    c = confusion_counts(distances, same, threshold)
    return c["fp"] / max(c["fp"] + c["tn"], 1), c["tp"] / max(c["tp"] + c["fn"], 1)


def roc_curve(scores, same) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve of a score (higher: more alike, e.g. ``-distance``): sort by score,
    accept every pair with score >= t for each distinct t, from the highest down. Returns
    ``fpr, tpr, thresholds`` starting at (0, 0) with threshold +inf, one point per distinct
    score: scikit-learn's ``roc_curve(same, scores, drop_intermediate=False)``.
    Introduced in 09_face_recognition."""
    sc = real_array(scores, "scores", dtype=np.float64)
    if sc.ndim != 1 or len(sc) == 0:
        raise ValueError(f"scores must be a non-empty 1-D array, got shape {sc.shape}.")
    s = np.asarray(same)
    if not isinstance(same, np.ndarray) or s.dtype != bool or s.shape != sc.shape:
        raise ValueError(f"same must be a boolean array of the shape of scores {sc.shape}.")
    if s.all() or not s.any():
        raise ValueError("same must hold both same (True) and different (False) pairs for a ROC curve.")
    order = np.argsort(-sc, kind="mergesort")
    sc, s = sc[order], s[order]
    last = np.r_[np.flatnonzero(np.diff(sc) != 0), len(sc) - 1]     # last index of each distinct score
    tps, fps = np.cumsum(s)[last], np.cumsum(~s)[last]
    fpr = np.r_[0.0, fps / fps[-1]]
    tpr = np.r_[0.0, tps / tps[-1]]
    return fpr, tpr, np.r_[np.inf, sc[last]]


def roc_auc(fpr, tpr) -> float:
    """Area under the ROC curve by the trapezoid rule (``fpr`` increasing): the probability
    that a random same pair scores above a random different one (ties count half).
    Introduced in 09_face_recognition."""
    x, y = real_array(fpr, "fpr", dtype=np.float64), real_array(tpr, "tpr", dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
        raise ValueError(f"fpr and tpr must be 1-D arrays of one shape with >= 2 points, got {x.shape}, {y.shape}.")
    if (np.diff(x) < 0).any():
        raise ValueError("fpr must be non-decreasing (a ROC curve from roc_curve).")
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def verification_accuracy(distances, same, threshold: float) -> float:
    """The fraction of pairs the decision ``d <= tau`` gets right. Introduced in
    09_face_recognition."""
    c = confusion_counts(distances, same, threshold)
    return (c["tp"] + c["tn"]) / sum(c.values())


def choose_threshold(distances, same) -> float:
    """The tau with the best accuracy on these (validation) pairs: candidates are midpoints
    between consecutive sorted distances (and below/above all); the smallest best one.
    Report accuracy at it on *other* (test) pairs. Introduced in 09_face_recognition."""
    d, s = _distances(distances, same)
    u = np.unique(d)
    cands = np.r_[u[0] / 2, (u[1:] + u[:-1]) / 2, u[-1] + 1.0]
    order = np.argsort(d, kind="mergesort")
    ds, ss = d[order], s[order]
    # accepted = d <= c: tp = same pairs with d <= c, tn = different pairs with d > c
    k = np.searchsorted(ds, cands, side="right")
    tp = np.r_[0, np.cumsum(ss)][k]
    fp = np.r_[0, np.cumsum(~ss)][k]
    acc = tp + (~ss).sum() - fp
    return float(cands[int(np.argmax(acc))])


def recognize(queries, database, db_labels, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Recognition (1:K) with precomputed database encodings: each query's nearest database
    embedding; its label if that distance is <= tau, else -1 ("not recognized").
    ``queries`` (Q, d), ``database`` (K, d), ``db_labels`` (K,) ints >= 0 -> ``labels``
    int64 (Q,) and ``distances`` (Q,) to the nearest. Introduced in 09_face_recognition."""
    q, db = _emb(queries, "queries"), _emb(database, "database")
    if len(db) == 0:
        raise ValueError("database is empty: enrol at least one face before recognising.")
    if q.shape[1] != db.shape[1]:
        raise ValueError(f"queries must have {db.shape[1]} features per row like database, got {q.shape[1]}.")
    lab = _ids(db_labels, "db_labels")
    if lab.shape != (len(db),):
        raise ValueError(f"db_labels must have shape ({len(db)},), one per database row, got {lab.shape}.")
    tau = number(threshold, "threshold", 0.0)
    d = np.sqrt(np.clip((q ** 2).sum(1)[:, None] + (db ** 2).sum(1)[None] - 2 * q @ db.T, 0, None))
    nearest = d.argmin(1)
    dist = d[np.arange(len(q)), nearest]
    return np.where(dist <= tau, lab[nearest], -1).astype(np.int64), dist


def threshold_state(distances, same, threshold: float, roc: tuple | None = None, examples: int = 2) -> dict:
    """What the threshold explorer shows at tau: ``counts`` (tp, fn, fp, tn), ``fpr``,
    ``tpr``, ``accuracy``, the ``roc`` curve (``(fpr, tpr, thresholds)`` of ``-distances``;
    pass it in to skip recomputing) and ``examples``: for each of "true accept", "false
    accept", "true reject", "false reject" up to ``examples`` pair indices (the ones nearest
    the threshold). A tau outside [0, max distance] gives ``{"message": ...}``.
    Introduced in 09_face_recognition."""
    d, s = _distances(distances, same)
    tau = number(threshold, "threshold")
    if tau < 0 or tau > d.max():
        return {"message": f"threshold {tau:.3f} is outside the distances' range [0, {d.max():.3f}]: "
                           "every pair would be " + ("rejected" if tau < 0 else "accepted") + "."}
    k = integer(examples, "examples", 0)
    roc = roc_curve(-d, s) if roc is None else roc
    c = confusion_counts(d, s, tau)
    fpr, tpr = c["fp"] / max(c["fp"] + c["tn"], 1), c["tp"] / max(c["tp"] + c["fn"], 1)
    acc = d <= tau
    groups = {"true accept": acc & s, "false accept": acc & ~s, "true reject": ~acc & ~s, "false reject": ~acc & s}
    near = np.argsort(np.abs(d - tau), kind="mergesort")
    ex = {name: [int(i) for i in near[mask[near]][:k]] for name, mask in groups.items()}
    return {"threshold": tau, "counts": c, "fpr": fpr, "tpr": tpr, "accuracy": (c["tp"] + c["tn"]) / len(d),
            "roc": roc, "examples": ex}


def recognition_state(query: int, queries, query_labels, database, db_labels, threshold: float,
                      top: int = 3) -> dict:
    """What the "who is this" view shows for query row ``query``: the ``top`` nearest
    database rows (``nearest``, their ``distances``), the ``answer`` (a label, or -1 "not
    recognized" when the nearest is farther than tau), the ``truth`` and whether the truth is
    enrolled at all (``enrolled``) and the answer is ``correct``. Introduced in
    09_face_recognition."""
    q = _emb(queries, "queries")
    i = integer(query, "query")
    if i >= len(q):
        return {"message": f"query {i} does not exist: there are {len(q)} query faces (0..{len(q) - 1})."}
    truth_all = _ids(query_labels, "query_labels")
    labels, dist = recognize(q[i:i + 1], database, db_labels, threshold)
    db = _emb(database, "database")
    lab = _ids(db_labels, "db_labels")
    d = np.linalg.norm(db - q[i], axis=1)
    k = min(integer(top, "top", 1), len(db))
    nearest = np.argsort(d, kind="mergesort")[:k]
    truth = int(truth_all[i])
    enrolled = bool((lab == truth).any())
    answer = int(labels[0])
    return {"query": i, "nearest": nearest, "distances": d[nearest], "answer": answer, "truth": truth,
            "enrolled": enrolled, "correct": answer == (truth if enrolled else -1), "threshold": float(threshold)}
