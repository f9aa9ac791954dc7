"""Train chapter 09's face embedder (a Siamese CNN, triplet loss) and save ``data/face_embedder.pt``.

Too slow for the notebook's budget (a few CPU minutes on 1 thread), so it runs here once;
09_face_recognition loads the checkpoint and measures verification accuracy and AUC on
identities never seen here itself. Training: generated faces of identities 0..799
(``data.identity_split``), a fresh draw of the nuisance (pose, light, expression, noise,
occlusion) every epoch (seed 1000 + epoch), batches of 16 identities x 8 images, the
"batch all" triplet loss (margin 0.2), Adam with a one-cycle schedule. Validation
identities (100,000..) choose the threshold; the test identities (200,000..) are the
notebook's. ``tests/test_faces.py`` reruns the script on a tiny schedule; ``make bench``
reruns it in full and compares.

    python data/train_faces.py                                   # the committed file
    python data/train_faces.py --epochs 1 --identities 32 --out /tmp/check.pt
"""
from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch

import course_lib
from course_lib import data, faces
from course_lib.faces_metric import FaceEmbedder, batch_all_triplet_loss, embed, save_embedder

EPOCHS, IDENTITIES, PER_IDENTITY, IDS_PER_BATCH, LR, MARGIN = 24, 800, 8, 16, 3e-3, 0.2
VAL_SEED, TEST_SEED, PAIR_SEED, EVAL_PER_IDENTITY, EVAL_PAIRS = 2, 3, 9, 10, 2000


def evaluate(model, val_ids, test_ids) -> dict:
    """Verification on validation (threshold) and test identities, the notebook's protocol."""
    out = {}
    for name, ids, seed in (("val", val_ids, VAL_SEED), ("test", test_ids, TEST_SEED)):
        f = data.faces(ids, EVAL_PER_IDENTITY, seed=seed)
        e = embed(model, f.images)
        i, j, same = faces.make_pairs(f.identities, EVAL_PAIRS, np.random.default_rng(PAIR_SEED))
        out[name] = (faces.pair_distances(e[i], e[j]), same)
    tau = faces.choose_threshold(*out["val"])
    d, same = out["test"]
    fpr, tpr, _ = faces.roc_curve(-d, same)
    return {"threshold": round(tau, 4), "test_accuracy": round(faces.verification_accuracy(d, same, tau), 4),
            "test_auc": round(faces.roc_auc(fpr, tpr), 4)}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--identities", type=int, default=IDENTITIES, help="training identities (ids 0..n-1)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: reproducible)")
    ap.add_argument("--lr", type=float, default=LR)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--eval-identities", type=int, default=100)
    ap.add_argument("--out", default=str(Path(__file__).with_name("face_embedder.pt")))
    args = ap.parse_args(argv)
    course_lib.setup(seed=0, threads=args.threads, style=False)
    train_ids, val_ids, test_ids = data.identity_split(args.identities, args.eval_identities, args.eval_identities)
    model = FaceEmbedder(width=args.width, dim=args.dim)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * math.ceil(len(train_ids) / IDS_PER_BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.2)
    t0, c0, losses = time.perf_counter(), time.process_time(), []
    for epoch in range(args.epochs):
        f = data.faces(train_ids, PER_IDENTITY, seed=1000 + epoch)
        x, y = torch.from_numpy(f.images), f.identities
        order = np.random.default_rng(epoch).permutation(len(train_ids))
        model.train()
        total, batches = 0.0, 0
        for b in range(0, len(order), IDS_PER_BATCH):
            rows = (order[b:b + IDS_PER_BATCH, None] * PER_IDENTITY + np.arange(PER_IDENTITY)).ravel()
            loss = batch_all_triplet_loss(model(x[rows]), y[rows], MARGIN)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total, batches = total + loss.item(), batches + 1
        losses.append(round(total / batches, 4))
        print(f"epoch {epoch + 1:>2}/{args.epochs}  loss {losses[-1]:.4f}  {time.perf_counter() - t0:6.1f} s "
              f"({time.process_time() - c0:.1f} CPU s)", flush=True)
    seconds, cpu_seconds = round(time.perf_counter() - t0, 1), round(time.process_time() - c0, 1)
    meta = {"epochs": args.epochs, "train_identities": len(train_ids), "images_per_identity": PER_IDENTITY,
            "batch": f"{IDS_PER_BATCH} identities x {PER_IDENTITY} images", "loss_name": "batch-all triplet loss",
            "margin": MARGIN, "optimizer": f"Adam one-cycle max lr {args.lr}, weight decay 1e-4", "loss": losses,
            "seconds": seconds, "cpu_seconds": cpu_seconds, "threads": args.threads,
            "train_seeds": f"1000..{999 + args.epochs}"}
    meta.update(evaluate(model, val_ids, test_ids))
    print(f"unseen identities: verification accuracy {meta['test_accuracy']:.4f}  AUC {meta['test_auc']:.4f}  "
          f"(threshold {meta['threshold']:.4f} from validation)")
    save_embedder(model, args.out, meta)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB) in {seconds} s")
    return meta


if __name__ == "__main__":
    main()
