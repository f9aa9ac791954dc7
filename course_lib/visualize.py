"""Looking inside CNNs: a forward-hook summary (output shape, parameters, multiply-adds per
stage), receptive fields, activation maps and the input patches that most excite a unit
(Zeiler & Fergus, 2013). Pure functions: the widgets in ``course_lib.widgets`` and the
figures in ``course_lib.plots`` only display what these return. Introduced in
03_cnn_architectures.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from course_lib._checks import integer, module as check_module
from course_lib.models import count_parameters
from course_lib.train import evaluating

__all__ = ["SummaryRow", "layer_mult_adds", "summary", "format_summary", "LayerGeometry",
           "layer_geometry", "activations", "top_patches", "conv_layers", "filter_mosaic", "activation_view",
           "filter_view"]


@dataclass
class SummaryRow:
    """One row of :func:`summary`: a module's name, type, output shape (``None`` if it did
    not run, e.g. an auxiliary classifier in eval mode), parameters and multiply-adds.
    Introduced in 03_cnn_architectures."""

    name: str
    kind: str
    output_shape: tuple | None
    params: int
    mult_adds: int


def layer_mult_adds(module: nn.Module, output: torch.Tensor) -> int:
    """Multiply-adds one call of a Conv2d or Linear layer made, from its output's shape.

    Conv2d: every output value costs (C_in / groups) * kh * kw multiply-adds, so
    ``output.numel() * C_in/groups * kh * kw``; Linear: ``output.numel() * in_features``.
    Other layers (BN, ReLU, pooling) are counted as 0, as in the papers' tables.
    Introduced in 03_cnn_architectures.
    """
    check_module(module, "module")
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        return output.numel() * (module.in_channels // module.groups) * kh * kw
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return 0


def _shape(out) -> tuple | None:
    if isinstance(out, (tuple, list)):
        out = out[0]
    return tuple(out.shape) if isinstance(out, torch.Tensor) else None


def summary(model: nn.Module, input_shape: tuple[int, ...], depth: int = 1) -> list[SummaryRow]:
    """Run one forward pass in eval mode and tabulate the modules ``depth`` levels down.

    ``input_shape`` is (N, C, H, W), e.g. (1, 3, 224, 224). Forward hooks record each row's
    output shape and add up the multiply-adds of every Conv2d/Linear inside it
    (:func:`layer_mult_adds`). The model may live on the ``meta`` device: then shapes and
    counts are computed without allocating any weights. Rows come in execution order;
    modules that did not run come last with ``output_shape=None`` and 0 multiply-adds.
    Introduced in 03_cnn_architectures.
    """
    check_module(model, "model")
    depth = integer(depth, "depth", 1)
    if not (isinstance(input_shape, (tuple, list)) and len(input_shape) >= 2
            and all(isinstance(n, int) and n > 0 for n in input_shape)):
        raise ValueError(f"input_shape must be a tuple of positive ints like (1, 3, 224, 224), got {input_shape!r}.")
    rows = {n: m for n, m in model.named_modules() if n and n.count(".") == depth - 1}
    shapes: dict[str, tuple | None] = {}
    macs = dict.fromkeys(rows, 0)
    handles = []

    def record_shape(name):
        def hook(module, inputs, output):  # a forward hook must return None
            shapes.setdefault(name, _shape(output))
        return hook

    def add_mult_adds(row):
        def hook(module, inputs, output):
            macs[row] += layer_mult_adds(module, output)
        return hook

    for name, m in rows.items():
        handles.append(m.register_forward_hook(record_shape(name)))
    for name, m in model.named_modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            row = next((r for r in rows if name == r or name.startswith(r + ".")), None)
            if row is not None:
                handles.append(m.register_forward_hook(add_mult_adds(row)))
    device = next(model.parameters()).device
    try:
        with evaluating(model):
            model(torch.zeros(input_shape, device=device))
    finally:
        for h in handles:
            h.remove()
    order = list(shapes) + [n for n in rows if n not in shapes]
    return [SummaryRow(n, type(rows[n]).__name__, shapes.get(n), count_parameters(rows[n]), macs[n])
            for n in order]


def format_summary(rows: list[SummaryRow], title: str = "") -> str:
    """The rows of :func:`summary` as a fixed-width text table, with a total line.
    Introduced in 03_cnn_architectures."""
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, SummaryRow) for r in rows):
        raise TypeError(f"rows must be the list of SummaryRow that summary() returns, got {type(rows).__name__}.")
    lines = [title] if title else []
    lines.append(f"{'stage':<14}{'type':<18}{'output shape':<22}{'parameters':>14}{'mult-adds':>17}")
    for r in rows:
        shape = "not run (eval)" if r.output_shape is None else str(r.output_shape)
        lines.append(f"{r.name:<14}{r.kind:<18}{shape:<22}{r.params:>14,}{r.mult_adds:>17,}")
    lines.append(f"{'total':<54}{sum(r.params for r in rows):>14,}{sum(r.mult_adds for r in rows):>17,}")
    return "\n".join(lines)


# --- receptive fields -------------------------------------------------------------------------

@dataclass
class LayerGeometry:
    """Where a layer's units look in the input: ``rf`` (receptive field side, pixels), ``jump``
    (input pixels between neighbouring units), ``start`` (input coordinate of unit 0's centre).
    Introduced in 03_cnn_architectures."""

    name: str
    kind: str
    rf: int
    jump: int
    start: float


def _first(v) -> int:
    return int(v[0]) if isinstance(v, (tuple, list)) else int(v)


def layer_geometry(model: nn.Sequential) -> list[LayerGeometry]:
    """Receptive field, jump and start of every layer of a chain of layers (an ``nn.Sequential``,
    e.g. LeNet-5 or a VGG with its stages flattened). Square kernels assumed.

    For a layer with kernel k, stride s, padding p, dilation d after a layer with (r, j, start):
    r' = r + (k-1) d j, start' = start + ((k-1) d / 2 - p) j, j' = j s. Layers that do not
    move pixels around (ReLU, BN, Flatten...) keep the values of the layer before.
    Introduced in 03_cnn_architectures.
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model must be an nn.Sequential chain of layers, got {type(model).__name__}.")
    r, j, start, out = 1, 1, 0.0, []
    for name, m in model.named_modules():
        if isinstance(m, nn.Sequential) or not name:
            continue
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            k, s, p = _first(m.kernel_size), _first(m.stride), _first(m.padding)
            d = _first(getattr(m, "dilation", 1))
            r += (k - 1) * d * j
            start += ((k - 1) * d / 2 - p) * j
            j *= s
        elif isinstance(m, (nn.Linear, nn.AdaptiveAvgPool2d, nn.Flatten)):
            break  # from here on every unit sees the whole image
        out.append(LayerGeometry(name, type(m).__name__, r, j, start))
    return out


# --- activations and maximally activating patches ---------------------------------------------

def conv_layers(model: nn.Module) -> list[str]:
    """Names of the Conv2d layers of ``model`` in definition order. Introduced in 03_cnn_architectures."""
    check_module(model, "model")
    return [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]


def activations(model: nn.Module, x: torch.Tensor | np.ndarray, layers: list[str],
                batch_size: int = 512) -> dict[str, np.ndarray]:
    """The outputs of the named ``layers`` for inputs ``x`` (N, C, H, W), in eval mode, no grad.

    Returns {name: float32 array (N, C_l, H_l, W_l)}. Hooks are removed afterwards.
    Introduced in 03_cnn_architectures.
    """
    check_module(model, "model")
    names = dict(model.named_modules())
    missing = [n for n in layers if n not in names]
    if missing:
        raise ValueError(f"layers {missing} are not in the model; choose from {list(names)[1:]}.")
    x = torch.as_tensor(np.asarray(x, dtype=np.float32))
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {tuple(x.shape)}.")
    store: dict[str, list] = {n: [] for n in layers}
    handles = [names[n].register_forward_hook(lambda m, i, o, n=n: store[n].append(o.detach().clone()))
               for n in layers]
    try:
        with evaluating(model):
            for k in range(0, len(x), batch_size):
                model(x[k:k + batch_size])
    finally:
        for h in handles:
            h.remove()
    return {n: torch.cat(v).numpy() for n, v in store.items()}


def top_patches(images: np.ndarray, acts: np.ndarray, channel: int, geometry: LayerGeometry,
                k: int = 9) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, int]]]:
    """The ``k`` input patches that most activate unit ``channel`` of a layer (one per image).

    ``images`` (N, C, H, W) are the inputs, ``acts`` (N, C_l, H_l, W_l) that layer's
    activations for them (:func:`activations`), ``geometry`` its :class:`LayerGeometry`.
    For each image the strongest position of the channel is found; the ``k`` best images
    give patches (k, C, rf, rf) cut around the unit's receptive field (zero outside the
    image). Returns (patches, scores (k,), [(image, row, col), ...]). Introduced in 03_cnn_architectures.
    """
    images = np.asarray(images)
    if acts.ndim != 4 or images.ndim != 4 or len(acts) != len(images):
        raise ValueError(f"images (N, C, H, W) and acts (N, C_l, H_l, W_l) must have the same N, "
                         f"got {images.shape} and {acts.shape}.")
    if not 0 <= channel < acts.shape[1]:
        raise ValueError(f"channel must be in 0..{acts.shape[1] - 1}, got {channel}.")
    k = min(int(k), len(images))
    a = acts[:, channel].reshape(len(acts), -1)
    best_pos = a.argmax(1)
    best = a[np.arange(len(a)), best_pos]
    order = np.argsort(-best, kind="stable")[:k]
    r, pad = geometry.rf, geometry.rf
    padded = np.pad(images, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    patches, where = [], []
    for n in order:
        i, j = divmod(int(best_pos[n]), acts.shape[3])
        top = int(round(geometry.start + i * geometry.jump - (r - 1) / 2)) + pad
        left = int(round(geometry.start + j * geometry.jump - (r - 1) / 2)) + pad
        patches.append(padded[n, :, top:top + r, left:left + r])
        where.append((int(n), i, j))
    return np.stack(patches), best[order], where


# --- pure functions behind the chapter-03 widgets ------------------------------------------------

def filter_mosaic(weight: np.ndarray, max_inputs: int = 16) -> np.ndarray:
    """One filter's kernels tiled in a near-square grid: ``weight`` (C_in, kh, kw) -> a 2-D image
    of the first ``n = min(C_in, max_inputs)`` input-channel kernels, row by row, separated by
    NaN lines (drawn blank). One kernel gives just that (kh, kw) kernel.
    Introduced in 03_cnn_architectures."""
    weight = np.asarray(weight, dtype=np.float64)
    if weight.ndim != 3:
        raise ValueError(f"weight must have shape (C_in, kh, kw), got {weight.shape}.")
    n, kh, kw = min(len(weight), max_inputs), weight.shape[1], weight.shape[2]
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    out = np.full((rows * (kh + 1) - 1, cols * (kw + 1) - 1), np.nan)
    for c in range(n):
        r, q = divmod(c, cols)
        out[r * (kh + 1):r * (kh + 1) + kh, q * (kw + 1):q * (kw + 1) + kw] = weight[c]
    return out


def activation_view(acts: dict[str, np.ndarray], layer: str, channel: int, image: int) -> dict:
    """What the activation viewer shows: ``{"ok", "message", "map"}``; never raises.

    ``acts`` comes from :func:`activations`; ``map`` is the (H_l, W_l) activation of
    ``channel`` for input number ``image`` (``None`` with a message if the choice is impossible).
    Introduced in 03_cnn_architectures.
    """
    if layer not in acts:
        return {"ok": False, "message": f"unknown layer {layer!r}; choose one of {list(acts)}.", "map": None}
    a = acts[layer]
    if not 0 <= channel < a.shape[1]:
        return {"ok": False, "map": None,
                "message": f"layer {layer} has channels 0..{a.shape[1] - 1}; channel {channel} does not exist."}
    if not 0 <= image < a.shape[0]:
        return {"ok": False, "map": None, "message": f"image must be in 0..{a.shape[0] - 1}, got {image}."}
    m = a[image, channel]
    return {"ok": True, "map": m, "message": f"layer {layer}, channel {channel}, image {image}: "
            f"{m.shape[0]}x{m.shape[1]} map, max {m.max():.3g}, {100 * (m > 0).mean():.0f}% positive"}


def filter_view(weights: dict[str, np.ndarray], responses: dict[str, np.ndarray], layer: str,
                channel: int) -> dict:
    """What the filter viewer shows: ``{"ok", "message", "kernels", "response"}``; never raises.

    ``weights[layer]`` is (C_out, C_in, kh, kw), ``responses[layer]`` (C_out, H_l, W_l) (the
    layer's output for one image, from :func:`activations`). ``kernels`` is
    :func:`filter_mosaic` of filter ``channel``, ``response`` its (H_l, W_l) map; both
    ``None`` with a message if the choice is impossible. Introduced in 03_cnn_architectures.
    """
    if layer not in weights or layer not in responses:
        return {"ok": False, "kernels": None, "response": None,
                "message": f"unknown layer {layer!r}; choose one of {list(weights)}."}
    w = weights[layer]
    if not 0 <= channel < len(w):
        return {"ok": False, "kernels": None, "response": None,
                "message": f"{layer} has filters 0..{len(w) - 1}; filter {channel} does not exist."}
    response = responses[layer][channel]
    shown = min(w.shape[1], 16)
    return {"ok": True, "kernels": filter_mosaic(w[channel]), "response": response,
            "message": f"{layer}, filter {channel}: weights {w.shape[1]}x{w.shape[2]}x{w.shape[3]} "
                       f"(showing {shown} input channel{'s' if shown > 1 else ''}), norm "
                       f"{np.linalg.norm(w[channel]):.3g}; response {response.shape[0]}x{response.shape[1]}"}
