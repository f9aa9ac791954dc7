"""Train chapter 05's two U-Nets on generated scenes, with and without skip connections, and
save their weights to ``data/unet_scenes.pt``.

Both get the same budget: the same 2,000 training scenes (64x64, seed 1), the same epochs,
batches, random flips, Adam with the same one-cycle learning-rate schedule and the same
initial seed; they differ only in ``skip``. Too slow for the notebook's time budget (several
minutes on 2 CPU cores), so it runs once here; 05_semantic_segmentation loads the file and
measures mean IoU on held-out scenes (seed 2) itself. ``tests/test_segmentation.py`` reruns
this script on a tiny schedule; ``make bench`` reruns it in full.

    python data/train_segmentation.py                   # the committed file
    python data/train_segmentation.py --epochs 1 --train 64 --out /tmp/check.pt
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import course_lib
from course_lib import models, segmentation
from course_lib.models.unet import UNet, load_unets
from course_lib.data import SCENE_CLASSES as CLASS_NAMES, scenes

ARCH = dict(in_channels=3, num_classes=len(CLASS_NAMES), base=16, depth=3, padding="same", batch_norm=True)
TRAIN_SEED, TEST_SEED = 1, 2
EPOCHS, TRAIN_SCENES, BATCH, MAX_LR = 8, 2000, 32, 3e-3


def train_one(skip: bool, x: torch.Tensor, y: torch.Tensor, epochs: int) -> tuple[UNet, list[float], float]:
    """One U-Net, trained from seed 0 on (x, y); returns (model, mean loss per epoch, seconds)."""
    torch.manual_seed(0)
    model = UNet(skip=skip, **ARCH)
    opt = torch.optim.Adam(model.parameters(), lr=MAX_LR)
    steps = epochs * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=MAX_LR, total_steps=steps)
    gen = torch.Generator().manual_seed(0)
    losses, t0 = [], time.perf_counter()
    model.train()
    for _ in range(epochs):
        order, total = torch.randperm(len(x), generator=gen), 0.0
        for k in range(0, len(x), BATCH):
            idx = order[k:k + BATCH]
            xb, yb = x[idx], y[idx]
            flip = torch.rand(2, generator=gen)          # the classes do not change under flips
            if flip[0] < 0.5:
                xb, yb = xb.flip(-1), yb.flip(-1)
            if flip[1] < 0.5:
                xb, yb = xb.flip(-2), yb.flip(-2)
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        losses.append(round(total / len(x), 5))
    return model.eval(), losses, time.perf_counter() - t0


def held_out_miou(model: UNet, test) -> float:
    probs = segmentation.predict_proba(model, test.images)
    cm = segmentation.confusion_matrix(test.masks, probs.argmax(axis=1), len(CLASS_NAMES))
    return segmentation.mean_iou(cm)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--train", type=int, default=TRAIN_SCENES, help="number of training scenes")
    ap.add_argument("--test", type=int, default=300, help="held-out scenes for the printed mean IoU")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(Path(__file__).with_name("unet_scenes.pt")))
    args = ap.parse_args(argv)
    course_lib.setup(seed=0, threads=args.threads, style=False)
    train, test = scenes(args.train, seed=TRAIN_SEED), scenes(args.test, seed=TEST_SEED)
    x, y = torch.from_numpy(train.images), torch.from_numpy(train.masks.astype(np.int64))
    meta = {"arch": ARCH, "epochs": args.epochs, "train_scenes": args.train, "train_seed": TRAIN_SEED,
            "batch_size": BATCH, "optimizer": f"Adam, one-cycle lr up to {MAX_LR}", "loss": {}, "seconds": {},
            "held_out_miou": {}, "test_seed": TEST_SEED, "test_scenes": args.test}
    trained = {}
    for name, skip in (("skip", True), ("no_skip", False)):
        model, losses, seconds = train_one(skip, x, y, args.epochs)
        miou = held_out_miou(model, test)
        meta["loss"][name], meta["seconds"][name], meta["held_out_miou"][name] = losses, round(seconds, 1), miou
        print(f"{name:<8} {models.count_parameters(model):>8,} params  {seconds:>6.1f} s  "
              f"train loss {losses[-1]:.4f}  held-out mIoU {miou:.4f}", flush=True)
        trained[name] = model
    models.save_models(args.out, trained, meta)
    loaded, _ = load_unets(args.out)                      # the float16 file gives the same answer
    for name, model in loaded.items():
        print(f"{name:<8} from the float16 file: held-out mIoU {held_out_miou(model, test):.4f}")
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB)")
    return meta


if __name__ == "__main__":
    main()
