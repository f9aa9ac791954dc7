"""Train the tiny YOLO of chapter 04 on generated scenes and save ``data/tiny_yolo.pt``.

Too slow for the notebook's time budget (about 2 CPU minutes: 16 epochs of 4,000 fresh
scenes on 1 thread; 8 minutes of wall time on a busy shared machine), so it runs once
here; 04_object_detection loads the checkpoint and measures mAP on held-out scenes itself.
Training scenes use seeds 1000 + epoch (fresh scenes every epoch); the notebook's
held-out scenes use seed 4 and are never seen here. ``tests/test_detection.py`` reruns
the script on a short schedule; ``make bench`` reruns it in full.

    python data/train_tiny_yolo.py                              # the committed file
    python data/train_tiny_yolo.py --epochs 1 --scenes 256 --out /tmp/check.pt
"""
from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch

import course_lib
from course_lib import data
from course_lib.detection_yolo import TinyYOLO, detect, save_tiny_yolo, yolo_encode, yolo_loss

EPOCHS, SCENES, BATCH, LR = 16, 4000, 64, 3e-3


def targets(sc, grid: int, num_boxes: int) -> torch.Tensor:
    return torch.from_numpy(np.stack([yolo_encode(b, l, grid=grid, num_boxes=num_boxes)
                                      for b, l in zip(sc.boxes, sc.labels)]).astype(np.float32))


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--scenes", type=int, default=SCENES, help="fresh training scenes per epoch")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1: reproducible, and quicker than 2 on a shared machine)")
    ap.add_argument("--lr", type=float, default=LR)
    ap.add_argument("--width", type=int, default=12)
    ap.add_argument("--eval-scenes", type=int, default=500)
    ap.add_argument("--out", default=str(Path(__file__).with_name("tiny_yolo.pt")))
    args = ap.parse_args(argv)
    course_lib.setup(seed=0, threads=args.threads, style=False)
    model = TinyYOLO(width=args.width)
    grid = 8
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * math.ceil(args.scenes / BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    t0, c0, losses = time.perf_counter(), time.process_time(), []
    gen = torch.Generator().manual_seed(0)
    for epoch in range(args.epochs):
        sc = data.scenes(args.scenes, seed=1000 + epoch)
        x, y = torch.from_numpy(sc.images), targets(sc, grid, model.num_boxes)
        model.train()
        total = 0.0
        for idx in torch.randperm(len(x), generator=gen).split(BATCH):
            loss = yolo_loss(model(x[idx]), y[idx], model.num_boxes)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        losses.append(round(total / len(x), 4))
        print(f"epoch {epoch + 1:>2}/{args.epochs}  loss {losses[-1]:.4f}  {time.perf_counter() - t0:6.1f} s "
              f"({time.process_time() - c0:.1f} CPU s)", flush=True)
    seconds, cpu_seconds = round(time.perf_counter() - t0, 1), round(time.process_time() - c0, 1)
    meta = {"epochs": args.epochs, "scenes_per_epoch": args.scenes, "batch_size": BATCH,
            "optimizer": f"Adam one-cycle max lr {args.lr}, weight decay 1e-4", "loss": losses,
            "seconds": seconds, "cpu_seconds": cpu_seconds, "threads": args.threads, "train_seeds": f"1000..{999 + args.epochs}"}
    if args.eval_scenes:
        from course_lib.detection_eval import coco_map, mean_average_precision

        held = data.scenes(args.eval_scenes, seed=4)
        dets = detect(model, held.images)
        meta["map50_seed4"] = round(mean_average_precision(dets, held.boxes, held.labels, 0.5), 4)
        meta["coco_map_seed4"] = round(coco_map(dets, held.boxes, held.labels), 4)
        print(f"held-out mAP@0.5 {meta['map50_seed4']:.4f}  COCO mAP {meta['coco_map_seed4']:.4f}")
    save_tiny_yolo(model, args.out, meta)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB) in {seconds} s")
    return meta


if __name__ == "__main__":
    main()
