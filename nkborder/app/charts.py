"""Figures of the page (matplotlib, drawn off-screen): indicators per city over time with the policy events,
a what-if against its baseline with the paired difference, and the policy timeline.

Values are yearly, drawn at mid-year; bands are the 5-95 % range over the replicate runs, the line their median.
Counts are persons per year rescaled to the full population (``*_full``); money is in the unit its name gives.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from nkborder.analysis.plots import draw_band, year_fraction
from nkborder.scenarios import EVENT_KINDS

#: The indicators the page draws: column -> (title, unit).
INDICATORS: dict[str, tuple[str, str]] = {
    "crossings_attempted_full": ("Crossing attempts", "persons / year"),
    "crossings_succeeded_full": ("Successful crossings", "persons / year"),
    "arrests_at_border_full": ("Arrests at the border", "persons / year"),
    "arrivals_south_korea_full": ("Arrivals in South Korea", "persons / year"),
    "market_turnover_kpw_full": ("Market turnover", "KPW / year"),
    "guard_bribes_cny_full": ("Guards' bribe income", "CNY / year"),
    "broker_fee_posted_cny": ("Broker fee (posted)", "CNY per crossing"),
    "broker_commission_share": ("Broker commission on remittances", "share 0-1"),
    "discontent_mean": ("Discontent", "mean, 0-1"),
}
DEFAULT_INDICATORS = tuple(INDICATORS)
COLORS = {"A": "tab:blue", "B": "tab:orange", "diff": "tab:green", "one": "tab:blue", "event": "0.45",
          "observed": "black"}
OBSERVED = "arrivals_south_korea_full"
LABEL_CHARS = 30  # event labels longer than this are cut


def title(indicator: str) -> str:
    """'Title (unit)' of an indicator (its column name if the page does not know it)."""
    name, unit = INDICATORS.get(indicator, (indicator, ""))
    return f"{name} ({unit})" if unit else name


@cache
def observed_arrivals() -> pd.DataFrame:
    """Observed arrivals in South Korea from all of North Korea per year (year, total), without 1998's
    cumulative count."""
    from nkborder.inputs.observed import arrivals_south_korea

    t = arrivals_south_korea()
    return t.loc[~t["cumulative"], ["year", "total"]].reset_index(drop=True)


def _grid(indicators: list[str], cities: list[str], width: float = 5.2) -> tuple[Figure, dict]:
    height = 1.9 * len(indicators) + 0.9
    fig = Figure(figsize=(max(width * len(cities) + 0.6, 9.0), height), dpi=90)
    grid = fig.subplots(len(indicators), len(cities), squeeze=False, sharex=True)
    fig.subplots_adjust(left=0.07, right=0.95, top=1 - 0.75 / height, bottom=0.35 / height, hspace=0.42,
                        wspace=0.22)  # fixed margins: a constrained layout of many axes is slow
    axes = {}
    for i, ind in enumerate(indicators):
        for j, city in enumerate(cities):
            ax = grid[i][j]
            ax.set_title(f"{title(ind)} - {city}", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.25, lw=0.5)
            axes[(ind, city)] = ax
    return fig, axes


def _select(summary: pd.DataFrame, indicator: str, city: str) -> pd.DataFrame:
    if summary is None or summary.empty:
        return pd.DataFrame(columns=["year", "mean", "median", "p5", "p95"])
    rows = summary.loc[(summary["indicator"] == indicator) & (summary["city"] == city)]
    return rows.sort_values("year")


def _events_for(events: list[dict[str, Any]], city: str) -> list[dict[str, Any]]:
    return [e for e in events if e.get("place") in ("national", "border", city)]


def draw_events(ax: Any, events: list[dict[str, Any]], colors: dict[str, str] | None = None,
                label: bool = True) -> None:
    """Shade each event's span (start to end) lightly and mark its start with a dotted line, labelled with the
    event ids when ``label``."""
    if not ax.has_data():
        return
    colors = colors or {e["id"]: COLORS["event"] for e in events}
    lo, hi = ax.get_xlim()
    for e in events:
        if e.get("end"):
            x0 = year_fraction(dt.date.fromisoformat(e["start"]))
            x1 = year_fraction(dt.date.fromisoformat(e["end"]))
            if x1 > lo and x0 < hi:
                ax.axvspan(max(x0, lo), min(x1, hi), color=colors.get(e["id"], COLORS["event"]), alpha=0.07, lw=0)
    at: dict[float, list[str]] = {}  # events starting the same day share one line and one label
    for e in events:
        x = year_fraction(dt.date.fromisoformat(e["start"]))
        if lo <= x <= hi:
            at.setdefault(x, []).append(e["id"])
    for x, ids in at.items():
        color = colors.get(ids[0], COLORS["event"]) if len({colors.get(i) for i in ids}) == 1 else COLORS["event"]
        ax.axvline(x, color=color, lw=0.7, ls=":")
        if label:
            text = ", ".join(ids)
            text = text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"
            ax.text(x, 0.98, text, transform=ax.get_xaxis_transform(), rotation=90, fontsize=5, color=color,
                    ha="right", va="top", clip_on=True)
    ax.set_xlim(lo, hi)


def draw_observed(ax: Any, years: tuple[float, float]) -> None:
    """Observed national arrivals as points on a second y-axis (they count all of North Korea)."""
    obs = observed_arrivals()
    obs = obs.loc[(obs["year"] + 0.5 >= years[0]) & (obs["year"] + 0.5 <= years[1])]
    if obs.empty:
        return
    twin = ax.twinx()
    twin.scatter(obs["year"] + 0.5, obs["total"], s=9, color=COLORS["observed"], zorder=5,
                 label="observed, national (all North Korea; right axis)")
    twin.set_ylim(bottom=0)
    twin.tick_params(labelsize=6)
    twin.set_ylabel("national, observed", fontsize=6)
    twin.legend(fontsize=6, loc="upper right")


def ensemble_figure(result: Any, indicators: list[str] | None = None, observed: bool = True) -> Figure:
    """Median and 5-95 % band of each indicator per city, policy events marked; observed national arrivals
    as points."""
    sc = result.definition["scenarios"][0]
    indicators = _present(result.summary, indicators)
    fig, axes = _grid(indicators, sc["cities"])
    for (ind, city), ax in axes.items():
        band = _select(result.summary, ind, city)
        if band.empty:
            ax.text(0.5, 0.5, "no finished run yet", ha="center", va="center", transform=ax.transAxes, fontsize=8)
            continue
        draw_band(ax, band, COLORS["one"], sc["name"])
        draw_events(ax, _events_for(sc["events"], city), label=ind == indicators[0])
        if observed and ind == OBSERVED:
            draw_observed(ax, ax.get_xlim())
    n = result.n_runs
    fig.suptitle(f"{sc['name']}: {n} run{'s' if n != 1 else ''} (line: median, dashed: mean, band: 5-95 %); "
                 "dotted lines: policy events", fontsize=9)
    return fig


def compare_figures(result: Any, indicators: list[str] | None = None, observed: bool = True
                    ) -> tuple[Figure, Figure]:
    """(levels of baseline A and what-if B per city; paired difference B - A with its 5-95 % band)."""
    sc_a, sc_b = result.definition["scenarios"][:2]
    side_bands = result.tables.get("bands", pd.DataFrame())
    indicators = _present(side_bands if not side_bands.empty else result.summary, indicators)
    ids_a, ids_b = {e["id"] for e in sc_a["events"]}, {e["id"] for e in sc_b["events"]}
    events = list({e["id"]: e for e in [*sc_a["events"], *sc_b["events"]]}.values())
    colors = {e["id"]: COLORS["event"] if e["id"] in ids_a and e["id"] in ids_b
              else COLORS["A" if e["id"] in ids_a else "B"] for e in events}
    cities = [c for c in sc_a["cities"] if c in sc_b["cities"]]
    levels, axes = _grid(indicators, cities, width=4.4)
    for (ind, city), ax in axes.items():
        for side, sc in (("A", sc_a), ("B", sc_b)):
            part = side_bands.loc[side_bands["side"] == side] if not side_bands.empty else side_bands
            band = _select(part, ind, city)
            if not band.empty:
                draw_band(ax, band, COLORS[side], f"{side}: {sc['name']}")
        draw_events(ax, _events_for(events, city), colors, label=ind == indicators[0])
        if observed and ind == OBSERVED and ax.has_data():
            draw_observed(ax, ax.get_xlim())
    first = next(iter(axes.values()))
    if first.has_data():
        first.legend(fontsize=6, loc="upper left")
    levels.suptitle(f"A = {sc_a['name']} (blue) vs B = {sc_b['name']} (orange); events only in A blue, only in "
                    "B orange, in both grey", fontsize=8)
    diff, axes = _grid(indicators, cities, width=4.4)
    for (ind, city), ax in axes.items():
        ax.axhline(0.0, color="black", lw=0.6)
        band = _select(result.summary, ind, city)
        if not band.empty:
            draw_band(ax, band, COLORS["diff"], "B - A")
        draw_events(ax, _events_for(events, city), colors, label=ind == indicators[0])
    diff.suptitle(f"Difference B - A ({sc_b['name']} minus {sc_a['name']}), same seeds on both sides: median and "
                  "5-95 % band", fontsize=8)
    return levels, diff


def _present(summary: pd.DataFrame, indicators: list[str] | None) -> list[str]:
    chosen = list(indicators) if indicators else list(DEFAULT_INDICATORS)
    if summary is None or summary.empty or "indicator" not in summary:
        return chosen
    have = set(summary["indicator"])
    return [i for i in chosen if i in have] or chosen


TIMELINE_ROWS = 60  # events drawn in the timeline figure (the shipped history fits)


def timeline_figure(sc: Any, highlight: str | None = None) -> Figure:
    """The policy timeline on a time axis: one bar per event from start to end (to the run's end if open),
    shaded by intensity relative to the kind's range; fence building (ramp) drawn as a rising wedge.

    At most :data:`TIMELINE_ROWS` events are drawn (the earliest), so the image stays small whatever the file.
    """
    events = sorted(sc.events, key=lambda e: (e.start, e.id))
    shown = f"first {TIMELINE_ROWS} of {len(events)} events; " if len(events) > TIMELINE_ROWS else ""
    events = events[:TIMELINE_ROWS]
    fig = Figure(figsize=(11, 0.28 * max(len(events), 3) + 1.0), layout="constrained", dpi=90)  # one axis: fast
    ax = fig.subplots()
    x_end = year_fraction(sc.end)
    kinds = list(EVENT_KINDS)
    cmap = _kind_colors()
    for i, e in enumerate(events):
        x0 = year_fraction(e.start)
        x1 = year_fraction(e.end) if e.end else x_end
        x1 = max(x1, x0 + 0.08)
        kind = EVENT_KINDS[e.kind]
        rel = (e.level - kind.lo) / (kind.hi - kind.lo) if kind.hi > kind.lo else 1.0
        color = cmap[kinds.index(e.kind) % len(cmap)]
        alpha = 0.35 + 0.6 * max(0.0, min(1.0, rel))
        edge = "red" if e.id == highlight else "none"
        if e.kind == "currency_reform":  # acts on its start day only
            ax.plot([x0], [i], marker="D", ms=7, color=color, alpha=alpha, mec=edge)
        elif e.ramp:
            ax.fill([x0, x1, x1], [i + 0.4, i - 0.4, i + 0.4], color=color, alpha=alpha, ec=edge)
            if not e.end or year_fraction(e.end) < x_end:
                ax.barh(i, x_end - x1, left=x1, height=0.8, color=color, alpha=alpha * 0.6)
        else:
            ax.barh(i, x1 - x0, left=x0, height=0.8, color=color, alpha=alpha, ec=edge, lw=1.2)
        ax.text(x0, i, f" {e.id} ({e.place}, {e.level:g})", va="center", ha="left", fontsize=7)
    ax.set_yticks(range(len(events)), [e.kind for e in events], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(year_fraction(sc.start), x_end + 0.5)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Policy timeline of {sc.name} ({shown}bars from start to end (open events run to {sc.end}); "
                 "darker = stronger; wedge = built up linearly (ramp); diamond = one-day event)", fontsize=8)
    return fig


def _kind_colors() -> list[Any]:
    from matplotlib import colormaps

    return [colormaps["tab20"](i) for i in np.linspace(0, 1, 20)]


def png(fig: Figure, dpi: int = 110) -> bytes:
    """A figure as PNG bytes (for a download)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
