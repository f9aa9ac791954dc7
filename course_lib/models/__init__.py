"""Classic CNN architectures in plain torch (no torchvision), built from readable blocks,
and the reduced models of chapter 03 with their checkpoint.

The package, one family per module (imports point down: this file imports the others,
they import :mod:`.blocks` and :mod:`course_lib._checks`):

- ``blocks``: :func:`conv_bn_relu`, :func:`scaled`, :func:`count_parameters`, the shared
  check of ``num_classes`` / ``in_channels`` / ``width``;
- ``classic``: :func:`lenet5`, :func:`alexnet`, :func:`vgg16`;
- ``inception``: ``NaiveInception``, ``Inception``, ``InceptionAux``, :func:`googlenet`,
  :func:`inception_v3` and its modules A-E;
- ``resnet``: the residual blocks, :func:`resnet18`, :func:`resnet50`, :func:`stacked_net`
  (plain vs residual, the degradation experiment);
- ``transfer``: :func:`freeze_except`, :func:`multilabel_binary_cross_entropy`;
- ``unet``: U-Net of chapter 05 (imported from there as ``course_lib.models.unet``);
- ``style_nets``: chapter 10's feature networks and fast-style transform network
  (imported from there as ``course_lib.models.style_nets``).

Every chapter-03 name is re-exported here, so ``from course_lib import models;
models.resnet18(...)`` works. At their defaults (1000 classes, 3-channel input) each has
exactly the trainable-parameter count of the reference implementation in torchvision
(LeNet-5: the classic 32x32 version, 10 outputs). ``width`` shrinks every channel count (a
"reduced" model with the same block structure) and ``small_input=True`` swaps the ImageNet
stem for one suited to 32x32 images. Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn as nn

from course_lib import _checks
from course_lib.models.blocks import conv_bn_relu, count_parameters, scaled
from course_lib.models.classic import VGG16_STAGES, alexnet, lenet5, vgg16, vgg_stage
from course_lib.models.inception import (
    GoogLeNet, Inception, InceptionA, InceptionAux, InceptionB, InceptionC, InceptionD, InceptionE, InceptionV3,
    NaiveInception, googlenet, inception_v3)
from course_lib.models.resnet import (
    BasicBlock, Bottleneck, ResNet, convolutional_block, identity_block, random_bottleneck, resnet18, resnet50,
    stacked_net)
from course_lib.models.transfer import freeze_except, multilabel_binary_cross_entropy

__all__ = [
    "count_parameters", "scaled", "conv_bn_relu", "lenet5", "alexnet", "vgg_stage", "vgg16", "VGG16_STAGES",
    "NaiveInception", "Inception", "InceptionAux", "GoogLeNet", "googlenet", "InceptionA", "InceptionB",
    "InceptionC", "InceptionD", "InceptionE", "InceptionV3", "inception_v3",
    "BasicBlock", "Bottleneck", "identity_block", "convolutional_block", "ResNet", "resnet18", "resnet50",
    "stacked_net", "random_bottleneck", "freeze_except", "multilabel_binary_cross_entropy",
    "CONSTRUCTORS", "REDUCED_WIDTH", "REDUCED_CHECKPOINT", "reduced_model", "save_models", "load_reduced_models",
]


# --- reduced versions for the digits (same blocks, 1/8 of the channels, a 32x32 stem) --------

CONSTRUCTORS = {"lenet5": lenet5, "alexnet": alexnet, "vgg16": vgg16, "googlenet": googlenet,
                "inception_v3": inception_v3, "resnet18": resnet18, "resnet50": resnet50}
REDUCED_WIDTH = 1 / 8
# the committed weights, data/reduced_models.pt in the repository that holds course_lib/ (the course
# installs course_lib in editable mode, so the package and the data sit side by side)
REDUCED_CHECKPOINT = Path(__file__).resolve().parents[2] / "data" / "reduced_models.pt"


def reduced_model(name: str, num_classes: int = 10, in_channels: int = 1,
                  width: float = REDUCED_WIDTH) -> nn.Module:
    """The reduced version of a full-size architecture for 32x32 digits: the same constructor
    with ``width`` times the channels and ``small_input=True``.

    x: (N, in_channels, 32, 32) -> (N, num_classes), by default (N, 1, 32, 32) -> (N, 10).
    ``name`` is a key of :data:`CONSTRUCTORS` other than ``"lenet5"`` (already that small).
    Introduced in 03_cnn_architectures.
    """
    _checks.choice(name, "name", [n for n in CONSTRUCTORS if n != "lenet5"])
    return CONSTRUCTORS[name](num_classes=num_classes, in_channels=in_channels, width=width, small_input=True)


def save_models(path: str | os.PathLike, models: dict[str, nn.Module], meta: dict) -> None:
    """Save ``{name: model}`` state dicts as float16 (half the file size) with a ``meta`` dict.

    Only tensors, names and plain numbers are stored (no pickled classes), so the file loads
    with ``torch.load(weights_only=True)`` whatever module the classes live in; every
    parameter and buffer keeps its shape. Introduced in 03_cnn_architectures.
    """
    state = {n: {k: (v.half() if v.is_floating_point() else v) for k, v in m.state_dict().items()}
             for n, m in models.items()}
    torch.save({"state": state, "meta": meta}, path)


def load_reduced_models(path: str | os.PathLike = REDUCED_CHECKPOINT) -> tuple[dict[str, nn.Module], dict]:
    """Load a file written by ``data/train_reduced_models.py`` (by default the committed
    :data:`REDUCED_CHECKPOINT`): ({name: model in eval mode}, meta).

    Each model is rebuilt with :func:`reduced_model` at the file's ``width`` and its float16
    weights are converted back to float32; every model maps (N, 1, 32, 32) -> (N, 10).
    Introduced in 03_cnn_architectures.
    """
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    width = ckpt["meta"].get("width", REDUCED_WIDTH)
    models = {}
    for name, state in ckpt["state"].items():
        model = reduced_model(name, width=width)
        model.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in state.items()})
        models[name] = model.eval()
    return models, ckpt["meta"]
