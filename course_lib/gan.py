"""Generative adversarial networks from scratch: the losses, the optimal discriminator, the
saturating vs non-saturating generator gradient, the WGAN gradient penalty, and the small
networks of chapter 08 (MLPs for 2-D points, a DCGAN and a conditional DCGAN for the 8x8
digits).

The discriminator D outputs a *logit* l (a real number); D(x) = sigmoid(l) is the
probability that x is real. Every loss is written with logits and ``softplus`` (the
numerically stable ``log(1 + e^l)``):

- discriminator: J_D = -E[log D(x)] - E[log(1 - D(G(z)))]
  = mean softplus(-l_real) + mean softplus(l_fake);
- generator, saturating (the minimax form): J_G = E[log(1 - D(G(z)))] = -mean softplus(l_fake);
- generator, non-saturating: J_G = -E[log D(G(z))] = mean softplus(-l_fake).

Training loops, mode counting and the digits models' evaluation live in
:mod:`course_lib.gan_train` and :mod:`course_lib.gan_eval`. Introduced in
08_generative_adversarial_networks.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib._checks import choice, integer, module, positive, real_array, tensor

__all__ = [
    "discriminator_loss", "generator_loss", "optimal_discriminator", "gaussian_pdf",
    "generator_logit_gradient", "gradient_penalty", "check_latent", "linear_gan_step", "block_output_shape",
    "MLPGenerator", "MLPDiscriminator", "DCGANGenerator", "DCGANDiscriminator", "dcgan_shapes",
    "GENERATOR_LOSSES",
]

GENERATOR_LOSSES = ("non_saturating", "saturating")


def _logits(value: Any, name: str) -> torch.Tensor:
    # NaN logits give a NaN loss (no check here: train_gan stops at that step and says so)
    t = tensor(value, name, finite=False)
    if not t.is_floating_point():
        t = t.double()
    if t.ndim == 0 or t.numel() == 0:
        raise ValueError(f"{name} must be a non-empty array of logits (one per sample), got shape {tuple(t.shape)}.")
    return t


def discriminator_loss(real_logits: Any, fake_logits: Any) -> torch.Tensor:
    """J_D = -mean log D(x) - mean log(1 - D(G(z))), from D's logits (any shape, e.g. (N,)).

    ``real_logits``: D's logits on real samples; ``fake_logits``: on generated ones (numpy
    arrays or torch tensors; gradients flow through tensors). Equal to
    ``F.binary_cross_entropy_with_logits`` with target 1 on the real and 0 on the fake
    samples, each mean taken on its own. Returns a 0-d tensor. Introduced in
    08_generative_adversarial_networks.
    """
    r, f = _logits(real_logits, "real_logits"), _logits(fake_logits, "fake_logits")
    return F.softplus(-r).mean() + F.softplus(f).mean()


def generator_loss(fake_logits: Any, kind: str = "non_saturating") -> torch.Tensor:
    """The generator's loss from D's logits on generated samples: ``"saturating"``, the
    minimax form mean log(1 - D(G(z))) = -mean softplus(l), or ``"non_saturating"``,
    -mean log D(G(z)) = mean softplus(-l). Both are minimised and push D(G(z)) up.
    (N,) -> 0-d tensor. Introduced in 08_generative_adversarial_networks.
    """
    kind = choice(kind, "kind", GENERATOR_LOSSES)
    f = _logits(fake_logits, "fake_logits")
    return -F.softplus(f).mean() if kind == "saturating" else F.softplus(-f).mean()


def generator_logit_gradient(fake_logits: Any, kind: str = "non_saturating") -> np.ndarray:
    """d(loss)/d(logit) for each generated sample, the signal the generator receives through D:
    saturating: -sigmoid(l) / N (vanishes when D is sure the sample is fake, l -> -inf);
    non-saturating: -(1 - sigmoid(l)) / N (close to -1/N there). (N,) -> (N,) float64.
    Introduced in 08_generative_adversarial_networks.
    """
    kind = choice(kind, "kind", GENERATOR_LOSSES)
    f = real_array(fake_logits, "fake_logits", dtype=np.float64).ravel()
    if f.size == 0:
        raise ValueError("fake_logits must hold at least one logit, got an empty array.")
    s = 1.0 / (1.0 + np.exp(-f))
    return (-s if kind == "saturating" else -(1.0 - s)) / f.size


def gaussian_pdf(x: Any, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """The normal density N(x; mean, std^2) at each point of ``x`` (any shape, float64).
    Introduced in 08_generative_adversarial_networks."""
    x = real_array(x, "x", dtype=np.float64)
    std = positive(std, "std")
    mean = float(real_array(mean, "mean"))
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


def optimal_discriminator(p_data: Any, p_g: Any) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)): the best discriminator for a fixed generator
    (Goodfellow et al. 2014, Prop. 1), from the two densities at the same points (same
    shape, non-negative). Where both are 0 it returns 0.5 (no evidence either way).
    Introduced in 08_generative_adversarial_networks.
    """
    p, q = real_array(p_data, "p_data", dtype=np.float64), real_array(p_g, "p_g", dtype=np.float64)
    if p.shape != q.shape:
        raise ValueError(f"p_g must have the shape of p_data {p.shape}, got {q.shape}.")
    if (p < 0).any() or (q < 0).any():
        raise ValueError("p_data and p_g are densities: every value must be >= 0.")
    total = p + q
    return np.where(total > 0, p / np.where(total > 0, total, 1.0), 0.5)


def gradient_penalty(critic: nn.Module, real: Any, fake: Any, alpha: Any = None,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """WGAN-GP's penalty (Gulrajani et al. 2017): mean over the batch of
    (||grad_x critic(x_hat)||_2 - 1)^2 at x_hat = alpha * real + (1 - alpha) * fake.

    ``real``, ``fake``: (N, ...) samples of the same shape; ``alpha``: (N,) weights in [0, 1]
    (drawn uniformly with ``generator`` when None). The gradient is taken with
    ``create_graph=True``, so the penalty can itself be differentiated (the critic's update).
    Returns a 0-d tensor. Introduced in 08_generative_adversarial_networks.
    """
    module(critic, "critic")
    real, fake = tensor(real, "real"), tensor(fake, "fake")
    if real.shape != fake.shape:
        raise ValueError(f"fake must have the shape of real {tuple(real.shape)}, got {tuple(fake.shape)}.")
    if real.ndim < 2 or real.shape[0] == 0:
        raise ValueError(f"real must be a batch (N, ...) with N >= 1, got shape {tuple(real.shape)}.")
    n = real.shape[0]
    if alpha is None:
        alpha = torch.rand(n, generator=generator, dtype=real.dtype)
    alpha = tensor(alpha, "alpha").to(real.dtype)
    if alpha.shape != (n,):
        raise ValueError(f"alpha must have shape (N,) = ({n},), one weight per sample, got {tuple(alpha.shape)}.")
    if (alpha < 0).any() or (alpha > 1).any():
        raise ValueError("alpha must hold weights in [0, 1].")
    a = alpha.reshape(n, *([1] * (real.ndim - 1)))
    x_hat = (a * real.detach() + (1 - a) * fake.detach()).requires_grad_(True)
    out = critic(x_hat)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return ((grad.reshape(n, -1).norm(dim=1) - 1.0) ** 2).mean()


def check_latent(z: Any, latent_dim: int, name: str = "z") -> torch.Tensor:
    """``z`` as a float tensor of shape (N, latent_dim); ValueError naming both sizes when the
    latent size does not match the generator's (the common slip), TypeError for a non-array.
    Introduced in 08_generative_adversarial_networks."""
    z = tensor(z, name)
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise ValueError(f"{name} must have shape (N, latent_dim) = (N, {latent_dim}): the generator was "
                         f"built for a latent size of {latent_dim}, got shape {tuple(z.shape)}.")
    return z.float() if not z.is_floating_point() else z


def linear_gan_step(g: Any, d: Any, x_real: Any, z: Any, lr: float) -> tuple[np.ndarray, np.ndarray]:
    """One alternating update of the smallest GAN: G(z) = a z + b (``g`` = [a, b]) and
    D(x) = sigmoid(w x + c) (``d`` = [w, c]), plain gradient descent with step ``lr``.

    First the discriminator: d' = d - lr * grad_d J_D(d; x_real, G(z)) with g fixed; then
    the generator against the *updated* discriminator: g' = g - lr * grad_g J_G(g; d') with
    the non-saturating J_G = mean softplus(-(w' G(z) + c')). ``x_real``: (N,), ``z``: (M,).
    Returns (g', d') as float64 arrays of shape (2,). Introduced in
    08_generative_adversarial_networks.
    """
    g, d = real_array(g, "g", dtype=np.float64), real_array(d, "d", dtype=np.float64)
    for name, v in (("g", g), ("d", d)):
        if v.shape != (2,):
            raise ValueError(f"{name} must hold two parameters, shape (2,), got {v.shape}.")
    x, z = real_array(x_real, "x_real", dtype=np.float64).ravel(), real_array(z, "z", dtype=np.float64).ravel()
    lr = positive(lr, "lr")
    a, b = g
    w, c = d
    fake = a * z + b
    s_real, s_fake = 1 / (1 + np.exp(-(w * x + c))), 1 / (1 + np.exp(-(w * fake + c)))
    # dJ_D/dl = -(1 - D) on real samples, D on fake ones (each mean over its own batch)
    gw = np.mean(-(1 - s_real) * x) + np.mean(s_fake * fake)
    gc = np.mean(-(1 - s_real)) + np.mean(s_fake)
    w2, c2 = w - lr * gw, c - lr * gc
    # dJ_G/dl = -(1 - D'(G(z))); dl/da = w' z, dl/db = w'
    t = -(1 - 1 / (1 + np.exp(-(w2 * fake + c2))))
    ga, gb = np.mean(t * w2 * z), np.mean(t * w2)
    return np.array([a - lr * ga, b - lr * gb]), np.array([w2, c2])


def block_output_shape(shape: tuple, out_channels: int, kernel: int, stride: int, padding: int,
                       transposed: bool = False, output_padding: int = 0) -> tuple[int, int, int, int]:
    """The output shape (N, C_out, H_out, W_out) of one DCGAN block on an (N, C, H, W) input:
    a convolution, H_out = floor((H + 2p - k) / s) + 1, or a transposed convolution,
    H_out = (H - 1) s - 2p + k + output_padding (batch norm and activations keep the shape).
    Introduced in 08_generative_adversarial_networks."""
    if not isinstance(shape, (tuple, list)) or len(shape) != 4:
        raise TypeError(f"shape must be a tuple (N, C, H, W), got {shape!r}.")
    n, _, h, w = (integer(v, "shape", 0) for v in shape)
    c_out, k = integer(out_channels, "out_channels", 1), integer(kernel, "kernel", 1)
    s, p, op = integer(stride, "stride", 1), integer(padding, "padding", 0), integer(output_padding, "output_padding", 0)
    if transposed:
        if op >= s:
            raise ValueError(f"output_padding must be smaller than stride ({s}), got {op}.")
        size = [(v - 1) * s - 2 * p + k + op for v in (h, w)]
    else:
        if op:
            raise ValueError("output_padding only exists for a transposed convolution (transposed=True).")
        size = [(v + 2 * p - k) // s + 1 for v in (h, w)]
    if min(size) < 1:
        raise ValueError(f"kernel {k} with padding {p} does not fit the {h}x{w} input: the output would be "
                         f"{size[0]}x{size[1]}.")
    return (n, c_out, size[0], size[1])


# --- networks -----------------------------------------------------------------------------

class MLPGenerator(nn.Module):
    """z: (N, latent_dim) -> (N, out_dim): Linear-ReLU x depth, then Linear (2-D points).
    Introduced in 08_generative_adversarial_networks."""

    def __init__(self, latent_dim: int = 2, hidden: int = 128, out_dim: int = 2, depth: int = 3):
        super().__init__()
        self.latent_dim = integer(latent_dim, "latent_dim", 1)
        hidden, out_dim, depth = integer(hidden, "hidden", 1), integer(out_dim, "out_dim", 1), integer(depth, "depth", 1)
        layers, width = [], self.latent_dim
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.ReLU()]
            width = hidden
        self.net = nn.Sequential(*layers, nn.Linear(width, out_dim))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(check_latent(z, self.latent_dim))


class MLPDiscriminator(nn.Module):
    """x: (N, in_dim) -> (N / pack,) logits: Linear-LeakyReLU(0.2) x depth, then Linear.

    ``pack`` > 1 is PacGAN (Lin et al. 2018): D judges ``pack`` samples at once (their
    coordinates concatenated), so a generator that repeats itself is easy to spot: a
    remedy for mode collapse that changes only D's input. N must be a multiple of ``pack``.
    Introduced in 08_generative_adversarial_networks."""

    def __init__(self, in_dim: int = 2, hidden: int = 128, depth: int = 3, pack: int = 1):
        super().__init__()
        in_dim, hidden, depth = integer(in_dim, "in_dim", 1), integer(hidden, "hidden", 1), integer(depth, "depth", 1)
        self.in_dim, self.pack = in_dim, integer(pack, "pack", 1)
        layers, width = [], in_dim * self.pack
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
            width = hidden
        self.net = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pack > 1:
            if x.ndim != 2 or x.shape[0] % self.pack:
                raise ValueError(f"x must be (N, {self.in_dim}) with N a multiple of pack={self.pack}, "
                                 f"got shape {tuple(x.shape)}.")
            x = x.reshape(x.shape[0] // self.pack, self.pack * self.in_dim)
        return self.net(x).squeeze(1)


class DCGANGenerator(nn.Module):
    """DCGAN generator for 8x8 images (Radford et al. 2016 guidelines: no pooling, transposed
    convolutions with stride 2 to upsample, batch norm, ReLU inside, tanh at the output).

    z: (N, latent_dim) [+ labels (N,) when ``num_classes`` > 0: a conditional GAN, the label's
    one-hot vector is concatenated to z] -> (N, 1, 8, 8) in [-1, 1]. The stages:
    Linear -> (2C, 2, 2) -> ConvT(4, s2, p1) -> (C, 4, 4) -> ConvT(4, s2, p1) -> (1, 8, 8).
    Introduced in 08_generative_adversarial_networks.
    """

    def __init__(self, latent_dim: int = 16, width: int = 32, num_classes: int = 0):
        super().__init__()
        self.latent_dim, self.width = integer(latent_dim, "latent_dim", 1), integer(width, "width", 1)
        self.num_classes = integer(num_classes, "num_classes", 0)
        c = self.width
        self.project = nn.Sequential(nn.Linear(self.latent_dim + self.num_classes, 2 * c * 4, bias=False),
                                     nn.BatchNorm1d(2 * c * 4), nn.ReLU())
        self.up1 = nn.Sequential(nn.ConvTranspose2d(2 * c, c, 4, 2, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU())
        self.up2 = nn.ConvTranspose2d(c, 1, 4, 2, 1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        z = check_latent(z, self.latent_dim)
        if self.num_classes:
            z = torch.cat([z, _one_hot(labels, self.num_classes, len(z))], 1)
        h = self.project(z).reshape(len(z), 2 * self.width, 2, 2)
        return torch.tanh(self.up2(self.up1(h)))


class DCGANDiscriminator(nn.Module):
    """DCGAN discriminator for 8x8 images: strided convolutions instead of pooling, LeakyReLU
    (0.2), batch norm on the inner layer (not on the input layer), one logit out.

    x: (N, 1, 8, 8) in [-1, 1] [+ labels (N,) when ``num_classes`` > 0: one constant plane
    per class is stacked on the image] -> (N,) logits. Conv(4, s2, p1): 8 -> 4 -> 2, then Linear.
    Introduced in 08_generative_adversarial_networks.
    """

    def __init__(self, width: int = 32, num_classes: int = 0):
        super().__init__()
        self.width, self.num_classes = integer(width, "width", 1), integer(num_classes, "num_classes", 0)
        c = self.width
        self.down1 = nn.Sequential(nn.Conv2d(1 + self.num_classes, c, 4, 2, 1), nn.LeakyReLU(0.2))
        self.down2 = nn.Sequential(nn.Conv2d(c, 2 * c, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * c),
                                   nn.LeakyReLU(0.2))
        self.head = nn.Linear(2 * c * 4, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.num_classes:
            planes = _one_hot(labels, self.num_classes, len(x))[:, :, None, None].expand(-1, -1, *x.shape[2:])
            x = torch.cat([x, planes], 1)
        return self.head(self.down2(self.down1(x)).flatten(1)).squeeze(1)


def _one_hot(labels: Any, num_classes: int, n: int) -> torch.Tensor:
    if labels is None:
        raise ValueError(f"labels are required: this network is conditional on {num_classes} classes.")
    y = tensor(labels, "labels")
    if y.is_floating_point() or y.shape != (n,):
        raise ValueError(f"labels must be (N,) = ({n},) integer class labels, got {tuple(y.shape)} {y.dtype}.")
    if n and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"labels must be in 0..{num_classes - 1}.")
    return F.one_hot(y.long(), num_classes).float()


def dcgan_shapes(model: nn.Module, batch: int = 2) -> list[tuple[str, tuple[int, ...]]]:
    """The output shape after each stage of a DCGAN generator or discriminator, as
    ``[(stage name, shape), ...]``, from a forward pass on ``batch`` inputs (eval mode, no
    gradient). Introduced in 08_generative_adversarial_networks."""
    module(model, "model")
    batch = integer(batch, "batch", 1)
    if not isinstance(model, (DCGANGenerator, DCGANDiscriminator)):
        raise TypeError(f"model must be a DCGANGenerator or a DCGANDiscriminator, got {type(model).__name__}.")
    was = model.training
    model.eval()
    out, labels = [], torch.zeros(batch, dtype=torch.long)
    try:
        with torch.no_grad():
            if isinstance(model, DCGANGenerator):
                z = torch.zeros(batch, model.latent_dim)
                out.append(("z", tuple(z.shape)))
                if model.num_classes:
                    z = torch.cat([z, F.one_hot(labels, model.num_classes).float()], 1)
                h = model.project(z).reshape(batch, 2 * model.width, 2, 2)
                out.append(("project + reshape", tuple(h.shape)))
                h = model.up1(h)
                out.append(("up1: ConvT 4/2/1, BN, ReLU", tuple(h.shape)))
                out.append(("up2: ConvT 4/2/1, tanh", tuple(torch.tanh(model.up2(h)).shape)))
            else:
                x = torch.zeros(batch, 1 + model.num_classes, 8, 8)
                out.append(("input", tuple(x.shape)))
                h = model.down1(x)
                out.append(("down1: Conv 4/2/1, LeakyReLU", tuple(h.shape)))
                h = model.down2(h)
                out.append(("down2: Conv 4/2/1, BN, LeakyReLU", tuple(h.shape)))
                out.append(("head: Linear -> logit", tuple(model.head(h.flatten(1)).squeeze(1).shape)))
    finally:
        model.train(was)
    return out
