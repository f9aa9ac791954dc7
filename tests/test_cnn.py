"""Chapter 03 (KEY cnn): course_lib.models and course_lib.visualize. Parameter counts equal
the reference implementations, blocks equal hand-written torch compositions (float64), the
summary's multiply-adds equal the formula, receptive fields equal the gradient's footprint,
the constructors' arguments follow the _checks contract, the models package has no import
cycle, and the checkpoint script still runs and the committed checkpoint still loads."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib import conv, models, visualize
from course_lib.models.inception import Inception, NaiveInception

ROOT = Path(__file__).resolve().parents[1]

# torchvision 0.2x, 1000 classes (GoogLeNet/Inception-v3 with and without aux classifiers);
# LeNet-5: the classic 32x32 version with full C3 connectivity and 10 linear outputs.
REFERENCE = {
    ("lenet5", False): 61_706, ("alexnet", False): 61_100_840, ("vgg16", False): 138_357_544,
    ("googlenet", False): 6_624_904, ("googlenet", True): 13_004_888,
    ("inception_v3", False): 23_834_568, ("inception_v3", True): 27_161_264,
    ("resnet18", False): 11_689_512, ("resnet50", False): 25_557_032,
}
# torchvision's documented GFLOPS (= multiply-adds) for one 224x224 (299x299) image
GMACS = {"alexnet": 0.71, "vgg16": 15.47, "googlenet": 1.50, "inception_v3": 5.71,
         "resnet18": 1.81, "resnet50": 4.09}


def build(name: str, aux: bool = False, device: str = "meta") -> nn.Module:
    kw = {"aux": True} if aux else {}
    with torch.device(device):
        return models.CONSTRUCTORS[name](**kw)


def input_shape(name: str) -> tuple:
    return {"lenet5": (1, 1, 32, 32), "inception_v3": (1, 3, 299, 299)}.get(name, (1, 3, 224, 224))


@pytest.mark.parametrize("name,aux", list(REFERENCE))
def test_parameter_counts_equal_reference(name, aux):
    assert models.count_parameters(build(name, aux)) == REFERENCE[(name, aux)]


@pytest.mark.parametrize("name", list(GMACS))
def test_summary_mult_adds_and_output_shape(name):
    rows = visualize.summary(build(name), input_shape(name))
    assert sum(r.mult_adds for r in rows) / 1e9 == pytest.approx(GMACS[name], abs=0.005)
    assert sum(r.params for r in rows) == REFERENCE[(name, False)]
    assert [r for r in rows if r.output_shape is not None][-1].output_shape == (1, 1000)


def test_summary_on_meta_equals_real_forward():
    torch.manual_seed(0)
    for name in ("lenet5", "resnet18"):
        assert visualize.summary(build(name, device="cpu"), input_shape(name)) == \
            visualize.summary(build(name), input_shape(name))
    out = build("lenet5", device="cpu")(torch.zeros(2, 1, 32, 32))
    assert out.shape == (2, 10)


def test_layer_mult_adds_formula():
    rng = np.random.default_rng(0)
    for _ in range(5):
        c_in, c_out, k, s, n = (int(v) for v in rng.integers([1, 1, 1, 1, 6], [6, 6, 5, 3, 12]))
        layer = nn.Conv2d(c_in, c_out, k, stride=s)
        out = layer(torch.zeros(1, c_in, n, n))
        h = conv.conv_output_size(n, k, 0, s)
        assert visualize.layer_mult_adds(layer, out) == conv.conv_mult_count(h, h, c_out, k, c_in)
    lin = nn.Linear(7, 3)
    assert visualize.layer_mult_adds(lin, lin(torch.zeros(2, 7))) == 2 * 7 * 3


def _bn(x, bn):  # eval-mode batch norm written out
    return F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, False, 0.0, bn.eps)


def _random_bn(module, gen):
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen, dtype=torch.float64))
            m.running_var.copy_(torch.rand(m.num_features, generator=gen, dtype=torch.float64) + 0.5)
            m.weight.data.copy_(torch.randn(m.num_features, generator=gen, dtype=torch.float64))
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen, dtype=torch.float64))
    return module.eval()


@pytest.mark.parametrize("seed", range(4))
def test_bottleneck_blocks_equal_explicit_composition(seed):
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    c_in, c_mid, n = int(rng.integers(2, 9)), int(rng.integers(1, 5)), int(rng.integers(4, 9))
    for stride, c_in in ((1, 4 * c_mid), (int(rng.integers(1, 3)), c_in)):
        block = _random_bn(models.Bottleneck(c_in, c_mid, stride).double(), gen)
        x = torch.randn(2, c_in, n, n, generator=gen, dtype=torch.float64)
        a = F.relu(_bn(F.conv2d(x, block.conv1.weight), block.bn1))
        a = F.relu(_bn(F.conv2d(a, block.conv2.weight, stride=stride, padding=1), block.bn2))
        a = _bn(F.conv2d(a, block.conv3.weight), block.bn3)
        if block.shortcut is None:
            expected = F.relu(a + x)
            got = models.identity_block(x, block)
        else:
            sc = _bn(F.conv2d(x, block.shortcut.conv.weight, stride=stride), block.shortcut.bn)
            expected = F.relu(a + sc)
            got = models.convolutional_block(x, block)
        assert torch.allclose(got, expected, atol=1e-12, rtol=1e-10)
        assert torch.allclose(block(x), expected, atol=1e-12, rtol=1e-10)


def test_residual_vs_plain_stack_differ_only_by_shortcuts():
    plain, res = models.stacked_net(2, False), models.stacked_net(2, True)
    assert len(plain) == len(res)
    conv_w = lambda m: sum(p.numel() for n, p in m.named_parameters() if "shortcut" not in n)  # noqa: E731
    assert conv_w(plain) == conv_w(res)
    assert plain(torch.zeros(3, 1, 8, 8)).shape == res(torch.zeros(3, 1, 8, 8)).shape == (3, 10)


@pytest.mark.parametrize("seed", range(3))
def test_multilabel_binary_cross_entropy_equals_torch(seed):
    gen = torch.Generator().manual_seed(seed)
    shape = tuple(int(v) for v in torch.randint(1, 7, (2,), generator=gen))
    p = torch.rand(shape, generator=gen, dtype=torch.float64).clamp(1e-6, 1 - 1e-6).requires_grad_()
    y = (torch.rand(shape, generator=gen, dtype=torch.float64) > 0.5).double()
    ours, theirs = models.multilabel_binary_cross_entropy(p, y), F.binary_cross_entropy(p, y)
    assert torch.allclose(ours, theirs, atol=1e-12)
    g1, = torch.autograd.grad(ours, p)
    g2, = torch.autograd.grad(theirs, p)
    assert torch.allclose(g1, g2, atol=1e-10)
    edge = torch.tensor([[0.0, 1.0]], dtype=torch.float64)
    assert torch.allclose(models.multilabel_binary_cross_entropy(edge, 1 - edge),
                          F.binary_cross_entropy(edge, 1 - edge))


def test_learner_errors_are_value_errors():
    with pytest.raises(ValueError, match="width"):
        models.vgg16(width=0)
    with pytest.raises(ValueError, match="num_classes"):
        models.resnet18(num_classes=0)
    with pytest.raises(ValueError, match="same shape"):
        models.multilabel_binary_cross_entropy(torch.rand(3), torch.rand(4))
    with pytest.raises(ValueError, match="probabilities"):
        models.multilabel_binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))
    with pytest.raises(ValueError, match="not modules"):
        models.freeze_except(models.lenet5(), ["nope"])
    with pytest.raises(ValueError, match="channel"):
        visualize.top_patches(np.zeros((2, 1, 8, 8)), np.zeros((2, 3, 4, 4)), 5,
                              visualize.LayerGeometry("x", "Conv2d", 3, 1, 1.0))


@pytest.mark.parametrize("call,arg", [
    (lambda: models.lenet5(num_classes=10.0), "num_classes"),        # a float where an int is needed
    (lambda: models.alexnet(in_channels=True), "in_channels"),       # a bool is not an integer
    (lambda: models.vgg16(width="half"), "width"),
    (lambda: models.resnet18(small_input=1), "small_input"),         # 1 is not True
    (lambda: models.googlenet(aux="yes"), "aux"),
    (lambda: models.stacked_net(2.0, residual=True), "blocks_per_stage"),
    (lambda: models.conv_bn_relu(3, 4, 3.0), "kernel_size"),
    (lambda: models.Inception(8, 4, 2, 4, 2, 4, 4.5), "pool_proj"),
    (lambda: models.multilabel_binary_cross_entropy([0.5, 0.5], torch.ones(2)), "y_hat"),  # a list
    (lambda: models.random_bottleneck(0, identity=True), "rng"),        # a seed, not a Generator
    (lambda: models.freeze_except("lenet", "all"), "model"),
    (lambda: models.count_parameters(models.lenet5, True), "model"),  # the function, not a model
])
def test_wrong_kind_of_argument_is_a_type_error(call, arg):
    with pytest.raises(TypeError, match=rf"\b{arg}\b"):
        call()


@pytest.mark.parametrize("call,arg", [
    (lambda: models.alexnet(width=1.5), "width"),
    (lambda: models.inception_v3(width=float("nan")), "width"),
    (lambda: models.resnet50(in_channels=-2), "in_channels"),
    (lambda: models.vgg16(dropout=1.2), "dropout"),
    (lambda: models.googlenet(k5=4), "k5"),                             # an even kernel cannot keep H, W
    (lambda: models.conv_bn_relu(3, 4, 3, padding=-1), "padding"),
    (lambda: models.NaiveInception(8, 0, 4, 4), "c1"),
    (lambda: models.Bottleneck(8, 2, stride=0), "stride"),
    (lambda: models.reduced_model("lenet5"), "name"),                  # LeNet-5 has no reduced version
    (lambda: models.multilabel_binary_cross_entropy(torch.tensor([float("nan")]), torch.ones(1)), "y_hat"),
])
def test_wrong_value_of_argument_is_a_value_error(call, arg):
    with pytest.raises(ValueError, match=rf"\b{arg}\b"):
        call()


def test_numpy_integers_and_floats_are_accepted():
    torch.manual_seed(0)
    a = models.lenet5(num_classes=np.int64(10), in_channels=np.int32(1))
    torch.manual_seed(0)
    b = models.lenet5(num_classes=10, in_channels=1)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    net = models.resnet18(num_classes=np.int64(3), in_channels=np.int64(1), width=np.float64(1 / 8),
                          small_input=np.bool_(True))
    assert net(torch.zeros(2, 1, 32, 32)).shape == (2, 3)
    assert models.stacked_net(np.int64(1), True, widths=(np.int64(4), 8))(torch.zeros(1, 1, 8, 8)).shape == (1, 10)
    block = models.conv_bn_relu(np.int64(3), np.int64(5), np.int64(3), stride=np.int64(2), padding=np.int64(1))
    assert block(torch.zeros(1, 3, 9, 9)).shape == (1, 5, 5, 5)
    m = Inception(np.int64(8), 2, 2, 3, 2, 4, np.int64(5))
    assert m.out_channels == 14 and type(m.out_channels) is int
    assert m(torch.zeros(1, 8, 5, 5)).shape == (1, 14, 5, 5)


def test_models_package_imports_point_down():
    """__init__ imports the submodules; each submodule imports only course_lib._checks and
    course_lib.models.blocks (blocks: only _checks), at the top of the file; no module is
    over ~400 lines; every name the package exports is the submodule's object."""
    import ast
    import importlib

    package = Path(models.__file__).parent
    allowed = {"blocks": {"course_lib"}, "classic": {"course_lib", "course_lib.models.blocks"}}
    for name in ("inception", "resnet", "transfer"):
        allowed[name] = allowed["classic"]
    for name, ok in allowed.items():
        source = (package / f"{name}.py").read_text()
        assert len(source.splitlines()) < 400, name
        tree = ast.parse(source)
        top = set(tree.body)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                assert node in top, f"models/{name}.py imports inside a function (line {node.lineno})"
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"models/{name}.py: relative import (line {node.lineno})"
                if node.module.startswith("course_lib"):
                    assert node.module in ok, f"models/{name}.py imports {node.module}"
                    if node.module == "course_lib":
                        assert [a.name for a in node.names] == ["_checks"], name
        sub = importlib.import_module(f"course_lib.models.{name}")
        for export in set(sub.__all__) & set(models.__all__):
            assert getattr(models, export) is getattr(sub, export), f"models.{export}"
    assert set(models.__all__) >= {n for s in ("classic", "inception", "resnet", "transfer")
                                   for n in importlib.import_module(f"course_lib.models.{s}").__all__}
    assert not hasattr(models, "binary_cross_entropy")  # one name, one meaning: backprop's is numpy


def test_freeze_except():
    m = models.lenet5()
    assert models.freeze_except(m, ["output"]) == 84 * 10 + 10
    assert models.freeze_except(m, ["f6", "output"]) == 10_164 + 850
    assert models.freeze_except(m, "all") == 61_706


def test_reduced_models_forward_and_aux_outputs():
    for name in ("alexnet", "vgg16", "googlenet", "inception_v3", "resnet18", "resnet50"):
        m = models.reduced_model(name).eval()
        assert m(torch.zeros(2, 1, 32, 32)).shape == (2, 10), name
    g = models.googlenet(num_classes=10, in_channels=1, aux=True, width=1 / 8, small_input=True).train()
    out = g(torch.zeros(2, 1, 32, 32))
    assert isinstance(out, tuple) and [o.shape for o in out] == [(2, 10)] * 3
    v3 = models.inception_v3(num_classes=5, aux=True, width=1 / 8).train()
    assert [o.shape for o in v3(torch.zeros(2, 3, 299, 299))] == [(2, 5)] * 2


def test_naive_inception_channels_grow():
    m = NaiveInception(16, 4, 8, 2)
    assert m(torch.zeros(1, 16, 6, 6)).shape == (1, 4 + 8 + 2 + 16, 6, 6)


def test_layer_geometry_matches_conv_receptive_field_and_gradient():
    torch.manual_seed(0)
    net = models.vgg16(num_classes=10, in_channels=1, width=1 / 16, small_input=True).double()
    geo = visualize.layer_geometry(net)
    steps = [(m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0],
              m.stride if isinstance(m.stride, int) else m.stride[0])
             for m in net.modules() if isinstance(m, (nn.Conv2d, nn.MaxPool2d))]
    assert [g.rf for g in geo if g.kind in ("Conv2d", "MaxPool2d")] == conv.receptive_field(steps)
    # empirical: the input pixels a unit's gradient reaches. ReLUs are dropped and max pools
    # become average pools (same geometry) so that every pixel in the field gets a gradient.
    layers = []
    for name, m in net.named_modules():
        if isinstance(m, nn.Conv2d):
            layers.append((name, m))
        elif isinstance(m, nn.MaxPool2d):
            layers.append((name, nn.AvgPool2d(m.kernel_size, m.stride)))
    by_name = {g.name: g for g in geo}
    for k in range(1, 9):
        chain = nn.Sequential(*[m for _, m in layers[:k]])
        g = by_name[layers[k - 1][0]]
        x = torch.rand(1, 1, 96, 96, dtype=torch.float64, requires_grad=True)
        out = chain(x)
        i = out.shape[2] // 2
        out[0, 0, i, i].backward()
        rows = torch.nonzero(x.grad[0, 0].abs().sum(1)).flatten()
        assert int(rows.max() - rows.min()) + 1 == g.rf, g.name
        assert int(rows.min()) == round(g.start + i * g.jump - (g.rf - 1) / 2), g.name


def test_top_patches_cut_the_receptive_field():
    rng = np.random.default_rng(0)
    images = rng.random((5, 1, 12, 12))
    layer = nn.Conv2d(1, 2, 3, padding=1).double()
    acts = layer(torch.from_numpy(images)).detach().numpy()
    geo = visualize.layer_geometry(nn.Sequential(layer))[0]
    patches, scores, where = visualize.top_patches(images, acts, 1, geo, k=3)
    assert patches.shape == (3, 1, 3, 3) and np.all(np.diff(scores) <= 0)
    padded = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for p, s, (n, i, j) in zip(patches, scores, where):
        assert s == acts[n, 1].max()
        assert np.array_equal(p, padded[n, :, i:i + 3, j:j + 3])


def _script():
    spec = importlib.util.spec_from_file_location("train_reduced_models", ROOT / "data" / "train_reduced_models.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_checkpoint_script_still_runs(tmp_path):
    out = tmp_path / "check.pt"
    meta = _script().main(["--epochs", "1", "--limit", "64", "--out", str(out), "--only", "resnet18", "googlenet"])
    loaded, meta2 = models.load_reduced_models(out)
    assert set(loaded) == {"resnet18", "googlenet"} and meta2["epochs"] == {"resnet18": 1, "googlenet": 1}
    assert loaded["resnet18"](torch.zeros(1, 1, 32, 32)).shape == (1, 10)


def test_committed_checkpoint_is_small_and_loads():
    path = ROOT / "data" / "reduced_models.pt"
    assert models.REDUCED_CHECKPOINT == path  # where notebook 03 finds it, whatever the package layout
    assert path.stat().st_size < 5e6
    loaded, meta = models.load_reduced_models()
    assert set(loaded) == set(_script().NAMES)
    assert all(len(meta["loss"][n]) == meta["epochs"][n] for n in loaded)
