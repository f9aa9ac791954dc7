"""What each graded exercise may use when ``make grade`` runs it (teachers' tooling).

An exercise that teaches a from-scratch implementation declares the packages its answer
must do without: when the grader runs the learner's function (in
:mod:`course_lib.grading.runner`, inside the sandbox), those packages are not there at all
(their folders are hidden from the sandbox, and importing them fails with the rule's
message). A synonym of a forbidden function (``torch.convolution`` for ``F.conv2d``, a
private helper of ``course_lib.conv``) is then out of reach too, unlike a list of names.
The names lists of the test cells (``forbidden=[...]``) stay, for the instant feedback.

Keyed by the nbgrader ``grade_id`` of the solution cell; an exercise without an entry may
use everything the notebook may. README.md "For teachers" documents it.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Rule", "RULES", "rule_for"]


@dataclass(frozen=True)
class Rule:
    """Top-level packages unavailable to an exercise's answer, and the sentence saying why."""
    unavailable: tuple[str, ...]
    why: str


_NUMPY = Rule(("torch", "torchvision", "scipy", "sklearn", "course_lib"),
              "this exercise is written with numpy only; torch, scipy, scikit-learn and "
              "course_lib (which holds the answer) are not available to it")
_NO_ANSWER = Rule(("course_lib",),
                  "course_lib holds this exercise's answer, so it is not available to it")

RULES: dict[str, Rule] = {
    # 01: the math of training, in numpy
    "01_sigmoid_grad": _NUMPY, "01_softmax_cross_entropy": _NUMPY, "01_he_normal": _NUMPY,
    "01_momentum_step": _NUMPY, "01_adam_step": _NUMPY, "01_inverse_time_decay": _NUMPY,
    "01_batchnorm_forward": _NUMPY,
    # 02: convolution and pooling from scratch, in numpy
    "02_conv_output_size": _NUMPY, "02_zero_pad": _NUMPY, "02_conv_single_step": _NUMPY,
    "02_conv_forward": _NUMPY, "02_max_pool_forward": _NUMPY, "02_max_pool_backward": _NUMPY,
    "02_conv_backward": _NUMPY, "02_conv_transpose_output_size": _NUMPY,
    # 03: counting and losses may use torch, not the course's own answers; the residual
    # blocks receive a course_lib block as input, so they keep course_lib (names list only)
    "03_inception_channels": _NO_ANSWER, "03_bottleneck_cost": _NO_ANSWER,
    "03_bce": _NO_ANSWER,
    # 04: boxes and AP in numpy; NMS, anchor assignment and matching build on the chapter's
    # detection.iou (course_lib stays; their names lists guard the rest)
    "04_iou": _NUMPY, "04_yolo_encode": _NUMPY, "04_voc_ap": _NUMPY,
    # 05: sizes, cropping, losses and metrics in numpy; the U-Net block is torch, not course_lib
    "05_unet_output_size": _NUMPY, "05_crop_and_concat": _NUMPY, "05_pixel_cross_entropy": _NUMPY,
    "05_soft_dice": _NUMPY, "05_iou_from_confusion": _NUMPY, "05_unet_block": _NO_ANSWER,
    # 06: recurrent cells, clipping and sampling in numpy
    "06_rnn_step_forward": _NUMPY, "06_rnn_step_backward": _NUMPY, "06_clip_grad_norm": _NUMPY,
    "06_lstm_step": _NUMPY, "06_gru_step": _NUMPY, "06_sample_with_temperature": _NUMPY,
    # 07: embeddings, negative sampling, GloVe weighting and analogies in numpy
    "07_lookup": _NUMPY, "07_skipgram_pairs": _NUMPY, "07_sampling_distribution": _NUMPY,
    "07_ns_loss": _NUMPY, "07_glove_weight": _NUMPY, "07_analogy": _NUMPY,
    # 08: losses, mode counting and shapes in numpy; the alternating step and the gradient
    # penalty may use torch's autograd, not course_lib (gan.linear_gan_step, gan.gradient_penalty)
    "08_discriminator_loss": _NUMPY, "08_generator_loss": _NUMPY, "08_count_modes": _NUMPY,
    "08_block_output_shape": _NUMPY, "08_alternating_step": _NO_ANSWER, "08_gradient_penalty": _NO_ANSWER,
    # 09: eigenface projection, verification, triplet loss, semi-hard mining and the ROC point in numpy
    "09_eigenface_projection": _NUMPY, "09_verify": _NUMPY, "09_triplet_loss": _NUMPY, "09_semi_hard": _NUMPY,
    "09_roc_point": _NUMPY,
    # 10: content cost, Gram matrix, style costs and one hand-derived gradient step, in numpy
    "10_content_cost": _NUMPY, "10_gram_matrix": _NUMPY, "10_layer_style_cost": _NUMPY,
    "10_style_cost": _NUMPY, "10_total_cost": _NUMPY, "10_style_step": _NUMPY,
    # the test fixtures (tests/fixtures/notebooks)
    "tiny_scale": _NUMPY, "tiny_relu": _NUMPY, "tiny_row_sums": _NUMPY, "tiny_count_positive": _NUMPY,
    "tiny_zero_pad": _NUMPY, "tiny_conv": _NUMPY,
}


def rule_for(grade_id: str) -> Rule:
    """The rule of the exercise whose solution (``grade_id``) or test (``grade_id + "_test"``)
    cell is given; an exercise without a rule gets an empty one."""
    return RULES.get(grade_id.removesuffix("_test"), Rule((), ""))
