"""Matplotlib figures used by the notebooks. Each function takes data, returns the
``Figure`` (so tests can inspect it) and labels every axis.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

# --- shared ------------------------------------------------------------------------------

# --- chapter 02 --------------------------------------------------------------------------

# --- chapter 01 --------------------------------------------------------------------------

# --- chapter 03 --------------------------------------------------------------------------
