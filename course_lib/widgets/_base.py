"""What every course widget shares: the message line (HTML, one escaper), the figure shown
as a PNG in an ``ipywidgets.Image`` (rendered by ``plots._figure.figure_png``) and the
timing of each callback, so a chapter's callback is a few lines: compute the state, update
the artists, ``self.show_figure()``, ``self.say(...)``.
"""
from __future__ import annotations

import functools
import html
import time
from typing import Callable

import ipywidgets as W
from matplotlib.figure import Figure

from course_lib.plots._figure import figure_png

__all__ = ["FigureWidget", "timed", "escape", "styled", "TONES"]

# tone -> (tag, style): how a piece of the message looks
TONES = {
    "plain": ("span", ""),
    "bold": ("b", ""),
    "ok": ("b", "color:#1a7f37"),
    "error": ("b", "color:#c00000"),
    "warning": ("span", "color:#c00000"),
}


def escape(text: object) -> str:
    """``text`` made safe to put inside the widget's HTML (the only escaper of the widgets)."""
    return html.escape(str(text))


def styled(text: object, tone: str = "plain") -> str:
    """Escaped ``text`` in the look of ``tone`` (a key of ``TONES``): "plain", "bold",
    "ok" (green, bold), "error" (red, bold: a setting that makes no sense), "warning" (red)."""
    tag, style = TONES[tone]
    attr = f" style='{style}'" if style else ""
    return f"<{tag}{attr}>{escape(text)}</{tag}>" if tone != "plain" else escape(text)


def timed(callback: Callable) -> Callable:
    """Decorate a widget method so ``self.render_ms`` holds its duration in milliseconds
    (also when it returns early with a message)."""

    @functools.wraps(callback)
    def wrapper(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return callback(self, *args, **kwargs)
        finally:
            self.render_ms = 1000 * (time.perf_counter() - t0)

    return wrapper


class FigureWidget(W.VBox):
    """A VBox with ``message`` (HTML: what is shown, or why a setting is impossible),
    ``image`` (PNG of ``figure``), ``figure``/``artists`` (the persistent figure of
    ``plots/<KEY>.py``) and ``render_ms`` (the last callback's duration, ms). Subclasses
    set ``children`` (controls first, then ``message`` and ``image``) and the callbacks.
    """

    def __init__(self, figure: Figure | None = None, artists: dict | None = None) -> None:
        super().__init__()
        self.message = W.HTML()
        self.image = W.Image(format="png")
        self.figure, self.artists = figure, artists
        self.render_ms = 0.0

    def say(self, *parts: str | tuple[str, str], sep: str = "; ") -> None:
        """Set the message from ``parts``: plain text, or ``(text, tone)`` pairs (see ``styled``)."""
        self.message.value = sep.join(styled(*p) if isinstance(p, tuple) else styled(p) for p in parts)

    def say_html(self, markup: str) -> None:
        """Set the message from markup already built with ``styled`` pieces."""
        self.message.value = markup

    def show_figure(self, figure: Figure | None = None, artists: dict | None = None) -> None:
        """Render ``figure`` (default ``self.figure``) into ``self.image``, blitting when its
        ``artists`` hold a cached background."""
        if figure is None:
            figure, artists = self.figure, self.artists
        self.image.value = figure_png(figure, artists)
