"""Figures of experiments that are not over time: a sweep's response to each varied parameter and the
sensitivity indices, in the figure style's words and units (:mod:`nkborder.figures.labels`).

A response aggregates each run over its years without adding what does not add: flows are summed, stocks, prices
and shares averaged, and won amounts count from 2010 on when the runs span the redenomination of 30 November 2009.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nkborder.figures import COLORS, labels

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def response_figure(result: Any, indicators: list[str]) -> Figure:
    """Each run's response (dots) and the mean per value (line) against each varied parameter: totals over the
    years for flows, means over the years for stocks, prices and shares; won only from 2010 on when the runs
    span the redenomination of 30 November 2009 (old and new won do not add)."""
    from matplotlib.figure import Figure

    names = [r["name"] for r in result.definition["design"]["vary"]]
    runs = result.runs
    fig = Figure(figsize=(3.4 * len(names) + 0.8, 2.3 * len(indicators) + 0.9), layout="constrained")
    axes = fig.subplots(len(indicators), len(names), squeeze=False)
    for i, ind in enumerate(indicators):
        rows, what = response_rows(runs, ind)
        totals = rows.groupby(["idx", *names], sort=False)[ind].agg(
            "sum" if what.startswith("total") else "mean").reset_index()
        for j, name in enumerate(names):
            ax = axes[i][j]
            scale = 100.0 if labels.is_share(ind) else 1.0
            ax.scatter(totals[name], totals[ind] * scale, s=8, alpha=0.6, color=COLORS["one"])
            means = totals.groupby(name)[ind].mean()
            ax.plot(means.index, means.to_numpy() * scale, color="black", lw=1)
            ax.set_xlabel(labels.parameter(name), fontsize=8)
            ax.yaxis.set_major_formatter(_axis_numbers(labels.is_share(ind)))
            unit = labels.unit(ind).replace(" / year", "")
            ax.set_title(f"{labels.name(ind)}, {what} ({unit})", fontsize=8, loc="left")
            ax.tick_params(labelsize=7)
    fig.suptitle(f"Sweep on scenario {result.definition['scenarios'][0]['name']}: each run (dots) and the mean per "
                 "value (line), both cities", fontsize=9)
    return fig


def response_rows(runs: pd.DataFrame, indicator: str) -> tuple[pd.DataFrame, str]:
    """The rows a sweep response aggregates, and how, in words: flows are summed over the years, everything else
    averaged; won amounts count from 2010 on when the runs also cover years before the redenomination."""
    first, last = int(runs["year"].min()), int(runs["year"].max())
    rows = runs
    span = f"{first}-{last}"
    if "_kpw" in indicator and first <= 2009 < last:
        rows = runs.loc[runs["year"] >= 2010]
        span = f"2010-{last}, new won"
    flow = labels.unit(indicator).endswith("/ year")
    return rows, (f"total {span}" if flow else f"mean over {span}")


def _axis_numbers(percent: bool) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:g} %" if percent else labels.axis_number(v))


def sensitivity_figure(result: Any) -> Figure:
    """Sensitivity indices per output (one panel each) with their confidence intervals."""
    from matplotlib.figure import Figure

    idx = result.indices
    method = result.definition["design"]["method"]
    pairs = (("S1", "S1_conf"), ("ST", "ST_conf")) if method == "sobol" else (("mu_star", "mu_star_conf"),
                                                                               ("sigma", None))
    words = {"S1": "first-order index S1", "ST": "total index ST", "mu_star": "mean absolute effect mu*",
             "sigma": "spread of effects sigma"}
    outputs = list(dict.fromkeys(idx["output"]))
    params = list(dict.fromkeys(idx["parameter"]))
    fig = Figure(figsize=(5.5 * len(outputs), 0.45 * len(params) + 1.8), layout="constrained")
    axes = fig.subplots(1, len(outputs), squeeze=False)[0]
    y = np.arange(len(params))
    for ax, output in zip(axes, outputs, strict=True):
        rows = idx.loc[idx["output"] == output].set_index("parameter").loc[params]
        for k, (col, conf) in enumerate(pairs):
            err = rows[conf].to_numpy(float) if conf else None
            ax.barh(y + (k - 0.5) * 0.38, rows[col].to_numpy(float), height=0.38, xerr=err, capsize=2,
                    label=words[col] + (" (error bar: 95 % confidence interval)" if conf else ""))
        ax.set_yticks(y, [labels.parameter(p) for p in params], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(labels.title(output), fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7)
    fig.suptitle(f"{method.capitalize()} sensitivity of each output to the parameters over their declared ranges",
                 fontsize=9)
    return fig
