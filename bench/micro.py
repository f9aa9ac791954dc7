"""Side-by-side measurements for ``make bench`` (run in one process, one after another).

- ``conv_ratio``: course_lib.conv.conv2d_im2col vs torch.nn.functional.conv2d on the same
  float32 input, timed in interleaved pairs (im2col, torch, im2col, torch, ...) so both see
  the same machine load; ratio of the medians, and the outputs are compared first. Run in
  a fresh process per thread count (2: the course's setting; 1: less sensitive to load).
- ``widget_latency``: every widget builder of the chapter modules of course_lib.widgets
  (``widgets/<KEY>.py``, found by listing the package), built headless; each of its controls is moved back and forth and
  the synchronous callback is timed (median).
- ``param_counts``: the chapter-03 constructors at their defaults (built on the ``meta``
  device, so no memory is used) against the reference implementations' counts.
"""
from __future__ import annotations

import contextlib
import inspect
import io
import statistics
import time
from typing import Any, Callable

import numpy as np

# --- from-scratch conv2d vs F.conv2d ---------------------------------------------------


def conv_ratio(repeats: int = 5, shape=(16, 16, 64, 64), c_out: int = 32, f: int = 3,
               stride: int = 1, padding: int = 1, threads: int = 2) -> dict:
    """Median time of conv2d_im2col / median time of F.conv2d, interleaved, float32.

    ``threads`` is torch's thread count (``course_lib.setup(threads=...)``); numpy's BLAS
    thread count is fixed when the process starts: use ``conv_ratio_in_subprocess``.
    """
    import torch
    import torch.nn.functional as F

    import course_lib
    from course_lib import conv

    course_lib.setup(threads=threads)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape, dtype=np.float32)
    w = rng.standard_normal((c_out, shape[1], f, f), dtype=np.float32)
    b = rng.standard_normal(c_out, dtype=np.float32)
    xt, wt, bt = (torch.from_numpy(a) for a in (x, w, b))

    def ours():
        return conv.conv2d_im2col(x, w, b, stride=stride, padding=padding)

    def theirs():
        with torch.no_grad():
            return F.conv2d(xt, wt, bt, stride=stride, padding=padding)

    out, ref = np.asarray(ours()), theirs().numpy()  # also the warm-up of both
    rel_err = float(np.max(np.abs(out - ref)) / np.max(np.abs(ref)))
    t_ours, t_torch = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        ours()
        t_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        theirs()
        t_torch.append(time.perf_counter() - t0)
    m_ours, m_torch = statistics.median(t_ours), statistics.median(t_torch)
    return {"ratio": m_ours / m_torch, "ours_s": m_ours, "torch_s": m_torch,
            "pair_ratios": [a / b for a, b in zip(t_ours, t_torch)], "repeats": repeats,
            "rel_err": rel_err, "out_dtype": str(out.dtype), "out_shape": tuple(out.shape),
            "torch_threads": torch.get_num_threads()}


def conv_ratio_in_subprocess(threads: int, repeats: int = 5) -> dict:
    """``conv_ratio`` in a fresh process where torch AND numpy's BLAS use ``threads`` threads."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    env.pop("COURSE_THREADS", None)  # it would override setup(threads=...)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    proc = subprocess.run([sys.executable, __file__, "conv", str(threads), str(repeats)],
                          env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"conv benchmark process failed: {proc.stderr[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- widget callback latency -------------------------------------------------------------


def _histories() -> dict:
    """Three real short training runs (digits MLP) for the run-comparison widget."""
    import torch
    import torch.nn as nn

    from course_lib import data, train

    d = data.digits_split()
    runs = {"SGD": lambda p: torch.optim.SGD(p, lr=0.1),
            "RMSprop": lambda p: torch.optim.RMSprop(p, lr=1e-3),
            "Adam": lambda p: torch.optim.Adam(p, lr=3e-3)}
    out = {}
    for name, make in runs.items():
        torch.manual_seed(0)
        m = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
        out[name] = train.fit(m, (d.x_train, d.y_train), epochs=30, batch_size=32,
                              optimizer=make(m.parameters()), val=(d.x_test, d.y_test),
                              progress=False, seed=0)
    return out


def _ch03() -> tuple:
    """The reduced VGG-16 of 03_cnn_architectures (seeded, untrained: the callbacks do the
    same work whatever the weights), 40 test digits at 32x32, and four conv layers."""
    import torch

    from course_lib import data, models, visualize

    torch.manual_seed(0)
    vgg = models.reduced_model("vgg16").eval()
    images = data.digits_split(size=32).x_test[:40]
    return vgg, images, visualize.conv_layers(vgg)[:4]


def _ch05() -> tuple:
    """The committed U-Net of 05_semantic_segmentation (data/unet_scenes.pt), 16 held-out
    scenes (seed 2) and its class probabilities for them, as the notebook builds its viewers."""
    from course_lib import data, segmentation
    from course_lib.models.unet import load_unets

    nets, _ = load_unets()
    test = data.scenes(16, seed=2)
    return nets["skip"], test, segmentation.predict_proba(nets["skip"], test.images)


def _ch04() -> tuple:
    """The committed tiny YOLO of 04_object_detection (data/tiny_yolo.pt), 40 held-out scenes
    (seed 4), its raw detections and its final detections, as the notebook builds its widgets."""
    from course_lib import data, detection

    model, _ = detection.load_tiny_yolo()
    view = data.scenes(40, seed=4)
    return view, detection.raw_detections(model, view.images), detection.detect(model, view.images)


# Builders that need arguments: how the bench makes them (as the notebooks do), given the
# builder's chapter module.
FACTORIES: dict[str, Callable[[Any], Any]] = {
    "nms_explorer": lambda module: (lambda v, raw, dets: module.nms_explorer(
        v.images, raw, scene=1, score_threshold=0.05))(*_ch04()),
    "detection_viewer": lambda module: (lambda v, raw, dets: module.detection_viewer(
        v.images, dets, v.boxes, v.labels, scene=0, score_threshold=0.3))(*_ch04()),
    "scene_viewer": lambda module: (lambda net, t, p: module.scene_viewer(
        t.images, t.masks, p, t.class_names, threshold=0.5))(*_ch05()),
    "layer_viewer": lambda module: (lambda net, t, p: module.layer_viewer(net, t.images[:8]))(*_ch05()),
    "optimizer_comparison": lambda module: module.optimizer_comparison(_histories()),
    "filter_viewer": lambda module: (lambda m, x, _: module.filter_viewer(m, x[0]))(*_ch03()),
    "activation_viewer": lambda module: module.activation_viewer(*_ch03()),
    "gate_explorer": lambda module: module.gate_explorer(_ch06()[0], "alexander"),
    "temperature_sampler": lambda module: module.temperature_sampler(*_ch06()),
    "neighbour_explorer": lambda module: module.neighbour_explorer(
        *_ch07(), examples=["paris - france + italy", "king - man + woman", "queen"]),
    "threshold_explorer": lambda module: (lambda f, e, pairs, db, probes: module.threshold_explorer(
        _pair_distances(e, pairs), pairs[2], f.images[pairs[0]], f.images[pairs[1]]))(*_ch09()),
    "recognition_viewer": lambda module: (lambda f, e, pairs, db, probes: module.recognition_viewer(
        f.images[probes], e[probes], f.identities[probes], f.images[db], e[db], f.identities[db],
        threshold=0.45))(*_ch09()),
}


def _ch09() -> tuple:
    """The committed face embedder of 09_face_recognition (data/face_embedder.pt) on its 100
    unseen test identities (seed 3), the notebook's 2,000 pairs, database rows (one image of
    each of the first 50 people) and probe rows, as the notebook builds its widgets."""
    from course_lib import data, faces, faces_metric

    model, _ = faces_metric.load_embedder()
    f = data.faces(data.identity_split(1, 1, 100)[2], 10, seed=3)
    e = faces_metric.embed(model, f.images)
    pairs = faces.make_pairs(f.identities, 2000, np.random.default_rng(9))
    k = np.arange(len(f)) % 10
    return f, e, pairs, np.flatnonzero((k == 0) & (np.arange(len(f)) < 500)), np.flatnonzero(k >= 5)


def _pair_distances(e, pairs) -> np.ndarray:
    return np.linalg.norm(e[pairs[0]] - e[pairs[1]], axis=1)


def _ch07() -> tuple:
    """Word vectors of the size 07_word_embeddings trains (its 194-word vocabulary, d = 50;
    seeded, untrained: a callback does the same work whatever the vectors) and the vocabulary."""
    import numpy as np

    from course_lib import embeddings

    vocab = embeddings.build_vocab(embeddings.analogy_corpus().sentences)
    return np.random.default_rng(0).normal(size=(len(vocab), 50)), vocab


def _ch06() -> tuple:
    """A CharLSTM of the size 06_sequence_models trains (128 units; seeded, untrained: a
    callback does the same work whatever the weights) and the census first names."""
    import torch

    from course_lib import char_lm, data

    torch.manual_seed(0)
    return char_lm.CharLSTM(hidden=128), data.census_first_names()


def _controls(widget) -> list:
    import ipywidgets as W

    kinds = (W.IntSlider, W.FloatSlider, W.FloatLogSlider, W.SelectionSlider, W.Dropdown,
             W.RadioButtons, W.ToggleButtons, W.Select, W.Checkbox, W.ToggleButton,
             W.IntText, W.FloatText, W.BoundedIntText, W.BoundedFloatText)
    found, stack, seen = [], [widget], set()
    while stack:
        w = stack.pop(0)
        if id(w) in seen:
            continue
        seen.add(id(w))
        if isinstance(w, kinds) and not getattr(w, "disabled", False):
            found.append(w)
        stack.extend(getattr(w, "children", ()) or ())
    return found


def _alternatives(c) -> tuple[str, Any, Any] | None:
    """(attribute, current, another valid value) to move control ``c`` back and forth."""
    import ipywidgets as W

    v = c.value
    if isinstance(c, (W.Checkbox, W.ToggleButton)):
        return "value", v, not v
    if isinstance(c, (W.Dropdown, W.RadioButtons, W.ToggleButtons, W.Select, W.SelectionSlider)):
        n = len(c.options)
        return None if n < 2 or c.index is None else ("index", c.index, (c.index + 1) % n)
    if isinstance(c, W.FloatLogSlider):
        up = v * c.base ** c.step
        return "value", v, up if up <= c.base ** c.max else v / c.base ** c.step
    step = getattr(c, "step", None) or (1 if isinstance(v, int) else 0.5)
    hi, lo = getattr(c, "max", None), getattr(c, "min", None)
    if hi is None or v + step <= hi:
        return "value", v, v + step
    return ("value", v, v - step) if lo is None or v - step >= lo else None


def _label(c) -> str:
    return (getattr(c, "description", "") or type(c).__name__).strip()


def widget_latency(changes: int = 5) -> list[dict]:
    """For each builder in the chapter modules of course_lib.widgets: the slowest control's
    median callback time."""
    import importlib
    import pkgutil

    import matplotlib

    matplotlib.use("Agg")
    import course_lib.widgets

    rows = []
    builders = []
    keys = sorted(m.name for m in pkgutil.iter_modules(course_lib.widgets.__path__) if not m.name.startswith("_"))
    for key in keys:
        module = importlib.import_module(f"course_lib.widgets.{key}")
        builders += [(n, f, module) for n, f in vars(module).items()
                     if inspect.isfunction(f) and f.__module__ == module.__name__ and not n.startswith("_")]
    for name, fn, module in sorted(builders, key=lambda b: b[0]):
        row = {"widget": name, "ok": False}
        required = [p.name for p in inspect.signature(fn).parameters.values()
                    if p.default is inspect.Parameter.empty
                    and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                if name in FACTORIES:
                    w = FACTORIES[name](module)
                elif required:
                    row["why"] = f"needs arguments {required}; no bench factory for it yet"
                    rows.append(row)
                    continue
                else:
                    w = fn()
                per_control = []
                for c in _controls(w):
                    alt = _alternatives(c)
                    if alt is None or alt[1] == alt[2]:
                        continue
                    attr, a, b = alt
                    times = []
                    for k in range(2 * changes):
                        t0 = time.perf_counter()
                        setattr(c, attr, b if k % 2 == 0 else a)
                        times.append(time.perf_counter() - t0)
                    label = _label(c)
                    same = sum(1 for _, lbl, _ in per_control if lbl.split(" #")[0] == label)
                    per_control.append((statistics.median(times), f"{label} #{same + 1}" if same else label,
                                        len(times)))
        except Exception as exc:  # reported in the table, never hidden
            row["why"] = f"{type(exc).__name__}: {exc}"
            rows.append(row)
            continue
        if not per_control:
            row["why"] = "no control found to change"
        else:
            worst = max(per_control)
            row.update(ok=True, median_ms=1000 * worst[0], control=worst[1], controls=len(per_control),
                       samples=worst[2], all_ms={lbl: round(1000 * t, 1) for t, lbl, _ in per_control})
        rows.append(row)
    return rows


# --- chapter-03 parameter counts ----------------------------------------------------------

# (label, constructor name, kwargs, reference count, source of the reference)
REFERENCE_PARAMS = [
    ("LeNet-5", "lenet5", {}, 61_706, "LeCun et al. 1998, 32x32 input, 10 classes"),
    ("AlexNet", "alexnet", {}, 61_100_840, "torchvision alexnet"),
    ("VGG-16", "vgg16", {}, 138_357_544, "torchvision vgg16"),
    ("GoogLeNet (no aux)", "googlenet", {"aux": False}, 6_624_904, "torchvision googlenet, aux_logits=False"),
    ("GoogLeNet (with aux)", "googlenet", {"aux": True}, 13_004_888, "torchvision googlenet, aux_logits=True"),
    ("Inception-v3 (with aux)", "inception_v3", {"aux": True}, 27_161_264, "torchvision inception_v3 (default)"),
    ("Inception-v3 (no aux)", "inception_v3", {"aux": False}, 23_834_568, "torchvision inception_v3, aux_logits=False"),
    ("ResNet-18", "resnet18", {}, 11_689_512, "torchvision resnet18"),
    ("ResNet-50", "resnet50", {}, 25_557_032, "torchvision resnet50"),
]


def param_counts() -> list[dict]:
    import importlib

    import torch

    rows = []
    try:
        models = importlib.import_module("course_lib.models")
    except ImportError as exc:
        return [dict(label=l, ref=r, source=s, ok=False, why=f"course_lib.models missing ({exc})")
                for l, _, _, r, s in REFERENCE_PARAMS]
    for label, ctor, kwargs, ref, source in REFERENCE_PARAMS:
        row = {"label": label, "ref": ref, "source": source, "ok": False, "call": f"{ctor}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"}
        fn = getattr(models, ctor, None)
        if fn is None:
            row["why"] = f"course_lib.models.{ctor} does not exist"
        else:
            try:
                try:
                    with torch.device("meta"):
                        m = fn(**kwargs)
                except Exception:  # some constructors may not build on meta: use real memory
                    m = fn(**kwargs)
                row.update(ok=True, count=sum(p.numel() for p in m.parameters()))
            except Exception as exc:
                row["why"] = f"{type(exc).__name__}: {exc}"
        rows.append(row)
    return rows


if __name__ == "__main__":
    import json
    import sys

    if sys.argv[1:2] == ["conv"]:
        print(json.dumps(conv_ratio(repeats=int(sys.argv[3]), threads=int(sys.argv[2]))))
