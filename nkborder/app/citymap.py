"""A schematic map of a border city (NOT geography): districts, the market, the river and its guarded sectors,
guard posts, fences and the buffer zone, with crossing attempts, arrests, smuggling or bribes per sector as colour.

What is drawn comes from the model, not from a map:

- the river sectors are the model's (``border_km_<city>`` / ``sector_km``, rounded up), and their colours are the
  engine's per-sector records (``result.sectors``, mean over the runs, rescaled to the full population);
- the districts are the model's (``districts``), each drawn along the stretch of river it faces in the model,
  shaded by its residents' mean discontent at the end of the year (``result.districts``);
- the guard posts per sector follow ``m_per_guard``; the ``guard_posts`` and ``troops`` levers, fences (built up
  while the ``fences`` event ramps), the buffer zone and the border closure are the scenario's policy levers on the
  chosen month (:func:`nkborder.model.policy.policy_levers`);
- the market is shaded by its turnover relative to the run's maximum.
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

#: Map metrics: per-sector column -> label.
METRICS: dict[str, str] = {
    "crossings_attempted": "crossing attempts",
    "crossings_succeeded": "crossings that reached China",
    "arrests_at_border": "arrests at the border",
    "smuggling_trips": "smuggling trips",
    "smuggling_arrests": "smugglers arrested",
    "guard_bribes_cny": "guards' bribes and cuts (CNY)",
}
RIVERS = {"Hoeryong": "Tumen River", "Hyesan": "Yalu (Amnok) River"}
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
    """Fence, buffer zone, closure, crackdown, trade control (0-1), guard posts and troops (x before) per city."""
    from nkborder.model.policy import policy_levers

    levers = policy_levers(sc)
    i = int(np.clip((day - sc.start).days, 0, next(iter(levers.values())).shape[0] - 1))
    keys = ("fence", "buffer", "closure", "crackdown", "trade_control", "posts", "troops")
    return {city: {k: float(levers[k][i, c]) for k in keys} for c, city in enumerate(sc.cities)}


def sector_values(sectors: pd.DataFrame, city: str, metric: str, n: int) -> tuple[list[pd.Timestamp], np.ndarray]:
    """Per-sector values (full population) per month for one city: (months, array [month, sector]).

    ``sectors`` is a per-sector table (``result.sectors`` or its mean over runs); sectors without a row are 0.
    """
    rows = sectors.loc[sectors["city"] == city] if not sectors.empty else sectors
    if rows.empty:
        return [], np.zeros((0, n))
    column = f"{metric}_full" if f"{metric}_full" in rows else metric
    table = rows.pivot_table(index="date", columns="sector", values=column, aggfunc="mean").sort_index()
    table = table.reindex(columns=range(n), fill_value=0.0).fillna(0.0)
    return list(pd.to_datetime(table.index)), table.to_numpy(float)


def district_values(districts: pd.DataFrame, city: str, year: int, column: str = "discontent_mean") -> np.ndarray:
    """``column`` per district of ``city`` at the end of ``year`` (the latest earlier year if ``year`` has none)."""
    if districts.empty:
        return np.zeros(0)
    rows = districts.loc[(districts["city"] == city) & (districts["year"] <= year)]
    if rows.empty:
        rows = districts.loc[districts["city"] == city]
        year = int(rows["year"].min())
    else:
        year = int(rows["year"].max())
    rows = rows.loc[rows["year"] == year].groupby("district")[column].mean()
    return rows.reindex(range(int(rows.index.max()) + 1)).to_numpy(float)


def city_figure(
    sc: Scenario, params: Any, monthly: pd.DataFrame, sectors: pd.DataFrame, districts: pd.DataFrame, city: str,
    metric: str, month_index: int,
) -> Figure:
    """The schematic map of ``city`` on month ``month_index`` (tables: means over the runs of one scenario)."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    n = n_sectors(params, city)
    months, values = sector_values(sectors, city, metric, n)
    fig = Figure(figsize=(10.5, 6.2), layout="constrained", dpi=90)
    ax = fig.subplots()
    ax.set_xlim(0, 100)
    ax.set_ylim(-6, 64)
    ax.axis("off")
    if not months:
        has_city = not monthly.empty and (monthly["city"] == city).any()
        ax.text(50, 30, "this result has no per-sector records (stored by an older nkborder): run it again"
                if has_city else "no results for this city yet: run the scenario first", ha="center", fontsize=11)
        return fig
    k = int(np.clip(month_index, 0, len(months) - 1))
    day = months[k].date()
    lever = levers_on(sc, day).get(city, {})
    vmax = max(float(values.max()), 1.0)
    cmap, norm = colormaps["YlOrRd"], Normalize(0, vmax)

    # China, the river, the North Korean bank
    ax.add_patch(Rectangle((0, 50), 100, 14, color="#eef3e6", lw=0))
    ax.text(50, 60.5, "China", ha="center", fontsize=11, color="0.35")
    xs = np.linspace(0, 100, 200)
    top, bottom = 49 + 1.2 * np.sin(xs / 7.0), 43 + 1.2 * np.sin(xs / 7.0 + 0.6)
    ax.add_patch(Polygon(np.c_[np.r_[xs, xs[::-1]], np.r_[top, bottom[::-1]]], color="#9cc7e8", lw=0))
    ax.text(50, 45.6, RIVERS.get(city, "river"), ha="center", fontsize=9, color="#1f4e79", style="italic")

    # sectors on the bank, coloured by the metric, each with its guard post (more triangles: more posts)
    x0, width = 2.0, 96.0 / n
    posts = lever.get("posts", 1.0)
    marks = 1 if posts < 2 else 2 if posts < 8 else 3
    for s in range(n):
        xa = x0 + s * width
        ax.add_patch(Rectangle((xa, 38.2), width * 0.96, 4.2, color=cmap(norm(values[k, s])), ec="0.4", lw=0.4))
        if n <= 30:
            ax.text(xa + width * 0.48, 40.3, str(s + 1), ha="center", va="center", fontsize=6)
        for j in range(marks):
            cx = xa + width * (j + 1) / (marks + 1)
            ax.add_patch(Polygon([[cx - 0.5, 35.6], [cx + 0.5, 35.6], [cx, 37.4]], color="#2f4f2f", lw=0))
    fence = lever.get("fence", 0.0)
    if fence > 0:
        built = 96.0 * fence
        ax.plot([2, 2 + built], [37.9, 37.9], color="black", lw=2.2, solid_capstyle="butt")
        ticks = np.arange(2, 2 + built, 1.5)
        ax.plot(ticks, np.full(len(ticks), 37.9), "k|", ms=5)
    if lever.get("buffer", 0.0) > 0:
        ax.add_patch(Rectangle((2, 31.2), 96, 3.4, facecolor="none", hatch="////", ec="#b22222", lw=0.6))
        ax.text(97.5, 32.9, "buffer zone", ha="right", va="center", fontsize=7, color="#b22222",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    if lever.get("closure", 0.0) > 0:
        ax.text(50, 52.2, "border sealed (closure)", ha="center", fontsize=8, color="#b22222", weight="bold")

    # districts along the stretch of river each faces, shaded by its residents' discontent at the year's end
    disc = district_values(districts, city, day.year)
    n_d = len(disc)
    dmap = colormaps["Purples"]
    for d in range(n_d):
        lo = d * n // n_d
        hi = max(lo + 1, (d + 1) * n // n_d)
        xa, xb = x0 + lo * width, x0 + hi * width
        level = 0.0 if np.isnan(disc[d]) else float(np.clip(disc[d], 0.0, 1.0))
        ax.add_patch(FancyBboxPatch((xa + 0.4, 14.0), xb - xa - 0.8, 13.5, boxstyle="round,pad=0.2",
                                    color=dmap(0.15 + 0.75 * level), ec="0.5", lw=0.5))
        ax.text((xa + xb) / 2, 24.5, f"district {d + 1}", ha="center", fontsize=6, color="0.15")
        ax.text((xa + xb) / 2, 16.0, "-" if np.isnan(disc[d]) else f"{disc[d]:.2f}", ha="center", fontsize=6,
                color="white" if level > 0.55 else "0.15")
    rows = monthly.loc[monthly["city"] == city].sort_values("date") if not monthly.empty else monthly
    share = 0.0
    if "market_turnover_kpw_full" in rows and len(rows):
        turnover = rows["market_turnover_kpw_full"].to_numpy(float)
        at = pd.to_datetime(rows["date"]).searchsorted(pd.Timestamp(day))
        if np.nanmax(turnover) > 0 and at < len(turnover):
            share = float(turnover[at] / np.nanmax(turnover))
    ax.add_patch(FancyBboxPatch((36, 4.0), 28, 5.0, boxstyle="round,pad=0.3",
                                color=colormaps["Greens"](0.2 + 0.7 * share), ec="0.3", lw=0.8))
    ax.text(50, 6.5, f"market (jangmadang): turnover {share:.0%} of peak", ha="center", va="center", fontsize=7,
            color="white" if share > 0.6 else "black")
    ax.text(2, -4.5, f"districts: residents' mean discontent (0-1) at the end of {day.year}; each is drawn along "
            "the stretch of river its people usually use", fontsize=6.5, color="0.3")
    handles = [
        Line2D([], [], marker="^", ls="", color="#2f4f2f", label=f"guard posts: x{posts:.1f} of 2019, "
               f"{guards_per_sector(params, city)} guards per sector at full scale"),
        Line2D([], [], color="black", lw=2.2, label="fence (share built)"),
        Rectangle((0, 0), 1, 1, facecolor="none", hatch="////", ec="#b22222", label="buffer zone"),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=6.5, framealpha=0.9, bbox_to_anchor=(1.0, -0.02))
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, fraction=0.025, pad=0.01)
    bar.set_label(f"{METRICS.get(metric, metric)} per sector and month (full population)", fontsize=7)
    bar.ax.tick_params(labelsize=7)
    total = float(values[k].sum())
    ax.set_title(f"{city}, {day:%B %Y}: {METRICS.get(metric, metric)} {total:,.0f} in {n} river sectors; "
                 f"fences {fence:.0%} built", fontsize=8.5)
    ax.text(99.5, 63, LABEL, ha="right", va="top", fontsize=12, weight="bold", color="#b22222",
            bbox={"facecolor": "white", "edgecolor": "#b22222", "boxstyle": "round,pad=0.3"})
    ax.text(0.5, 63, "sector colour: the engine's per-sector records, mean over the runs,\nrescaled to the full "
            "population", fontsize=6.5, va="top", color="0.25")
    return fig
