"""The interactive renderer of a map: a :class:`~nkborder.figures.map_spec.MapSpec` as a Plotly figure (hover on
every stretch and mark, zoom, legend toggling), drawn as :mod:`nkborder.figures.map_static` draws it: the title
below the toolbar's row, the legend under it, the map on equal scales in km with its colour bar, the row of boxes
under it and the source of the lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from nkborder.figures import labels
from nkborder.figures.interactive import FONT_PX, TITLE_ANCHOR_PX, TITLE_TOP_PX, wrap_px
from nkborder.figures.map_spec import BoxRow, MapSpec

if TYPE_CHECKING:
    import plotly.graph_objects as go

DEFAULT_WIDTH = 960
LEFT, RIGHT, BAR = 60, 20, 90  # px
BOX_ROW_PX = 90  # the row of boxes with its title
TITLE_ROW_PX = 22
AXIS_PX = 48  # the x axis's ticks and title under the map
SYMBOLS = {"triangle": "triangle-up", "square": "square"}
PT_TO_PX = 1.33


def render(spec: MapSpec, width_px: int | None = None) -> go.Figure:
    """Draw ``spec`` as a Plotly figure ``width_px`` pixels wide (default 960)."""
    import plotly.graph_objects as go

    width = width_px or DEFAULT_WIDTH
    title_lines = wrap_px(spec.title, width - 40, FONT_PX + 3)
    legend_rows = -(-(len(spec.lines) + len(spec.stretches) + len(spec.points)) // max(1, int(width / 260)))
    x0, x1, y0, y1 = spec.extent
    map_w = width - LEFT - RIGHT - (BAR if spec.stretches else 0)
    map_h = int(map_w * (y1 - y0) / (x1 - x0)) if not spec.message else 250
    title_px = TITLE_TOP_PX + 8 + 22 * len(title_lines)
    top = title_px + 21 * legend_rows + 10
    boxes_px = BOX_ROW_PX if spec.boxes is not None else 0
    source_px = 22 if spec.source else 6
    bottom = AXIS_PX + boxes_px + source_px
    height = top + map_h + bottom
    fig = go.Figure()
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    if spec.message:
        annotations.append({"text": spec.message, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5,
                            "y": 0.5, "font": {"size": FONT_PX + 2}})
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    else:
        _map(fig, spec, annotations)
        if spec.boxes is not None:
            _boxes(spec.boxes, shapes, annotations, -(AXIS_PX + boxes_px) / map_h, -AXIS_PX / map_h, map_h)
    if spec.source:
        annotations.append({"text": spec.source, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.0,
                            "y": -(bottom - 4) / map_h, "xanchor": "left", "yanchor": "bottom",
                            "font": {"size": FONT_PX - 3, "color": "#595959"}})
    fig.update_layout(
        title={"text": "<br>".join(title_lines), "x": 0.5, "xanchor": "center", "y": 1 - TITLE_ANCHOR_PX / height,
               "yanchor": "top", "yref": "container", "font": {"size": FONT_PX + 3}},
        width=width, height=height, template="plotly_white", font={"size": FONT_PX},
        margin={"l": LEFT, "r": RIGHT + (BAR if spec.stretches else 0), "t": top, "b": bottom},
        legend={"orientation": "h", "yanchor": "top", "y": 1 - (title_px + 4) / height, "yref": "container",
                "x": 0.0, "font": {"size": FONT_PX - 1}},
        shapes=shapes, annotations=annotations, hovermode="closest", plot_bgcolor=spec.background,
        modebar={"remove": ["lasso2d", "select2d"]},
    )
    return fig


def _map(fig: go.Figure, spec: MapSpec, annotations: list[dict[str, Any]]) -> None:
    import plotly.graph_objects as go

    x0, x1, y0, y1 = spec.extent
    traces = []
    for ln in spec.lines:
        xs, ys = _joined(ln.pieces)
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name=ln.label, opacity=ln.alpha, hoverinfo="name",
                                 line={"color": ln.color, "width": ln.width * PT_TO_PX,
                                       "dash": "dash" if ln.dash else "solid"}))
    for st in spec.stretches:
        for k, piece in enumerate(st.pieces):
            value = float(st.values[k])
            traces.append(go.Scatter(
                x=piece[:, 0], y=piece[:, 1], mode="lines", line={"color": st.scale.color(value), "width": 9},
                name=st.label, legendgroup=st.label, showlegend=k == 0,
                hovertemplate=f"{st.names[k]}: {labels.number(value)}<extra>{st.scale.label}</extra>"))
            if k < len(st.numbers) and st.numbers[k]:
                mid = piece[len(piece) // 2] + st.offset
                annotations.append({"x": float(mid[0]), "y": float(mid[1]), "text": st.numbers[k],
                                    "showarrow": False, "font": {"size": FONT_PX - 4, "color": "#4d4d4d"}})
        traces.append(go.Scatter(  # the colour bar
            x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
            marker={"color": [st.scale.lo], "cmin": st.scale.lo, "cmax": st.scale.hi, "showscale": True,
                    "colorscale": [[p, c] for p, c in st.scale.stops()],
                    "colorbar": {"title": {"text": "<br>".join(wrap_px(st.scale.label, 150, FONT_PX - 1)),
                                           "side": "right", "font": {"size": FONT_PX - 1}},
                                 "thickness": 14, "len": 1.0, "y": 0.5, "yanchor": "middle"}}))
    for pt in spec.points:
        traces.append(go.Scatter(
            x=pt.xy[:, 0], y=pt.xy[:, 1], mode="markers", name=pt.label,
            marker={"symbol": SYMBOLS.get(pt.symbol, "circle"), "size": pt.size * PT_TO_PX * 1.2,
                    "color": pt.color, "line": {"color": pt.edge or pt.color, "width": 1}},
            hovertext=list(pt.hover) or None, hoverinfo="text" if pt.hover else "name"))
    fig.add_traces(traces)
    for t in spec.texts:
        text = f"<b>{t.text}</b>" if t.bold else f"<i>{t.text}</i>" if t.italic else t.text
        annotations.append({"x": t.xy[0], "y": t.xy[1], "text": text.replace("\n", "<br>"), "showarrow": False,
                            "xanchor": {"left": "left", "right": "right"}.get(t.align, "center"),
                            "font": {"size": t.size * PT_TO_PX, "color": t.color},
                            **({"bgcolor": "rgba(255,255,255,0.8)"} if t.boxed else {})})
    if spec.banner:
        annotations.append({"text": f"<b>{spec.banner}</b>", "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.99,
                            "yanchor": "top", "showarrow": False, "font": {"size": FONT_PX + 1, "color": "#b22222"}})
    fig.update_xaxes(range=[x0, x1], title={"text": spec.x_label, "font": {"size": FONT_PX - 1}}, showgrid=True,
                     gridcolor="#e6e6e6", zeroline=False, constrain="domain")
    fig.update_yaxes(range=[y0, y1], title={"text": spec.y_label, "font": {"size": FONT_PX - 1}}, showgrid=True,
                     gridcolor="#e6e6e6", zeroline=False, scaleanchor="x", scaleratio=1, constrain="domain")


def _boxes(row: BoxRow, shapes: list[dict[str, Any]], annotations: list[dict[str, Any]], y_lo: float,
           y_hi: float, map_h: float) -> None:
    """The row of boxes under the map, in paper coordinates from ``y_lo`` to ``y_hi`` (below 0; the map is
    ``map_h`` pixels high): its title, then the boxes."""
    title = wrap_px(row.title, 1e9, FONT_PX - 1)[0]
    annotations.append({"text": title, "xref": "paper", "yref": "paper", "x": 0.0, "y": y_hi, "xanchor": "left",
                        "yanchor": "top", "showarrow": False, "font": {"size": FONT_PX - 1, "color": "#b22222"}})
    n = len(row.boxes)
    box_top = y_hi - TITLE_ROW_PX / map_h
    for k, b in enumerate(row.boxes):
        xa, xb = k / max(n, 1) + 0.003, (k + 1) / max(n, 1) - 0.003
        shapes.append({"type": "rect", "xref": "paper", "yref": "paper", "x0": xa, "x1": xb, "y0": y_lo,
                       "y1": box_top, "fillcolor": row.scale.color(b.value), "line": {"color": "#808080",
                                                                                       "width": 0.5}})
        colour = "white" if row.scale.share(b.value) > 0.55 else "#262626"
        value = "-" if not np.isfinite(b.value) else f"{b.value:.2f}"
        annotations.append({"text": f"{b.name}<br><b>{value}</b><br><span style='font-size:{FONT_PX - 3}px'>"
                                    f"{b.under}</span>", "xref": "paper", "yref": "paper", "x": (xa + xb) / 2,
                            "y": (y_lo + box_top) / 2, "xanchor": "center", "yanchor": "middle", "showarrow": False,
                            "font": {"size": FONT_PX - 2,
                                                                                     "color": colour}})


def _joined(pieces: tuple[np.ndarray, ...]) -> tuple[list[float | None], list[float | None]]:
    """Polylines as one trace's x and y, separated by gaps (None)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for piece in pieces:
        xs += [*piece[:, 0].tolist(), None]
        ys += [*piece[:, 1].tolist(), None]
    return xs, ys
