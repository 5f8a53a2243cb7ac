"""One figure style for the CLI, the app, the validation and the docs.

A figure is first described (:class:`FigureSpec`: panels with titles and units, bands with the runs they rest on,
observations, the numbered policy events, the shaded period) and then drawn by :func:`static.render`
(matplotlib: PNG, SVG) or :func:`interactive.render` (Plotly: hover, zoom, legend toggling), so both agree.
A map is described by a :class:`map_spec.MapSpec` (lines and marks in km, stretches coloured on a scale with
its unit, a row of schematic boxes) and drawn by :func:`map_static.render` or :func:`map_interactive.render`.
"""

from nkborder.figures import labels
from nkborder.figures.spec import (
    COLORS,
    FEW_RUNS,
    Band,
    Boxes,
    Event,
    FigureSpec,
    Line,
    Observed,
    Panel,
    number_events,
    year_fraction,
)

__all__ = ["COLORS", "FEW_RUNS", "Band", "Boxes", "Event", "FigureSpec", "Line", "Observed", "Panel", "labels",
           "number_events", "year_fraction"]
