"""Detection as regression (chapter 04): the localisation target, YOLO's grid, a tiny YOLO.

- :func:`localization_target` / :func:`localization_loss`: one object per image,
  ``y = [p_c, b_x, b_y, b_h, b_w, c_1..c_k]`` and its squared-error loss.
- :func:`yolo_encode` / :func:`yolo_decode`: boxes <-> the ``S x S x (B*5 + C)`` target;
  per cell, B slots ``(x, y, w, h, conf)`` then C class probabilities. ``x, y`` are the box
  centre's offset inside its cell (in cells, in [0, 1)), ``w, h`` its size as a fraction of
  the image. Class labels are 1..C (0 is the background, as in ``course_lib.data.scenes``).
- :func:`yolo_loss`: YOLOv1's sum-squared loss (Redmon et al. 2016).
- :class:`TinyYOLO`, :func:`detect`, :func:`load_tiny_yolo`: a 64x64 -> 8x8 grid detector
  trained by ``data/train_tiny_yolo.py`` into ``data/tiny_yolo.pt``.
Introduced in 04_object_detection.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from course_lib._checks import fraction, integer, module, real_array
from course_lib.detection_boxes import check_boxes, iou, non_max_suppression_per_class

__all__ = [
    "localization_target", "localization_loss", "yolo_encode", "yolo_decode", "yolo_loss",
    "TinyYOLO", "detect", "raw_detections", "load_tiny_yolo", "save_tiny_yolo", "CHECKPOINT",
]

CHECKPOINT = Path(__file__).resolve().parent.parent / "data" / "tiny_yolo.pt"


def _labels(labels, n: int, num_classes: int, name: str = "labels") -> np.ndarray:
    lab = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else labels
    if not isinstance(lab, np.ndarray) or lab.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer numpy array, got {type(labels).__name__}.")
    if lab.shape != (n,):
        raise ValueError(f"{name} must have shape (N,) = ({n},), one per box, got {lab.shape}.")
    if lab.size and (lab.min() < 1 or lab.max() > num_classes):
        raise ValueError(f"{name} must be class ids in 1..{num_classes} (0 is background), got "
                         f"values from {lab.min()} to {lab.max()}.")
    return lab.astype(np.int64)


def localization_target(box, label: int, num_classes: int = 4, image_size: int = 64) -> np.ndarray:
    """``y = [p_c, b_x, b_y, b_h, b_w, c_1..c_k]`` for an image with one object or none.

    ``box`` (4,) (x1, y1, x2, y2) pixels, or ``None`` for no object; ``label`` in 1..k.
    ``b_x, b_y`` is the box centre and ``b_h, b_w`` its size, as fractions of
    ``image_size``; ``c`` is one-hot. With no object, ``p_c = 0`` and the rest is 0 (the
    loss ignores it). Returns (5 + k,) float64. Introduced in 04_object_detection.
    """
    k = integer(num_classes, "num_classes", 1)
    size = integer(image_size, "image_size", 1)
    y = np.zeros(5 + k)
    if box is None:
        return y
    b = check_boxes(np.asarray(real_array(box, "box"), dtype=np.float64).reshape(1, 4), "box")[0]
    lab = _labels(np.array([label]) if not isinstance(label, np.ndarray) else label.reshape(1), 1, k, "label")[0]
    y[:5] = [1.0, (b[0] + b[2]) / 2 / size, (b[1] + b[3]) / 2 / size, (b[3] - b[1]) / size, (b[2] - b[0]) / size]
    y[4 + lab] = 1.0
    return y


def localization_loss(y_hat, y):
    """Squared-error loss of the localisation target, averaged over the batch.

    ``y_hat``, ``y`` (N, 5 + k) torch tensors: ``sum_i (y_hat_i - y_i)^2`` when ``p_c = 1``,
    only ``(y_hat_1 - y_1)^2`` when ``p_c = 0`` (no object: box and class are "don't care").
    Returns a scalar tensor. Introduced in 04_object_detection.
    """
    if not isinstance(y_hat, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError("y_hat and y must be torch tensors of shape (N, 5 + k).")
    if y_hat.shape != y.shape or y.ndim != 2 or y.shape[1] < 6:
        raise ValueError(f"y_hat {tuple(y_hat.shape)} and y {tuple(y.shape)} must both be (N, 5 + k).")
    sq = (y_hat - y) ** 2
    obj = y[:, 0]
    return (sq[:, 0] + obj * sq[:, 1:].sum(1)).mean()


def yolo_encode(boxes, labels, grid: int = 8, num_boxes: int = 2, num_classes: int = 4,
                image_size: int = 64) -> np.ndarray:
    """Boxes of one image -> YOLO's target (S, S, B*5 + C), float64.

    The cell (i, j) holding a box's centre (row i = floor(cy / cell), column j) gets the box
    in its next free slot b: ``(cx/cell - j, cy/cell - i, w/size, h/size, 1)``; the cell's
    class vector is one-hot of its first box's label. A box whose cell already has B boxes
    is dropped (YOLO's limit). Introduced in 04_object_detection.
    """
    s, nb = integer(grid, "grid", 1), integer(num_boxes, "num_boxes", 1)
    k, size = integer(num_classes, "num_classes", 1), integer(image_size, "image_size", 1)
    b = np.asarray(real_array(check_boxes(boxes), "boxes"), dtype=np.float64)
    lab = _labels(labels, len(b), k)
    cell = size / s
    target = np.zeros((s, s, nb * 5 + k))
    for (x1, y1, x2, y2), c in zip(b, lab):
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        i, j = min(int(cy // cell), s - 1), min(int(cx // cell), s - 1)
        slot = int(np.count_nonzero(target[i, j, 4:nb * 5:5]))
        if slot == nb:
            continue
        target[i, j, 5 * slot:5 * slot + 5] = (cx / cell - j, cy / cell - i, (x2 - x1) / size, (y2 - y1) / size, 1.0)
        if slot == 0:
            target[i, j, nb * 5 + c - 1] = 1.0
    return target


def _decode_all(output, num_boxes: int, image_size: float):
    """(N, S, S, B*5 + C) tensor -> boxes (N, S*S*B, 4), scores and labels (N, S*S*B)."""
    n, s = output.shape[0], output.shape[1]
    slots = output[..., :num_boxes * 5].reshape(n, s, s, num_boxes, 5)
    probs = output[..., num_boxes * 5:]
    cell = image_size / s
    ii, jj = torch.meshgrid(torch.arange(s, dtype=output.dtype), torch.arange(s, dtype=output.dtype), indexing="ij")
    cx = (jj[None, :, :, None] + slots[..., 0]) * cell
    cy = (ii[None, :, :, None] + slots[..., 1]) * cell
    w, h = slots[..., 2] * image_size, slots[..., 3] * image_size
    boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1).reshape(n, -1, 4)
    p, c = probs.max(-1)
    scores = (slots[..., 4] * p[..., None]).reshape(n, -1)
    labels = (c[..., None] + 1).expand(n, s, s, num_boxes).reshape(n, -1)
    return boxes, scores, labels


def yolo_decode(output, num_boxes: int = 2, image_size: int = 64, score_threshold: float = 0.0):
    """YOLO output or target (S, S, B*5 + C) of one image -> its boxes.

    Every slot gives a box (centre ``((j + x) cell, (i + y) cell)``, size ``(w, h) * size``),
    a score ``conf * max_c p(c)`` and the label argmax + 1; the slots scoring more than
    ``score_threshold`` are returned as numpy ``boxes`` (K, 4), ``scores`` (K,),
    ``labels`` (K,), in cell order (no NMS). ``yolo_decode(yolo_encode(b, l))`` gives back
    ``b, l`` when no cell holds two boxes. Introduced in 04_object_detection.
    """
    out = torch.as_tensor(real_array(output, "output", dtype=np.float64))
    nb = integer(num_boxes, "num_boxes", 1)
    size = integer(image_size, "image_size", 1)
    thr = fraction(score_threshold, "score_threshold", allow_zero=True)
    if out.ndim != 3 or out.shape[0] != out.shape[1] or out.shape[2] <= nb * 5:
        raise ValueError(f"output must have shape (S, S, B*5 + C) with B = {nb}, got {tuple(out.shape)}.")
    boxes, scores, labels = _decode_all(out[None], nb, size)
    keep = scores[0] > thr
    return boxes[0][keep].numpy(), scores[0][keep].numpy(), labels[0][keep].numpy()


def yolo_loss(pred, target, num_boxes: int = 2, lambda_coord: float = 5.0, lambda_noobj: float = 0.5):
    """YOLOv1's loss, summed over cells and averaged over the batch.

    ``pred`` (N, S, S, B*5 + C) activated outputs (x, y, w, h, conf in (0, 1), class
    probabilities), ``target`` from :func:`yolo_encode`. In each cell, each true box is
    matched to the predicted slot with the highest IoU (greedy, slots not yet taken): that
    slot is "responsible". Loss = ``lambda_coord`` * sum_resp [(x - x̂)² + (y - ŷ)² +
    (√w - √ŵ)² + (√h - √ĥ)²] + sum_resp (conf - 1)² + ``lambda_noobj`` * sum_other conf² +
    sum_cells with objects sum_c (p(c) - p̂(c))². Introduced in 04_object_detection.
    """
    if not isinstance(pred, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise TypeError("pred and target must be torch tensors of shape (N, S, S, B*5 + C).")
    if pred.shape != target.shape or pred.ndim != 4:
        raise ValueError(f"pred {tuple(pred.shape)} and target {tuple(target.shape)} must both be (N, S, S, B*5 + C).")
    nb = integer(num_boxes, "num_boxes", 1)
    n, s = pred.shape[:2]
    p = pred[..., :nb * 5].reshape(n, s, s, nb, 5)
    t = target[..., :nb * 5].reshape(n, s, s, nb, 5)
    with torch.no_grad():                                           # who is responsible
        def corners(v):
            return torch.cat([v[..., :2] / s - v[..., 2:4] / 2, v[..., :2] / s + v[..., 2:4] / 2], -1)
        pc, tc = corners(p), corners(t)
        lo = torch.maximum(pc[..., :, None, :2], tc[..., None, :, :2])
        hi = torch.minimum(pc[..., :, None, 2:], tc[..., None, :, 2:])
        inter = (hi - lo).clamp(min=0).prod(-1)
        area = lambda v: (v[..., 2] - v[..., 0]) * (v[..., 3] - v[..., 1])  # noqa: E731
        ious = inter / (area(pc)[..., :, None] + area(tc)[..., None, :] - inter).clamp(min=1e-12)
        taken = torch.zeros(n, s, s, nb, dtype=torch.bool)
        matched = torch.zeros(n, s, s, nb, dtype=torch.long)
        for k in range(nb):
            has = t[..., k, 4] > 0
            choice = ious[..., k].masked_fill(taken, -1.0).argmax(-1)
            onehot = torch.nn.functional.one_hot(choice, nb).bool() & has[..., None]
            taken |= onehot
            matched = torch.where(onehot, torch.full_like(matched, k), matched)
    tm = torch.gather(t, 3, matched[..., None].expand(n, s, s, nb, 5))
    r = taken.to(pred.dtype)
    coord = ((p[..., 0] - tm[..., 0]) ** 2 + (p[..., 1] - tm[..., 1]) ** 2
             + (p[..., 2].sqrt() - tm[..., 2].sqrt()) ** 2 + (p[..., 3].sqrt() - tm[..., 3].sqrt()) ** 2)
    obj_cell = (t[..., 0, 4] > 0).to(pred.dtype)
    cls = ((pred[..., nb * 5:] - target[..., nb * 5:]) ** 2).sum(-1)
    loss = (lambda_coord * (r * coord).sum() + (r * (p[..., 4] - 1) ** 2).sum()
            + lambda_noobj * ((1 - r) * p[..., 4] ** 2).sum() + (obj_cell * cls).sum())
    return loss / n


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.1)]


class TinyYOLO(nn.Module):
    """A small YOLO: (N, 3, 64, 64) -> (N, 8, 8, B*5 + C) activated outputs.

    Five 3x3 conv-BN-LeakyReLU blocks, the first with stride 2, then two 2x2 max-pools
    (stride 8 in all, receptive field 53 px), then a 1x1 conv to ``B*5 + C`` channels per cell; sigmoid on x, y, w, h, conf,
    softmax on the classes. Introduced in 04_object_detection.
    """

    def __init__(self, num_boxes: int = 2, num_classes: int = 4, width: int = 12):
        super().__init__()
        self.num_boxes, self.num_classes = integer(num_boxes, "num_boxes", 1), integer(num_classes, "num_classes", 1)
        w = integer(width, "width", 1)
        self.features = nn.Sequential(nn.Conv2d(3, w, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(w),
                                      nn.LeakyReLU(0.1), *_block(w, 2 * w), nn.MaxPool2d(2),
                                      *_block(2 * w, 4 * w), nn.MaxPool2d(2), *_block(4 * w, 8 * w),
                                      *_block(8 * w, 8 * w))
        self.head = nn.Conv2d(8 * w, self.num_boxes * 5 + self.num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.head(self.features(x)).permute(0, 2, 3, 1)
        nb5 = self.num_boxes * 5
        return torch.cat([torch.sigmoid(out[..., :nb5]), torch.softmax(out[..., nb5:], -1)], -1)


@torch.no_grad()
def raw_detections(model: TinyYOLO, images) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every slot's box before any threshold or NMS: ``images`` (N, 3, H, W) ->
    boxes (N, S*S*B, 4), scores (N, S*S*B), labels (N, S*S*B), numpy. Introduced in
    04_object_detection."""
    if not isinstance(module(model, "model"), TinyYOLO):
        raise TypeError(f"model must be a TinyYOLO, got {type(model).__name__}.")
    x = torch.as_tensor(real_array(images, "images", dtype=np.float32))
    if x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"images must have shape (N, 3, H, W), got {tuple(x.shape)}.")
    was = model.training
    model.eval()
    try:
        out = torch.cat([model(x[k:k + 256]) for k in range(0, len(x), 256)]) if len(x) else \
            torch.zeros(0, 1, 1, model.num_boxes * 5 + model.num_classes)
    finally:
        model.train(was)
    boxes, scores, labels = _decode_all(out.double(), model.num_boxes, x.shape[-1])
    return boxes.numpy(), scores.numpy(), labels.numpy()


def detect(model: TinyYOLO, images, score_threshold: float = 0.01, iou_threshold: float = 0.5) -> list:
    """Detections per image: decode, drop scores <= ``score_threshold``, per-class NMS.

    Returns a list of N tuples ``(boxes (K, 4), scores (K,), labels (K,))`` in decreasing
    score order. Introduced in 04_object_detection.
    """
    if not isinstance(module(model, "model"), TinyYOLO):
        raise TypeError(f"model must be a TinyYOLO, got {type(model).__name__}.")
    thr = fraction(score_threshold, "score_threshold", allow_zero=True)
    fraction(iou_threshold, "iou_threshold", allow_zero=True)
    boxes, scores, labels = raw_detections(model, images)
    out = []
    for b, s, c in zip(boxes, scores, labels):
        k = s > thr
        b, s, c = b[k], s[k], c[k]
        keep = non_max_suppression_per_class(b, s, c, iou_threshold)
        out.append((b[keep], s[keep], c[keep]))
    return out


def save_tiny_yolo(model: TinyYOLO, path, meta: dict | None = None) -> None:
    """Save the weights as float16 with the model's settings and ``meta`` (numbers measured
    by the training script). Introduced in 04_object_detection."""
    if not isinstance(module(model, "model"), TinyYOLO):
        raise TypeError(f"model must be a TinyYOLO, got {type(model).__name__}.")
    state = {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    config = dict(num_boxes=model.num_boxes, num_classes=model.num_classes, width=model.head.in_channels // 8)
    torch.save({"config": config, "state_dict": state, "meta": dict(meta or {})}, path)


def load_tiny_yolo(path=None) -> tuple[TinyYOLO, dict]:
    """The trained tiny YOLO (float32, eval mode) and its ``meta`` dict, from
    ``data/tiny_yolo.pt`` unless ``path`` is given. Introduced in 04_object_detection."""
    ckpt = torch.load(CHECKPOINT if path is None else path, map_location="cpu", weights_only=True)
    model = TinyYOLO(**ckpt["config"])
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()})
    return model.eval(), ckpt["meta"]
