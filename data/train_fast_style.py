"""Train chapter 10's fast style network (Johnson et al. 2016) for one style and save
``data/fast_style.pt``.

A :class:`course_lib.models.style_nets.TransformNet` learns to map any photo to a stylised
version in one forward pass, by minimising the same perceptual cost as the optimisation of
the chapter, alpha J_content + beta J_style + tv_weight TV, measured with the repo-trained
feature CNN (``data/style_features.pt``, made by ``data/train_style_features.py``), on
random 64x64 crops of the bundled images except ``chelsea`` (the notebook's content image,
kept out so its result is a held-out test). The network is fully convolutional, so the
notebook applies it to 128x128 images. About 3 CPU minutes on 1 thread.
``tests/test_style.py`` reruns it on a tiny schedule; ``make bench`` reruns it in full and
compares the held-out cost with the checkpoint's.

    python data/train_fast_style.py                              # the committed file
    python data/train_fast_style.py --steps 5 --out /tmp/check.pt
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import course_lib
from course_lib import style, style_optimize
from course_lib.models.style_nets import FEATURES_CHECKPOINT, TransformNet, load_style_nets, save_style_nets

# the chapter's choices (the notebook uses the same): style image, layers, weights
STYLE, CONTENT_LAYER, STYLE_LAYERS = "flower", "relu2_2", ["relu1_1", "relu2_1", "relu3_1"]
ALPHA, BETA, TV = 1.0, 1e5, 1.0
STEPS, BATCH, LR, CROP, WIDTH, BLOCKS = 600, 8, 2e-3, 64, 16, 3


def crops(images: torch.Tensor, n: int, gen: torch.Generator) -> torch.Tensor:
    k, _, side, _ = images.shape
    out = torch.empty(n, 3, CROP, CROP)
    for i in range(n):
        s = int(torch.randint(CROP, side + 1, (1,), generator=gen))
        j = int(torch.randint(0, k, (1,), generator=gen))
        top, left = (int(v) for v in torch.randint(0, side - s + 1, (2,), generator=gen))
        out[i] = F.interpolate(images[j:j + 1, :, top:top + s, left:left + s], size=(CROP, CROP),
                               mode="bilinear", align_corners=False, antialias=True)[0]
    return out


def batch_cost(net, G, X, a_S, alpha=ALPHA, beta=BETA, tv=TV):
    """Mean over the batch of the perceptual cost of outputs G for inputs X."""
    f_G = style.features(net, G, [CONTENT_LAYER, *STYLE_LAYERS])
    with torch.no_grad():
        a_C = style.features(net, X, [CONTENT_LAYER])[CONTENT_LAYER]
    weights = {l: 1.0 / len(STYLE_LAYERS) for l in STYLE_LAYERS}
    total = 0.0
    for i in range(len(G)):
        jc = style.content_cost(a_C[i], f_G[CONTENT_LAYER][i])
        js = style.style_cost(a_S, {l: f_G[l][i] for l in STYLE_LAYERS}, weights)
        total = total + alpha * jc + beta * js + tv * style.total_variation(G[i])
    return total / len(G)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--features", default=str(FEATURES_CHECKPOINT))
    ap.add_argument("--out", default=str(Path(__file__).with_name("fast_style.pt")))
    args = ap.parse_args(argv)
    course_lib.setup(seed=0, threads=args.threads, style=False)
    net = load_style_nets(args.features)[0]["feature_cnn"]
    names = [n for n in style.STYLE_IMAGES if n != "chelsea"]
    images = torch.from_numpy(np.stack([style.load_image(n, 256) for n in names]))
    S = torch.from_numpy(style.load_image(STYLE, 128))
    with torch.no_grad():
        a_S = style.features(net, S, STYLE_LAYERS)
    model = TransformNet(WIDTH, BLOCKS)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=max(args.steps, 1), pct_start=0.2)
    gen = torch.Generator().manual_seed(3)
    t0, c0, losses = time.perf_counter(), time.process_time(), []
    model.train()
    for step in range(args.steps):
        X = crops(images, BATCH, gen)
        loss = batch_cost(net, model(X), X, a_S)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if (step + 1) % 100 == 0:
            print(f"step {step + 1:5d}  cost (mean of 100) {np.mean(losses[-100:]):.2f}", flush=True)
    model.eval()
    C = torch.from_numpy(style.load_image("chelsea", 128))
    targets = style_optimize.style_targets(net, C, S, CONTENT_LAYER, STYLE_LAYERS, ALPHA, BETA, TV)
    with torch.no_grad():
        held = {k: float(v) for k, v in style_optimize.costs(targets, model(C[None])).items()}
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"fast style: held-out (chelsea 128x128) total cost {held['total']:.2f} content {held['content']:.2f} "
          f"style {held['style']:.3g}; {seconds:.0f} s wall, {cpu:.0f} s CPU")
    meta = {"transform_width": WIDTH, "transform_blocks": BLOCKS, "style": STYLE, "content_layer": CONTENT_LAYER,
            "style_layers": STYLE_LAYERS, "alpha": ALPHA, "beta": BETA, "tv_weight": TV, "steps": args.steps,
            "batch": BATCH, "crop": CROP, "heldout_costs": held,
            "cost_every_50": [float(np.mean(losses[i:i + 50])) for i in range(0, len(losses), 50)],
            "seconds": seconds, "cpu_seconds": cpu, "threads": args.threads}
    save_style_nets(args.out, {"transform": model}, meta)
    return meta


if __name__ == "__main__":
    main()
