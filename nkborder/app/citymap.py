"""A schematic map of a border city (NOT geography): districts, the market, the river and its guarded sectors,
guard posts, fences and the buffer zone, with crossing attempts, arrests or smuggling per sector as colour.

What is drawn comes from the model, not from a map:

- the number of river sectors is the model's (``border_km_<city>`` / ``sector_km``, rounded up), and so is the
  number of guard slots per sector (``m_per_guard``);
- fences (built up linearly while the ``fences`` event ramps), the buffer zone and the border closure are the
  policy levers of the scenario on the chosen month (:func:`nkborder.model.policy.policy_levers`);
- the engine records crossings, arrests and smuggling per city and month only. It draws the sector of every
  crossing and smuggling trip uniformly at random, so the map splits each month's simulated city count over
  the sectors with that same rule (one multinomial draw with equal shares, or the expected equal split), and
  rescales to the full population. The colours per sector are therefore a split made here, and say so.
- districts are boxes: the model has no districts; they are shaded by the city's mean discontent, and the
  market by its turnover relative to the run's maximum.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle

from nkborder.scenarios import Scenario

#: Map metrics: monthly column of simulated persons -> label.
METRICS: dict[str, str] = {
    "crossings_attempted": "crossing attempts",
    "arrests_at_border": "arrests at the border",
    "smuggling_trips": "smuggling trips",
    "smuggling_arrests": "smugglers arrested",
}
RIVERS = {"Hoeryong": "Tumen River", "Hyesan": "Yalu (Amnok) River"}
DISTRICTS = 8  # boxes standing for residential districts (the model has none)
LABEL = "SCHEMATIC, NOT GEOGRAPHY"


def n_sectors(params: Any, city: str) -> int:
    """River sectors of ``city`` as the model builds them."""
    from nkborder.model.population import border_km

    return max(1, math.ceil(border_km(params, city) / params.sector_km))


def guards_per_sector(params: Any, city: str) -> int:
    """Guard slots per sector at full scale (one guard per ``m_per_guard`` metres of river)."""
    from nkborder.model.population import border_km

    n = n_sectors(params, city)
    return max(1, math.ceil(border_km(params, city) * 1000.0 / params.m_per_guard / n))


def levers_on(sc: Scenario, day: dt.date) -> dict[str, dict[str, float]]:
    """Fence, buffer zone, closure, crackdown and trade control levels per city on ``day`` (0-1)."""
    from nkborder.model.policy import policy_levers

    levers = policy_levers(sc)
    i = int(np.clip((day - sc.start).days, 0, next(iter(levers.values())).shape[0] - 1))
    keys = ("fence", "buffer", "closure", "crackdown", "trade_control")
    return {city: {k: float(levers[k][i, c]) for k in keys} for c, city in enumerate(sc.cities)}


def sector_values(monthly: pd.DataFrame, city: str, metric: str, n: int, mode: str = "draw", seed: int = 0
                  ) -> tuple[list[pd.Timestamp], np.ndarray]:
    """Per-sector values (full population) per month for one city: (months, array [month, sector]).

    ``mode="draw"`` splits each month's simulated count (rounded mean over runs) with one multinomial draw
    of equal shares, as the engine assigns sectors; ``mode="expected"`` gives every sector count / n.
    """
    rows = monthly.loc[monthly["city"] == city].sort_values("date")
    months = list(pd.to_datetime(rows["date"]))
    raw = rows[metric].to_numpy(float) if metric in rows else np.zeros(len(rows))
    full_col = f"{metric}_full"
    full = rows[full_col].to_numpy(float) if full_col in rows else raw
    factor = np.divide(full, raw, out=np.zeros_like(full), where=raw > 0)
    if mode == "expected":
        return months, np.repeat((full / n)[:, None], n, axis=1)
    rng = np.random.default_rng([seed, sum(map(ord, city)), sum(map(ord, metric))])
    raw = np.nan_to_num(raw)
    counts = np.array([rng.multinomial(round(v), np.full(n, 1.0 / n)) for v in raw]).reshape(len(raw), n)
    return months, counts * factor[:, None]


def city_figure(
    sc: Scenario, params: Any, monthly: pd.DataFrame, city: str, metric: str, month_index: int,
    mode: str = "draw",
) -> Figure:
    """The schematic map of ``city`` on month ``month_index`` of ``monthly`` (mean monthly table of the runs)."""
    n = n_sectors(params, city)
    months, values = sector_values(monthly, city, metric, n, mode)
    fig = Figure(figsize=(10.5, 6.2), layout="constrained", dpi=90)
    ax = fig.subplots()
    ax.set_xlim(0, 100)
    ax.set_ylim(-6, 64)
    ax.set_aspect("auto")
    ax.axis("off")
    if not months:
        ax.text(50, 30, "no monthly results for this city yet: run the scenario first", ha="center", fontsize=11)
        return fig
    k = int(np.clip(month_index, 0, len(months) - 1))
    day = months[k].date()
    rows = monthly.loc[monthly["city"] == city].sort_values("date")
    row = rows.iloc[k]
    lever = levers_on(sc, day).get(city, {})
    vmax = max(float(values.max()), 1.0)
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    cmap, norm = colormaps["YlOrRd"], Normalize(0, vmax)

    # China, the river, the North Korean bank
    ax.add_patch(Rectangle((0, 50), 100, 14, color="#eef3e6", lw=0))
    ax.text(50, 60.5, "China", ha="center", fontsize=11, color="0.35")
    xs = np.linspace(0, 100, 200)
    top, bottom = 49 + 1.2 * np.sin(xs / 7.0), 43 + 1.2 * np.sin(xs / 7.0 + 0.6)
    ax.add_patch(Polygon(np.c_[np.r_[xs, xs[::-1]], np.r_[top, bottom[::-1]]], color="#9cc7e8", lw=0))
    ax.text(50, 45.6, RIVERS.get(city, "river"), ha="center", fontsize=9, color="#1f4e79", style="italic")

    # sectors on the bank, coloured by the metric
    x0, width = 2.0, 96.0 / n
    for s in range(n):
        xa = x0 + s * width
        ax.add_patch(Rectangle((xa, 38.2), width * 0.96, 4.2, color=cmap(norm(values[k, s])), ec="0.4", lw=0.4))
        if n <= 30:
            ax.text(xa + width * 0.48, 40.3, str(s + 1), ha="center", va="center", fontsize=6)
        # guard post of the sector
        ax.add_patch(Polygon([[xa + width * 0.38, 35.6], [xa + width * 0.58, 35.6], [xa + width * 0.48, 37.6]],
                             color="#2f4f2f", lw=0))
    # fences: built from the ends inwards as the fence lever grows; buffer zone behind them
    fence = lever.get("fence", 0.0)
    if fence > 0:
        built = 96.0 * fence
        ax.plot([2, 2 + built], [37.9, 37.9], color="black", lw=2.2, solid_capstyle="butt")
        ax.plot(np.arange(2, 2 + built, 1.5), np.full(len(np.arange(2, 2 + built, 1.5)), 37.9), "k|", ms=5)
    if lever.get("buffer", 0.0) > 0:
        ax.add_patch(Rectangle((2, 31.2), 96, 3.4, facecolor="none", hatch="////", ec="#b22222", lw=0.6))
        ax.text(97.5, 32.9, "buffer zone", ha="right", va="center", fontsize=7, color="#b22222",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    if lever.get("closure", 0.0) > 0:
        ax.text(50, 52.2, "border sealed (closure)", ha="center", fontsize=8, color="#b22222", weight="bold")

    # city: districts shaded by discontent, market by turnover
    disc = float(row.get("discontent_mean", np.nan))
    dcol = colormaps["Purples"](0.15 + 0.75 * (0.0 if np.isnan(disc) else min(max(disc, 0.0), 1.0)))
    for d in range(DISTRICTS):
        col, line = d % 4, d // 4
        bx, by = 6 + col * 23, 11.5 - line * 11.5
        ax.add_patch(FancyBboxPatch((bx, by), 19, 8.5, boxstyle="round,pad=0.3", color=dcol, ec="0.5", lw=0.5))
        ax.text(bx + 9.5, by + 7.2, f"district {d + 1}", ha="center", fontsize=6, color="0.2")
    turnover = rows["market_turnover_kpw_full"].to_numpy(float) if "market_turnover_kpw_full" in rows else None
    share = 0.0
    if turnover is not None and np.nanmax(turnover) > 0:
        share = float(turnover[k] / np.nanmax(turnover))
    ax.add_patch(FancyBboxPatch((36, 23.2), 28, 5.0, boxstyle="round,pad=0.3", color=colormaps["Greens"](
        0.2 + 0.7 * share), ec="0.3", lw=0.8))
    ax.text(50, 25.7, f"market (jangmadang): turnover {share:.0%} of peak", ha="center", va="center", fontsize=7,
            color="white" if share > 0.6 else "black")
    ax.text(2, -4.5, f"districts shaded by the city's mean discontent ({disc:.2f}); the model has no districts",
            fontsize=6.5, color="0.3")
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="^", ls="", color="#2f4f2f", label=f"guard post ({guards_per_sector(params, city)} "
               "guards per sector, full scale)"),
        Line2D([], [], color="black", lw=2.2, label="fence (share built)"),
        Rectangle((0, 0), 1, 1, facecolor="none", hatch="////", ec="#b22222", label="buffer zone"),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=6.5, framealpha=0.9, bbox_to_anchor=(1.0, -0.02))

    # legend, colour bar, labels
    from matplotlib.cm import ScalarMappable

    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.025, pad=0.01)
    bar.set_label(f"{METRICS.get(metric, metric)} per sector and month (full population)", fontsize=7)
    bar.ax.tick_params(labelsize=7)
    total = float(values[k].sum())
    how = "one random split" if mode == "draw" else "expected equal split"
    ax.set_title(f"{city}, {day:%B %Y}: {METRICS.get(metric, metric)} {total:,.0f} in {n} river sectors "
                 f"({how}); fences {fence:.0%} built", fontsize=8.5)
    ax.text(99.5, 63, LABEL, ha="right", va="top", fontsize=12, weight="bold", color="#b22222",
            bbox={"facecolor": "white", "edgecolor": "#b22222", "boxstyle": "round,pad=0.3"})
    ax.text(0.5, 63, "sector colour: the engine records city totals only and picks each crossing's sector at "
            "random;\nthe app splits the month's count over the sectors the same way", fontsize=6.5, va="top",
            color="0.25")
    return fig
