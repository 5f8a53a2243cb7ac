"""The static renderer of a map: a :class:`~nkborder.figures.map_spec.MapSpec` as a matplotlib figure (PNG, SVG).

Layout in inches, top to bottom: the title (wrapped), the legend of every mark, the map (equal scales on both
axes, in km) with its colour bar on the right, the row of boxes, and the source of the lines. Fonts are those of
:mod:`nkborder.figures.static`; the figure is drawn at the width it is shown.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from nkborder.figures.map_spec import BoxRow, MapSpec
from nkborder.figures.static import FONT, TITLE_FONT

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DEFAULT_WIDTH = 9.6  # in
LEFT, RIGHT, BAR = 0.65, 0.2, 0.85  # in: y labels, right margin, the colour bar and its label
BOX_ROW_H = 1.05  # in
AXIS_H = 0.5  # in: the x axis's ticks and label under the map
MARKERS = {"triangle": "^", "square": "s"}


def render(spec: MapSpec, width_px: int | None = None, dpi: int = 100) -> Figure:
    """Draw ``spec`` as a matplotlib figure ``width_px`` pixels wide at ``dpi`` (default 9.6 inches)."""
    from matplotlib.figure import Figure

    width = width_px / dpi if width_px else DEFAULT_WIDTH
    title_lines = textwrap.wrap(spec.title, int(width * 72 / ((TITLE_FONT + 1) * 0.6))) or [""]
    handles = _legend_handles(spec)
    legend_cols = max(1, min(len(handles), int(width / 3.0)))
    legend_rows = -(-len(handles) // legend_cols) if handles else 0
    x0, x1, y0, y1 = spec.extent
    map_w = width - LEFT - RIGHT - (BAR if spec.stretches else 0.0)
    map_h = map_w * (y1 - y0) / (x1 - x0) if not spec.message else 2.5
    top = 0.15 + 0.2 * len(title_lines) + 0.19 * legend_rows + 0.1
    source_h = 0.25 if spec.source else 0.05
    boxes_h = BOX_ROW_H + 0.05 if spec.boxes is not None else 0.0
    bottom = source_h + boxes_h + AXIS_H
    height = top + map_h + bottom
    fig = Figure(figsize=(width, height), dpi=dpi)
    y = height - 0.1
    for line in title_lines:
        fig.text(0.5, y / height, line, ha="center", va="top", fontsize=TITLE_FONT + 1, weight="bold")
        y -= 0.2
    if handles:
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, (y - 0.02) / height),
                   ncols=legend_cols, fontsize=FONT - 0.5, frameon=False, handlelength=1.8, columnspacing=1.2,
                   borderaxespad=0.0)
    map_bottom = bottom
    ax = fig.add_axes((LEFT / width, map_bottom / height, map_w / width, map_h / height))
    if spec.message:
        ax.axis("off")
        ax.text(0.5, 0.5, spec.message, ha="center", va="center", fontsize=TITLE_FONT + 1, transform=ax.transAxes,
                wrap=True)
        return fig
    _map(ax, spec)
    if spec.stretches:
        cax = fig.add_axes(((LEFT + map_w + 0.15) / width, map_bottom / height, 0.14 / width, map_h / height))
        _colour_bar(fig, cax, spec)
    if spec.boxes is not None:
        bax = fig.add_axes((LEFT / width, source_h / height, map_w / width, BOX_ROW_H / height))
        _boxes(bax, spec.boxes)
    if spec.source:
        fig.text(LEFT / width, 0.08 / height, spec.source, fontsize=FONT - 1.5, color="0.35", va="bottom")
    return fig


def _map(ax: Axes, spec: MapSpec) -> None:
    x0, x1, y0, y1 = spec.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_facecolor(spec.background)
    ax.tick_params(labelsize=FONT)
    ax.set_xlabel(spec.x_label, fontsize=FONT)
    ax.set_ylabel(spec.y_label, fontsize=FONT)
    ax.grid(alpha=0.2, lw=0.5)
    for ln in spec.lines:
        for piece in ln.pieces:
            ax.plot(piece[:, 0], piece[:, 1], color=ln.color, lw=ln.width, ls=(0, (4, 2)) if ln.dash else "-",
                    alpha=ln.alpha, zorder=3, solid_capstyle="butt")
    for st in spec.stretches:
        for k, piece in enumerate(st.pieces):
            ax.plot(piece[:, 0], piece[:, 1], color=st.scale.color(st.values[k]), lw=7, solid_capstyle="butt",
                    zorder=4)
            ax.plot(piece[:, 0], piece[:, 1], color="0.3", lw=0.3, zorder=4)
            if k < len(st.numbers) and st.numbers[k]:
                mid = piece[len(piece) // 2] + st.offset
                ax.text(mid[0], mid[1], st.numbers[k], fontsize=FONT - 2.5, ha="center", va="center", color="0.3")
    for pt in spec.points:
        ax.plot(pt.xy[:, 0], pt.xy[:, 1], ls="", marker=MARKERS.get(pt.symbol, "o"), ms=pt.size, color=pt.color,
                mec=pt.edge or pt.color, zorder=6)
    for t in spec.texts:
        box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1} if t.boxed else None
        ax.text(t.xy[0], t.xy[1], t.text, fontsize=t.size, color=t.color, ha=t.align, va="center",
                weight="bold" if t.bold else "normal", style="italic" if t.italic else "normal", bbox=box, zorder=7)
    if spec.banner:
        ax.text(0.5, 0.97, spec.banner, ha="center", va="top", fontsize=TITLE_FONT, color="#b22222", weight="bold",
                transform=ax.transAxes, zorder=8)


def _colour_bar(fig: Figure, cax: Axes, spec: MapSpec) -> None:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import LinearSegmentedColormap, Normalize

    scale = spec.stretches[0].scale
    cmap = LinearSegmentedColormap.from_list("scale", [c for _, c in scale.stops()])
    bar = fig.colorbar(ScalarMappable(norm=Normalize(scale.lo, scale.hi), cmap=cmap), cax=cax)
    bar.set_label(scale.label, fontsize=FONT - 0.5)
    bar.ax.tick_params(labelsize=FONT - 0.5)


def _boxes(ax: Axes, row: BoxRow) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.set_xlim(0, 100)
    ax.set_ylim(0, 10)
    ax.axis("off")
    ax.text(0, 9.8, row.title, fontsize=FONT - 0.5, va="top", color="#b22222")
    n = len(row.boxes)
    for k, b in enumerate(row.boxes):
        xa, xb = 100 * k / max(n, 1), 100 * (k + 1) / max(n, 1)
        ax.add_patch(FancyBboxPatch((xa + 0.5, 0.6), xb - xa - 1.0, 6.2, boxstyle="round,pad=0.2",
                                    color=row.scale.color(b.value), ec="0.5", lw=0.5))
        text = "white" if row.scale.share(b.value) > 0.55 else "0.15"
        value = "-" if not np.isfinite(b.value) else f"{b.value:.2f}"
        ax.text((xa + xb) / 2, 5.2, b.name, ha="center", fontsize=FONT - 1.5, color=text)
        ax.text((xa + xb) / 2, 3.3, value, ha="center", fontsize=FONT - 1, color=text)
        ax.text((xa + xb) / 2, 1.4, b.under, ha="center", fontsize=FONT - 2.5, color=text)


def _legend_handles(spec: MapSpec) -> list[Any]:
    from matplotlib.lines import Line2D

    out = [Line2D([], [], color=ln.color, lw=ln.width, ls=(0, (4, 2)) if ln.dash else "-", alpha=ln.alpha,
                  label=ln.label) for ln in spec.lines]
    out += [Line2D([], [], color=st.scale.color(st.scale.hi), lw=6, label=st.label) for st in spec.stretches]
    out += [Line2D([], [], marker=MARKERS.get(pt.symbol, "o"), ls="", color=pt.color, mec=pt.edge or pt.color,
                   label=pt.label) for pt in spec.points]
    return out
