"""Faces for chapter 09, offline: a seeded procedural face generator with identities,
``skimage.data.lfw_subset()`` (100 real faces without identities, 25x25), and loaders for
Olivetti / LFW that use scikit-learn's files only when they are already on the machine.

No installable package ships a face data set with identities, so ``faces`` draws them.
Each identity ``k`` (an integer id) is a fixed set of *identity factors*, drawn from
``np.random.default_rng([IDENTITY_SEED, k])``: face width, height and jaw, skin tone, hair
tone, hairline and parting, eye spacing, height, size and shape, brows (height, thickness,
tilt), nose length and width, mouth height and width. Every image of that identity adds
*nuisance factors* drawn from ``(seed, k)``: a small shift, rotation and scale (pose),
lighting from a random direction (a brightness gradient across the face), brightness and
contrast, expression (smile or frown, mouth opening, eyes half closed), background, pixel
noise and, sometimes, an occluding bar (sunglasses) or block. Disjoint identity ids give
disjoint people, so identities for training and never-seen identities for testing are
just two id ranges (``identity_split``). Introduced in 09_face_recognition.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib._checks import integer, number, real_array

__all__ = ["Faces", "faces", "identity_factors", "identity_split", "IDENTITY_FACTORS", "IDENTITY_SEED",
           "augment_faces", "lfw_subset_faces", "lfw_identities", "olivetti_faces", "lfw_people"]

IDENTITY_SEED = 9009
# name -> (low, high): the range each identity factor is drawn from (face-frame units, the
# face spans about [-1, 1]; tones in [0, 1])
IDENTITY_FACTORS = {
    "face_w": (0.50, 0.74), "face_h": (0.70, 0.90), "jaw": (0.0, 0.35), "skin": (0.45, 0.85),
    "hair": (0.02, 0.55), "hairline": (-0.62, -0.28), "parting": (-0.5, 0.5),
    "eye_dx": (0.17, 0.33), "eye_y": (-0.18, 0.02), "eye_r": (0.06, 0.11), "eye_aspect": (0.45, 0.95),
    "brow_dy": (0.10, 0.20), "brow_thick": (0.02, 0.055), "brow_tilt": (-0.35, 0.35),
    "nose_len": (0.14, 0.32), "nose_w": (0.035, 0.10), "mouth_y": (0.34, 0.52), "mouth_w": (0.13, 0.30),
}


class Faces(NamedTuple):
    """Generated faces: ``images`` float32 (N, 1, S, S) in [0, 1] and ``identities`` int64
    (N,), the identity id of each image (images of one identity are consecutive)."""

    images: np.ndarray
    identities: np.ndarray

    def __len__(self) -> int:  # the number of images
        return len(self.images)


def _ids(identities, name: str = "identities") -> np.ndarray:
    if isinstance(identities, (int, np.integer)) and not isinstance(identities, bool):
        return np.arange(integer(identities, name, 1), dtype=np.int64)
    if isinstance(identities, range):
        identities = np.array(identities)
    if not isinstance(identities, np.ndarray) or identities.dtype.kind not in "iu":
        raise TypeError(f"{name} must be a positive int (ids 0..n-1), a range or an integer numpy array "
                        f"of identity ids, got {type(identities).__name__}.")
    if identities.ndim != 1 or identities.size == 0 or identities.min() < 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of non-negative ids, got shape "
                         f"{identities.shape}.")
    return identities.astype(np.int64)


def identity_factors(identities) -> dict[str, np.ndarray]:
    """The identity factors of each id: ``{name: (K,) float array}`` over ``IDENTITY_FACTORS``,
    the same for an id whatever else is drawn. ``identities``: an int ``K`` (ids 0..K-1), a
    range or an integer array. Introduced in 09_face_recognition."""
    ids = _ids(identities)
    rows = [np.random.default_rng([IDENTITY_SEED, int(k)]).random(len(IDENTITY_FACTORS)) for k in ids]
    u = np.array(rows).reshape(len(ids), len(IDENTITY_FACTORS))
    return {name: lo + (hi - lo) * u[:, j] for j, (name, (lo, hi)) in enumerate(IDENTITY_FACTORS.items())}


def identity_split(train: int, val: int, test: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three disjoint id ranges: ``train`` ids from 0, ``val`` ids from 100,000 and ``test``
    ids from 200,000 (people never seen in training or validation). Introduced in
    09_face_recognition."""
    train, val, test = integer(train, "train", 1), integer(val, "val", 0), integer(test, "test", 1)
    for n, name in ((train, "train"), (val, "val"), (test, "test")):
        if n > 100_000:
            raise ValueError(f"{name} must be at most 100000 identities, got {n}.")
    return (np.arange(train, dtype=np.int64), 100_000 + np.arange(val, dtype=np.int64),
            200_000 + np.arange(test, dtype=np.int64))


def _soft(d: np.ndarray, w: float) -> np.ndarray:
    """1 inside (d < 0), 0 outside, with an anti-aliased edge of width ``w``."""
    return 0.5 - 0.5 * np.tanh(d / w)


def _ellipse(u, v, cx, cy, rx, ry, w):
    return _soft(np.sqrt(((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2) - 1.0, w / np.minimum(rx, ry))


def _nuisance(rng: np.random.Generator, n: int, s: float) -> dict[str, np.ndarray]:
    u = lambda lo, hi: rng.uniform(lo, hi, n)  # noqa: E731
    occluded = rng.random(n) < 0.3 * min(s, 1.0)
    return {"tx": s * u(-0.09, 0.09), "ty": s * u(-0.09, 0.09), "rot": s * u(-0.21, 0.21),
            "scale": 1 + s * u(-0.08, 0.08), "light_dir": u(0, 2 * np.pi), "light": s * u(0.15, 0.65),
            "bright": s * u(-0.12, 0.12), "contrast": 1 + s * u(-0.25, 0.2), "smile": s * u(-1, 1),
            "open": s * np.clip(u(-0.6, 1.0), 0, None), "eyes": 1 - s * np.clip(u(-0.3, 0.7), 0, None),
            "bg": 0.5 + s * u(-0.4, 0.4), "bg_grad": s * u(-0.3, 0.3), "noise": s * u(0.02, 0.07),
            "occ": occluded, "occ_kind": rng.random(n) < 0.5, "occ_x": u(-0.7, 0.3), "occ_y": u(-0.6, 0.5),
            "occ_w": u(0.3, 0.7), "occ_h": u(0.2, 0.4), "occ_tone": u(0.0, 1.0)}


def _render(f: dict, q: dict, size: int, rng: np.random.Generator) -> np.ndarray:
    """Faces with identity factors ``f`` and nuisance ``q`` (each a (N,) array) -> (N, S, S)."""
    g = (np.arange(size) + 0.5) / size * 2 - 1
    X, Y = g[None, None, :], g[None, :, None]                         # image frame, (1, 1, S) and (1, S, 1)
    e = lambda name: f[name][:, None, None]  # noqa: E731
    p = lambda name: q[name][:, None, None]  # noqa: E731
    c, s = np.cos(p("rot")), np.sin(p("rot"))
    u = (c * (X - p("tx")) + s * (Y - p("ty"))) / p("scale")          # face frame (pose undone)
    v = (-s * (X - p("tx")) + c * (Y - p("ty"))) / p("scale")
    w = 1.6 / size
    img = p("bg") + p("bg_grad") * X + 0 * Y
    # head: an ellipse whose lower half narrows by the jaw factor; hair above the hairline
    width = e("face_w") * (1 - e("jaw") * np.clip(v, 0, None) / e("face_h"))
    head = _soft(np.sqrt((u / width) ** 2 + (v / e("face_h")) ** 2) - 1.0, 2 * w)
    skin = head * e("skin")
    hairline = e("hairline") + 0.12 * np.tanh(4 * (u - e("parting") * e("face_w")))
    hair = _soft(v - hairline, w) * _soft(np.sqrt((u / (width + 0.08)) ** 2 + (v / (e("face_h") + 0.08)) ** 2)
                                          - 1.0, 2 * w)
    img = img * (1 - np.maximum(head, hair)) + skin * (1 - hair) + hair * e("hair")
    dark = np.zeros_like(u)
    for side in (-1, 1):
        ex, ey = side * e("eye_dx"), e("eye_y")
        dark = np.maximum(dark, 0.85 * _ellipse(u, v, ex, ey, e("eye_r"), e("eye_r") * e("eye_aspect") * p("eyes"), w))
        by = ey - e("brow_dy") + side * e("brow_tilt") * (u - ex)
        brow = _soft(np.abs(v - by) - e("brow_thick"), w) * _soft(np.abs(u - ex) - 1.3 * e("eye_r"), w)
        dark = np.maximum(dark, 0.7 * brow)
    nose_top, nose_bottom = e("eye_y") + 0.05, e("eye_y") + 0.05 + e("nose_len")
    t = np.clip((v - nose_top) / e("nose_len"), 0, 1)
    nose = _soft(np.abs(u) - e("nose_w") * (0.3 + 0.7 * t), w) * _soft(v - nose_bottom, w) * _soft(nose_top - v, w)
    dark = np.maximum(dark, 0.35 * nose)
    mx = np.clip(u / e("mouth_w"), -1.5, 1.5)
    my = e("mouth_y") - 0.08 * p("smile") * (1 - mx ** 2)            # a smile lifts the corners
    mouth = _soft(np.abs(v - my) - 0.022 - 0.05 * p("open") * np.clip(1 - mx ** 2, 0, 1), w) * \
        _soft(np.abs(u) - e("mouth_w"), w)
    dark = np.maximum(dark, 0.75 * mouth)
    img = img * (1 - head * dark) + head * dark * 0.08
    shade = 1 + p("light") * (np.cos(p("light_dir")) * X + np.sin(p("light_dir")) * Y)
    img = (img * shade - 0.5) * p("contrast") + 0.5 + p("bright")
    block = _soft(np.abs(X - p("occ_x") - p("occ_w") / 2) - p("occ_w") / 2, w) * \
        _soft(np.abs(Y - p("occ_y") - p("occ_h") / 2) - p("occ_h") / 2, w)
    bar = _soft(np.abs(v - e("eye_y")) - 0.1, w) * _soft(np.abs(u) - e("eye_dx") - 0.2, w)
    occ = np.where(p("occ_kind"), bar * 0.9, block) * p("occ")
    img = img * (1 - occ) + occ * np.where(p("occ_kind"), 0.05, p("occ_tone"))
    img = img + p("noise") * rng.standard_normal(img.shape)
    return np.clip(img, 0, 1).astype(np.float32)


def faces(identities=10, per_identity: int = 8, seed: int = 0, size: int = 32, nuisance: float = 1.0) -> Faces:
    """Draw ``per_identity`` grey images of each identity: ``Faces(images (N, 1, size, size)
    float32 in [0, 1], identities (N,) int64)``, N = K * per_identity, consecutive per id.

    ``identities``: an int ``K`` (ids 0..K-1), a range or an integer array of ids (see
    ``identity_split``). The identity factors depend on the id only; the nuisance (pose,
    lighting, expression, background, noise, occlusion) on ``(seed, id)``, scaled by
    ``nuisance`` (0: every image of a person the same frontal, evenly lit face; 1: the
    default). The same arguments give the same images. Introduced in 09_face_recognition.
    """
    ids = _ids(identities)
    per_identity, seed = integer(per_identity, "per_identity", 1), integer(seed, "seed")
    size = integer(size, "size", 8)
    strength = number(nuisance, "nuisance", 0.0, 2.0)
    f = identity_factors(ids)
    f = {k: np.repeat(v, per_identity) for k, v in f.items()}
    qs = [_nuisance(np.random.default_rng([seed, int(k), 1]), per_identity, strength) for k in ids]
    q = {k: np.concatenate([d[k] for d in qs]) for k in qs[0]}
    rng = np.random.default_rng([seed, int(ids[0]), len(ids), 2])
    out = np.concatenate([_render({k: v[i:i + 256] for k, v in f.items()},
                                  {k: v[i:i + 256] for k, v in q.items()}, size, rng)
                          for i in range(0, len(ids) * per_identity, 256)])
    return Faces(out[:, None], np.repeat(ids, per_identity))


def augment_faces(images, per_image: int = 4, seed: int = 0, strength: float = 1.0) -> Faces:
    """Data augmentation of real faces: ``per_image`` copies of each (N, H, W) or (N, 1, H, W)
    image, each shifted, rotated and scaled a little, relit from a random side, with a new
    brightness, contrast and pixel noise (scikit-image's ``warp``). Each source image becomes
    an *identity* (id = its index): augmented copies of one photo, not photos of a person
    taken on different days, so a verifier finds it easier than real faces. Returns
    ``Faces`` with images (N * per_image, 1, H, W). Introduced in 09_face_recognition."""
    from skimage.transform import AffineTransform, warp

    x = real_array(images, "images")
    if x.ndim == 4 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 3 or len(x) == 0:
        raise ValueError(f"images must have shape (N, H, W) or (N, 1, H, W) with N >= 1, got {np.shape(images)}.")
    per_image, seed = integer(per_image, "per_image", 1), integer(seed, "seed")
    s = number(strength, "strength", 0.0, 2.0)
    h, w = x.shape[1:]
    out = np.empty((len(x) * per_image, 1, h, w), np.float32)
    gy, gx = np.mgrid[0:h, 0:w]
    gx, gy = gx / (w - 1) * 2 - 1, gy / (h - 1) * 2 - 1
    for i, img in enumerate(x):
        rng = np.random.default_rng([seed, i, 3])
        q = _nuisance(rng, per_image, s)
        for j in range(per_image):
            centre = np.array([w / 2, h / 2])
            tf = (AffineTransform(translation=-centre) + AffineTransform(
                scale=q["scale"][j], rotation=q["rot"][j], translation=centre + [q["tx"][j] * w / 2, q["ty"][j] * h / 2]))
            y = warp(img, tf.inverse, mode="edge")
            y = y * (1 + 0.6 * q["light"][j] * (np.cos(q["light_dir"][j]) * gx + np.sin(q["light_dir"][j]) * gy))
            y = (y - 0.5) * q["contrast"][j] + 0.5 + q["bright"][j] + 0.5 * q["noise"][j] * rng.standard_normal((h, w))
            out[i * per_image + j, 0] = np.clip(y, 0, 1)
    return Faces(out, np.repeat(np.arange(len(x), dtype=np.int64), per_image))


def lfw_subset_faces() -> np.ndarray:
    """The 100 face images of ``skimage.data.lfw_subset()`` (shipped with scikit-image, no
    identities), float32 (100, 25, 25) in [0, 1]. Introduced in 09_face_recognition."""
    from skimage.data import lfw_subset

    return np.asarray(lfw_subset()[:100], dtype=np.float32)


def lfw_identities(per_image: int = 4, seed: int = 0, size: int = 32) -> Faces:
    """A second, *real-image* source: each of lfw_subset's 100 faces, resized to ``size`` x
    ``size``, is one "identity" under augmentation (``augment_faces``). Clearly not 100
    people photographed many times: one photo each, moved and relit. Introduced in
    09_face_recognition."""
    from skimage.transform import resize

    size = integer(size, "size", 8)
    x = np.stack([resize(img, (size, size), anti_aliasing=True) for img in lfw_subset_faces()])
    return augment_faces(x, per_image, seed)


def _sklearn_faces(fetch, what: str, data_home, **kw):
    if data_home is not None and not isinstance(data_home, str):
        raise TypeError(f"data_home must be a folder path (str) or None, got {type(data_home).__name__}.")
    try:
        return fetch(data_home=data_home, download_if_missing=False, **kw)
    except OSError as err:
        raise FileNotFoundError(
            f"{what} is not on this machine (scikit-learn's data folder holds no copy, and the course never "
            f"downloads). Use data.faces(...) instead, or copy the files into scikit-learn's data home "
            f"(sklearn.datasets.get_data_home()) to use it. ({err})") from None


def olivetti_faces(data_home: str | None = None) -> Faces:
    """The Olivetti faces (AT&T: 40 people x 10 images, 64x64) **if the files are already on
    this machine** (``fetch_olivetti_faces(download_if_missing=False)``); otherwise a
    FileNotFoundError saying so. The course never depends on it. Introduced in
    09_face_recognition."""
    from sklearn.datasets import fetch_olivetti_faces

    d = _sklearn_faces(fetch_olivetti_faces, "The Olivetti faces data set", data_home)
    return Faces(d.images[:, None].astype(np.float32), d.target.astype(np.int64))


def lfw_people(min_faces_per_person: int = 20, data_home: str | None = None) -> Faces:
    """Labeled Faces in the Wild, people with at least ``min_faces_per_person`` images (grey,
    resized by half) **if the files are already on this machine**
    (``fetch_lfw_people(download_if_missing=False)``); otherwise a FileNotFoundError saying
    so. Images scaled to [0, 1]. Introduced in 09_face_recognition."""
    from sklearn.datasets import fetch_lfw_people

    m = integer(min_faces_per_person, "min_faces_per_person", 1)
    d = _sklearn_faces(fetch_lfw_people, "LFW (Labeled Faces in the Wild)", data_home, min_faces_per_person=m)
    x = d.images.astype(np.float32)
    return Faces((x / max(float(x.max()), 1e-8))[:, None], d.target.astype(np.int64))
