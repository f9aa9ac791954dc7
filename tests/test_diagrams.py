"""Block diagrams drawn by code: the Inception module and the residual block show the
module's own numbers, have a title and no axes."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from course_lib.models.inception import GOOGLENET_MODULES, Inception  # noqa: E402
from course_lib.plots.diagrams import inception_module_diagram, residual_block_diagram  # noqa: E402


def _texts(fig):
    ax = fig.axes[0]
    return ax, [t.get_text() for t in ax.texts]


def test_inception_diagram_shows_googlenet_3a():
    fig = inception_module_diagram(192, *GOOGLENET_MODULES["inception3a"])
    ax, texts = _texts(fig)
    out = Inception(192, *GOOGLENET_MODULES["inception3a"]).out_channels
    assert out == 256 and f"192 -> {out} channels" in ax.get_title()
    for label in ("1x1 conv, 64", "1x1 conv, 96", "3x3 conv, 128", "1x1 conv, 16", "5x5 conv, 32", "1x1 conv, 32"):
        assert label in texts, label
    assert any("= 256" in t for t in texts)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert (len(boxes), len(arrows)) == (9, 11) and not ax.axison
    fig.canvas.draw()
    plt.close(fig)


def test_bn_inception_diagram_draws_two_3x3():
    ax, texts = _texts(inception_module_diagram(double_3x3=True))
    assert texts.count("3x3 conv, 32") == 2 and "5x5 conv, 32" not in texts and "BN-Inception" in ax.get_title()
    plt.close("all")


def test_residual_diagrams_identity_and_projection():
    ax, texts = _texts(residual_block_diagram())
    assert "identity block" in ax.get_title() and "shortcut: identity" in texts
    ax2, texts2 = _texts(residual_block_diagram(256, 128, 512, stride=2))
    assert "convolutional block" in ax2.get_title() and any("1x1 conv 512" in t for t in texts2)
    assert sum(isinstance(p, FancyBboxPatch) for p in ax2.patches) == 7
    plt.close("all")
