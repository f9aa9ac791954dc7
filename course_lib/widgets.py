"""ipywidgets wiring only: each function builds controls, connects them to a pure
function from a topic module (``conv``, ``optim``, ``models``...) and returns the widget.

The returned object keeps its controls and what it currently shows as attributes, so a
test can set ``.value`` on a slider and read the result without a browser. A setting
that makes no sense shows a message in the widget instead of raising.
"""
from __future__ import annotations

# --- chapter 00: a check that widgets render ------------------------------------------

# --- chapter 02: convolution explorer, filter playground --------------------------------

# --- chapter 01: optimizer trajectories, live loss curves -------------------------------

# --- chapter 03: filter viewer, activation viewer ---------------------------------------
