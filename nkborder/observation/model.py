"""The observation model: from national statistics to the two modelled cities.

The observed series (arrivals in South Korea, people hiding in China) are national; the model has two cities.
A city's expected share of a national count is

    w_city = (share of all arrivals born in the city's province, ``defector_origin.csv``)
             x (city population / province population, ``populations.csv``, 2008 census)

i.e. what the city would contribute if its people defected like the average of their province, and the model's
count is compared with ``national x w_city x crossing_point_factor``. The factor (one, shared by both cities) says
how much more a border city, being a crossing point itself, contributes than its province's average. It is not
in any source, so it is estimated with the model's parameters, from the prior declared below.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from nkborder.errors import InputError
from nkborder.inputs import origin_shares, populations
from nkborder.params import param


class ObservationParams(BaseModel):
    """Parameters of the observation model (declared like the model's: unit, range = prior, source)."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    crossing_point_factor: float = param(
        2.0, 0.5, 5.0, "multiplier",
        "defectors (arrivals in South Korea and people in China) per resident of a border city, relative to the "
        "average of its province",
        quote="assumption: the border cities are crossing points; NK News counted >75% of arrivals born in "
        "North Hamgyong and Ryanggang (defector_origin.csv note, nknews-2017-origin), so proximity to the river "
        "matters, but no source gives the within-province gradient; prior 0.5-5",
        calibrate=True,
    )


OBSERVATION_FIELDS = tuple(ObservationParams.model_fields)


def observation_info(name: str) -> dict:
    """Metadata of one observation parameter: default, lo, hi, unit, doc, source, quote, calibrate."""
    field = ObservationParams.model_fields[name]
    return {"name": name, "default": field.default, "doc": field.description, **dict(field.json_schema_extra or {})}


def city_weights(directory: Path | None = None) -> dict[str, float]:
    """Each modelled city's expected share of national counts before the crossing-point factor (0-1).

    ``w = province birth share (defector_origin.csv) x city population / province population
    (populations.csv)``; e.g. Hoeryong 0.59 x 153,532 / 2,327,362 = 0.0389.
    """
    origin, pops = origin_shares(directory), populations(directory)
    where = "populations.csv" if directory is None else str(Path(directory) / "populations.csv")
    by_place = {str(p).strip().lower(): float(n) for p, n in zip(pops["place"], pops["population"], strict=True)}
    weights = {}
    for province, city, share in zip(origin["province"], origin["city_modelled"], origin["share"], strict=True):
        city_pop = by_place.get(str(city).strip().lower())
        prov_pop = next((n for p, n in by_place.items() if p.startswith(str(province).strip().lower())
                         and "province" in p), None)  # fmt: skip
        if city_pop is None:
            raise InputError(where, "place", f"no row for the city {city!r}", "a row per modelled city")
        if prov_pop is None:
            raise InputError(where, "place", f"no row for {province!r} province", f"'{province} province'")
        weights[str(city)] = float(share) * city_pop / prov_pop
    return weights


def expected_city_counts(national: np.ndarray, weights: dict[str, float], factor: float) -> dict[str, np.ndarray]:
    """Persons expected from each city: ``national x w_city x factor`` (same unit as ``national``)."""
    national = np.asarray(national, dtype=float)
    return {city: national * w * factor for city, w in weights.items()}


def national_equivalent(city_total: np.ndarray, weights: dict[str, float], cities: tuple[str, ...],
                        factor: float) -> np.ndarray:
    """The national count implied by a model count summed over ``cities``: ``total / (factor x sum w)``.

    The inverse of :func:`expected_city_counts` summed over the cities; how model output is put next to the
    national observations (persons).
    """
    missing = [c for c in cities if c not in weights]
    if missing:
        raise InputError("defector_origin.csv", "city_modelled", f"no province share for {', '.join(missing)}",
                         "a row per modelled city")
    w = sum(weights[c] for c in cities)
    return np.asarray(city_total, dtype=float) / (factor * w)
