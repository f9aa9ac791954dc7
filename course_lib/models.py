"""Classic CNN architectures in plain torch (no torchvision), built from readable blocks.

Constructors: :func:`lenet5`, :func:`alexnet`, :func:`vgg16`, :func:`googlenet`,
:func:`inception_v3`, :func:`resnet18`, :func:`resnet50`. At their defaults (1000
classes, 3-channel input) each has exactly the trainable-parameter count of the
reference implementation in torchvision (LeNet-5: the classic 32x32 version, 10 outputs).
``width`` shrinks every channel count (a "reduced" model with the same block structure)
and ``small_input=True`` swaps the ImageNet stem for one suited to 32x32 images.
The Inception family lives in :mod:`course_lib.inception`. Introduced in 03_cnn_architectures.
"""
from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = [
    "count_parameters", "scaled", "conv_bn_relu", "lenet5", "alexnet", "vgg16", "BasicBlock",
    "Bottleneck", "identity_block", "convolutional_block", "ResNet", "resnet18", "resnet50",
    "stacked_net",
]


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) scalar parameters of ``model``: the sum of ``p.numel()``.

    Works on models built on the ``meta`` device too (no memory needed). Introduced in
    03_cnn_architectures.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _check(name: str, value, kind: type = int, low: float = 1) -> None:
    ok = isinstance(value, (int, float) if kind is float else int) and not isinstance(value, bool)
    if not ok or value < low or (kind is float and value > 1):
        allowed = f"an integer >= {low}" if kind is int else "a number in (0, 1]"
        raise ValueError(f"{name} must be {allowed}, got {value!r}.")


def scaled(channels: int, width: float) -> int:
    """``channels`` times ``width`` rounded, at least 1: how a reduced model shrinks a layer.
    Introduced in 03_cnn_architectures."""
    return max(1, int(round(channels * width)))


def _check_common(num_classes: int, in_channels: int, width: float) -> None:
    _check("num_classes", num_classes)
    _check("in_channels", in_channels)
    if not isinstance(width, (int, float)) or isinstance(width, bool) or not 0 < width <= 1:
        raise ValueError(f"width must be a number in (0, 1] (1 = the full model), got {width!r}.")


def conv_bn_relu(c_in: int, c_out: int, kernel_size, stride=1, padding=0, eps: float = 1e-3) -> nn.Sequential:
    """Conv (no bias, BN makes it redundant) -> BatchNorm -> ReLU; torchvision's ``BasicConv2d``.

    (N, c_in, H, W) -> (N, c_out, H', W'). Used by the Inception models (BN eps 0.001).
    Introduced in 03_cnn_architectures.
    """
    _check("c_in", c_in)
    _check("c_out", c_out)
    return nn.Sequential(OrderedDict(
        conv=nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
        bn=nn.BatchNorm2d(c_out, eps=eps), relu=nn.ReLU(inplace=True)))


# --- LeNet-5 (LeCun et al., 1998) -----------------------------------------------------------

def lenet5(num_classes: int = 10, in_channels: int = 1, activation: str = "tanh") -> nn.Sequential:
    """LeNet-5 for 32x32 inputs: conv 6@5x5, avg-pool, conv 16@5x5, avg-pool, FC 120, 84, out.

    (N, in_channels, 32, 32) -> logits (N, num_classes). C3 is fully connected to S2 (the
    original's sparse connection table is left out), the output is a linear layer (not
    RBF units), so with 10 classes there are 61,706 parameters. Introduced in 03_cnn_architectures.
    """
    _check_common(num_classes, in_channels, 1.0)
    if activation not in ("tanh", "relu"):
        raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}.")
    act = nn.Tanh if activation == "tanh" else nn.ReLU
    return nn.Sequential(OrderedDict(
        c1=nn.Conv2d(in_channels, 6, 5), a1=act(), s2=nn.AvgPool2d(2),
        c3=nn.Conv2d(6, 16, 5), a3=act(), s4=nn.AvgPool2d(2), flatten=nn.Flatten(),
        f5=nn.Linear(16 * 5 * 5, 120), a5=act(), f6=nn.Linear(120, 84), a6=act(),
        output=nn.Linear(84, num_classes)))


# --- AlexNet (Krizhevsky et al., 2012) and VGG-16 (Simonyan & Zisserman, 2014) ----------------

def _classifier(n_in: int, hidden: int, num_classes: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(OrderedDict(
        drop1=nn.Dropout(dropout), fc1=nn.Linear(n_in, hidden), relu1=nn.ReLU(inplace=True),
        drop2=nn.Dropout(dropout), fc2=nn.Linear(hidden, hidden), relu2=nn.ReLU(inplace=True),
        fc3=nn.Linear(hidden, num_classes)))


def alexnet(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
            small_input: bool = False, dropout: float = 0.5) -> nn.Sequential:
    """AlexNet, the one-GPU variant of torchvision (64, 192, 384, 256, 256 channels, no LRN).

    (N, in_channels, 224, 224) -> (N, num_classes): 61,100,840 parameters at the defaults.
    ``small_input`` (32x32 images): a 3x3 stride-1 first conv and a 1x1 final pool instead
    of 11x11 stride 4 and 6x6. Introduced in 03_cnn_architectures.
    """
    _check_common(num_classes, in_channels, width)
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

    (N, c_in, H, W) -> (N, channels[-1], H // 2, W // 2).
    """
    layers: list[nn.Module] = []
    for c_out in channels:
        layers += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(inplace=True)]
        c_in = c_out
    return nn.Sequential(*layers, nn.MaxPool2d(2, 2))


def vgg16(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
          small_input: bool = False, dropout: float = 0.5) -> nn.Sequential:
    """VGG-16 (configuration D, no batch norm): 13 convs in 5 stages, then FC 4096, 4096, out.

    (N, in_channels, 224, 224) -> (N, num_classes): 138,357,544 parameters at the defaults.
    ``small_input`` (32x32 images, 1x1 after five poolings) pools to 1x1 instead of 7x7.
    Introduced in 03_cnn_architectures.
    """
    _check_common(num_classes, in_channels, width)
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


# --- ResNet (He et al., 2015) -------------------------------------------------------------------

def _shortcut(c_in: int, c_out: int, stride: int) -> nn.Sequential | None:
    if stride == 1 and c_in == c_out:
        return None  # identity shortcut
    return nn.Sequential(OrderedDict(conv=nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                     bn=nn.BatchNorm2d(c_out)))


def identity_block(x: torch.Tensor, block: nn.Module) -> torch.Tensor:
    """Residual block whose shortcut is the identity: ReLU(main_path(x) + x).

    x: (N, C, H, W) -> (N, C, H, W); needs ``block.main_path`` to keep the shape.
    Introduced in 03_cnn_architectures.
    """
    return F.relu(block.main_path(x) + x)


def convolutional_block(x: torch.Tensor, block: nn.Module) -> torch.Tensor:
    """Residual block with a 1x1 conv + BN on the shortcut: ReLU(main_path(x) + shortcut(x)).

    x: (N, C_in, H, W) -> (N, C_out, H / stride, W / stride). Used where the shapes change.
    Introduced in 03_cnn_architectures.
    """
    return F.relu(block.main_path(x) + block.shortcut(x))


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers plus a shortcut (ResNet-18/34). (N, c_in, H, W) -> (N, c_out, H/s, W/s).
    Introduced in 03_cnn_architectures."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = _shortcut(c_in, c_out, stride)

    def main_path(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return identity_block(x, self) if self.shortcut is None else convolutional_block(x, self)


class Bottleneck(nn.Module):
    """1x1 (reduce) -> 3x3 (stride here, as in torchvision's "v1.5") -> 1x1 (expand x4), plus a shortcut.

    (N, c_in, H, W) -> (N, 4 * c_mid, H / stride, W / stride). ResNet-50/101/152.
    Introduced in 03_cnn_architectures.
    """

    expansion = 4

    def __init__(self, c_in: int, c_mid: int, stride: int = 1):
        super().__init__()
        c_out = c_mid * self.expansion
        self.conv1 = nn.Conv2d(c_in, c_mid, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_mid)
        self.conv2 = nn.Conv2d(c_mid, c_mid, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_mid)
        self.conv3 = nn.Conv2d(c_mid, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.shortcut = _shortcut(c_in, c_out, stride)

    def main_path(self, x: torch.Tensor) -> torch.Tensor:
        a = F.relu(self.bn1(self.conv1(x)))
        a = F.relu(self.bn2(self.conv2(a)))
        return self.bn3(self.conv3(a))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return identity_block(x, self) if self.shortcut is None else convolutional_block(x, self)


class ResNet(nn.Module):
    """Stem (7x7/2 conv + 3x3/2 max pool, or a 3x3/1 conv for ``small_input``), four stages
    of residual blocks (the first block of stages 2-4 halves H and W), global average pool, FC.

    (N, in_channels, H, W) -> (N, num_classes). Introduced in 03_cnn_architectures.
    """

    def __init__(self, block: type, blocks_per_stage: tuple[int, ...], num_classes: int = 1000,
                 in_channels: int = 3, width: float = 1.0, small_input: bool = False):
        super().__init__()
        _check_common(num_classes, in_channels, width)
        c = scaled(64, width)
        if small_input:
            self.conv1 = nn.Conv2d(in_channels, c, 3, padding=1, bias=False)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(in_channels, c, 7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        c_in, expansion = c, getattr(block, "expansion", 1)
        for i, n in enumerate(blocks_per_stage):
            c_mid = scaled(64 * 2 ** i, width)
            layers = []
            for j in range(n):
                layers.append(block(c_in, c_mid, stride=2 if (j == 0 and i > 0) else 1))
                c_in = c_mid * expansion
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.n_stages = len(blocks_per_stage)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c_in, num_classes)
        for m in self.modules():  # torchvision's init: He (fan_out) for convs
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(self.n_stages):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
             small_input: bool = False) -> ResNet:
    """ResNet-18: BasicBlocks (2, 2, 2, 2). (N, C, 224, 224) -> (N, num_classes); 11,689,512
    parameters at the defaults. Introduced in 03_cnn_architectures."""
    return ResNet(BasicBlock, (2, 2, 2, 2), num_classes, in_channels, width, small_input)


def resnet50(num_classes: int = 1000, in_channels: int = 3, width: float = 1.0,
             small_input: bool = False) -> ResNet:
    """ResNet-50: Bottleneck blocks (3, 4, 6, 3). (N, C, 224, 224) -> (N, num_classes);
    25,557,032 parameters at the defaults. Introduced in 03_cnn_architectures."""
    return ResNet(Bottleneck, (3, 4, 6, 3), num_classes, in_channels, width, small_input)


# --- plain vs residual stacks for the degradation experiment ---------------------------------

def stacked_net(blocks_per_stage: int, residual: bool, widths: tuple[int, ...] = (16, 32, 64),
                num_classes: int = 10, in_channels: int = 1) -> nn.Sequential:
    """The CIFAR-style nets of He et al. (2015, sec. 4.2): a 3x3 conv, then for each width a
    stage of ``blocks_per_stage`` pairs of 3x3 conv-BN(-ReLU) layers (stride 2 at the start of
    every stage after the first), global average pool, FC. Depth = 2 * blocks * stages + 2.

    ``residual=False`` is the plain net; ``residual=True`` adds a shortcut around every pair
    (a 1x1 conv where the shape changes): the same layers, only the shortcuts differ.
    (N, in_channels, H, W) -> (N, num_classes). Introduced in 03_cnn_architectures.
    """
    _check("blocks_per_stage", blocks_per_stage)
    layers: list[nn.Module] = [nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
                               nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True)]
    c_in = widths[0]
    for i, c in enumerate(widths):
        for j in range(blocks_per_stage):
            block = BasicBlock(c_in, c, stride=2 if (j == 0 and i > 0) else 1)
            layers.append(block if residual else _PlainPair(block))
            c_in = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, num_classes)]
    return nn.Sequential(*layers)


class _PlainPair(nn.Module):
    """A BasicBlock's two conv-BN layers without its shortcut: ReLU(main_path(x))."""

    def __init__(self, block: BasicBlock):
        super().__init__()
        block.shortcut = None
        self.block = block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.block.main_path(x))


# The Inception family is long enough for its own module (course_lib.inception, which builds on
# conv_bn_relu above); these wrappers import it on first use, so either module can be imported first.

def googlenet(*args, **kwargs) -> nn.Module:
    """GoogLeNet / Inception-v1: see :func:`course_lib.inception.googlenet` (same arguments).
    Introduced in 03_cnn_architectures."""
    from .inception import googlenet as build
    return build(*args, **kwargs)


def inception_v3(*args, **kwargs) -> nn.Module:
    """Inception-v3: see :func:`course_lib.inception.inception_v3` (same arguments).
    Introduced in 03_cnn_architectures."""
    from .inception import inception_v3 as build
    return build(*args, **kwargs)


__all__ += ["googlenet", "inception_v3"]


# --- reduced versions for the digits (same blocks, 1/8 of the channels, a 32x32 stem) --------

CONSTRUCTORS = {"lenet5": lenet5, "alexnet": alexnet, "vgg16": vgg16, "googlenet": googlenet,
                "inception_v3": inception_v3, "resnet18": resnet18, "resnet50": resnet50}
REDUCED_WIDTH = 1 / 8


def reduced_model(name: str, num_classes: int = 10, in_channels: int = 1,
                  width: float = REDUCED_WIDTH) -> nn.Module:
    """The reduced version of a full-size architecture for 32x32 digits: the same constructor
    with ``width`` times the channels and ``small_input=True``. (N, 1, 32, 32) -> (N, 10).
    Introduced in 03_cnn_architectures."""
    if name not in CONSTRUCTORS or name == "lenet5":
        raise ValueError(f"name must be one of {[n for n in CONSTRUCTORS if n != 'lenet5']}, got {name!r}.")
    return CONSTRUCTORS[name](num_classes=num_classes, in_channels=in_channels, width=width, small_input=True)


def save_models(path, models: dict[str, nn.Module], meta: dict) -> None:
    """Save ``{name: model}`` weights as float16 (half the file size) with a ``meta`` dict."""
    state = {n: {k: (v.half() if v.is_floating_point() else v) for k, v in m.state_dict().items()}
             for n, m in models.items()}
    torch.save({"state": state, "meta": meta}, path)


def load_reduced_models(path) -> tuple[dict[str, nn.Module], dict]:
    """Load a file written by ``data/train_reduced_models.py``: ({name: model in eval mode}, meta).

    The float16 weights are converted back to float32. Introduced in 03_cnn_architectures.
    """
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    width = ckpt["meta"].get("width", REDUCED_WIDTH)
    models = {}
    for name, state in ckpt["state"].items():
        model = reduced_model(name, width=width)
        model.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in state.items()})
        models[name] = model.eval()
    return models, ckpt["meta"]


# --- transfer learning and multi-task learning -----------------------------------------------

def freeze_except(model: nn.Module, trainable: list[str] | str) -> int:
    """Freeze every parameter except those under the named modules (``"all"``: train all).

    ``trainable`` lists module names as in ``model.named_modules()`` (e.g. ``["f6", "output"]``).
    Sets ``requires_grad`` accordingly and returns the number of trainable parameters.
    Give the optimizer only ``[p for p in model.parameters() if p.requires_grad]``.
    Introduced in 03_cnn_architectures.
    """
    names = {n for n, _ in model.named_modules() if n}
    if trainable != "all":
        if isinstance(trainable, str) or not all(isinstance(t, str) for t in trainable):
            raise ValueError(f"trainable must be 'all' or a list of module names, got {trainable!r}.")
        unknown = [t for t in trainable if t not in names]
        if unknown:
            raise ValueError(f"trainable names {unknown} are not modules of the model; "
                             f"choose from {sorted(names)}.")
    for name, p in model.named_parameters():
        p.requires_grad = trainable == "all" or any(name.startswith(t + ".") for t in trainable)
    return count_parameters(model)


def binary_cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy -y log(y_hat) - (1 - y) log(1 - y_hat) over all entries.

    ``y_hat`` (N, K) probabilities in [0, 1] (sigmoid outputs, one per label), ``y`` (N, K)
    targets in {0, 1}; returns a scalar. The source notes write log(1 - y) in the second term,
    which does not depend on the prediction at all; this is the corrected loss. Like torch,
    each log is clamped at -100 so a confident mistake costs 100, not infinity.
    Introduced in 03_cnn_architectures.
    """
    if y_hat.shape != y.shape:
        raise ValueError(f"y_hat and y must have the same shape, got {tuple(y_hat.shape)} and {tuple(y.shape)}.")
    if torch.isnan(y_hat).any() or (y_hat < 0).any() or (y_hat > 1).any():
        raise ValueError("y_hat must hold probabilities in [0, 1] (apply a sigmoid first); "
                         f"got values from {float(y_hat.min()):.3g} to {float(y_hat.max()):.3g}.")
    log_p = torch.clamp(torch.log(y_hat), min=-100)
    log_q = torch.clamp(torch.log(1 - y_hat), min=-100)
    return -(y * log_p + (1 - y) * log_q).mean()


def random_bottleneck(rng, identity: bool) -> tuple[torch.Tensor, Bottleneck]:
    """A test case for the residual-block exercises: ``(x, block)`` in float64, eval mode, with
    random BN statistics (so BN is not the identity). ``identity``: c_in = 4 c_mid and stride 1;
    otherwise the shapes change and the block has a convolutional shortcut."""
    c_mid, n = int(rng.integers(1, 4)), int(rng.integers(3, 8))
    c_in, stride = (4 * c_mid, 1) if identity else (int(rng.integers(1, 9)), int(rng.integers(1, 3)))
    if not identity and c_in == 4 * c_mid and stride == 1:
        stride = 2
    gen = torch.Generator().manual_seed(int(rng.integers(2**31)))
    block = Bottleneck(c_in, c_mid, stride).double().eval()
    with torch.no_grad():
        for p in block.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.5)
        for m in block.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=gen, dtype=torch.float64))
                m.running_var.copy_(torch.rand(m.num_features, generator=gen, dtype=torch.float64) + 0.5)
    return torch.randn(2, c_in, n, n, generator=gen, dtype=torch.float64), block
