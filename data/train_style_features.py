"""Train chapter 10's feature CNN (a small VGG) on patches of the bundled images and save
``data/style_features.pt``.

Nothing may be downloaded, so no ImageNet weights: the network learns to tell which of the
13 bundled photos and textures (``course_lib.style.STYLE_IMAGES``) a random patch comes
from (random position, scale and flip, 48x48 pixels). Telling apart gravel from grass,
fur from stained tissue needs colour and texture detectors, which is what the style cost
reads. After training each layer is rescaled so its mean activation is 1 (Gatys et al.'s
normalisation; the classifier's output is unchanged, checked). Held-out patches come from a different seed. About 3 CPU minutes on 1 thread;
``tests/test_style.py`` reruns the script on a tiny schedule; ``make bench`` reruns it in
full and compares the held-out accuracy with the checkpoint's.

    python data/train_style_features.py                          # the committed file
    python data/train_style_features.py --steps 5 --out /tmp/check.pt
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import course_lib
from course_lib.models.style_nets import FEATURE_STAGES, feature_cnn, normalize_mean_activation, save_style_nets
from course_lib.style import STYLE_IMAGES, load_image

STEPS, BATCH, LR, PATCH, SIDE = 1200, 64, 2e-3, 48, 256


def patches(images: torch.Tensor, n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n random patches (n, 3, PATCH, PATCH): a random image, scale (a crop of 48 to 128 px of
    the 256 px image, resized to 48) and position, flipped half the time; labels = image ids."""
    k = images.shape[0]
    labels = torch.randint(0, k, (n,), generator=gen)
    sides = torch.randint(PATCH, 129, (n,), generator=gen)
    out = torch.empty(n, 3, PATCH, PATCH)
    for i in range(n):
        s = int(sides[i])
        top, left = (int(v) for v in torch.randint(0, SIDE - s + 1, (2,), generator=gen))
        crop = images[labels[i], :, top:top + s, left:left + s][None]
        out[i] = F.interpolate(crop, size=(PATCH, PATCH), mode="bilinear", align_corners=False,
                               antialias=True)[0]
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(-1)
    return out, labels


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--eval", type=int, default=1300, help="held-out patches (100 per image)")
    ap.add_argument("--out", default=str(Path(__file__).with_name("style_features.pt")))
    args = ap.parse_args(argv)
    course_lib.setup(seed=0, threads=args.threads, style=False)
    images = torch.from_numpy(np.stack([load_image(n, SIDE) for n in STYLE_IMAGES]))
    model = feature_cnn(len(STYLE_IMAGES))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=max(args.steps, 1), pct_start=0.2)
    gen, gen_eval = torch.Generator().manual_seed(1), torch.Generator().manual_seed(2)
    t0, c0, losses = time.perf_counter(), time.process_time(), []
    model.train()
    for step in range(args.steps):
        x, y = patches(images, BATCH, gen)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if (step + 1) % 200 == 0:
            print(f"step {step + 1:5d}  loss (mean of 200) {np.mean(losses[-200:]):.3f}", flush=True)
    model.eval()
    with torch.no_grad():
        xe, ye = patches(images, args.eval, gen_eval)
        logits = model(xe)
        acc = float((logits.argmax(1) == ye).float().mean())
    # Gatys et al.'s normalisation: each layer's mean ReLU activation over the 13 images (128 px)
    # becomes 1; the classifier computes the same function (checked), the Gram matrices of the
    # layers become comparable
    scales = normalize_mean_activation(model, F.interpolate(images, size=(128, 128), mode="area"))
    with torch.no_grad():
        gap = float((model(xe) - logits).abs().max() / logits.abs().max())
    assert gap < 1e-4, f"normalising the activations changed the classifier's output (relative {gap:.2g})"
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"feature CNN: held-out patch accuracy {acc:.4f} ({len(STYLE_IMAGES)} images, chance "
          f"{1 / len(STYLE_IMAGES):.3f}); {seconds:.0f} s wall, {cpu:.0f} s CPU")
    meta = {"num_classes": len(STYLE_IMAGES), "stages": [list(s) for s in FEATURE_STAGES],
            "images": list(STYLE_IMAGES), "steps": args.steps, "batch": BATCH, "patch": PATCH,
            "heldout_accuracy": acc, "layer_scales": scales, "loss_every_50": [float(np.mean(losses[i:i + 50]))
                                                        for i in range(0, len(losses), 50)],
            "seconds": seconds, "cpu_seconds": cpu, "threads": args.threads}
    save_style_nets(args.out, {"feature_cnn": model}, meta)
    return meta


if __name__ == "__main__":
    main()
