"""Analysis of experiment results: bands over replicates, paired differences, figures."""

from nkborder.analysis.bands import HEADLINE, band_label, bands, headline, indicator_columns
from nkborder.analysis.differences import paired_differences, period_summary, period_totals

__all__ = [
    "HEADLINE",
    "band_label",
    "bands",
    "headline",
    "indicator_columns",
    "paired_differences",
    "period_summary",
    "period_totals",
]
