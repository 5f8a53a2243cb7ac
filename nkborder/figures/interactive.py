"""The interactive renderer: a :class:`~nkborder.figures.spec.FigureSpec` as a Plotly figure (hover, zoom,
legend toggling), for the app (``solara.FigurePlotly``).

It draws what the static renderer draws: the same titles, units, whole-year ticks, shaded period, legend entries
(a band and its median toggle together) and the numbered event strip, whose numbers show the event on hover; the
key is printed under the figure. When panels have x ranges of their own (``Panel.x_range``), each panel is drawn
over its own years, with its own strip of the events inside them under it (none if no event falls in them) and
its year ticks under that strip; zooming a panel zooms its strip.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from nkborder.figures.spec import COLORS, Event, FigureSpec, Observed, Panel, events_for, strip_levels, year_step

if TYPE_CHECKING:
    import plotly.graph_objects as go

PANEL_PX = 190
GAP_PX = 48
STRIP_GAP_PX = 14  # between the last row of panels and the event strip (no title there)
STRIP_PX = 26
TICK_PX = 20  # year tick labels under a panel or strip of its own years
FONT_PX = 12
MODEBAR_PX = 30  # the toolbar's row at the top right: the title starts below it, so a long title never runs under it
TITLE_TOP_PX = MODEBAR_PX + 4  # the top of the title's first line
TITLE_ANCHOR_PX = TITLE_TOP_PX + 14  # Plotly draws a title anchored at its top (yanchor) about 14 px higher
DEFAULT_WIDTH = 1000


def render(spec: FigureSpec, width_px: int | None = None) -> go.Figure:
    """Draw ``spec`` as a Plotly figure ``width_px`` pixels wide (default 1000)."""
    from plotly.subplots import make_subplots

    width = width_px or DEFAULT_WIDTH
    ncols = max(len(r) for r in spec.panels)
    own_x = any(p.x_range for p in spec.all_panels())  # each panel its own years, strip and ticks
    has_right = any(p.right for p in spec.all_panels())
    col_px = (width - 90 - (ncols - 1) * (90 + (90 if has_right else 0))) / ncols
    strips, strip_rows = _strips(spec, width / ncols, own_x)
    extra = max(_title(p, col_px).count("<br>") for p in spec.all_panels())
    gap = GAP_PX + 17 * extra
    grid = _grid(spec, own_x, gap, STRIP_PX * strip_rows + 10)
    title_lines = wrap_px(spec.title, width - 40, FONT_PX + 3)
    warn_lines = [ln for w in spec.warnings() for ln in wrap_px(w, width - 40, FONT_PX)]
    legend_rows = _legend_rows(_legend_names(spec), width - 90)
    key_lines = _key_lines(spec, width - 90)
    title_px = TITLE_TOP_PX + 8 + 22 * len(title_lines) + 17 * len(warn_lines)
    top = title_px + 21 * legend_rows + gap
    bottom = 40 + (17 * len(key_lines) + 10 if key_lines else 0)
    plot_h = sum(r.gap + r.height for r in grid)
    height = top + plot_h + bottom
    fig = make_subplots(rows=len(grid), cols=ncols, shared_xaxes=not own_x, row_heights=[r.height for r in grid],
                        vertical_spacing=0.01, horizontal_spacing=min(0.3, (90 + (90 if has_right else 0)) / width),
                        specs=[[{"secondary_y": has_right}] * ncols for _ in grid])
    batch = _Batch(fig)
    _place_rows(batch, spec, grid, plot_h, col_px)
    for r, row in enumerate(grid, start=1):
        for j in range(ncols):
            if row.kind == "panel" and j < len(spec.panels[row.panel]):
                _panel(batch, spec.panels[row.panel][j], spec, r, j + 1)
            elif row.kind == "strip" and (row.panel, j) in strips:
                shown, levels = strips[row.panel, j]
                _strip(batch, spec, shown, levels, r, j + 1, strip_rows)
    _legend_only(batch, spec)
    if key_lines:
        batch.annotations.append({"text": "<br>".join(key_lines), "xref": "paper", "yref": "paper", "x": 0.0, "y": 0.0,
                                  "yshift": -30, "xanchor": "left", "yanchor": "top", "showarrow": False,
                                  "align": "left", "font": {"size": FONT_PX - 1}})
    batch.draw()
    _year_axes(fig, spec, grid, strips, own_x, width / ncols / 100)
    title = "<br>".join(title_lines) + "".join(
        f"<br><span style='font-size:{FONT_PX}px;color:#b35900'>{w}</span>" for w in warn_lines)
    fig.update_layout(
        title={"text": title, "x": 0.5, "xanchor": "center", "y": 1 - TITLE_ANCHOR_PX / height, "yanchor": "top",
               "yref": "container", "font": {"size": FONT_PX + 3}},
        width=width, height=height, template="plotly_white", font={"size": FONT_PX},
        margin={"l": 70, "r": 70 if has_right else 20, "t": top, "b": bottom},
        legend={"orientation": "h", "yanchor": "top", "y": 1 - (title_px + 4) / height, "yref": "container",
                "x": 0.0, "font": {"size": FONT_PX - 1}},
        hovermode="x unified",
        modebar={"remove": ["lasso2d", "select2d"]},  # no selections on these charts: a shorter toolbar
    )
    return fig


#: The events of each event strip and the strip row of each, keyed by (panel row or -1, column).
_Strips = dict[tuple[int, int], tuple[list[Event], list[int]]]


@dataclass(frozen=True)
class _Row:
    """A row of the subplot grid: a row of panels or an event strip (under the panel row ``panel``, or under
    all of them: -1), ``height`` pixels high, ``gap`` pixels below the row above."""

    kind: str
    panel: int
    height: int
    gap: int


def _grid(spec: FigureSpec, own_x: bool, gap: int, strip_px: int) -> list[_Row]:
    """The rows of the figure: the panel rows, then one event strip under them all; or, when panels have their
    own years, an event strip under each panel row, with room for the year ticks under it."""
    rows = []
    for i in range(len(spec.panels)):
        rows.append(_Row("panel", i, PANEL_PX, 0 if i == 0 else gap + (TICK_PX if own_x else 0)))
        if own_x and spec.events:
            rows.append(_Row("strip", i, strip_px, STRIP_GAP_PX))
    if not own_x and spec.events:
        rows.append(_Row("strip", -1, strip_px, STRIP_GAP_PX))
    return rows


def _strips(spec: FigureSpec, col_px: float, own_x: bool) -> tuple[_Strips, int]:
    """The events of each strip and their rows (0 = top), keyed by (panel row, column), the panel row being -1
    for the strip under all panel rows; and the number of rows every strip has. With panels' own years, a
    panel's strip holds the events inside them (none: no strip)."""
    out: _Strips = {}
    if not spec.events:
        return out, 0
    if not own_x:
        levels = dict(zip((e.number for e in spec.events),
                          strip_levels([e.x for e in spec.events], _strip_gap(spec.years(), col_px)), strict=True))
        for j in range(max(len(r) for r in spec.panels)):
            place = next((r[j].place for r in spec.panels if j < len(r)), None)
            shown = events_for(spec.events, place)
            out[-1, j] = shown, [levels[e.number] for e in shown]
        return out, max(levels.values()) + 1
    for i, row in enumerate(spec.panels):
        for j, p in enumerate(row):
            lo, hi = p.x_range or spec.years()
            shown = [e for e in events_for(spec.events, p.place) if lo <= e.x <= hi]
            if shown:
                out[i, j] = shown, strip_levels([e.x for e in shown], _strip_gap((lo, hi), col_px))
    return out, max((level + 1 for _, levels in out.values() for level in levels), default=1)


def _strip_gap(years: tuple[float, float], col_px: float) -> float:
    """The least distance in years between two event numbers on one strip row (a number is about 24 px wide)."""
    return (years[1] - years[0]) * 24 / max(col_px - 90, 50)


def _year_axes(fig: go.Figure, spec: FigureSpec, grid: list[_Row],
               strips: _Strips, own_x: bool, col_in: float) -> None:
    """Whole-year x axes: the figure's years on every axis, or each panel's own years on it and on its strip,
    whose year ticks are labelled under the strip (under the panel if it has no strip)."""
    style = {"tick0": 0, "tickformat": "d", "showgrid": True, "gridcolor": "#eee"}
    if not own_x:
        x_lo, x_hi = spec.years()
        fig.update_xaxes(range=[x_lo, x_hi], dtick=year_step(x_hi - x_lo, col_in), **style)
        return
    for r, row in enumerate(grid, start=1):
        for j, p in enumerate(spec.panels[row.panel]):
            years = p.x_range or spec.years()
            axis = {"range": list(years), "dtick": year_step(years[1] - years[0], col_in), **style}
            sub = fig.get_subplot(r, j + 1)
            if row.kind == "panel":
                sub.xaxis.update(showticklabels=(row.panel, j) not in strips, **axis)
            elif (row.panel, j) in strips:
                panel_axis = fig.get_subplot(r - 1, j + 1).xaxis.plotly_name.replace("axis", "")
                sub.xaxis.update(matches=panel_axis, showticklabels=True, **axis)
            else:  # no event inside the panel's years
                sub.xaxis.update(visible=False, **axis)
                sub.yaxis.update(visible=False)


def _place_rows(batch: _Batch, spec: FigureSpec, grid: list[_Row], plot_h: int, col_px: float) -> None:
    """Set each row's vertical place in pixels (a panel title's room above each panel, an event strip close
    under its panels) and write the panel titles above their panels."""
    ncols = max(len(r) for r in spec.panels)
    y = 0.0
    for r, row in enumerate(grid):
        y += row.gap
        domain = [1 - (y + row.height) / plot_h, 1 - y / plot_h]
        for c in range(ncols):
            sub = batch.fig.get_subplot(r + 1, c + 1)
            sub.yaxis.domain = [max(0.0, domain[0]), min(1.0, domain[1])]
            if row.kind == "panel" and c < len(spec.panels[row.panel]):
                x0, x1 = sub.xaxis.domain
                batch.annotations.append({"text": _title(spec.panels[row.panel][c], col_px), "xref": "paper",
                                          "yref": "paper", "x": (x0 + x1) / 2, "y": domain[1], "yshift": 4,
                                          "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                                          "font": {"size": FONT_PX + 1}})
        y += row.height


class _Batch:
    """Traces and shapes collected and added to the figure at once: Plotly re-validates every shape and trace
    already there on each single addition, which makes a figure of hundreds of shapes take minutes."""

    def __init__(self, fig: go.Figure) -> None:
        self.fig = fig
        self.traces: list[tuple[Any, int, int, bool]] = []
        self.shapes: list[dict[str, Any]] = []
        self.annotations: list[dict[str, Any]] = []
        self.shown: set[str] = set()

    def trace(self, trace: Any, row: int, col: int, right: bool = False) -> None:
        """Add ``trace`` to the subplot at ``row``, ``col`` (on its second y axis if ``right``)."""
        self.traces.append((trace, row, col, right))

    def first(self, label: str) -> bool:
        """True the first time a legend label is asked for (later traces of it stay out of the legend)."""
        if label in self.shown:
            return False
        self.shown.add(label)
        return True

    def refs(self, row: int, col: int) -> tuple[str, str]:
        """The (x, y) axis references of a subplot, e.g. ``("x3", "y5")``."""
        sub = self.fig.get_subplot(row, col)
        return sub.xaxis.plotly_name.replace("axis", ""), sub.yaxis.plotly_name.replace("axis", "")

    def vspan(self, row: int, col: int, x0: float, x1: float, color: str) -> None:
        """A shaded band over the whole height of a subplot."""
        x, y = self.refs(row, col)
        self.shapes.append({"type": "rect", "xref": x, "yref": f"{y} domain", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
                            "fillcolor": color, "opacity": 0.6, "line": {"width": 0}, "layer": "below"})

    def vline(self, row: int, col: int, x0: float, color: str) -> None:
        """A dotted vertical line over the whole height of a subplot."""
        x, y = self.refs(row, col)
        self.shapes.append({"type": "line", "xref": x, "yref": f"{y} domain", "x0": x0, "x1": x0, "y0": 0,
                            "y1": 1, "line": {"color": color, "width": 1, "dash": "dot"}})

    def hline(self, row: int, col: int, y0: float) -> None:
        """A horizontal line across a subplot (the zero line)."""
        x, y = self.refs(row, col)
        self.shapes.append({"type": "line", "xref": f"{x} domain", "yref": y, "x0": 0, "x1": 1, "y0": y0, "y1": y0,
                            "line": {"color": "black", "width": 1}})

    def draw(self) -> None:
        """Add everything collected to the figure."""
        if self.traces:
            traces, rows, cols, right = zip(*self.traces, strict=True)
            self.fig.add_traces(list(traces), rows=list(rows), cols=list(cols),
                                secondary_ys=list(right) if any(right) else None)
        self.fig.update_layout(shapes=self.shapes, annotations=self.annotations)


def wrap_px(text: str, width_px: float, font_px: float) -> list[str]:
    """``text`` in lines that fit ``width_px`` pixels at ``font_px`` (an average character is 0.56 of the size)."""
    return textwrap.wrap(text, max(20, int(width_px / (font_px * 0.56)))) or [""]


def _legend_only(batch: _Batch, spec: FigureSpec) -> None:
    """Legend entries of the marks that are shapes, not traces: the shaded period and the event lines."""
    import plotly.graph_objects as go

    if spec.period:
        batch.trace(go.Scatter(x=[None], y=[None], mode="markers", name=spec.period_text(), hoverinfo="skip",
                               marker={"symbol": "square", "size": 13, "color": COLORS["period"]}), 1, 1)
    if spec.events:
        batch.trace(go.Scatter(x=[None], y=[None], mode="lines", name="policy event (numbered strip, key below)",
                               line={"color": COLORS["event"], "dash": "dot", "width": 1}, hoverinfo="skip"), 1, 1)


def _legend_names(spec: FigureSpec) -> list[str]:
    """The legend entries the figure will have, in order (to reserve their room before drawing)."""
    names: dict[str, None] = {}
    for p in spec.all_panels():
        for b in p.bands:
            names[b.band_label()] = None
            if b.inner_low is not None:
                names[f"{b.label}: {b.inner_coverage} of {b.runs} {b.runs_word}"] = None
            names[b.median_label()] = None
        for item in [*p.lines, *p.boxes]:
            names[item.label] = None
        for o, suffix in [*((o, "") for o in p.observed), *((o, " (right axis)") for o in p.right)]:
            k = o.kinds()
            for kind, word in (("point", ""), ("interval", ": interval"), ("lower", ": lower bound"),
                               ("upper", ": upper bound")):
                if k[kind].any():
                    names[f"{o.label}{word}{suffix}"] = None
    if spec.period:
        names[spec.period_text()] = None
    if spec.events:
        names["policy event (numbered strip, key below)"] = None
    return list(names)


def _legend_rows(names: list[str], width_px: float) -> int:
    rows, used = (1 if names else 0), 0.0
    for name in names:
        w = 50 + len(name) * (FONT_PX - 1) * 0.6  # marker and gap, then the text (generous: a row too many is harmless)
        if used and used + w > width_px:
            rows, used = rows + 1, 0.0
        used += w
    return rows


def _title(p: Panel, width_px: float) -> str:
    """The panel's title (and subtitle, smaller) wrapped to the panel's width."""
    lines = wrap_px(p.title, width_px, FONT_PX + 1)
    if p.subtitle:
        lines += [f"<span style='font-size:{FONT_PX - 1}px'>{ln}</span>" for ln in wrap_px(p.subtitle, width_px,
                                                                                        FONT_PX - 1)]
    return "<br>".join(lines)


def _panel(batch: _Batch, p: Panel, spec: FigureSpec, row: int, col: int) -> None:
    import plotly.graph_objects as go

    scale = 100.0 if p.percent else 1.0
    for b in p.bands:
        group = b.label
        x = np.concatenate([b.x, b.x[::-1]])
        y = np.concatenate([b.high, b.low[::-1]]) * scale
        fill: dict[str, Any] = ({"fillpattern": {"shape": "/", "fgcolor": b.color, "bgcolor": "rgba(0,0,0,0)"},
                                 "fillcolor": "rgba(0,0,0,0)"} if b.hatched else {"fillcolor": _rgba(b.color, 0.22)})
        batch.trace(go.Scatter(x=x, y=y, mode="lines", fill="toself", line={"width": 0}, hoverinfo="skip",
                               name=b.band_label(), legendgroup=group, showlegend=batch.first(b.band_label()), **fill),
                    row, col)
        if b.inner_low is not None and b.inner_high is not None:
            yi = np.concatenate([b.inner_high, b.inner_low[::-1]]) * scale
            text = f"{b.label}: {b.inner_coverage} of {b.runs} {b.runs_word}"
            batch.trace(go.Scatter(x=x, y=yi, mode="lines", fill="toself", line={"width": 0}, hoverinfo="skip",
                                   name=text, fillcolor=_rgba(b.color, 0.4), legendgroup=group,
                                   showlegend=batch.first(text)), row, col)
        batch.trace(go.Scatter(
            x=b.x, y=b.median * scale, mode="lines", line={"color": b.color, "width": 2}, name=b.median_label(),
            legendgroup=group, showlegend=batch.first(b.median_label()),
            customdata=np.stack([b.low * scale, b.high * scale], axis=-1),
            hovertemplate=f"{b.label}: %{{y:,.4~g}} ({b.coverage}: %{{customdata[0]:,.4~g}} to "
                          "%{customdata[1]:,.4~g})<extra></extra>"), row, col)
    for ln in p.lines:
        batch.trace(go.Scatter(x=ln.x, y=ln.y * scale, mode="lines", name=ln.label, legendgroup=ln.label,
                                 line={"color": ln.color, "width": 1.5, "dash": "dash" if ln.dash else "solid"},
                                 showlegend=batch.first(ln.label)), row, col)
    for bx in p.boxes:
        for k in range(len(bx.x0)):
            batch.trace(go.Scatter(
                x=[bx.x0[k], bx.x1[k], bx.x1[k], bx.x0[k]], y=np.array([bx.low[k], bx.low[k], bx.high[k],
                                                                          bx.high[k]]) * scale,
                mode="lines", fill="toself", fillcolor=_rgba(bx.color, 0.2), line={"width": 0}, name=bx.label,
                legendgroup=bx.label, showlegend=batch.first(bx.label), hoverinfo="skip"), row, col)
            batch.trace(go.Scatter(x=[bx.x0[k], bx.x1[k]], y=[bx.median[k] * scale] * 2, mode="lines",
                                     line={"color": bx.color, "width": 2}, legendgroup=bx.label, showlegend=False,
                                     name=f"{bx.label}: median"), row, col)
    for o in p.observed:
        _observed(batch, o, scale, row, col, "", False)
    for o in p.right:
        _observed(batch, o, 1.0, row, col, " (right axis)", True)
    if spec.period:
        batch.vspan(row, col, spec.period[0], spec.period[1] + 1, COLORS["period"])
    for e in events_for(spec.events, p.place):
        batch.vline(row, col, e.x, e.color)
    if p.zero:
        batch.hline(row, col, 0.0)
    yaxis: dict[str, Any] = {"title": {"text": p.unit, "font": {"size": FONT_PX}}}
    if p.log:
        yaxis["type"] = "log"
    elif p.percent:
        yaxis["ticksuffix"] = " %"
    else:
        yaxis["tickformat"] = "~s"
    batch.fig.get_subplot(row, col).yaxis.update(**yaxis)
    if p.right:
        batch.fig.get_subplot(row, col, secondary_y=True).yaxis.update(
            title={"text": p.right_unit, "font": {"size": FONT_PX - 1}}, tickformat="~s", rangemode="tozero",
            tickmode="auto", nticks=5, showgrid=False)
    if not p.has_data():
        x, y = batch.refs(row, col)
        batch.annotations.append({"text": p.note or "no data", "showarrow": False, "xref": f"{x} domain",
                                  "yref": f"{y} domain", "x": 0.5, "y": 0.5})


def _observed(batch: _Batch, o: Observed, scale: float, row: int, col: int, suffix: str, right: bool) -> None:
    import plotly.graph_objects as go

    k = o.kinds()
    if k["point"].any():
        text = f"{o.label}{suffix}"
        batch.trace(go.Scatter(x=o.x[k["point"]], y=o.low[k["point"]] * scale, mode="markers", name=text,
                                 marker={"color": o.color, "size": 6}, legendgroup=text,
                                 showlegend=batch.first(text)), row, col, right)
    if k["interval"].any():
        text = f"{o.label}: interval{suffix}"
        mid = (o.low + o.high)[k["interval"]] / 2 * scale
        half = (o.high - o.low)[k["interval"]] / 2 * scale
        batch.trace(go.Scatter(x=o.x[k["interval"]], y=mid, mode="markers", name=text, legendgroup=text,
                                 marker={"color": o.color, "size": 1, "symbol": "line-ew"},
                                 error_y={"type": "data", "array": half, "color": o.color, "thickness": 3, "width": 0},
                                 showlegend=batch.first(text)), row, col, right)
    for kind, word, y, symbol in (("lower", "lower bound", o.low, "triangle-up"),
                                  ("upper", "upper bound", o.high, "triangle-down")):
        if k[kind].any():
            text = f"{o.label}: {word}{suffix}"
            batch.trace(go.Scatter(x=o.x[k[kind]], y=y[k[kind]] * scale, mode="markers", name=text,
                                     marker={"color": o.color, "size": 9, "symbol": symbol}, legendgroup=text,
                                     showlegend=batch.first(text)), row, col, right)


def _strip(batch: _Batch, spec: FigureSpec, shown: list[Event], levels: list[int], row: int, col: int,
           rows: int) -> None:
    """The numbered events ``shown`` on a strip of ``rows`` rows, each number on its row (``levels``)."""
    import plotly.graph_objects as go

    if spec.period:
        batch.vspan(row, col, spec.period[0], spec.period[1] + 1, COLORS["period"])
    batch.trace(go.Scatter(
        x=[e.x for e in shown], y=[-level for level in levels], mode="markers+text",
        text=[str(e.number) for e in shown], textfont={"size": FONT_PX - 1, "color": [e.color for e in shown]},
        marker={"size": 17, "color": "white", "line": {"color": [e.color for e in shown], "width": 1}},
        hovertext=[e.key() for e in shown], hoverinfo="text", showlegend=False, name="policy events"), row, col)
    batch.fig.get_subplot(row, col).yaxis.update(range=[-rows + 0.4, 0.6], showticklabels=False, showgrid=False,
                                                 zeroline=False, fixedrange=True,
                                                 title={"text": "events", "font": {"size": FONT_PX - 2}})


def _key_lines(spec: FigureSpec, width_px: float) -> list[str]:
    """The key of the events as lines of text (HTML), wrapped to the figure's width."""
    if not spec.events and not spec.events_before:
        return []
    font = FONT_PX - 1
    lines = ["<b>Policy events</b> (number on the strip, start, what and where)"]
    if spec.event_note:
        lines += wrap_px(spec.event_note, width_px, font)
    if spec.events_before:
        lines += wrap_px("In force from the first year drawn: " + "; ".join(spec.events_before), width_px, font)
    for e in spec.events:
        lines += [ln if k == 0 else "      " + ln for k, ln in enumerate(wrap_px(e.key(), width_px, font))]
    return lines


def _rgba(color: str, alpha: float) -> str:
    from matplotlib.colors import to_rgb

    r, g, b = (int(255 * c) for c in to_rgb(color))
    return f"rgba({r},{g},{b},{alpha})"

