"""Figures of experiments, described once (:mod:`nkborder.figures`) and drawn static (CLI, docs) or interactive
(app): bands over time with the numbered policy events, comparisons with their period, sweeps, sensitivity.

Yearly values are drawn at mid-year; counts are persons rescaled to the full population, money in the unit its
name gives (``_cny``, ``_kpw``), shares as percentages. A comparison shades its period (the experiment's, or
the one passed) and states the paired difference of each indicator's total over that period.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nkborder.analysis.bands import headline, indicator_columns
from nkborder.analysis.differences import period_summary
from nkborder.analysis.response_plots import response_figure, sensitivity_figure
from nkborder.errors import InputError
from nkborder.figures import COLORS, Band, FigureSpec, Line, Observed, Panel, labels, number_events
from nkborder.figures import static as static_figures

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from nkborder.experiments.result import ExperimentResult

FORMATS = static_figures.FORMATS
MAX_INDICATORS = 6
OBSERVED_INDICATOR = "arrivals_south_korea_full"


def plot_experiment(
    result: ExperimentResult, out: Path, fmt: str = "png", indicators: Sequence[str] | None = None,
    period: tuple[int, int] | None = None, width_px: int | None = None,
) -> list[Path]:
    """Draw every figure of an experiment into directory ``out`` as ``NAME-WHAT.FORMAT``; return the files.

    ``period`` (years, inclusive) is shaded; a comparison sums its difference over it (default: the period the
    comparison was run with).
    """
    if fmt not in FORMATS:
        raise InputError("--format", fmt, "unknown figure format", ", ".join(FORMATS))
    if result.runs.empty:
        raise InputError(result.name, "runs", "no finished run stored yet", "run the experiment first")
    period = check_period(period, result)
    out.mkdir(parents=True, exist_ok=True)
    chosen = _indicators(result, indicators)
    figures: dict[str, Figure]
    if result.kind == "ensemble":
        figures = {"bands": static_figures.render(ensemble_spec(result, chosen, period=period), width_px)}
    elif result.kind == "compare":
        levels, diff = compare_specs(result, chosen, period)
        figures = {"levels": static_figures.render(levels, width_px),
                   "difference": static_figures.render(diff, width_px)}
    elif result.kind == "sweep":
        figures = {"points": static_figures.render(sweep_spec(result, chosen, period), width_px),
                   "response": response_figure(result, chosen)}
    else:
        figures = {"indices": sensitivity_figure(result)}
    paths = []
    for what, fig in figures.items():
        paths.append(static_figures.save(fig, out / f"{result.name}-{what}.{fmt}"))
    return paths


def _indicators(result: ExperimentResult, indicators: Sequence[str] | None) -> list[str]:
    have = indicator_columns(result.runs)
    if not indicators:
        return headline(have, MAX_INDICATORS)
    bad = [i for i in indicators if i not in have]
    if bad:
        raise InputError("--indicators", ", ".join(bad), "not an indicator of the runs", ", ".join(have))
    return list(indicators)


def check_period(period: tuple[int, int] | None, result: ExperimentResult) -> tuple[int, int] | None:
    """``period`` if its years lie inside the runs' years, else an InputError naming ``--period``."""
    if period is None or result.runs.empty:
        return period
    first, last = int(result.runs["year"].min()), int(result.runs["year"].max())
    if not first <= period[0] <= period[1] <= last:
        raise InputError("--period", f"{period[0]}:{period[1]}", "outside the years of the runs",
                         f"{first}:{last} or inside")
    return period


# ------------------------------------------------------------------------------------------------- specs
def band(summary: pd.DataFrame | None, indicator: str, city: str, label: str, color: str, runs: int,
         hatched: bool = False, runs_word: str = "runs") -> Band | None:
    """The 5-95 % band and median of one indicator and city from a bands table over ``runs`` runs (None if the
    table has no row of it)."""
    if summary is None or summary.empty:
        return None
    rows = summary.loc[(summary["indicator"] == indicator) & (summary["city"] == city)].sort_values("year")
    if rows.empty:
        return None
    return Band(label, rows["year"].to_numpy(float) + 0.5, rows["median"].to_numpy(float),
                rows["p5"].to_numpy(float), rows["p95"].to_numpy(float), color, runs, hatched=hatched,
                runs_word=runs_word)


def _panel(indicator: str, city: str, cities: Sequence[str]) -> Panel:
    prefix = f"{city}: " if len(cities) > 1 else ""
    return Panel(f"{prefix}{labels.title(indicator)}", labels.unit(indicator), percent=labels.is_share(indicator),
                 place=city)


@cache
def observed_arrivals() -> pd.DataFrame:
    """Observed arrivals in South Korea from all of North Korea per year (year, total), without 1998's
    cumulative count (``data/defector_arrivals.csv``, Ministry of Unification)."""
    from nkborder.inputs.observed import arrivals_south_korea

    t = arrivals_south_korea()
    return t.loc[~t["cumulative"], ["year", "total"]].reset_index(drop=True)


def _observed_arrivals(years: tuple[float, float]) -> Observed:
    obs = observed_arrivals()
    obs = obs.loc[(obs["year"] + 0.5 >= years[0]) & (obs["year"] + 0.5 <= years[1])]
    values = obs["total"].to_numpy(float)
    return Observed("observed arrivals from all North Korea (Ministry of Unification)",
                    obs["year"].to_numpy(float) + 0.5, values, values)


def _events(spec: FigureSpec, sc: dict[str, Any], events: Sequence[Any] | None = None,
            colors: dict[str, str] | None = None) -> None:
    """Number the events of scenario ``sc`` (or ``events``) over the years drawn: those of the data, or the
    scenario's own while no run has finished."""
    if not any(p.has_data() for p in spec.all_panels()) and sc.get("start") and sc.get("end"):
        spec.x_range = (float(sc["start"][:4]), float(sc["end"][:4]) + 1.0)
    spec.events, spec.events_before = number_events(sc["events"] if events is None else events, spec.years(),
                                                    colors)


def _runs_text(n: int) -> str:
    return f"{n} run{'s' if n != 1 else ''}"


def ensemble_spec(result: Any, indicators: Sequence[str] | None = None, observed: bool = False,
                  period: tuple[int, int] | None = None) -> FigureSpec:
    """Median and 5-95 % band of each indicator per city over an ensemble's runs, with the policy events;
    ``observed`` adds the national arrivals (right axis) to the arrivals panels."""
    sc = result.definition["scenarios"][0]
    chosen = list(indicators) if indicators else headline(list(_indicators_of(result.summary)), MAX_INDICATORS)
    rows = []
    for ind in chosen:
        row = []
        for city in sc["cities"]:
            p = _panel(ind, city, sc["cities"])
            b = band(result.summary, ind, city, sc["name"], COLORS["one"], result.n_runs)
            if b is not None:
                p.bands.append(b)
            else:
                p.note = "no finished run yet"
            row.append(p)
        rows.append(row)
    spec = FigureSpec(f"Scenario {sc['name']}: median and 5-95 % band over {_runs_text(result.n_runs)} per year",
                      rows, period=period, period_label="period")
    if observed and OBSERVED_INDICATOR in chosen:
        for p in rows[chosen.index(OBSERVED_INDICATOR)]:
            if p.bands:
                p.right.append(_observed_arrivals(spec.years()))
                p.right_unit = "all North Korea (persons / year)"
    _events(spec, sc)
    return spec


def _indicators_of(summary: pd.DataFrame | None) -> list[str]:
    if summary is None or summary.empty or "indicator" not in summary:
        return []
    return list(dict.fromkeys(summary["indicator"]))


def compare_specs(result: Any, indicators: Sequence[str] | None = None, period: tuple[int, int] | None = None
                  ) -> tuple[FigureSpec, FigureSpec]:
    """(levels of baseline A and what-if B per city; the paired difference B - A) with the comparison period
    shaded: ``period``, or the experiment's own. The difference panels state the change of the indicator's total
    (flows) or mean (stocks, prices, shares) over the period."""
    sc_a, sc_b = result.definition["scenarios"][:2]
    side_bands = result.tables.get("bands", pd.DataFrame())
    have = _indicators_of(side_bands) or _indicators_of(result.summary)
    chosen = [i for i in (indicators or headline(have, MAX_INDICATORS)) if not have or i in have] or list(
        indicators or [])
    period = period or _own_period(result)
    ids_a, ids_b = {e["id"] for e in sc_a["events"]}, {e["id"] for e in sc_b["events"]}
    events = list({e["id"]: e for e in [*sc_a["events"], *sc_b["events"]]}.values())
    colors = {i: COLORS["event"] if i in ids_a and i in ids_b else COLORS["A" if i in ids_a else "B"]
              for i in ids_a | ids_b}
    cities = [c for c in sc_a["cities"] if c in sc_b["cities"]]
    n_pairs = _pairs(result)
    levels_rows, diff_rows = [], []
    totals = _period_changes(result, chosen, period)
    for ind in chosen:
        lrow, drow = [], []
        for city in cities:
            p = _panel(ind, city, cities)
            for side, sc, hatched in (("A", sc_a, False), ("B", sc_b, True)):
                part = side_bands.loc[side_bands["side"] == side] if not side_bands.empty else side_bands
                b = band(part, ind, city, f"{side}: {sc['name']}", COLORS[side], _side_runs(result, side), hatched)
                if b is not None:
                    p.bands.append(b)
            p.note = "" if p.bands else "no finished run yet"
            lrow.append(p)
            d = _panel(ind, city, cities)
            d.zero = True
            b = band(result.summary, ind, city, "difference B - A", COLORS["diff"], n_pairs,
                     runs_word="pairs of runs")
            if b is not None:
                d.bands.append(b)
            else:
                d.note = "no year simulated on both sides yet"
            if (ind, city) in totals:
                d.subtitle = totals[(ind, city)]
            drow.append(d)
        levels_rows.append(lrow)
        diff_rows.append(drow)
    note = (f"Events in both scenarios grey, only in A ({sc_a['name']}) blue, only in B ({sc_b['name']}) "
            "orange.")
    levels = FigureSpec(f"Baseline A = {sc_a['name']} against what-if B = {sc_b['name']}: median and 5-95 % band "
                        f"of each side over {_runs_text(n_pairs)} each (same seeds on both sides)",
                        levels_rows, period=period, event_note=note)
    diff = FigureSpec(f"Difference B - A ({sc_b['name']} minus {sc_a['name']}), run by run with the same seeds: "
                      f"median and 5-95 % band over {n_pairs} pairs", diff_rows, period=period, event_note=note)
    for spec in (levels, diff):
        _events(spec, sc_a, events, colors)
    return levels, diff


def _side_runs(result: Any, side: str) -> int:
    runs = result.runs
    return int(runs.loc[runs["side"] == side, "run_id"].nunique()) if len(runs) else 0


def _pairs(result: Any) -> int:
    runs = result.runs
    if runs.empty:
        return 0
    reps = runs.groupby("side")["rep"].unique()
    return len(set(reps.get("A", [])) & set(reps.get("B", [])))


def _own_period(result: Any) -> tuple[int, int] | None:
    own = (result.definition.get("analysis") or {}).get("period")
    return (int(own[0]), int(own[1])) if own else None


def _period_changes(result: Any, indicators: list[str], period: tuple[int, int] | None) -> dict:
    """(indicator, city) -> ``B - A, total 2020-2025: median [p5 to p95]`` over the pairs of runs: the paired
    difference of each flow's total over the period (:func:`period_summary`), and of each stock's, price's or
    share's mean over the years of the period that have a value on both sides."""
    runs = result.runs
    if period is None or runs.empty or "side" not in runs:
        return {}
    present = [i for i in indicators if i in runs.columns]
    flows = [i for i in present if labels.unit(i).endswith("/ year")]
    others = [i for i in present if i not in flows]
    span = f"{period[0]}-{period[1]}" if period[1] != period[0] else str(period[0])
    out = {}
    if flows:
        for r in period_summary(runs, period, flows).itertuples(index=False):
            out[(r.indicator, r.city)] = f"B - A, total {span}: {_change(r.median, r.p5, r.p95, r.indicator)}"
    if others:
        for (ind, city), d in _paired_means(runs, period, others).items():
            q = np.quantile(d, [0.5, 0.05, 0.95])
            out[(ind, city)] = f"B - A, mean {span}: {_change(*q, ind)}"
    return out


def _paired_means(runs: pd.DataFrame, period: tuple[int, int], indicators: list[str]
                  ) -> dict[tuple[str, str], np.ndarray]:
    """(indicator, city) -> the differences B - A of the mean over the years of ``period``, one per pair of runs,
    each over the years with a value on both sides (a share has none in a year without arrivals)."""
    inside = runs.loc[(runs["year"] >= period[0]) & (runs["year"] <= period[1])]
    wide = inside.pivot_table(index=["rep", "city", "year"], columns="side", values=indicators, aggfunc="first",
                              dropna=False)
    out = {}
    for ind in indicators:
        if (ind, "A") not in wide or (ind, "B") not in wide:
            continue
        pair = wide[[(ind, "A"), (ind, "B")]].dropna()
        pair.columns = ["A", "B"]
        means = pair.groupby(level=["rep", "city"]).mean()
        for city, rows in means.groupby(level="city"):
            d = (rows["B"] - rows["A"]).to_numpy(float)
            if len(d):
                out[(ind, city)] = d
    return out


def _change(median: float, lo: float, hi: float, indicator: str) -> str:
    if labels.is_share(indicator):
        return f"{labels.percent(median)} points [{labels.percent(lo)} to {labels.percent(hi)}]".replace(
            " %", "")
    return f"{labels.number(median)} [{labels.number(lo)} to {labels.number(hi)}]"


def sweep_spec(result: Any, indicators: Sequence[str], period: tuple[int, int] | None = None) -> FigureSpec:
    """The median over replicates at each design point of a sweep, one line per point."""
    from matplotlib import colormaps

    sc = result.definition["scenarios"][0]
    names = [r["name"] for r in result.definition["design"]["vary"]]
    points = result.tables["points"]
    cmap = colormaps["viridis"]
    rows = []
    for ind in indicators:
        row = []
        for city in sc["cities"]:
            p = _panel(ind, city, sc["cities"])
            for k, point in enumerate(points.itertuples(index=False)):
                rows_ = result.summary.loc[(result.summary["point"] == point.point)
                                           & (result.summary["indicator"] == ind)
                                           & (result.summary["city"] == city)].sort_values("year")
                label = ", ".join(f"{n} = {getattr(point, n):g}" for n in names)
                color = cmap(k / max(1, len(points) - 1))
                p.lines.append(Line(label, rows_["year"].to_numpy(float) + 0.5, rows_["median"].to_numpy(float),
                                    _hex(color)))
            row.append(p)
        rows.append(row)
    reps = int(result.definition["design"].get("reps", 0) or 0)
    spec = FigureSpec(f"Sweep over {', '.join(names)} on scenario {sc['name']}: median over "
                      f"{_runs_text(reps) if reps else 'the replicates'} at each of {len(points)} design points",
                      rows, period=period, period_label="period")
    _events(spec, sc)
    return spec


def _hex(color: Any) -> str:
    from matplotlib.colors import to_hex

    return to_hex(color)
