"""Training GANs, seeded: the 2-D ring of Gaussians, the mode-counting rule, and one
training loop for the plain GAN (non-saturating or saturating loss) and WGAN-GP, with
snapshots (samples on a fixed noise batch and both losses) for the training-view widget.

The loop stops with a ValueError naming the step when a loss becomes NaN or infinite
(a diverged run), instead of training on garbage. Introduced in
08_generative_adversarial_networks.
"""
from __future__ import annotations

import math
import time
from typing import Any, Callable

import numpy as np
import torch
import torch.nn as nn

from course_lib._checks import choice, fraction, integer, module, number, positive, real_array
from course_lib.gan import discriminator_loss, generator_loss, gradient_penalty

__all__ = ["ring_centres", "ring_mixture", "mode_coverage", "train_gan", "LOSSES", "training_view_state"]

LOSSES = ("gan", "gan_saturating", "wgan_gp")


def ring_centres(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The ``modes`` centres equally spaced on a circle of ``radius``: (modes, 2) float64,
    the first at angle 0. Introduced in 08_generative_adversarial_networks."""
    modes, radius = integer(modes, "modes", 1), positive(radius, "radius")
    angle = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], 1)


def ring_mixture(n: int, modes: int = 8, radius: float = 2.0, std: float = 0.02, seed: int = 0) -> np.ndarray:
    """``n`` points from an equal-weight mixture of ``modes`` Gaussians N(centre, std^2 I) on a
    ring (:func:`ring_centres`), seeded: (n, 2) float32. The same seed gives the same points.
    Introduced in 08_generative_adversarial_networks."""
    n, seed = integer(n, "n", 1), integer(seed, "seed")
    std = positive(std, "std")
    centres = ring_centres(modes, radius)
    rng = np.random.default_rng(seed)
    k = rng.integers(0, len(centres), n)
    return (centres[k] + std * rng.standard_normal((n, 2))).astype(np.float32)


def mode_coverage(samples: Any, centres: Any, std: float, sigmas: float = 3.0,
                  min_fraction: float = 0.02) -> dict:
    """The mode-counting rule. A sample is *high quality* when it lies within ``sigmas`` * std
    of its nearest centre; a mode is *covered* when at least ``min_fraction`` of all samples
    are high-quality samples of that mode.

    ``samples``: (N, 2), ``centres``: (K, 2). Returns ``{"counts": (K,) high-quality samples
    per mode, "covered": (K,) bool, "modes_covered": int, "high_quality": fraction of the N
    samples that are high quality}``. Introduced in 08_generative_adversarial_networks.
    """
    x = real_array(samples, "samples", dtype=np.float64)
    c = real_array(centres, "centres", dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or c.ndim != 2 or c.shape[0] == 0 or x.shape[1] != c.shape[1]:
        raise ValueError(f"samples must be (N, D) and centres (K, D) with N, K >= 1 and the same D, "
                         f"got {x.shape} and {c.shape}.")
    std, sigmas = positive(std, "std"), positive(sigmas, "sigmas")
    min_fraction = fraction(min_fraction, "min_fraction")
    d = np.linalg.norm(x[:, None, :] - c[None, :, :], axis=2)
    nearest, dist = d.argmin(1), d.min(1)
    good = dist <= sigmas * std
    counts = np.bincount(nearest[good], minlength=len(c))
    covered = counts >= min_fraction * len(x)
    return {"counts": counts, "covered": covered, "modes_covered": int(covered.sum()),
            "high_quality": float(good.mean())}


def _finite(value: torch.Tensor, what: str, step: int) -> float:
    v = float(value.detach())
    if not math.isfinite(v):
        raise ValueError(f"training diverged: the {what} loss became {v} at step {step}; lower the learning "
                         f"rates (lr_d, lr_g) or check the data for NaN.")
    return v


def train_gan(generator: nn.Module, discriminator: nn.Module, sample_real: Callable, *, steps: int,
              loss: str = "gan", n_critic: int = 1, lr_g: float = 1e-3, lr_d: float = 1e-3,
              betas: tuple[float, float] = (0.5, 0.999), batch_size: int = 128, gp_weight: float = 10.0,
              num_classes: int = 0, snapshot_every: int = 0, snapshot_z: Any = None, seed: int = 0) -> dict:
    """Alternating updates: ``n_critic`` discriminator (critic) steps, then one generator step,
    repeated ``steps`` times (``steps`` counts generator updates); Adam for both.

    ``loss``: ``"gan"`` (J_D and the non-saturating J_G), ``"gan_saturating"`` (J_D and the
    minimax J_G) or ``"wgan_gp"`` (critic: mean C(fake) - mean C(real) + gp_weight * GP;
    generator: -mean C(fake)). ``sample_real(batch_size, torch_generator)`` returns a real
    batch (x, or (x, labels) when ``num_classes`` > 0: a conditional GAN whose G and D take
    the labels; G gets the real batch's labels). Every ``snapshot_every`` steps (and at 0 and
    the end) the generator's output on ``snapshot_z`` (eval mode; with ``num_classes``, labels
    0, 1, 2, ... repeated) is stored. Seeded by ``seed``. Returns ``{"d_loss": [...],
    "g_loss": [...] (per step; d_loss of the last critic step), "snapshots": [(step, samples
    numpy)], "seconds"}``. Raises ValueError naming the step if a loss is NaN or infinite.
    Introduced in 08_generative_adversarial_networks.
    """
    module(generator, "generator")
    module(discriminator, "discriminator")
    steps, n_critic = integer(steps, "steps", 1), integer(n_critic, "n_critic", 1)
    loss = choice(loss, "loss", LOSSES)
    lr_g, lr_d = positive(lr_g, "lr_g"), positive(lr_d, "lr_d")
    b1, b2 = (number(b, "betas", 0.0, 1.0, high_open=True) for b in betas)
    batch_size, num_classes = integer(batch_size, "batch_size", 1), integer(num_classes, "num_classes", 0)
    gp_weight, snapshot_every = positive(gp_weight, "gp_weight", allow_zero=True), integer(snapshot_every, "snapshot_every")
    if not callable(sample_real):
        raise TypeError(f"sample_real must be a function (batch_size, generator) -> batch, got "
                        f"{type(sample_real).__name__}.")
    torch.manual_seed(integer(seed, "seed"))
    gen = torch.Generator().manual_seed(seed)
    opt_g = torch.optim.Adam(generator.parameters(), lr=lr_g, betas=(b1, b2))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=lr_d, betas=(b1, b2))
    latent = generator.latent_dim
    if snapshot_z is None:
        snapshot_z = torch.randn(512, latent, generator=torch.Generator().manual_seed(seed + 1))
    snapshot_z = torch.as_tensor(snapshot_z, dtype=torch.float32)
    snap_labels = torch.arange(len(snapshot_z)) % num_classes if num_classes else None
    history: dict = {"d_loss": [], "g_loss": [], "snapshots": []}

    def cond(*args, labels):
        return args + ((labels,) if num_classes else ())

    def snapshot(step):
        was = generator.training
        generator.eval()
        with torch.no_grad():
            out = generator(*cond(snapshot_z, labels=snap_labels))
        generator.train(was)
        history["snapshots"].append((step, out.numpy().copy()))

    def real_batch():
        b = sample_real(batch_size, gen)
        return (b[0], b[1]) if num_classes else (b, None)

    t0 = time.perf_counter()
    if snapshot_every:
        snapshot(0)
    for step in range(1, steps + 1):
        for _ in range(n_critic):
            x, y = real_batch()
            z = torch.randn(len(x), latent, generator=gen)
            with torch.no_grad():
                fake = generator(*cond(z, labels=y))
            d_real = discriminator(*cond(x, labels=y))
            d_fake = discriminator(*cond(fake, labels=y))
            if loss == "wgan_gp":
                alpha = torch.rand(len(x), generator=gen)
                crit = (lambda v, _y=y: discriminator(*cond(v, labels=_y)))
                d_loss = d_fake.mean() - d_real.mean() + gp_weight * gradient_penalty(_Wrap(crit), x, fake, alpha)
            else:
                d_loss = discriminator_loss(d_real, d_fake)
            d_value = _finite(d_loss, "discriminator", step)
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
        x, y = real_batch()
        z = torch.randn(len(x), latent, generator=gen)
        d_fake = discriminator(*cond(generator(*cond(z, labels=y)), labels=y))
        if loss == "wgan_gp":
            g_loss = -d_fake.mean()
        else:
            g_loss = generator_loss(d_fake, "saturating" if loss == "gan_saturating" else "non_saturating")
        g_value = _finite(g_loss, "generator", step)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        history["d_loss"].append(d_value)
        history["g_loss"].append(g_value)
        if snapshot_every and (step % snapshot_every == 0 or step == steps):
            snapshot(step)
    history["seconds"] = time.perf_counter() - t0
    return history


class _Wrap(nn.Module):
    """A function as a module (the conditional critic with its labels bound)."""

    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)


def training_view_state(runs: dict, run: str, index: int) -> dict:
    """What the training-view widget shows: run ``run`` (a key of ``runs``, each
    ``{"steps": (S,), "samples": (S, N, D), "d_loss": (T,), "g_loss": (T,)}``) at stored
    snapshot ``index``: ``{"step", "samples", "d_loss", "g_loss" (the curves up to that step),
    "steps_so_far" (x values of the curves), "loss_range" (of the whole run), "index", "count"}`` or ``{"message"}`` for a
    run or an index that does not exist. Never raises. Introduced in
    08_generative_adversarial_networks.
    """
    if run not in runs:
        return {"message": f"no run called {run!r}; choose one of {sorted(runs)}."}
    r = runs[run]
    count = len(r["steps"])
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < count:
        return {"message": f"snapshot {index!r} does not exist: this run stored {count} snapshots (0..{count - 1})."}
    step = int(r["steps"][index])
    losses = np.concatenate([np.asarray(r["d_loss"], float), np.asarray(r["g_loss"], float)])
    lo, hi = np.percentile(losses, [0.5, 99.5]) if losses.size else (0.0, 1.0)
    pad = 0.1 * (hi - lo) if hi > lo else 0.5
    return {"run": run, "loss_range": (float(lo - pad), float(hi + pad)), "index": int(index), "count": count, "step": step, "samples": np.asarray(r["samples"][index]),
            "steps_so_far": np.arange(1, step + 1), "d_loss": np.asarray(r["d_loss"][:step]),
            "g_loss": np.asarray(r["g_loss"][:step])}
