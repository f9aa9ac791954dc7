"""The widget of 00_start_here: a slider wired to a label, to check that widgets render and
react in the learner's JupyterLab."""
from __future__ import annotations

import ipywidgets as W

__all__ = ["SliderCheck", "slider_check"]


class SliderCheck(W.VBox):
    """A slider wired to a label: ``w.slider`` (IntSlider "x"), ``w.label`` shows x and x².

    Used in 00_start_here to check that widgets render and react. Introduced in 00_start_here.
    """

    def __init__(self, value: int = 3):
        super().__init__()
        self.slider = W.IntSlider(value=value, min=0, max=10, description="x")
        self.label = W.Label()
        self.slider.observe(self._update, names="value")
        self._update()
        self.children = [self.slider, self.label]

    def _update(self, change=None) -> None:
        x = self.slider.value
        self.label.value = f"x = {x}, x squared = {x * x}"


def slider_check(value: int = 3) -> SliderCheck:
    """Build the 00_start_here check widget (a slider and a label that follows it).
    Introduced in 00_start_here."""
    return SliderCheck(value)
