"""The digits GANs of chapter 08: their data, the judge (chapter 03's digit classifier), the
memorisation check (nearest training neighbour), latent interpolation, and the checkpoint
written by ``data/train_gan.py``.

Images move between two ranges: the digits are stored in [0, 1]; the DCGAN works in
[-1, 1] (tanh output), so ``to_gan_range`` maps x -> 2x - 1 and ``to_unit_range`` back.
The classifier of chapter 03 was trained on the digits resized to 32x32 with bilinear
interpolation (``data.digits_split(size=32)``); :func:`classify` resizes the same way.
Introduced in 08_generative_adversarial_networks.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib import data
from course_lib._checks import fraction, integer, module, real_array, tensor
from course_lib.gan import DCGANGenerator, MLPGenerator
from course_lib.train import single_thread

__all__ = ["to_gan_range", "to_unit_range", "digits_for_gan", "classify", "nearest_neighbour_distances",
           "interpolate_latents", "interpolation_state", "save_gan_checkpoint", "load_gan_checkpoint",
           "GAN_CHECKPOINT"]

GAN_CHECKPOINT = Path(__file__).resolve().parents[1] / "data" / "gan.pt"


def to_gan_range(images: Any) -> np.ndarray:
    """[0, 1] -> [-1, 1] (x -> 2x - 1), the tanh range of the DCGAN. Any shape, float32.
    Introduced in 08_generative_adversarial_networks."""
    return (2.0 * real_array(images, "images") - 1.0).astype(np.float32)


def to_unit_range(images: Any) -> np.ndarray:
    """[-1, 1] -> [0, 1] (x -> (x + 1) / 2), clipped. Any shape, float32.
    Introduced in 08_generative_adversarial_networks."""
    return np.clip((real_array(images, "images") + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)


def digits_for_gan(test_fraction: float = 0.25, seed: int = 0) -> data.Split:
    """The chapter-03 split of the 8x8 digits (``data.digits_split``, same seed, so the
    classifier never saw the test images) with the images in [-1, 1]: x (N, 1, 8, 8) float32.
    Introduced in 08_generative_adversarial_networks."""
    s = data.digits_split(test_fraction=test_fraction, seed=seed)
    return data.Split(to_gan_range(s.x_train), s.y_train, to_gan_range(s.x_test), s.y_test)


def classify(classifier: nn.Module, images: Any, batch_size: int = 256) -> np.ndarray:
    """Class probabilities (N, 10) of ``classifier`` (a chapter-03 reduced model, (N, 1, 32, 32)
    -> (N, 10) logits) for 8x8 images in [0, 1], (N, 1, 8, 8) or (N, 8, 8): each image is
    resized to 32x32 with bilinear interpolation, as ``data.digits_split(size=32)`` does.
    Introduced in 08_generative_adversarial_networks."""
    module(classifier, "classifier")
    x = real_array(images, "images").astype(np.float32)
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or x.shape[1:] != (1, 8, 8):
        raise ValueError(f"images must be (N, 1, 8, 8) or (N, 8, 8) digits in [0, 1], got shape {x.shape}.")
    batch_size = integer(batch_size, "batch_size", 1)
    was = classifier.training
    classifier.eval()
    out = []
    try:
        with torch.no_grad():
            for i in range(0, len(x), batch_size):
                big = F.interpolate(torch.from_numpy(x[i:i + batch_size]), size=(32, 32), mode="bilinear",
                                    align_corners=False)
                out.append(torch.softmax(classifier(big), 1).numpy())
    finally:
        classifier.train(was)
    return np.concatenate(out) if out else np.zeros((0, 10), np.float32)


def nearest_neighbour_distances(queries: Any, references: Any) -> tuple[np.ndarray, np.ndarray]:
    """For each query image, the Euclidean (pixel) distance to its nearest reference image and
    that image's index: (M, ...) and (N, ...) with the same image shape -> ((M,), (M,)).
    The memorisation check: generated digits should be no closer to the training set than
    held-out real digits are. Introduced in 08_generative_adversarial_networks."""
    q = real_array(queries, "queries", dtype=np.float64)
    r = real_array(references, "references", dtype=np.float64)
    if q.ndim < 2 or r.ndim < 2 or q.shape[1:] != r.shape[1:] or len(r) == 0:
        raise ValueError(f"queries (M, ...) and references (N, ...) must hold images of the same shape, "
                         f"N >= 1, got {q.shape} and {r.shape}.")
    q, r = q.reshape(len(q), -1), r.reshape(len(r), -1)
    d2 = (q ** 2).sum(1)[:, None] + (r ** 2).sum(1)[None, :] - 2 * q @ r.T
    idx = d2.argmin(1)
    return np.sqrt(np.maximum(d2[np.arange(len(q)), idx], 0.0)), idx


def interpolate_latents(z_a: Any, z_b: Any, t: Any) -> torch.Tensor:
    """Points on the straight line from ``z_a`` to ``z_b`` (each (D,)): (1 - t) z_a + t z_b for
    each t in ``t`` (T,) -> (T, D) float32. Introduced in 08_generative_adversarial_networks."""
    a, b = tensor(z_a, "z_a").float(), tensor(z_b, "z_b").float()
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"z_a and z_b must be latent vectors of the same shape (D,), got {tuple(a.shape)} "
                         f"and {tuple(b.shape)}.")
    t = torch.as_tensor(real_array(t, "t"), dtype=torch.float32).reshape(-1)
    return (1 - t)[:, None] * a[None] + t[:, None] * b[None]


def interpolation_state(generator: nn.Module, classifier: nn.Module | None, seed_a: int, seed_b: int,
                        t: float, frames: int = 9, label: int | None = None) -> dict:
    """What the latent-interpolation widget shows: z_a, z_b drawn from N(0, I) with seeds
    ``seed_a``, ``seed_b`` (torch generators), the ``frames`` images along the line between
    them, the image at ``t`` in [0, 1] and (with a classifier) its class probabilities.
    ``label`` is the requested digit of a conditional generator. Returns ``{"strip": (frames,
    8, 8), "image": (8, 8), "t", "probs" (10,) or None, "predicted"}`` in [0, 1], or
    ``{"message"}`` for an impossible setting. Never raises for a setting.
    Introduced in 08_generative_adversarial_networks.
    """
    for name, v in (("seed_a", seed_a), ("seed_b", seed_b)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            return {"message": f"{name} must be a non-negative integer, got {v!r}."}
    if isinstance(t, bool) or not isinstance(t, (int, float, np.floating)) or not 0.0 <= float(t) <= 1.0:
        return {"message": f"t must be a number in [0, 1] (0: the first seed's image, 1: the second's), got {t!r}."}
    d = generator.latent_dim
    z_a = torch.randn(d, generator=torch.Generator().manual_seed(int(seed_a)))
    z_b = torch.randn(d, generator=torch.Generator().manual_seed(int(seed_b)))
    ts = np.concatenate([np.linspace(0.0, 1.0, frames), [float(t)]])
    z = interpolate_latents(z_a, z_b, ts)
    was = generator.training
    generator.eval()
    # one image at a time: on 2 threads the second only spins (200 ms instead of 0.3 ms on a busy machine)
    with torch.no_grad(), single_thread():
        if getattr(generator, "num_classes", 0):
            if label is None or not 0 <= int(label) < generator.num_classes:
                generator.train(was)
                return {"message": f"label must be a digit 0..{generator.num_classes - 1} for this conditional "
                                   f"generator, got {label!r}."}
            out = generator(z, torch.full((len(z),), int(label), dtype=torch.long))
        else:
            out = generator(z)
    generator.train(was)
    images = to_unit_range(out.numpy()[:, 0])
    with single_thread():
        probs = classify(classifier, images[-1:])[0] if classifier is not None else None
    return {"strip": images[:-1], "image": images[-1], "t": float(t), "ts": ts[:-1], "probs": probs,
            "predicted": None if probs is None else int(probs.argmax()), "seed_a": int(seed_a), "seed_b": int(seed_b)}


def save_gan_checkpoint(path: str | os.PathLike, generators: dict[str, nn.Module], runs: dict, meta: dict) -> None:
    """Write ``{"state": {name: float16 state dict}, "config": {name: constructor arguments},
    "runs": {name: {"steps", "samples" (float16), "d_loss", "g_loss"}}, "meta"}`` (tensors,
    lists and numbers only: loads with ``weights_only=True``). Introduced in
    08_generative_adversarial_networks."""
    state, config = {}, {}
    for name, g in generators.items():
        state[name] = {k: (v.half() if v.is_floating_point() else v) for k, v in g.state_dict().items()}
        if isinstance(g, DCGANGenerator):
            config[name] = {"kind": "dcgan", "latent_dim": g.latent_dim, "width": g.width, "num_classes": g.num_classes}
        else:
            config[name] = {"kind": "mlp", "latent_dim": g.latent_dim, "hidden": g.net[0].out_features,
                            "depth": (len(g.net) - 1) // 2, "out_dim": g.net[-1].out_features}
    stored = {name: {"steps": torch.as_tensor(np.asarray(r["steps"]), dtype=torch.int64),
                     "samples": torch.as_tensor(np.asarray(r["samples"]), dtype=torch.float16),
                     "d_loss": torch.as_tensor(np.asarray(r["d_loss"]), dtype=torch.float32),
                     "g_loss": torch.as_tensor(np.asarray(r["g_loss"]), dtype=torch.float32)}
              for name, r in runs.items()}
    torch.save({"state": state, "config": config, "runs": stored, "meta": meta}, path)


def load_gan_checkpoint(path: str | os.PathLike = GAN_CHECKPOINT) -> tuple[dict, dict, dict]:
    """Read a file of :func:`save_gan_checkpoint` (by default the committed ``data/gan.pt``):
    ({name: generator in eval mode, float32}, {run: {"steps", "samples", "d_loss", "g_loss"}
    as numpy}, meta). Introduced in 08_generative_adversarial_networks."""
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    generators = {}
    for name, cfg in ckpt["config"].items():
        cfg = dict(cfg)
        kind = cfg.pop("kind")
        g = DCGANGenerator(**cfg) if kind == "dcgan" else MLPGenerator(**cfg)
        g.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in ckpt["state"][name].items()})
        generators[name] = g.eval()
    runs = {name: {k: v.float().numpy() if v.is_floating_point() else v.numpy() for k, v in r.items()}
            for name, r in ckpt["runs"].items()}
    return generators, runs, ckpt["meta"]
