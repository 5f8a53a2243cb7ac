"""Figures of the page, from the shared figure module (:mod:`nkborder.figures`): indicators per city over time with
the numbered policy events, a what-if against its baseline with the paired difference, and the policy timeline.

Each results figure exists twice from one specification: interactive (Plotly, ``*_plotly``, for
``solara.FigurePlotly``) and static (matplotlib, ``*_figure``, for PNG and SVG downloads). Both take ``width``,
the width in pixels at which the figure is shown, so that the text keeps its size. Values are yearly, drawn at
mid-year; bands are the 5-95 % range over the replicate runs, the line their median; counts are persons rescaled
to the full population, money in the unit its name gives, shares in percent.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from nkborder.analysis.plots import compare_specs, ensemble_spec, observed_arrivals
from nkborder.figures import interactive, labels, static, year_fraction
from nkborder.scenarios import EVENT_KINDS

#: The indicators the page offers: column -> (title, unit).
INDICATORS: dict[str, tuple[str, str]] = {
    c: (labels.name(c), labels.unit(c)) for c in (
        "crossings_attempted_full", "crossings_succeeded_full", "arrests_at_border_full",
        "arrivals_south_korea_full", "in_china_full", "market_turnover_kpw_full", "guard_bribes_cny_full",
        "broker_fee_posted_cny", "broker_commission_share", "discontent_mean")
}
DEFAULT_INDICATORS = tuple(c for c in INDICATORS if c != "in_china_full")
OBSERVED = "arrivals_south_korea_full"
__all__ = ["DEFAULT_INDICATORS", "INDICATORS", "compare_figures", "compare_plotly", "ensemble_figure",
           "ensemble_plotly", "observed_arrivals", "png", "svg", "timeline_figure", "title"]


def title(indicator: str) -> str:
    """'Title (unit)' of an indicator, in plain words."""
    return labels.title(indicator)


def _chosen(indicators: list[str] | None) -> list[str]:
    return list(indicators) if indicators else list(DEFAULT_INDICATORS)


def ensemble_figure(result: Any, indicators: list[str] | None = None, observed: bool = True,
                    width: int | None = None) -> Figure:
    """Median and 5-95 % band of each indicator per city, numbered policy events with their key; observed
    national arrivals on a second axis (static, ``width`` pixels wide)."""
    return static.render(ensemble_spec(result, _chosen(indicators), observed), width)


def ensemble_plotly(result: Any, indicators: list[str] | None = None, observed: bool = True,
                    width: int | None = None) -> Any:
    """The same figure as :func:`ensemble_figure`, interactive (a Plotly figure ``width`` pixels wide)."""
    return interactive.render(ensemble_spec(result, _chosen(indicators), observed), width)


def compare_figures(result: Any, indicators: list[str] | None = None, observed: bool = True,
                    width: int | None = None, period: tuple[int, int] | None = None) -> tuple[Figure, Figure]:
    """(levels of baseline A and what-if B per city; paired difference B - A), static, ``width`` pixels wide each;
    the comparison period (``period`` or the comparison's own) shaded and summed in the difference's titles.
    ``observed`` is accepted for symmetry with :func:`ensemble_figure` (a comparison shows no observations)."""
    levels, diff = compare_specs(result, _chosen(indicators), period)
    return static.render(levels, width), static.render(diff, width)


def compare_plotly(result: Any, indicators: list[str] | None = None, width: int | None = None,
                   period: tuple[int, int] | None = None) -> tuple[Any, Any]:
    """The figures of :func:`compare_figures`, interactive (Plotly)."""
    levels, diff = compare_specs(result, _chosen(indicators), period)
    return interactive.render(levels, width), interactive.render(diff, width)


TIMELINE_ROWS = 60  # events drawn in the timeline figure (the shipped history fits)


def timeline_figure(sc: Any, highlight: str | None = None, width: int | None = None) -> Figure:
    """The policy timeline on a time axis: one bar per event from start to end (to the run's end if open),
    shaded by intensity relative to the kind's range; fence building (ramp) drawn as a rising wedge.

    At most :data:`TIMELINE_ROWS` events are drawn (the earliest), so the image stays small whatever the file.
    """
    events = sorted(sc.events, key=lambda e: (e.start, e.id))
    shown = f"first {TIMELINE_ROWS} of {len(events)} events; " if len(events) > TIMELINE_ROWS else ""
    events = events[:TIMELINE_ROWS]
    dpi = 90
    fig = Figure(figsize=((width or 990) / dpi, 0.28 * max(len(events), 3) + 1.0), layout="constrained",
                 dpi=dpi)  # one axis: fast
    ax = fig.subplots()
    x_start, x_end = year_fraction(sc.start), year_fraction(sc.end)
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
        late = x0 > x_start + 0.7 * (x_end - x_start)  # label left of a late bar, so it stays inside the axis
        ax.text(x0, i, f" {e.id} ({e.place}, {e.level:g}) " if late else f" {e.id} ({e.place}, {e.level:g})",
                va="center", ha="right" if late else "left", fontsize=7)
    ax.set_yticks(range(len(events)), [labels.event_kind(e.kind) for e in events], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(year_fraction(sc.start), x_end + 0.5)
    static.year_ticks(ax, (year_fraction(sc.start), x_end + 0.5), (fig.get_figwidth() - 2.5), show=True)
    ax.grid(axis="x", alpha=0.3)
    text = (f"Policy timeline of {sc.name} ({shown}bars from start to end (open events run to {sc.end}); "
            "darker = stronger; wedge = built up linearly (ramp); diamond = one-day event)")
    ax.set_title(textwrap.fill(text, int((fig.get_figwidth() - 3.0) * 72 / (8 * 0.6))), fontsize=8)  # over the axis
    return fig


def _kind_colors() -> list[Any]:
    from matplotlib import colormaps

    return [colormaps["tab20"](i) for i in np.linspace(0, 1, 20)]


def png(fig: Figure, dpi: int | None = None) -> bytes:
    """A figure as PNG bytes (for a download), at its own resolution unless ``dpi`` is given."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
    return buf.getvalue()


def svg(fig: Figure) -> bytes:
    """A figure as SVG bytes (for a download)."""
    return static.to_bytes(fig, "svg")
