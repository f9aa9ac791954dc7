"""The chapter-00 check widget, headless: set the slider, read the label."""
from __future__ import annotations

from course_lib.widgets import start


def test_slider_check_label_follows_slider():
    w = start.slider_check()
    w.slider.value = 7
    assert w.label.value == "x = 7, x squared = 49"
