"""Offline data for the course: nothing here downloads anything.

Sources: scikit-learn's bundled digits and sample images, scikit-image's bundled
``skimage.data`` images (only the ones shipped inside the package), and seeded
generators. Introduced in 00_start_here.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib._checks import boolean, choice, fraction, integer

__all__ = ["Split", "load_digits", "digits_split", "sample_image", "SAMPLE_IMAGES", "scenes", "Scenes", "SCENE_CLASSES",
           "first_symbol_task", "census_first_names",
           "Faces", "faces", "identity_factors", "identity_split", "augment_faces", "lfw_subset_faces",
           "lfw_identities", "olivetti_faces", "lfw_people"]


class Split(NamedTuple):
    """A train/test split: ``x_*`` float32 (N, 1, 8, 8) in [0, 1], ``y_*`` int64 (N,) in 0..9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits of scikit-learn (UCI optdigits test set), offline.

    Returns ``images`` float32 of shape (1797, 8, 8) with values in [0, 1] (the original
    0..16 grey levels divided by 16) and ``labels`` int64 of shape (1797,) in 0..9.
    """
    from sklearn.datasets import load_digits as _load

    d = _load()
    return (d.images / 16.0).astype(np.float32), d.target.astype(np.int64)


def digits_split(test_fraction: float = 0.25, seed: int = 0, size: int = 8) -> Split:
    """A stratified, seeded train/test split of the digits, as (N, 1, size, size) images.

    ``size`` = 8 keeps the original resolution; a larger ``size`` (e.g. 32 for LeNet-5)
    resizes each image with bilinear interpolation. The same ``seed`` gives the same split.
    """
    test_fraction = fraction(test_fraction, "test_fraction", allow_one=False)
    seed, size = integer(seed, "seed"), integer(size, "size (the digits are 8x8)", 8)
    from sklearn.model_selection import train_test_split

    x, y = load_digits()
    x = x[:, None, :, :]
    if size != 8:
        import torch
        import torch.nn.functional as F

        x = F.interpolate(torch.from_numpy(x), size=(size, size), mode="bilinear",
                          align_corners=False).numpy()
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y)
    return Split(xtr, ytr, xte, yte)


SAMPLE_IMAGES = ("camera", "astronaut", "coins", "chelsea", "checkerboard", "china", "flower")


def sample_image(name: str = "camera", gray: bool = True, size: int | None = None) -> np.ndarray:
    """A real photograph shipped with scikit-image or scikit-learn, as float64 in [0, 1].

    ``name`` is one of ``SAMPLE_IMAGES``. Returns (H, W) when ``gray`` else (H, W, 3)
    (grey images are repeated to 3 channels). ``size`` resizes to (size, size) when given.
    """
    choice(name, "name", SAMPLE_IMAGES)
    gray = boolean(gray, "gray")
    size = None if size is None else integer(size, "size", 1)
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image

        img = load_sample_image(f"{name}.jpg")
    else:
        import skimage.data

        img = getattr(skimage.data, name)()
    img = np.asarray(img, dtype=np.float64)
    img = img / 255.0 if img.max() > 1.0 else img
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    if gray and img.ndim == 3:
        img = img @ np.array([0.2125, 0.7154, 0.0721])
    elif not gray and img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if size is not None:
        from skimage.transform import resize

        img = resize(img, (size, size) + img.shape[2:], anti_aliasing=True)
    return img


from course_lib.scenes import CLASS_NAMES as SCENE_CLASSES, Scenes, scenes  # noqa: E402  (chapters 04, 05)
from course_lib.face_gen import (Faces, augment_faces, faces, identity_factors, identity_split,  # noqa: E402
                                  lfw_identities, lfw_people, lfw_subset_faces, olivetti_faces)  # (chapter 09)


# --- chapter 06 (sequences): a long-range memory task and the census first names -------------

def first_symbol_task(n: int, length: int, symbols: int = 4, distractors: int = 4,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The "remember the first symbol" task: a sequence of ``length`` tokens whose first token
    is the label (one of ``symbols`` classes, ids ``0..symbols-1``) and whose other tokens are
    random distractors (ids ``symbols..symbols+distractors-1``). Only a model that carries
    the first token across ``length - 1`` steps beats chance (1 / ``symbols``).
    Returns ``x`` int64 (n, length) and ``y`` int64 (n,), the same for the same ``seed``.
    Introduced in 06_sequence_models.
    """
    n, length = integer(n, "n", 1), integer(length, "length", 1)
    symbols, distractors = integer(symbols, "symbols", 2), integer(distractors, "distractors", 1)
    rng = np.random.default_rng(integer(seed, "seed"))
    x = rng.integers(symbols, symbols + distractors, size=(n, length))
    y = rng.integers(0, symbols, size=n)
    x[:, 0] = y
    return x.astype(np.int64), y.astype(np.int64)


def census_first_names() -> list[str]:
    """The first names of the 1990 US census (public domain), as shipped inside the ``names``
    package (files ``dist.female.first`` and ``dist.male.first``; nothing is downloaded):
    5163 distinct names, lower case, letters a-z only, sorted. Introduced in 06_sequence_models.
    """
    import importlib.resources

    found: set[str] = set()
    for fname in ("dist.female.first", "dist.male.first"):
        text = importlib.resources.files("names").joinpath(fname).read_text(encoding="ascii")
        found.update(line.split()[0].lower() for line in text.splitlines() if line.strip())
    return sorted(found)
