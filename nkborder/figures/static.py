"""The static renderer: a :class:`~nkborder.figures.spec.FigureSpec` as a matplotlib figure (PNG, SVG).

Layout in inches, top to bottom: title and warnings, the legend (every mark), the panels (one row per indicator
or series, one column per city), the numbered event strip under each column with the year ticks, and the key of
the events. When panels have x ranges of their own (``Panel.x_range``), each panel has its year ticks under it
instead, on its own strip of the events inside its years (none if no event falls in them). The figure is drawn
at the width it is shown (``width_px`` at ``dpi``), so its text keeps its size.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nkborder.figures import labels
from nkborder.figures.spec import COLORS, Band, FigureSpec, Observed, Panel, events_for, strip_levels, year_step

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FONT = 8.0  # pt: tick labels and legend
TITLE_FONT = 9.0  # pt: panel titles
PANEL_H = 1.75  # in
ROW_GAP = 0.42  # in: room for a one-line panel title
TITLE_LINE = 0.16  # in: each further line of a panel title
STRIP_H = 0.32  # in per row of the event strip
LEFT, RIGHT, COL_GAP = 0.8, 0.25, 0.8  # in
KEY_LINE = 0.16  # in: one line of the event key
TICK_ROOM = 0.2  # in: year tick labels under a panel or strip
DEFAULT_WIDTH = 10.0  # in
FORMATS = ("png", "svg")


def render(spec: FigureSpec, width_px: int | None = None, dpi: int = 100) -> Figure:
    """Draw ``spec`` as a matplotlib figure ``width_px`` pixels wide at ``dpi`` (default 10 inches)."""
    from matplotlib.figure import Figure

    width = width_px / dpi if width_px else DEFAULT_WIDTH
    ncols = max(len(r) for r in spec.panels)
    nrows = len(spec.panels)
    right_room = 0.55 if any(p.right for p in spec.all_panels()) else 0.0
    chars = int((width - LEFT) * 72 / (FONT * 0.58))  # characters of FONT on a line (DejaVu Sans)
    title_lines = textwrap.wrap(spec.title, int(width * 72 / ((TITLE_FONT + 1) * 0.66))) or [""]
    warn_lines = [ln for w in spec.warnings() for ln in textwrap.wrap(w, chars)]
    handles = _legend_handles(spec)
    legend_cols = max(1, min(len(handles), int(width / 3.2)))
    legend_rows = -(-len(handles) // legend_cols) if handles else 0
    key_head, key_body, key_cols = _key_lines(spec, chars)
    key_rows = len(key_head) + -(-len(key_body) // key_cols)
    strip_rows = _strip_rows(spec, width, ncols)
    top = 0.12 + 0.2 * len(title_lines) + 0.17 * len(warn_lines) + 0.19 * legend_rows
    strip = STRIP_H * strip_rows if spec.events else 0.05
    own_x = any(p.x_range for p in spec.all_panels())  # each panel its own years, strip and ticks
    under = ((strip if spec.events else 0.0) + TICK_ROOM) if own_x else 0.0
    bottom = (0.15 if own_x else 0.35) + (KEY_LINE * key_rows + 0.15 if key_rows else 0.0)
    col_w = (width - LEFT - RIGHT - right_room - (ncols - 1) * (COL_GAP + right_room)) / ncols
    title_chars = max(12, int(col_w * 72 / (TITLE_FONT * 0.56)))
    titles = {id(p): _panel_title(p, title_chars) for p in spec.all_panels()}
    row_gap = ROW_GAP + TITLE_LINE * (max(t.count("\n") for t in titles.values()) if titles else 0)
    pitch = PANEL_H + row_gap + under
    height = top + nrows * pitch + (0.0 if own_x else strip) + bottom
    fig = Figure(figsize=(width, height), dpi=dpi)
    y = height - 0.1
    for ln in title_lines:
        fig.text(0.5, y / height, ln, ha="center", va="top", fontsize=TITLE_FONT + 1, weight="bold")
        y -= 0.2
    for ln in warn_lines:
        fig.text(0.5, y / height, ln, ha="center", va="top", fontsize=FONT, color="#b35900")
        y -= 0.17
    if handles:
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, (y - 0.02) / height),
                   ncols=legend_cols, fontsize=FONT - 0.5, frameon=False, handlelength=1.8, columnspacing=1.2,
                   borderaxespad=0.0)
    x_lo, x_hi = spec.years()
    step = year_step(x_hi - x_lo, col_w)
    panel_top = height - top
    for j in range(ncols):
        left = LEFT + j * (col_w + COL_GAP + right_room)
        axes = []
        for i, row in enumerate(spec.panels):
            if j >= len(row):
                continue
            y0 = panel_top - row_gap - i * pitch - PANEL_H
            ax = fig.add_axes((left / width, y0 / height, col_w / width, PANEL_H / height))
            years = row[j].x_range or (x_lo, x_hi)
            own_step = year_step(years[1] - years[0], col_w)
            _panel(ax, row[j], spec, years, own_step if own_x else step, titles[id(row[j])])
            axes.append(ax)
            inside = [e for e in events_for(spec.events, row[j].place) if years[0] <= e.x <= years[1]]
            if own_x and inside:  # a panel whose years hold no event has no strip
                sax = fig.add_axes((left / width, (y0 - strip) / height, col_w / width, (strip - 0.02) / height))
                _strip(sax, spec, row[j].place, years, strip_rows, col_w, inside_only=True)
                _year_ticks(sax, years, own_step, show=True)
            elif own_x:
                _year_ticks(ax, years, own_step, show=True)
        if own_x:
            continue
        y_strip = panel_top - nrows * (PANEL_H + row_gap) - strip
        place = next((r[j].place for r in spec.panels if j < len(r)), None)
        if spec.events:
            sax = fig.add_axes((left / width, y_strip / height, col_w / width, (strip - 0.02) / height))
            _strip(sax, spec, place, (x_lo, x_hi), strip_rows, col_w)
            _year_ticks(sax, (x_lo, x_hi), step, show=True)
        elif axes:
            _year_ticks(axes[-1], (x_lo, x_hi), step, show=True)
    if key_rows:
        _key(fig, key_head, key_body, key_cols, width, height)
    return fig


def _panel_title(p: Panel, chars: int) -> str:
    """The panel's title and subtitle wrapped to ``chars`` characters a line, so it stays above its own panel."""
    lines = textwrap.wrap(p.title, chars) + (textwrap.wrap(p.subtitle, chars) if p.subtitle else [])
    return "\n".join(lines)


def _panel(ax: Axes, p: Panel, spec: FigureSpec, years: tuple[float, float], step: int, title: str) -> None:
    scale = 100.0 if p.percent else 1.0
    ax.set_title(title, fontsize=TITLE_FONT, loc="left")
    ax.set_ylabel(p.unit, fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.grid(alpha=0.25, lw=0.5)
    if spec.period:
        ax.axvspan(spec.period[0], spec.period[1] + 1, color=COLORS["period"], zorder=0, lw=0)
    for e in events_for(spec.events, p.place):
        ax.axvline(e.x, color=e.color, lw=0.7, ls=":", zorder=1)
    if p.zero:
        ax.axhline(0.0, color="black", lw=0.6)
    for b in p.bands:
        _band(ax, b, scale)
    for ln in p.lines:
        ax.plot(ln.x, ln.y * scale, color=ln.color, lw=1.2, ls="--" if ln.dash else "-")
    for bx in p.boxes:
        for k in range(len(bx.x0)):
            ax.fill_between([bx.x0[k], bx.x1[k]], bx.low[k] * scale, bx.high[k] * scale, color=bx.color,
                            alpha=0.2, lw=0)
            ax.hlines(bx.median[k] * scale, bx.x0[k], bx.x1[k], color=bx.color, lw=1.3)
    for o in p.observed:
        _observed(ax, o, scale)
    if p.log:
        _log_ticks(ax)
    else:
        _number_ticks(ax, p.percent)
    if p.right:
        twin = ax.twinx()
        for o in p.right:
            _observed(twin, o, 1.0)
        twin.set_ylim(bottom=0)
        twin.set_ylabel(p.right_unit, fontsize=FONT)
        twin.tick_params(labelsize=FONT)
        _number_ticks(twin, False)
    if not p.has_data():
        ax.text(0.5, 0.5, p.note or "no data", ha="center", va="center", transform=ax.transAxes, fontsize=FONT)
    _year_ticks(ax, years, step, show=False)


def _band(ax: Axes, b: Band, scale: float) -> None:
    if b.hatched:
        ax.fill_between(b.x, b.low * scale, b.high * scale, facecolor="none", edgecolor=b.color, hatch="////",
                        lw=0.0, alpha=0.6)
    else:
        ax.fill_between(b.x, b.low * scale, b.high * scale, color=b.color, alpha=0.22, lw=0)
    if b.inner_low is not None and b.inner_high is not None:
        ax.fill_between(b.x, b.inner_low * scale, b.inner_high * scale, color=b.color, alpha=0.35, lw=0)
    ax.plot(b.x, b.median * scale, color=b.color, lw=1.4)


def _observed(ax: Axes, o: Observed, scale: float) -> None:
    k = o.kinds()
    ax.scatter(o.x[k["point"]], o.low[k["point"]] * scale, color=o.color, s=14, zorder=5)
    ax.vlines(o.x[k["interval"]], o.low[k["interval"]] * scale, o.high[k["interval"]] * scale, color=o.color,
              lw=2.2, zorder=5)
    ax.scatter(o.x[k["lower"]], o.low[k["lower"]] * scale, color=o.color, marker="^", s=26, zorder=5)
    ax.scatter(o.x[k["upper"]], o.high[k["upper"]] * scale, color=o.color, marker="v", s=26, zorder=5)


def _number_ticks(ax: Axes, percent: bool) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    if percent:
        ax.yaxis.set_major_formatter(_percent_formatter())
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: labels.axis_number(v)))


def year_ticks(ax: Axes, years: tuple[float, float], width_in: float, show: bool = True) -> None:
    """Whole-year ticks on an x axis in years, spaced for an axis ``width_in`` inches wide."""
    _year_ticks(ax, years, year_step(years[1] - years[0], width_in), show)


def _log_ticks(ax: Axes) -> None:
    """A log axis labelled in plain numbers (``500``, ``2 k``, ``10 k``) at 1, 2 and 5 times powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: labels.axis_number(v)))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _percent_ticks(values: list[float]) -> list[str]:
    """Tick labels in percent with as many decimals as the step between ticks needs: 20 %, 2.5 %, 0.25 %."""
    steps = np.diff(np.asarray(values, float))
    step = float(np.min(np.abs(steps[steps != 0]))) if np.any(steps != 0) else 1.0
    decimals = max(0, int(-np.floor(np.log10(step) + 1e-9)))
    return [f"{0.0 if abs(v) < step / 1e6 else v:.{decimals}f} %" for v in values]


def _percent_formatter() -> Any:
    from matplotlib.ticker import Formatter

    class PercentTicks(Formatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return _percent_ticks([x, x + 1.0])[0]

        def format_ticks(self, values: list[float]) -> list[str]:
            return _percent_ticks(values)

    return PercentTicks()


def _year_ticks(ax: Axes, years: tuple[float, float], step: int, show: bool) -> None:
    from matplotlib.ticker import MultipleLocator, NullFormatter, NullLocator, StrMethodFormatter

    ax.set_xlim(*years)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}") if show else NullFormatter())
    ax.xaxis.set_minor_locator(NullLocator())  # a minor tick per year costs more to draw than the data
    ax.tick_params(axis="x", labelsize=FONT)


def _strip_rows(spec: FigureSpec, width: float, ncols: int) -> int:
    """Rows of the event strip: enough for the closest numbers of the figure's years, or of any panel's own."""
    if not spec.events:
        return 0
    own = {p.x_range for p in spec.all_panels() if p.x_range}
    rows = 1
    for x_lo, x_hi in own or {spec.years()}:
        gap = _strip_gap(x_hi - x_lo, (width - LEFT - RIGHT) / ncols)
        xs = [e.x for e in spec.events if not own or x_lo <= e.x <= x_hi]
        rows = max(rows, max(strip_levels(xs, gap), default=0) + 1)
    return rows


def _strip_gap(span: float, col_w: float) -> float:
    return span * 0.32 / max(col_w, 0.5)  # a boxed two-digit number is about 0.25 inch wide at 8 pt


def _strip(ax: Axes, spec: FigureSpec, place: str | None, years: tuple[float, float], rows: int,
           col_w: float, inside_only: bool = False) -> None:
    """The numbered events of one column (``inside_only``: of those inside ``years``, for a panel's own x range),
    in staggered rows so that close numbers do not overlap."""
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    if spec.period:
        ax.axvspan(spec.period[0], spec.period[1] + 1, color=COLORS["period"], zorder=0, lw=0)
    shown = [e for e in events_for(spec.events, place) if not inside_only or years[0] <= e.x <= years[1]]
    levels = strip_levels([e.x for e in shown], _strip_gap(years[1] - years[0], col_w), rows)
    for e, level in zip(shown, levels, strict=True):
        ax.axvline(e.x, color=e.color, lw=0.6, ls=":", zorder=1)
        ax.text(e.x, level, str(e.number), ha="center", va="center", fontsize=FONT - 0.5, color=e.color,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": e.color, "lw": 0.6}, zorder=3)
    ax.set_ylabel("events", fontsize=FONT - 1, rotation=0, ha="right", va="center")


def _key_lines(spec: FigureSpec, chars: int) -> tuple[list[str], list[str], int]:
    """(heading lines over the full width, the numbered events, their number of columns)."""
    if not spec.events and not spec.events_before:
        return [], [], 1
    lines = [e.key() for e in spec.events]
    longest = max((len(ln) for ln in lines), default=20)
    cols = max(1, min(3, chars // (longest + 4))) if lines else 1
    per = max(20, chars // cols - 4)
    body = [w for ln in lines for w in textwrap.wrap(ln, per, subsequent_indent="      ")]
    head = ["Policy events (number on the strip, start, what and where):"]
    if spec.event_note:
        head += textwrap.wrap(spec.event_note, chars)
    if spec.events_before:
        head += textwrap.wrap("In force from the first year drawn: " + "; ".join(spec.events_before) + ".", chars)
    return head, body, cols



def _key(fig: Figure, head: list[str], body: list[str], cols: int, width: float, height: float) -> None:
    y = KEY_LINE * (len(head) + -(-len(body) // cols)) + 0.1
    for ln in head:
        fig.text(LEFT / width, y / height, ln, fontsize=FONT, va="top", ha="left")
        y -= KEY_LINE
    per_col = -(-len(body) // cols) if body else 0
    col_w = (width - LEFT - RIGHT) / cols
    for c in range(cols):
        for k, ln in enumerate(body[c * per_col:(c + 1) * per_col]):
            fig.text((LEFT + c * col_w) / width, (y - k * KEY_LINE) / height, ln, fontsize=FONT - 0.5, va="top",
                     ha="left")


def _legend_handles(spec: FigureSpec) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    out: dict[str, Any] = {}
    for p in spec.all_panels():
        for b in p.bands:
            out.setdefault(b.median_label(), Line2D([], [], color=b.color, lw=1.4, label=b.median_label()))
            patch = (Patch(facecolor="none", edgecolor=b.color, hatch="////", lw=0.0, label=b.band_label())
                     if b.hatched else Patch(color=b.color, alpha=0.22, label=b.band_label()))
            out.setdefault(b.band_label(), patch)
            if b.inner_low is not None:
                text = f"{b.label}: {b.inner_coverage} of {b.runs} {b.runs_word}"
                out.setdefault(text, Patch(color=b.color, alpha=0.5, label=text))
        for ln in p.lines:
            out.setdefault(ln.label, Line2D([], [], color=ln.color, lw=1.2, ls="--" if ln.dash else "-",
                                            label=ln.label))
        for bx in p.boxes:
            out.setdefault(bx.label, Patch(color=bx.color, alpha=0.2, label=bx.label))
        for o, suffix in [*((o, "") for o in p.observed), *((o, " (right axis)") for o in p.right)]:
            k = o.kinds()
            if k["point"].any():
                text = f"{o.label}{suffix}"
                out.setdefault(text, Line2D([], [], color=o.color, marker="o", ls="", ms=4, label=text))
            if k["interval"].any():
                text = f"{o.label}: interval{suffix}"
                out.setdefault(text, Line2D([], [], color=o.color, marker="|", ls="", ms=9, mew=2.2, label=text))
            if k["lower"].any():
                text = f"{o.label}: lower bound{suffix}"
                out.setdefault(text, Line2D([], [], color=o.color, marker="^", ls="", ms=5, label=text))
            if k["upper"].any():
                text = f"{o.label}: upper bound{suffix}"
                out.setdefault(text, Line2D([], [], color=o.color, marker="v", ls="", ms=5, label=text))
    if spec.period:
        out[spec.period_text()] = Patch(color=COLORS["period"], label=spec.period_text())
    if spec.events:
        out["policy event"] = Line2D([], [], color=COLORS["event"], ls=":", lw=1.0,
                                     label="policy event (numbered strip, key below)")
    return list(out.values())


def to_bytes(fig: Figure, fmt: str = "png") -> bytes:
    """A figure as PNG or SVG bytes (for a download)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()


def save(fig: Figure, path: str | Path) -> Path:
    """Write a figure to ``path`` (PNG or SVG by its suffix); returns the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    return out
