"""The validation figure: observed values over the posterior predictive bands, one panel per series, in the
figure style of :mod:`nkborder.figures`.

Bands: 90 % (p5-p95) and 50 % (p25-p75) with the median as a line, drawn at mid-year over consecutive observed
years only; an observation spanning several years, or a year without an observed neighbour, gets its band as a
box over its years. Observed values are dots, intervals vertical bars, lower bounds upward triangles, upper
bounds ("at most") downward ones. Each panel spans the years of its own series. Held-out years are shaded; the
scenario's policy events are a numbered strip with a key. Counts and prices are on a log axis; shares in percent.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nkborder.calibration.distance import LOG_SERIES
from nkborder.calibration.targets import UNITS
from nkborder.calibration.validate import Validation
from nkborder.figures import COLORS, Band, Boxes, FigureSpec, Observed, Panel, number_events
from nkborder.figures import static as static_figures

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Plain titles of the observed series.
TITLES = {
    "arrivals": "Arrivals in South Korea from all North Korea",
    "women_share": "Women among arrivals in South Korea",
    "broker_fee": "Broker fee for a crossing",
    "crossing_bribe": "Bribe to the guards for a crossing",
    "guard_cut": "Guards' cut of smuggling profit",
    "commission": "Brokers' commission on remittances",
    "remittance_commission": "Brokers' commission on remittances",
    "china_stock": "North Koreans hiding in China",
    "repatriated": "North Koreans repatriated from China",
}
SHARE_SERIES = frozenset({"women_share", "guard_cut", "commission", "remittance_commission"})


def draw(val: Validation, path: str | Path, runs: int | None = None, width_px: int | None = None) -> Path:
    """Draw the validation figure into ``path`` (PNG or SVG by its suffix); ``runs`` is the number of posterior
    draws the bands rest on (one run each)."""
    return static_figures.save(figure(val, runs, width_px), path)


def figure(val: Validation, runs: int | None = None, width_px: int | None = None) -> Figure:
    """The validation figure as a matplotlib figure (see :func:`spec`)."""
    return static_figures.render(spec(val, runs), width_px or 1000)


def spec(val: Validation, runs: int | None = None) -> FigureSpec:
    """One panel per observed series: predictive bands, observations, held-out years, the policy events."""
    pred = val.predictions
    shown = list(dict.fromkeys(pred["series"]))
    panels = [[_panel(pred.loc[pred["series"] == s], s, runs)] for s in shown]
    draws = f"{runs} parameter sets drawn from the calibration (one run each)" if runs else \
        "parameter sets drawn from the calibration"
    first, last = int(pred["year_from"].min()), int(pred["year_to"].max())
    out = FigureSpec(f"The calibrated model against the observations, {first}-{last}: {draws}", panels,
                     period=val.holdout, period_label="held-out years")
    places = {"national", "border", "china", "Hoeryong", "Hyesan"}
    out.events, out.events_before = number_events([e for e in val.events if e.get("place") in places],
                                                  out.years())
    return out


def title(series: str) -> str:
    """``Title (unit)`` of an observed series."""
    unit = "%" if series in SHARE_SERIES else UNITS.get(series, "").replace(" (national)", "")  # title says whose
    name = TITLES.get(series, series.replace("_", " ").capitalize())
    return f"{name} ({unit})" if unit else name


def _panel(rows: pd.DataFrame, series: str, runs: int | None) -> Panel:
    share = series in SHARE_SERIES
    unit = "%" if share else UNITS.get(series, "")
    p = Panel(title(series), unit, percent=share, log=series in LOG_SERIES,  # the axis keeps "(national)"
              x_range=(float(rows["year_from"].min()), float(rows["year_to"].max()) + 1.0))
    single = rows.loc[rows["year_from"] == rows["year_to"]]
    yearly = single.groupby("year_to")[["p5", "p25", "p50", "p75", "p95"]].median()
    joined = consecutive(yearly.index.to_numpy(int))
    n = int(runs or 0)
    if joined.any():
        full = yearly.loc[joined].reindex(range(int(yearly.index[joined].min()), int(yearly.index[joined].max()) + 1))
        x = full.index.to_numpy(float) + 0.5  # NaN in the years between runs of consecutive years: no line there
        p.bands.append(Band("prediction", x, full["p50"].to_numpy(float), full["p5"].to_numpy(float),
                            full["p95"].to_numpy(float), COLORS["one"], n, coverage="90 %",
                            inner_low=full["p25"].to_numpy(float), inner_high=full["p75"].to_numpy(float),
                            inner_coverage="50 %", runs_word="draws"))
    boxes = pd.concat([rows.loc[rows["year_from"] != rows["year_to"]],
                       single.loc[~single["year_to"].isin(yearly.index[joined])]])
    if len(boxes):
        p.boxes.append(Boxes(f"prediction over the observation's years: 90 % of {n} draws, median" if n else
                             "prediction over the observation's years: 90 %, median",
                             boxes["year_from"].to_numpy(float), boxes["year_to"].to_numpy(float) + 1.0,
                             boxes["p5"].to_numpy(float), boxes["p95"].to_numpy(float),
                             boxes["p50"].to_numpy(float), COLORS["one"]))
    x = (rows["year_from"] + rows["year_to"] + 1).to_numpy(float) / 2
    p.observed.append(Observed("observed", x, rows["low"].to_numpy(float), rows["high"].to_numpy(float)))
    return p


def consecutive(years: np.ndarray) -> np.ndarray:
    """Which of the sorted ``years`` have an observed neighbour (the year before or after): those are joined by a
    line; the others stand alone."""
    years = np.asarray(years, dtype=int)
    before = np.isin(years - 1, years)
    after = np.isin(years + 1, years)
    return before | after
