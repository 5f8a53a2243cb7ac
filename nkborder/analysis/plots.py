"""Figures of experiments (matplotlib, no display needed): bands over time with the policy events marked,
comparison panels, sweep responses and sensitivity bars.

Yearly values are drawn at mid-year (``year + 0.5``); an event is a dashed vertical line at its start date,
labelled with its id. Counts are in persons, money in the unit its name gives (``_cny``, ``_kpw``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nkborder.analysis.bands import headline, how_to_total, indicator_columns
from nkborder.errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from nkborder.experiments.result import ExperimentResult

FORMATS = ("png", "svg")
COLORS = {"A": "tab:blue", "B": "tab:orange", "diff": "tab:green", "both": "0.45", "one": "tab:blue"}
MAX_INDICATORS = 6


def plot_experiment(
    result: ExperimentResult, out: Path, fmt: str = "png", indicators: Sequence[str] | None = None
) -> list[Path]:
    """Draw every figure of an experiment into directory ``out`` as ``NAME-WHAT.FORMAT``; return the files."""
    if fmt not in FORMATS:
        raise InputError("--format", fmt, "unknown figure format", ", ".join(FORMATS))
    if result.runs.empty:
        raise InputError(result.name, "runs", "no finished run stored yet", "run the experiment first")
    out.mkdir(parents=True, exist_ok=True)
    chosen = _indicators(result, indicators)
    figures = {
        "ensemble": _ensemble, "sweep": _sweep, "compare": _compare, "sensitivity": _sensitivity,
    }[result.kind](result, chosen)
    paths = []
    for what, fig in figures.items():
        path = out / f"{result.name}-{what}.{fmt}"
        fig.savefig(path, dpi=120, bbox_inches="tight")
        paths.append(path)
    return paths


def _indicators(result: ExperimentResult, indicators: Sequence[str] | None) -> list[str]:
    have = indicator_columns(result.runs)
    if not indicators:
        return headline(have, MAX_INDICATORS)
    bad = [i for i in indicators if i not in have]
    if bad:
        raise InputError("--indicators", ", ".join(bad), "not an indicator of the runs", ", ".join(have))
    return list(indicators)


def _ensemble(result: ExperimentResult, indicators: list[str]) -> dict[str, Figure]:
    sc = result.definition["scenarios"][0]
    fig, axes = _grid(indicators, sc["cities"])
    for (ind, city), ax in axes.items():
        band = _select(result.summary, ind, city)
        draw_band(ax, band, COLORS["one"], sc["name"])
        mark_events(ax, _for_city(sc["events"], city), {e["id"]: COLORS["both"] for e in sc["events"]})
    fig.suptitle(f"{result.name}: {sc['name']}, {result.n_runs} runs (median, mean dashed, 5-95 % band)")
    return {"bands": fig}


def _compare(result: ExperimentResult, indicators: list[str]) -> dict[str, Figure]:
    sc_a, sc_b = result.definition["scenarios"]
    ids_a, ids_b = {e["id"] for e in sc_a["events"]}, {e["id"] for e in sc_b["events"]}
    events = {e["id"]: e for e in [*sc_a["events"], *sc_b["events"]]}
    colors = {i: COLORS["both"] if i in ids_a and i in ids_b else COLORS["A" if i in ids_a else "B"]
              for i in events}
    cities = [c for c in sc_a["cities"] if c in sc_b["cities"]]
    side_bands = result.tables["bands"]
    levels, axes = _grid(indicators, cities)
    for (ind, city), ax in axes.items():
        for side, sc in (("A", sc_a), ("B", sc_b)):
            draw_band(ax, _select(side_bands.loc[side_bands["side"] == side], ind, city), COLORS[side],
                      f"{side}: {sc['name']}")
        mark_events(ax, _for_city(list(events.values()), city), colors)
    levels.suptitle(f"{result.name}: A = {sc_a['name']} (blue), B = {sc_b['name']} (orange); events grey if "
                    "in both, else coloured by side")
    diff, axes = _grid(indicators, cities)
    for (ind, city), ax in axes.items():
        ax.axhline(0.0, color="black", lw=0.6)
        draw_band(ax, _select(result.summary, ind, city), COLORS["diff"], "B - A")
        mark_events(ax, _for_city(list(events.values()), city), colors)
    diff.suptitle(f"{result.name}: paired difference B - A ({sc_b['name']} minus {sc_a['name']}), "
                  "same seeds both sides")
    return {"levels": levels, "difference": diff}


def _sweep(result: ExperimentResult, indicators: list[str]) -> dict[str, Figure]:
    from matplotlib import colormaps

    sc = result.definition["scenarios"][0]
    names = [r["name"] for r in result.definition["design"]["vary"]]
    points = result.tables["points"]
    cmap = colormaps["viridis"]
    fig, axes = _grid(indicators, sc["cities"])
    for (ind, city), ax in axes.items():
        for k, point in enumerate(points.itertuples(index=False)):
            band = _select(result.summary.loc[result.summary["point"] == point.point], ind, city)
            label = ", ".join(f"{n}={getattr(point, n):g}" for n in names)
            ax.plot(band["year"] + 0.5, band["median"], color=cmap(k / max(1, len(points) - 1)), lw=1.2,
                    label=label if len(points) <= 10 else None)
        mark_events(ax, _for_city(sc["events"], city), {e["id"]: COLORS["both"] for e in sc["events"]})
    first = next(iter(axes.values()))
    if len(points) <= 10:
        first.legend(fontsize=6, loc="upper left")
    fig.suptitle(f"{result.name}: median over replicates at each design point")
    return {"points": fig, "response": _response(result, indicators, names)}


def _response(result: ExperimentResult, indicators: list[str], names: list[str]) -> Figure:
    """Each run's total (counts) or mean (prices, rates) over all years and cities against each varied
    parameter."""
    from matplotlib.figure import Figure

    totals = result.runs.groupby(["idx", *names], sort=False)[indicators].agg(
        {i: how_to_total(i) for i in indicators}).reset_index()
    fig = Figure(figsize=(3.6 * len(names), 2.4 * len(indicators)), layout="constrained")
    axes = fig.subplots(len(indicators), len(names), squeeze=False)
    for i, ind in enumerate(indicators):
        for j, name in enumerate(names):
            ax = axes[i][j]
            ax.scatter(totals[name], totals[ind], s=8, alpha=0.6)
            means = totals.groupby(name)[ind].mean()
            ax.plot(means.index, means.to_numpy(), color="black", lw=1)
            ax.set_xlabel(name, fontsize=8)
            what = "total" if how_to_total(ind) == "sum" else "mean"
            ax.set_ylabel(f"{ind}\n({what} over years, cities)" if j == 0 else "", fontsize=7)
            ax.tick_params(labelsize=7)
    fig.suptitle(f"{result.name}: response of each run (dots) and mean per value (line)")
    return fig


def _sensitivity(result: ExperimentResult, indicators: list[str]) -> dict[str, Figure]:
    from matplotlib.figure import Figure

    idx = result.indices
    method = result.definition["design"]["method"]
    pairs = (("S1", "S1_conf"), ("ST", "ST_conf")) if method == "sobol" else (("mu_star", "mu_star_conf"),
                                                                               ("sigma", None))
    outputs = list(dict.fromkeys(idx["output"]))
    params = list(dict.fromkeys(idx["parameter"]))
    fig = Figure(figsize=(5.5 * len(outputs), 0.45 * len(params) + 1.6), layout="constrained")
    axes = fig.subplots(1, len(outputs), squeeze=False)[0]
    y = np.arange(len(params))
    for ax, output in zip(axes, outputs, strict=True):
        rows = idx.loc[idx["output"] == output].set_index("parameter").loc[params]
        for k, (col, conf) in enumerate(pairs):
            err = rows[conf].to_numpy(float) if conf else None
            ax.barh(y + (k - 0.5) * 0.38, rows[col].to_numpy(float), height=0.38, xerr=err, label=col,
                    capsize=2)
        ax.set_yticks(y, params, fontsize=7)
        ax.invert_yaxis()
        ax.set_title(output, fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(f"{result.name}: {method} indices over the declared parameter ranges")
    return {"indices": fig}


def _grid(indicators: list[str], cities: list[str]) -> tuple[Figure, dict[tuple[str, str], Axes]]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0 * len(cities), 2.3 * len(indicators) + 0.6), layout="constrained")
    grid = fig.subplots(len(indicators), len(cities), squeeze=False, sharex=True)
    axes = {}
    for i, ind in enumerate(indicators):
        for j, city in enumerate(cities):
            ax = grid[i][j]
            ax.set_title(f"{ind} - {city}", fontsize=8)
            ax.tick_params(labelsize=7)
            axes[(ind, city)] = ax
    return fig, axes


def _select(summary: pd.DataFrame, indicator: str, city: str) -> pd.DataFrame:
    rows = summary.loc[(summary["indicator"] == indicator) & (summary["city"] == city)]
    return rows.sort_values("year")


def draw_band(ax: Axes, band: pd.DataFrame, color: str, label: str) -> None:
    """Median (solid), mean (dashed) and the p5-p95 band of one indicator over years."""
    x = band["year"].to_numpy(float) + 0.5
    ax.fill_between(x, band["p5"].to_numpy(float), band["p95"].to_numpy(float), color=color, alpha=0.25, lw=0)
    ax.plot(x, band["median"].to_numpy(float), color=color, lw=1.3, label=label)
    ax.plot(x, band["mean"].to_numpy(float), color=color, lw=0.8, ls="--")


def mark_events(ax: Axes, events: list[dict[str, Any]], colors: dict[str, str]) -> None:
    """A dashed vertical line at each event's start inside the axis' years, labelled with the event id."""
    if not ax.has_data():
        return
    lo, hi = ax.get_xlim()
    first = ax.dataLim.x0 - 0.5  # start of the first year drawn: earlier events are in force, not new
    at: dict[float, list[str]] = {}  # events starting the same day share one line and label
    for e in events:
        x = year_fraction(dt.date.fromisoformat(e["start"]))
        if max(lo, first) <= x <= hi:
            at.setdefault(x, []).append(e["id"])
    for x, ids in at.items():
        color = colors.get(ids[0], COLORS["both"]) if len({colors.get(i) for i in ids}) == 1 else COLORS["both"]
        ax.axvline(x, color=color, lw=0.7, ls=":")
        ax.text(x, 0.98, ", ".join(ids), transform=ax.get_xaxis_transform(), rotation=90, fontsize=5,
                color=color, ha="right", va="top")
    ax.set_xlim(lo, hi)


def year_fraction(day: dt.date) -> float:
    """A date as a fractional year, e.g. 2020-07-02 -> about 2020.5."""
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def _for_city(events: list[dict[str, Any]], city: str) -> list[dict[str, Any]]:
    return [e for e in events if e.get("place") in ("national", "border", city)]
