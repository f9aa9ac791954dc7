"""The classic plain stacks: LeNet-5 (LeCun et al., 1998), AlexNet (Krizhevsky et al., 2012)
and VGG-16 (Simonyan & Zisserman, 2014), in plain torch.

At their defaults (1000 classes, 3-channel input) AlexNet and VGG-16 have exactly the
trainable-parameter counts of torchvision's; LeNet-5 is the classic 32x32 version with 10
outputs. ``width`` shrinks every channel count and ``small_input=True`` swaps the ImageNet
stem for one suited to 32x32 images. Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

from collections import OrderedDict

import torch.nn as nn

from course_lib import _checks
from course_lib.models.blocks import check_architecture, scaled

__all__ = ["lenet5", "alexnet", "VGG16_STAGES", "vgg_stage", "vgg16"]


# --- LeNet-5 (LeCun et al., 1998) -----------------------------------------------------------

def lenet5(num_classes: int = 10, in_channels: int = 1, activation: str = "tanh") -> nn.Sequential:
    """LeNet-5 for 32x32 inputs: conv 6@5x5, avg-pool, conv 16@5x5, avg-pool, FC 120, 84, out.

    x: (N, in_channels, 32, 32) -> logits (N, num_classes). C3 is fully connected to S2 (the
    original's sparse connection table is left out), the output is a linear layer (not
    RBF units), so with 10 classes there are 61,706 parameters. ``activation``: ``"tanh"``
    (the paper's squashing function) or ``"relu"``. Introduced in 03_cnn_architectures.
    """
    num_classes, in_channels, _ = check_architecture(num_classes, in_channels, 1.0)
    act = nn.Tanh if _checks.choice(activation, "activation", ("tanh", "relu")) == "tanh" else nn.ReLU
    return nn.Sequential(OrderedDict(
        c1=nn.Conv2d(in_channels, 6, 5), a1=act(), s2=nn.AvgPool2d(2),
        c3=nn.Conv2d(6, 16, 5), a3=act(), s4=nn.AvgPool2d(2), flatten=nn.Flatten(),
        f5=nn.Linear(16 * 5 * 5, 120), a5=act(), f6=nn.Linear(120, 84), a6=act(),
        output=nn.Linear(84, num_classes)))


# --- AlexNet (Krizhevsky et al., 2012) and VGG-16 (Simonyan & Zisserman, 2014) ----------------

def _classifier(n_in: int, hidden: int, num_classes: int, dropout: float) -> nn.Sequential:
    """(N, n_in) -> (N, num_classes): dropout, FC hidden, ReLU, dropout, FC hidden, ReLU, FC."""
    return nn.Sequential(OrderedDict(
        drop1=nn.Dropout(dropout), fc1=nn.Linear(n_in, hidden), relu1=nn.ReLU(inplace=True),
        drop2=nn.Dropout(dropout), fc2=nn.Linear(hidden, hidden), relu2=nn.ReLU(inplace=True),
        fc3=nn.Linear(hidden, num_classes)))


def alexnet(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
            small_input: bool = False, dropout: float = 0.5) -> nn.Sequential:
    """AlexNet, the one-GPU variant of torchvision (64, 192, 384, 256, 256 channels, no LRN).

    x: (N, in_channels, 224, 224) -> (N, num_classes): 61,100,840 parameters at the defaults.
    ``small_input`` (32x32 images): a 3x3 stride-1 first conv and a 1x1 final pool instead
    of 11x11 stride 4 and 6x6. ``dropout``: the drop probability in [0, 1] of the two
    hidden FC layers. Introduced in 03_cnn_architectures.
    """
    num_classes, in_channels, width = check_architecture(num_classes, in_channels, width)
    small_input = _checks.boolean(small_input, "small_input")
    dropout = _checks.fraction(dropout, "dropout", allow_zero=True)
    c = [scaled(n, width) for n in (64, 192, 384, 256, 256)]
    k1, s1, p1, pool = (3, 1, 1, 1) if small_input else (11, 4, 2, 6)
    features = nn.Sequential(OrderedDict(
        conv1=nn.Conv2d(in_channels, c[0], k1, stride=s1, padding=p1), relu1=nn.ReLU(inplace=True),
        pool1=nn.MaxPool2d(3, stride=2),
        conv2=nn.Conv2d(c[0], c[1], 5, padding=2), relu2=nn.ReLU(inplace=True),
        pool2=nn.MaxPool2d(3, stride=2),
        conv3=nn.Conv2d(c[1], c[2], 3, padding=1), relu3=nn.ReLU(inplace=True),
        conv4=nn.Conv2d(c[2], c[3], 3, padding=1), relu4=nn.ReLU(inplace=True),
        conv5=nn.Conv2d(c[3], c[4], 3, padding=1), relu5=nn.ReLU(inplace=True),
        pool5=nn.MaxPool2d(3, stride=2)))
    return nn.Sequential(OrderedDict(
        features=features, avgpool=nn.AdaptiveAvgPool2d(pool), flatten=nn.Flatten(),
        classifier=_classifier(c[4] * pool * pool, scaled(4096, width), num_classes, dropout)))


VGG16_STAGES = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))


def vgg_stage(c_in: int, channels: tuple[int, ...]) -> nn.Sequential:
    """A VGG stage: 3x3 'same' convs with ReLU, then 2x2 max pooling (halves H and W).

    x: (N, c_in, H, W) -> (N, channels[-1], H // 2, W // 2). Introduced in 03_cnn_architectures.
    """
    c_in = _checks.integer(c_in, "c_in", 1)
    if isinstance(channels, (str, bytes)) or not hasattr(channels, "__len__") or len(channels) == 0:
        raise TypeError(f"channels must be a non-empty tuple of integers, got {channels!r}.")
    layers: list[nn.Module] = []
    for c_out in channels:
        c_out = _checks.integer(c_out, "channels", 1)
        layers += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(inplace=True)]
        c_in = c_out
    return nn.Sequential(*layers, nn.MaxPool2d(2, 2))


def vgg16(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
          small_input: bool = False, dropout: float = 0.5) -> nn.Sequential:
    """VGG-16 (configuration D, no batch norm): 13 convs in 5 stages, then FC 4096, 4096, out.

    x: (N, in_channels, 224, 224) -> (N, num_classes): 138,357,544 parameters at the defaults.
    ``small_input`` (32x32 images, 1x1 after five poolings) pools to 1x1 instead of 7x7.
    Introduced in 03_cnn_architectures.
    """
    num_classes, in_channels, width = check_architecture(num_classes, in_channels, width)
    small_input = _checks.boolean(small_input, "small_input")
    dropout = _checks.fraction(dropout, "dropout", allow_zero=True)
    stages, c_in = OrderedDict(), in_channels
    for i, chans in enumerate(VGG16_STAGES, start=1):
        chans = tuple(scaled(n, width) for n in chans)
        stages[f"stage{i}"] = vgg_stage(c_in, chans)
        c_in = chans[-1]
    pool = 1 if small_input else 7
    model = nn.Sequential(OrderedDict(
        **stages, avgpool=nn.AdaptiveAvgPool2d(pool), flatten=nn.Flatten(),
        classifier=_classifier(c_in * pool * pool, scaled(4096, width), num_classes, dropout)))
    for m in model.modules():  # torchvision's init: without BN, 13 convs need He init to train
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)
    return model
