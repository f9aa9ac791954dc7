"""Train the reduced versions of AlexNet, VGG-16, GoogLeNet, Inception-v3, ResNet-18 and
ResNet-50 (1/8 of the channels, 32x32 stem) on the digits, and save their weights.

Too slow for the notebook's time budget (several minutes on 2 CPU cores), so it runs once
here and 03_cnn_architectures loads ``data/reduced_models.pt`` and measures the test
accuracy itself. ``tests/test_cnn.py`` reruns this script on a short schedule.

    python data/train_reduced_models.py                  # the committed file (EPOCHS below)
    python data/train_reduced_models.py --epochs 1 --limit 128 --out /tmp/check.pt
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

import course_lib
from course_lib import data, models, train

NAMES = ("alexnet", "vgg16", "googlenet", "inception_v3", "resnet18", "resnet50")
# AlexNet and VGG (no batch norm, dropout in wide FC layers) learn slowly: more epochs for them
EPOCHS = {"alexnet": 40, "vgg16": 30, "googlenet": 15, "inception_v3": 15, "resnet18": 15, "resnet50": 15}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=None, help="the same number for every model (default: EPOCHS)")
    ap.add_argument("--limit", type=int, default=0, help="train on the first LIMIT images only (0: all)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(Path(__file__).with_name("reduced_models.pt")))
    ap.add_argument("--only", nargs="*", default=list(NAMES))
    args = ap.parse_args(argv)
    course_lib.setup(seed=0, threads=args.threads, style=False)
    split = data.digits_split(size=32)
    x, y = torch.from_numpy(split.x_train), torch.from_numpy(split.y_train)
    if args.limit:
        x, y = x[:args.limit], y[:args.limit]
    trained, meta = {}, {"width": models.REDUCED_WIDTH, "epochs": {}, "optimizer": "Adam lr 1e-3",
                         "batch_size": 64, "train_images": len(x), "loss": {}, "seconds": {}}
    for name in args.only:
        torch.manual_seed(0)
        model = models.reduced_model(name)
        t0 = time.perf_counter()
        meta["epochs"][name] = args.epochs or EPOCHS[name]
        hist = train.fit(model, (x, y), epochs=meta["epochs"][name], progress=False, seed=0)
        meta["seconds"][name] = round(time.perf_counter() - t0, 1)
        meta["loss"][name] = [round(v, 5) for v in hist.loss]
        acc = train.evaluate(model, split.x_test, split.y_test)[1]
        print(f"{name:<13} {models.count_parameters(model):>8,} params  {meta['seconds'][name]:>6.1f} s  "
              f"train loss {hist.loss[-1]:.4f}  test acc {acc:.4f}", flush=True)
        trained[name] = model
    models.save_models(args.out, trained, meta)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB)")
    return meta


if __name__ == "__main__":
    main()
