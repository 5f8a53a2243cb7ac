"""The validation figure: observed points over the posterior predictive bands, one panel per series.

Bands: 90 % (p5-p95, light) and 50 % (p25-p75, darker) with the median as a line, drawn at mid-year. Observed
values are dots; intervals are vertical bars, a lower bound is a bar with an arrow up. Held-out years are
shaded; the scenario's policy events are dotted vertical lines labelled with their ids. Counts and prices are
on a log axis.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nkborder.calibration.distance import LOG_SERIES
from nkborder.calibration.targets import SERIES, UNITS
from nkborder.calibration.validate import Validation


def draw(val: Validation, path: str | Path) -> Path:
    """Draw the validation figure into ``path`` (PNG or SVG by its suffix)."""
    from matplotlib.figure import Figure

    from nkborder.analysis.plots import mark_events

    pred = val.predictions
    shown = [s for s in SERIES if (pred["series"] == s).any()]
    fig = Figure(figsize=(8.5, 2.4 * len(shown) + 0.6), layout="constrained")
    axes = fig.subplots(len(shown), 1, squeeze=False, sharex=True)[:, 0]
    for ax, series in zip(axes, shown, strict=True):
        rows = pred.loc[pred["series"] == series]
        _panel(ax, rows, series)
        if val.holdout:
            ax.axvspan(val.holdout[0], val.holdout[1] + 1, color="0.9", zorder=0, lw=0)
        events = [e for e in val.events if e["place"] in ("national", "border", "Hoeryong", "Hyesan")]
        mark_events(ax, events, {})
    axes[0].legend(fontsize=6, loc="upper left")
    fig.suptitle(f"Posterior predictive check of {val.posterior} on {val.scenario} (shaded: hold-out years)",
                 fontsize=9)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    return out


def _panel(ax, rows, series: str) -> None:
    yearly = rows.loc[rows["year_from"] == rows["year_to"]].groupby("year_to")[["p5", "p25", "p50", "p75", "p95"]]
    band = yearly.median()
    x = band.index.to_numpy(float) + 0.5
    if len(band) > 1:
        ax.fill_between(x, band["p5"], band["p95"], color="tab:blue", alpha=0.2, lw=0, label="90% band")
        ax.fill_between(x, band["p25"], band["p75"], color="tab:blue", alpha=0.35, lw=0, label="50% band")
        ax.plot(x, band["p50"], color="tab:blue", lw=1.2, label="median")
    periods = rows.loc[rows["year_from"] != rows["year_to"]]
    for r in periods.itertuples(index=False):  # multi-year rows: the band as a box over their years
        ax.fill_between([r.year_from, r.year_to + 1], r.p5, r.p95, color="tab:blue", alpha=0.2, lw=0)
        ax.hlines(r.p50, r.year_from, r.year_to + 1, color="tab:blue", lw=1.2)
    if len(band) <= 1:
        singles = rows.loc[rows["year_from"] == rows["year_to"]]
        ax.errorbar(singles["year_to"] + 0.5, singles["p50"], yerr=[singles["p50"] - singles["p5"],
                    singles["p95"] - singles["p50"]], fmt="s", color="tab:blue", ms=3, lw=1)  # fmt: skip
    xo = (rows["year_from"] + rows["year_to"] + 1).to_numpy(float) / 2
    low, high = rows["low"].to_numpy(float), rows["high"].to_numpy(float)
    point = low == high
    ax.scatter(xo[point], low[point], color="black", s=12, zorder=5, label="observed")
    bounded = ~point & np.isfinite(high)
    ax.vlines(xo[bounded], low[bounded], high[bounded], color="black", lw=2, zorder=5)
    lower = ~np.isfinite(high)
    ax.scatter(xo[lower], low[lower], color="black", marker="^", s=20, zorder=5, label="lower bound")
    if series in LOG_SERIES:
        ax.set_yscale("log")
    ax.set_title(f"{series} ({UNITS[series]})", fontsize=8)
    ax.tick_params(labelsize=7)
