"""Statistics of paired timings: ours and Keras's, measured alternately in the same rounds."""

from __future__ import annotations

import statistics


def paired_ratio(ours, theirs):
    """(median, first quartile, third quartile) of the per-round ratios ours / theirs.

    A ratio within a round is robust to the machine speeding up or slowing
    down between rounds; the interquartile range says how much it varies.
    """
    ratios = [o / t for o, t in zip(ours, theirs, strict=True)]
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    return statistics.median(ratios), q1, q3


def ratio_cell(ours, theirs):
    """The Markdown cell for a paired ratio: ``median (IQR q1–q3)``."""
    median, q1, q3 = paired_ratio(ours, theirs)
    return f"{median:.3f} ({q1:.2f}–{q3:.2f})"
