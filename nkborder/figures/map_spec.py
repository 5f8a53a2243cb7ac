"""What a map shows, independent of how it is drawn: lines, marks and labels in km east and north of a place,
stretches of a line coloured by a value on a colour scale with its unit, and a row of schematic boxes (things the
map does not locate), each shaded by its own value.

Both renderers (:mod:`nkborder.figures.map_static`, matplotlib, and :mod:`nkborder.figures.map_interactive`,
Plotly) draw the same specification, with the fonts and title layout of the other figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ColourScale:
    """Values from ``lo`` to ``hi`` as colours of a matplotlib colour map; ``label`` says what and in which unit."""

    label: str
    lo: float
    hi: float
    colormap: str = "YlOrRd"
    floor: float = 0.0  # the part of the map below ``lo`` left out (a pale start for boxes that hold text)
    ceiling: float = 1.0

    def share(self, value: float) -> float:
        """Where ``value`` sits on the colour map, 0-1 (missing values at 0)."""
        if value is None or not np.isfinite(value):
            return self.floor
        rel = (value - self.lo) / (self.hi - self.lo) if self.hi > self.lo else 0.0
        return self.floor + (self.ceiling - self.floor) * float(np.clip(rel, 0.0, 1.0))

    def color(self, value: float) -> str:
        """The colour of ``value`` as ``#rrggbb``."""
        from matplotlib import colormaps
        from matplotlib.colors import to_hex

        return to_hex(colormaps[self.colormap](self.share(value)))

    def stops(self, n: int = 9) -> list[tuple[float, str]]:
        """The scale as (position 0-1, colour) stops, for a colour bar."""
        from matplotlib import colormaps
        from matplotlib.colors import to_hex

        cmap = colormaps[self.colormap]
        return [(k / (n - 1), to_hex(cmap(self.floor + (self.ceiling - self.floor) * k / (n - 1))))
                for k in range(n)]


@dataclass(frozen=True)
class MapLine:
    """One legend entry drawn as one or more polylines (each [n, 2], km); ``width`` in points."""

    label: str
    pieces: tuple[np.ndarray, ...]
    color: str
    width: float = 1.0
    dash: bool = False
    alpha: float = 1.0


@dataclass(frozen=True)
class Stretches:
    """Pieces of a line (each [n, 2], km), each coloured by its value on ``scale``; ``names`` name them (hover,
    e.g. ``sector 3``); ``numbers`` are printed beside the pieces at ``offset`` (km) when not empty."""

    label: str
    pieces: tuple[np.ndarray, ...]
    values: np.ndarray
    scale: ColourScale
    names: tuple[str, ...]
    numbers: tuple[str, ...] = ()
    offset: np.ndarray = field(default_factory=lambda: np.zeros(2))


@dataclass(frozen=True)
class MapPoints:
    """Marks at points [n, 2] (km): ``symbol`` is ``triangle`` or ``square``; ``size`` in points; ``hover`` is
    the text of each mark."""

    label: str
    xy: np.ndarray
    color: str
    symbol: str = "triangle"
    size: float = 5.0
    edge: str = ""
    hover: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapText:
    """A label at ``xy`` (km); ``size`` in points; ``boxed`` draws it on a white box."""

    xy: tuple[float, float]
    text: str
    size: float = 8.0
    color: str = "#333333"
    bold: bool = False
    italic: bool = False
    boxed: bool = False
    align: str = "center"


@dataclass(frozen=True)
class Box:
    """One box of a :class:`BoxRow`: its name, its value (NaN if none) and a line under it."""

    name: str
    value: float
    under: str = ""


@dataclass(frozen=True)
class BoxRow:
    """Boxes in a row under the map, shaded by their values on ``scale`` (things the map does not locate)."""

    title: str
    boxes: tuple[Box, ...]
    scale: ColourScale


@dataclass
class MapSpec:
    """A map in km around a place: ``extent`` (x0, x1, y0, y1); marks in drawing order; a banner (a state that
    holds over the whole map, e.g. a sealed border); the source of the lines; a message instead of a map when
    there is nothing to draw."""

    title: str
    x_label: str = ""
    y_label: str = ""
    extent: tuple[float, float, float, float] = (-1.0, 1.0, -1.0, 1.0)
    background: str = "#f7f5ee"
    lines: list[MapLine] = field(default_factory=list)
    stretches: list[Stretches] = field(default_factory=list)
    points: list[MapPoints] = field(default_factory=list)
    texts: list[MapText] = field(default_factory=list)
    boxes: BoxRow | None = None
    banner: str = ""
    source: str = ""
    message: str = ""
