"""Generated scenes of simple shapes with boxes and masks (chapters 04 and 05).

``scenes(n, size=64, seed=0)`` draws ``n`` RGB images of 1 to ``max_objects`` shapes
(circle, square, triangle, cross) of varied size, colour and position on a textured,
noisy background, with partial overlaps, and returns every ground truth a detection or a
segmentation model needs:

- ``images``    float32 (N, 3, H, W) in [0, 1];
- ``masks``     uint8 (N, H, W): the class of the visible object at each pixel
  (0 = background, 1..4 = ``CLASS_NAMES[1:]``);
- ``instances`` uint8 (N, H, W): which object is visible at each pixel (0 = background,
  j + 1 = the j-th object of that image, in drawing order);
- ``boxes``     list of N float32 arrays (n_i, 4): (x1, y1, x2, y2) in pixels, continuous
  coordinates (pixel (row r, column c) covers [c, c+1) x [r, r+1)), the tight box of the
  object's pixels *as drawn*, before later objects occlude it;
- ``labels``    list of N int64 arrays (n_i,): class of each box, 1..4 (as in ``masks``);
- ``areas``     list of N int64 arrays (n_i,): each object's pixel count as drawn (its
  visible count is ``(instances[i] == j + 1).sum()``, at least ``min_visible`` of it).

Objects lie fully inside the image; a later object is drawn over earlier ones, and is
only placed where every earlier object keeps at least ``min_visible`` of its pixels, so
no object is hidden. Everything comes from one ``numpy.random.default_rng(seed)``: the
same arguments give the same scenes, bit for bit. The background is vectorised over the
whole batch and the per-object work is a few ``skimage.draw`` calls: 10,000 scenes of
64x64 take about 6 CPU seconds (0.6 ms a scene). Introduced in 04_object_detection.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skimage.draw import disk, polygon

from course_lib import _checks

__all__ = ["CLASS_NAMES", "Scenes", "scenes"]

CLASS_NAMES = ("background", "circle", "square", "triangle", "cross")


@dataclass
class Scenes:
    """The images and their ground truth; see the module docstring for each field's shape."""

    images: np.ndarray
    masks: np.ndarray
    instances: np.ndarray
    boxes: list
    labels: list
    areas: list
    class_names: tuple = CLASS_NAMES

    def __len__(self) -> int:
        return len(self.images)


def _upsample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) linear-interpolation weights, so M @ g @ M.T upsamples a grid g."""
    pos = (np.arange(n_out) + 0.5) * (n_in - 1) / n_out
    lo = np.minimum(np.floor(pos).astype(int), n_in - 2)
    t = pos - lo
    m = np.zeros((n_out, n_in))
    m[np.arange(n_out), lo] = 1 - t
    m[np.arange(n_out), lo + 1] = t
    return m


def _backgrounds(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """(n, 3, size, size) float32 muted backgrounds: colour + smooth blotches + stripes."""
    return np.concatenate([_background_chunk(rng, min(512, n - k), size) for k in range(0, n, 512)])


def _background_chunk(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    f32 = np.float32
    base = rng.uniform(0.25, 0.6, (n, 1, 1, 1)) + rng.uniform(-0.08, 0.08, (n, 3, 1, 1))
    m = _upsample_matrix(5, size).astype(f32)
    grid = (rng.uniform(-1, 1, (n, 1, 5, 5)) * rng.uniform(0.0, 0.15, (n, 1, 1, 1))).astype(f32)
    blotch = np.einsum("hi,ncij,wj->nchw", m, grid, m)
    angle = rng.uniform(0, np.pi, (n, 1, 1, 1))
    freq = rng.uniform(0.15, 0.6, (n, 1, 1, 1))
    yy, xx = np.mgrid[0:size, 0:size].astype(f32)
    phase = (freq * np.cos(angle)).astype(f32) * xx + (freq * np.sin(angle)).astype(f32) * yy
    stripes = np.sin(phase + rng.uniform(0, 6.3, (n, 1, 1, 1)).astype(f32))
    amp = rng.uniform(0.0, 0.08, (n, 1, 1, 1)) * (rng.random((n, 1, 1, 1)) < 0.6)
    return blotch + amp.astype(f32) * stripes + base.astype(f32)


def _shape_pixels(rng: np.random.Generator, cls: int, s: float, cy: float, cx: float,
                  size: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of one shape of class ``cls`` and extent ``s`` centred at (cy, cx)."""
    shape = (size, size)
    if cls == 1:                                   # circle
        return disk((cy, cx), s / 2, shape=shape)
    if cls == 2:                                   # axis-aligned square
        h = s / 2 * 0.85
        return polygon([cy - h, cy - h, cy + h, cy + h], [cx - h, cx + h, cx + h, cx - h], shape)
    if cls == 3:                                   # triangle, any orientation
        a = rng.uniform(0, 2 * np.pi) + np.array([0, 2 * np.pi / 3, 4 * np.pi / 3])
        return polygon(cy + s / 2 * np.sin(a), cx + s / 2 * np.cos(a), shape)
    h, t = s / 2, s / 6                            # cross (a plus sign)
    r1, c1 = polygon([cy - t, cy - t, cy + t, cy + t], [cx - h, cx + h, cx + h, cx - h], shape)
    r2, c2 = polygon([cy - h, cy - h, cy + h, cy + h], [cx - t, cx + t, cx + t, cx - t], shape)
    flat = np.unique(np.concatenate([r1 * size + c1, r2 * size + c2]))
    return flat // size, flat % size


def _colour(rng: np.random.Generator, avoid: list[np.ndarray]) -> np.ndarray:
    """A saturated colour at least 0.35 (max over channels) from every colour in ``avoid``."""
    for _ in range(50):
        c = rng.uniform(0.0, 1.0, 3)
        c[rng.integers(3)] = rng.choice([0.05, 0.95])     # one channel at an extreme: saturated
        if all(np.abs(c - a).max() > 0.35 for a in avoid):
            return c
    return c


def scenes(n: int, size: int = 64, seed: int = 0, max_objects: int = 4,
           min_visible: float = 0.5, noise: float = 0.04) -> Scenes:
    """``n`` seeded scenes of ``size`` x ``size`` with boxes, labels, class and instance masks.

    Returns a :class:`Scenes` with ``images`` (n, 3, size, size) float32 in [0, 1],
    ``masks`` and ``instances`` (n, size, size) uint8, ``boxes`` a list of (n_i, 4)
    float32 (x1, y1, x2, y2) and ``labels`` and ``areas`` lists of (n_i,) int64 (labels in 1..4), with
    1 <= n_i <= ``max_objects``. Objects span 20-45 % of the image side; each keeps at
    least ``min_visible`` of its pixels visible; Gaussian pixel noise of std ``noise``.
    Introduced in 04_object_detection.
    """
    n = _checks.integer(n, "n", minimum=1)
    size = _checks.integer(size, "size", minimum=16)
    seed = _checks.integer(seed, "seed", minimum=0)
    max_objects = _checks.integer(max_objects, "max_objects", minimum=1)
    if max_objects > 254:
        raise ValueError(f"max_objects must be at most 254 (uint8 instance ids), got {max_objects}.")
    min_visible = _checks.fraction(min_visible, "min_visible", allow_zero=True)
    noise = _checks.number(noise, "noise", low=0.0)
    rng = np.random.default_rng(seed)
    images = _backgrounds(rng, n, size)
    masks = np.zeros((n, size, size), np.uint8)
    instances = np.zeros((n, size, size), np.uint8)
    counts = rng.integers(1, max_objects + 1, n)
    all_boxes, all_labels, all_areas = [], [], []
    for i in range(n):
        img, inst = images[i], instances[i]
        avoid = [img.mean(axis=(1, 2))]
        boxes, labels, full, visible = [], [], [], np.zeros(0, np.int64)
        for _ in range(counts[i]):
            for _try in range(20):
                cls = int(rng.integers(1, len(CLASS_NAMES)))
                s = rng.uniform(0.2, 0.45) * size
                cy, cx = rng.uniform(s / 2 + 1, size - s / 2 - 1, 2)
                rr, cc = _shape_pixels(rng, cls, s, cy, cx, size)
                covered = np.bincount(inst[rr, cc], minlength=len(full) + 1)[1:]
                if rr.size and np.all(visible - covered >= min_visible * np.asarray(full, float)):
                    break
            else:
                continue                               # no room left for another object
            colour = _colour(rng, avoid)
            avoid.append(colour)
            img[:, rr, cc] = colour[:, None]
            inst[rr, cc] = len(full) + 1
            masks[i, rr, cc] = cls
            full.append(rr.size)
            visible = np.append(visible - covered, rr.size)
            boxes.append((cc.min(), rr.min(), cc.max() + 1, rr.max() + 1))
            labels.append(cls)
        all_boxes.append(np.asarray(boxes, np.float32).reshape(-1, 4))
        all_labels.append(np.asarray(labels, np.int64))
        all_areas.append(np.asarray(full, np.int64))
    for k in range(0, n, 512):                         # in chunks: no float64 copy of the batch
        chunk = images[k:k + 512]
        chunk += np.float32(noise) * rng.standard_normal(chunk.shape, dtype=np.float32)
    np.clip(images, 0.0, 1.0, out=images)
    return Scenes(images, masks, instances, all_boxes, all_labels, all_areas)
