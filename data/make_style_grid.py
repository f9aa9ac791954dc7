"""Precompute chapter 10's grid of style-transfer results and save ``data/style_grid.npz``.

Every combination of 4 values of beta (alpha = 1), 3 content layers and 3 sets of style
layers of the repo-trained feature CNN (``data/style_features.pt``): 36 optimisations of a
96x96 image (chelsea in the style of the flower, 40 L-BFGS steps from the content image,
tv_weight 1). The notebook draws its grids from this file and its widget browses it; it
recomputes one entry itself to check the file. About 1.5 CPU minutes on 1 thread.
``tests/test_style.py`` reruns it on a tiny grid; ``make bench`` reruns it in full.

    python data/make_style_grid.py                               # the committed file
    python data/make_style_grid.py --steps 2 --size 32 --out /tmp/check.npz
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import course_lib
from course_lib import style, style_optimize
from course_lib.models.style_nets import FEATURES_CHECKPOINT, load_style_nets

CONTENT, STYLE, SIZE, STEPS, TV = "chelsea", "flower", 96, 40, 1.0
BETAS = (1e3, 1e4, 1e5, 1e6)
CONTENT_LAYERS = ("relu1_2", "relu2_2", "relu3_2")
STYLE_SETS = {"relu1_1": ["relu1_1"], "relu1_1..relu2_1": ["relu1_1", "relu2_1"],
              "relu1_1..relu3_1": ["relu1_1", "relu2_1", "relu3_1"]}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--size", type=int, default=SIZE)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--features", default=str(FEATURES_CHECKPOINT))
    ap.add_argument("--out", default=str(Path(__file__).with_name("style_grid.npz")))
    args = ap.parse_args(argv)
    course_lib.setup(seed=0, threads=args.threads, style=False)
    net = load_style_nets(args.features)[0]["feature_cnn"]
    C, S = style.load_image(CONTENT, args.size), style.load_image(STYLE, args.size)
    shape = (len(BETAS), len(CONTENT_LAYERS), len(STYLE_SETS))
    images = np.zeros(shape + (args.size, args.size, 3), np.uint8)
    jc, js, secs = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    c0 = time.process_time()
    for b, beta in enumerate(BETAS):
        for l, layer in enumerate(CONTENT_LAYERS):
            for s, layers in enumerate(STYLE_SETS.values()):
                t = style_optimize.style_targets(net, C, S, layer, layers, alpha=1.0, beta=beta, tv_weight=TV)
                r = style_optimize.transfer(t, steps=args.steps, optimizer="lbfgs", init="content")
                images[b, l, s] = (style.to_image(r.image) * 255).round().astype(np.uint8)
                jc[b, l, s], js[b, l, s], secs[b, l, s] = r.history["content"][-1], r.history["style"][-1], r.seconds
        print(f"beta {beta:g}: J_style after {args.steps} steps {js[b].round(4).tolist()}", flush=True)
    cpu = time.process_time() - c0
    print(f"style grid: {np.prod(shape)} results of {args.size}x{args.size}, mean J_style {js.mean():.4f}; "
          f"{cpu:.0f} s CPU")
    np.savez_compressed(args.out, images=images, content=jc, style=js, seconds=secs, betas=np.array(BETAS),
                        content_layers=np.array(CONTENT_LAYERS), style_sets=np.array(list(STYLE_SETS)),
                        style_set_layers=np.array([",".join(v) for v in STYLE_SETS.values()]),
                        settings=np.array([CONTENT, STYLE, str(args.size), str(args.steps), str(TV)]))
    return {"content": jc, "style": js, "cpu_seconds": cpu}


if __name__ == "__main__":
    main()
