"""Widgets of 06_sequence_models: the gate explorer (LSTM gates and hidden state over a name
you type) and the temperature sampler (new names from the trained model as you move the
temperature).

The computation lives in ``course_lib.char_lm`` (``gate_trace``, ``temperature_state``), the
drawing in ``course_lib.plots.sequences``; here controls are wired to them. The model is
trained once in the notebook; a callback runs the from-scratch LSTM on a few characters.
Each widget keeps its controls and what it shows as attributes, so a test sets ``.value``
and reads the result.
"""
from __future__ import annotations

from typing import Sequence

import ipywidgets as W
import torch.nn as nn

from course_lib import _checks, char_lm
from course_lib.plots import sequences as seq_plots
from course_lib.widgets._base import FigureWidget, timed

__all__ = ["GateExplorer", "gate_explorer", "TemperatureSampler", "temperature_sampler"]


def _char_model(model: nn.Module) -> nn.Module:
    _checks.module(model, "model")
    if not isinstance(model, char_lm.CharLSTM):
        raise TypeError(f"model must be a course_lib.char_lm.CharLSTM, got {type(model).__name__}.")
    return model


class GateExplorer(FigureWidget):
    """Gate explorer: ``w.text`` (Text: a name, read after the start mark ".") and ``w.block``
    (IntSlider: which block of 32 hidden units to show). ``w.image`` shows the input, forget
    and output gates and the hidden state (rows: units, columns: characters); ``w.state`` is
    the current ``char_lm.gate_trace(...)`` dict, ``w.message`` a one-line summary (or why
    the text cannot be read), ``w.render_ms`` the last callback's duration in milliseconds.
    """

    def __init__(self, model: nn.Module, text: str = "emma", block: int = 0):
        self.model = _char_model(model)
        self.rows = min(32, model.lstm.hidden_size)
        blocks = -(-model.lstm.hidden_size // self.rows)
        block = _checks.integer(block, "block")
        if block >= blocks:
            raise ValueError(f"block must be in 0..{blocks - 1} ({blocks} blocks of {self.rows} units), got {block}.")
        super().__init__(*seq_plots.gate_explorer_figure(self.rows))
        self.text = W.Text(value=text, description="name", continuous_update=False)
        self.block = W.IntSlider(value=block, min=0, max=blocks - 1, description="unit block")
        self.state: dict = {}
        self.text.observe(self._update, names="value")
        self.block.observe(self._update, names="value")
        self.children = [W.HBox([self.text, self.block]), self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = char_lm.gate_trace(self.model, self.text.value)
        if not self.state["ok"]:
            self.say((self.state["message"], "error"))
            return
        first = self.block.value * self.rows
        seq_plots.draw_gate_explorer(self.artists, self.state, first)
        self.say(self.state["message"], f"showing units {first}-{first + self.rows - 1}")
        self.show_figure()


def gate_explorer(model: nn.Module, text: str = "emma", block: int = 0) -> GateExplorer:
    """Build the gate explorer (see ``GateExplorer``) for a trained ``char_lm.CharLSTM``.
    Introduced in 06_sequence_models."""
    return GateExplorer(model, text, block)


class TemperatureSampler(FigureWidget):
    """Temperature sampler: ``w.temperature`` (FloatSlider) and ``w.seed`` (IntSlider: another
    draw). ``w.names`` is the list of sampled names, shown in ``w.message`` with the fraction
    that is not in the training list (new names in bold); ``w.image`` shows the first
    character's distribution at that temperature; ``w.state`` is the current
    ``char_lm.temperature_state(...)`` dict, ``w.render_ms`` the last callback's duration (ms).
    """

    def __init__(self, model: nn.Module, train: Sequence[str], temperature: float = 1.0, n: int = 12):
        self.model = _char_model(model)
        self.train = set(train)
        self._train_list = sorted(self.train)
        self.n = _checks.integer(n, "n", 1)
        temperature = _checks.number(temperature, "temperature", 0.05, 3.0)
        super().__init__(*seq_plots.temperature_figure(char_lm.VOCAB))
        self.temperature = W.FloatSlider(value=temperature, min=0.05, max=3.0, step=0.05,
                                         description="temperature", readout_format=".2f",
                                         style={"description_width": "90px"})
        self.seed = W.IntSlider(value=0, min=0, max=99, description="seed")
        self.state: dict = {}
        self.names: list[str] = []
        self.temperature.observe(self._update, names="value")
        self.seed.observe(self._update, names="value")
        self.children = [W.HBox([self.temperature, self.seed]), self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = char_lm.temperature_state(self.model, self.temperature.value, self._train_list,
                                               self.n, self.seed.value)
        if not self.state["ok"]:
            self.say((self.state["message"], "error"))
            return
        self.names = self.state["names"]
        shown = [(s or "(empty)", "bold" if s and s not in self.train else "plain") for s in self.names]
        self.say((self.state["message"], "plain"), *shown, sep=" &middot; ")
        seq_plots.draw_temperature(self.artists, self.state)
        self.show_figure()


def temperature_sampler(model: nn.Module, train: Sequence[str], temperature: float = 1.0,
                        n: int = 12) -> TemperatureSampler:
    """Build the temperature sampler (see ``TemperatureSampler``) for a trained
    ``char_lm.CharLSTM`` and its training names. Introduced in 06_sequence_models."""
    return TemperatureSampler(model, train, temperature, n)
