"""Train chapter 08's GANs and save ``data/gan.pt``.

Four seeded runs, too slow together for the notebook's time budget:

1. the 2-D ring of 8 Gaussians (std 0.05, radius 2): a plain GAN (non-saturating loss) and
   the remedy, WGAN-GP, with the same networks, the same seed, the same optimiser and the
   same number of discriminator and generator steps (only the loss differs); every ``SNAPSHOT`` steps the generator's output on 512 fixed noise
   vectors is stored with both losses (the notebook's training-view widget replays them);
2. a DCGAN on the 8x8 digits (chapter 03's training split, in [-1, 1]);
3. a conditional DCGAN on the same digits (the label's one-hot vector goes into G and D).

Only the generators are kept (float16) with the snapshots; 08_generative_adversarial_networks
loads the file and measures everything itself (modes covered, the chapter-03 classifier's
confidence and the conditional GAN's label accuracy). ``tests/test_gan.py`` reruns this
script on a tiny schedule; ``make bench`` reruns it in full and compares its numbers with
the notebook's.

    python data/train_gan.py                                  # the committed file
    python data/train_gan.py --mixture-steps 20 --digits-steps 20 --out /tmp/check.pt
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

import course_lib
from course_lib import gan, gan_eval, gan_train, models

MIXTURE = {"std": 0.05, "radius": 2.0, "modes": 8, "batch_size": 256, "hidden": 128}
# the same budget and optimiser for both: 5 discriminator (critic) steps per generator step,
# Adam(1e-3, betas (0.5, 0.9)); only the loss differs (WGAN-GP's toy setting: penalty weight 0.1)
PLAIN = {"loss": "gan", "n_critic": 5, "lr_g": 1e-3, "lr_d": 1e-3, "betas": (0.5, 0.9)}
REMEDY = {"loss": "wgan_gp", "n_critic": 5, "lr_g": 1e-3, "lr_d": 1e-3, "betas": (0.5, 0.9), "gp_weight": 0.1}
MIXTURE_STEPS, DIGITS_STEPS, SNAPSHOT = 1500, 3000, 50
DIGITS = {"latent_dim": 16, "width": 32, "batch_size": 64, "lr": 2e-4, "betas": (0.5, 0.999)}


def mixture_runs(steps: int, seed: int = 0) -> dict:
    centres = torch.from_numpy(gan_train.ring_centres(MIXTURE["modes"], MIXTURE["radius"])).float()

    def sample(b, g):
        return centres[torch.randint(0, len(centres), (b,), generator=g)] + MIXTURE["std"] * torch.randn(b, 2, generator=g)

    runs, fixed_z = {}, torch.randn(512, 2, generator=torch.Generator().manual_seed(seed + 1))
    for name, cfg in (("plain GAN", PLAIN), ("WGAN-GP", REMEDY)):
        torch.manual_seed(seed)
        G = gan.MLPGenerator(latent_dim=2, hidden=MIXTURE["hidden"])
        D = gan.MLPDiscriminator(hidden=MIXTURE["hidden"])
        t0 = time.process_time()
        h = gan_train.train_gan(G, D, sample, steps=steps, batch_size=MIXTURE["batch_size"], seed=seed,
                                snapshot_every=min(SNAPSHOT, steps), snapshot_z=fixed_z, **cfg)
        cov = gan_train.mode_coverage(h["snapshots"][-1][1], centres.numpy(), MIXTURE["std"])
        runs[name] = {"steps": [s for s, _ in h["snapshots"]], "samples": np.stack([x for _, x in h["snapshots"]]),
                      "d_loss": h["d_loss"], "g_loss": h["g_loss"], "modes_covered": cov["modes_covered"],
                      "high_quality": round(cov["high_quality"], 4), "cpu_seconds": round(time.process_time() - t0, 1),
                      "generator": G}
        print(f"mixture {name}: {cov['modes_covered']} of 8 modes covered after {steps} steps, high-quality fraction "
              f"{cov['high_quality']:.3f} ({runs[name]['cpu_seconds']} CPU s)", flush=True)
    return runs


def digits_gans(steps: int, seed: int = 0) -> dict:
    split = gan_eval.digits_for_gan()
    x, y = torch.from_numpy(split.x_train), torch.from_numpy(split.y_train)
    out = {}
    for name, classes in (("dcgan", 0), ("cgan", 10)):
        torch.manual_seed(seed)
        G = gan.DCGANGenerator(DIGITS["latent_dim"], DIGITS["width"], num_classes=classes)
        D = gan.DCGANDiscriminator(DIGITS["width"], num_classes=classes)

        def sample(b, g):
            idx = torch.randint(0, len(x), (b,), generator=g)
            return (x[idx], y[idx]) if classes else x[idx]

        t0 = time.process_time()
        h = gan_train.train_gan(G, D, sample, steps=steps, loss="gan", lr_g=DIGITS["lr"], lr_d=DIGITS["lr"],
                                betas=DIGITS["betas"], batch_size=DIGITS["batch_size"], num_classes=classes, seed=seed)
        out[name] = {"generator": G.eval(), "d_loss": h["d_loss"], "g_loss": h["g_loss"],
                     "cpu_seconds": round(time.process_time() - t0, 1)}
        print(f"{name}: {steps} steps, final D loss {np.mean(h['d_loss'][-100:]):.3f}, G loss "
              f"{np.mean(h['g_loss'][-100:]):.3f} ({out[name]['cpu_seconds']} CPU s)", flush=True)
    return out


def judge(generators: dict, n: int = 1000, seed: int = 0) -> dict:
    """The numbers the notebook measures, on the float32 generators."""
    classifier = models.load_reduced_models()[0]["resnet18"]
    z = torch.randn(n, DIGITS["latent_dim"], generator=torch.Generator().manual_seed(seed + 2))
    with torch.no_grad():
        images = gan_eval.to_unit_range(generators["dcgan"](z).numpy())
        labels = torch.arange(n) % 10
        cond = gan_eval.to_unit_range(generators["cgan"](z, labels).numpy())
    conf = float(gan_eval.classify(classifier, images).max(1).mean())
    acc = float((gan_eval.classify(classifier, cond).argmax(1) == labels.numpy()).mean())
    print(f"DCGAN mean classifier confidence {conf:.4f}  conditional GAN label accuracy {acc:.4f}")
    return {"dcgan_mean_confidence": round(conf, 4), "cgan_label_accuracy": round(acc, 4)}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mixture-steps", type=int, default=MIXTURE_STEPS)
    ap.add_argument("--digits-steps", type=int, default=DIGITS_STEPS)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: reproducible, quicker for small nets)")
    ap.add_argument("--out", default=str(Path(__file__).with_name("gan.pt")))
    args = ap.parse_args(argv)
    course_lib.setup(seed=0, threads=args.threads, style=False)
    t0, c0 = time.perf_counter(), time.process_time()
    runs = mixture_runs(args.mixture_steps)
    digits = digits_gans(args.digits_steps)
    generators = {"dcgan": digits["dcgan"]["generator"], "cgan": digits["cgan"]["generator"]}
    meta = {"mixture": {**MIXTURE, "steps": args.mixture_steps, "snapshot_every": SNAPSHOT,
                        "plain": {k: str(v) for k, v in PLAIN.items()}, "remedy": {k: str(v) for k, v in REMEDY.items()},
                        **{name: {"modes_covered": r["modes_covered"], "high_quality": r["high_quality"],
                                  "cpu_seconds": r["cpu_seconds"]} for name, r in runs.items()}},
            "digits": {**{k: str(v) for k, v in DIGITS.items()}, "steps": args.digits_steps,
                       **{n: {"cpu_seconds": d["cpu_seconds"]} for n, d in digits.items()}},
            **judge(generators), "threads": args.threads}
    meta["seconds"], meta["cpu_seconds"] = round(time.perf_counter() - t0, 1), round(time.process_time() - c0, 1)
    generators.update({f"mixture {name}": r["generator"] for name, r in runs.items()})
    gan_eval.save_gan_checkpoint(args.out, generators,
                                 {name: {k: r[k] for k in ("steps", "samples", "d_loss", "g_loss")}
                                  for name, r in runs.items()}, meta)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1e6:.2f} MB) in {meta['seconds']} s "
          f"({meta['cpu_seconds']} CPU s)")
    return meta


if __name__ == "__main__":
    main()
