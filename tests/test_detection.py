"""course_lib.detection (chapter 04) against brute force, torch and pycocotools, and the
scenes generator it shares with chapter 05 (course_lib.data.scenes)."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib import data
from course_lib.scenes import CLASS_NAMES, scenes


# --- the scenes generator -----------------------------------------------------------------
@pytest.fixture(scope="module")
def sc():
    return data.scenes(200, size=64, seed=7)


def test_scenes_shapes_dtypes_and_ranges(sc):
    assert sc.images.shape == (200, 3, 64, 64) and sc.images.dtype == np.float32
    assert 0.0 <= sc.images.min() and sc.images.max() <= 1.0
    assert sc.masks.shape == sc.instances.shape == (200, 64, 64)
    assert sc.masks.dtype == sc.instances.dtype == np.uint8
    assert len(sc) == len(sc.boxes) == len(sc.labels) == 200
    for b, lab in zip(sc.boxes, sc.labels):
        assert b.dtype == np.float32 and b.shape == (len(lab), 4) and 1 <= len(lab) <= 4
        assert lab.dtype == np.int64 and np.all((1 <= lab) & (lab < len(CLASS_NAMES)))
        assert np.all(b[:, :2] >= 0) and np.all(b[:, 2:] <= 64) and np.all(b[:, 2:] > b[:, :2])
    assert set(np.unique(sc.masks)) == set(range(len(CLASS_NAMES)))   # every class appears


def test_scenes_are_deterministic_and_seed_dependent():
    a, b, c = scenes(20, seed=3), scenes(20, seed=3), scenes(20, seed=4)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.masks, b.masks)
    assert np.array_equal(a.instances, b.instances)
    assert all(np.array_equal(x, y) for x, y in zip(a.boxes, b.boxes))
    assert all(np.array_equal(x, y) for x, y in zip(a.labels, b.labels))
    assert not np.array_equal(a.images, c.images)


def test_scenes_masks_agree_with_boxes_and_labels(sc):
    """Each instance's visible pixels lie inside its box and carry its label in the class
    mask; an object nothing was drawn over fills its box tightly (the box is the tight box
    of the pixels as drawn, before occlusion); the class mask is 0 exactly off the objects."""
    tight = 0
    for i in range(len(sc)):
        inst, mask = sc.instances[i], sc.masks[i]
        assert np.array_equal(mask == 0, inst == 0)
        n_obj = len(sc.labels[i])
        assert inst.max() == n_obj                      # the last object is always fully visible
        for j, ((x1, y1, x2, y2), lab) in enumerate(zip(sc.boxes[i], sc.labels[i])):
            rows, cols = np.nonzero(inst == j + 1)
            assert rows.size > 0
            assert np.all(mask[rows, cols] == lab)
            assert cols.min() >= x1 and cols.max() + 1 <= x2 and rows.min() >= y1 and rows.max() + 1 <= y2
            occluders = inst[int(y1):int(y2), int(x1):int(x2)]
            if not np.any(occluders > j + 1):          # nothing later overlaps its box
                assert (cols.min(), rows.min(), cols.max() + 1, rows.max() + 1) == (x1, y1, x2, y2)
                tight += 1
    assert tight > len(sc)                               # the tightness check ran on many objects


def test_scenes_objects_stay_visible_and_overlap_sometimes(sc):
    overlapping = 0
    for i in range(len(sc)):
        b = sc.boxes[i]
        for j, (x1, y1, x2, y2) in enumerate(b):
            visible = np.count_nonzero(sc.instances[i] == j + 1)
            assert visible >= 0.5 * sc.areas[i][j]            # min_visible = 0.5 by default
            assert sc.areas[i][j] <= (x2 - x1) * (y2 - y1)       # the drawn pixels fit the box
        lo, hi = np.maximum(b[:, None, :2], b[None, :, :2]), np.minimum(b[:, None, 2:], b[None, :, 2:])
        inter = np.prod(np.clip(hi - lo, 0, None), axis=-1)
        overlapping += np.count_nonzero(np.triu(inter, 1) > 0)
    assert overlapping > 20                              # partial overlaps do happen
    occluded = sum(np.count_nonzero(sc.instances[i] == j + 1) < sc.areas[i][j]
                   for i in range(len(sc)) for j in range(len(sc.labels[i])))
    assert occluded > 10                                 # and some objects are partly hidden


def test_scenes_min_visible_is_honoured():
    s = scenes(100, seed=11, min_visible=0.9)
    for i in range(len(s)):
        for j in range(len(s.labels[i])):
            assert np.count_nonzero(s.instances[i] == j + 1) >= 0.9 * s.areas[i][j]


def test_scenes_bad_arguments():
    with pytest.raises(TypeError, match="n"):
        scenes(2.0)
    with pytest.raises(ValueError, match="n"):
        scenes(0)
    with pytest.raises(ValueError, match="size"):
        scenes(2, size=8)
    with pytest.raises(ValueError, match="min_visible"):
        scenes(2, min_visible=1.5)
