"""The degradation experiment of chapter 03 with several seeds and a longer schedule: plain
nets of 8 and 32 layers and the 32-layer residual twin (``models.stacked_net``), trained on
the 8x8 digits, training loss per epoch for every seed.

One seed and a few dozen Adam steps cannot tell "the deep plain net starts slower" from "it
trains to a higher training error" (He et al., 2015). Several seeds over a longer schedule
do, but take minutes on 2 CPU cores, so this script runs once and 03_cnn_architectures loads
``data/degradation_curves.json``, plots the curves and asserts on the means across seeds.
``tests/test_review_fixes.py`` reruns it briefly and checks that it reproduces the file's
first epoch.

    python data/train_degradation.py                       # the committed file
    python data/train_degradation.py --epochs 1 --seeds 1 --out /tmp/check.json
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

import course_lib
from course_lib import data, models, train

RUNS = {"plain, 8 layers": (1, False), "plain, 32 layers": (5, False), "residual, 32 layers": (5, True)}
EPOCHS, SEEDS, LR, BATCH, WIDTHS = 40, 4, 2e-3, 128, (8, 16, 32)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--seeds", type=int, default=SEEDS)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=str(Path(__file__).with_name("degradation_curves.json")))
    args = ap.parse_args(argv)
    course_lib.setup(seed=0, threads=args.threads, style=False)
    # exactly this many threads, whatever COURSE_THREADS says: the deep plain net is chaotic enough
    # that 2 threads instead of 1 (another summation order) move its first-epoch loss by 0.02
    torch.set_num_threads(args.threads)
    split = data.digits_split(size=8)
    x, y = torch.from_numpy(split.x_train), torch.from_numpy(split.y_train)
    out = {"epochs": args.epochs, "seeds": list(range(args.seeds)), "optimizer": f"Adam lr {LR}",
           "batch_size": BATCH, "widths": list(WIDTHS), "train_images": len(x),
           "loss": {}, "final_train_loss": {}, "parameters": {}, "seconds": {}}
    for name, (n, residual) in RUNS.items():
        out["loss"][name], out["final_train_loss"][name] = [], []
        t0 = time.perf_counter()
        for seed in range(args.seeds):
            torch.manual_seed(seed)
            net = models.stacked_net(n, residual, widths=WIDTHS)
            opt = torch.optim.Adam(net.parameters(), lr=LR)
            hist = train.fit(net, (x, y), epochs=args.epochs, batch_size=BATCH, optimizer=opt, progress=False, seed=seed)
            out["loss"][name].append([round(v, 6) for v in hist.loss])
            out["final_train_loss"][name].append(round(train.evaluate(net, x, y)[0], 6))
        out["parameters"][name] = models.count_parameters(net)
        out["seconds"][name] = round(time.perf_counter() - t0, 1)
        print(f"{name:<20} {out['seconds'][name]:6.1f} s, last-epoch loss per seed "
              f"{[c[-1] for c in out['loss'][name]]}", flush=True)
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.out}")
    return out


if __name__ == "__main__":
    main()
