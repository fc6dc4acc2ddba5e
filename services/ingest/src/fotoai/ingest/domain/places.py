"""Offline reverse geocoding: a GPS position → city, state, country (GeoNames via the
`reverse-geocode` package, no network).

The nearest populated place is often a suburb (the Eiffel Tower's nearest is Vanves), which is
not what people search for. So the city is the nearest place of at least `CITY_POPULATION`
people when one lies within `CITY_RADIUS_KM`, else the nearest populated place at all; the state
and country come from the same place. Both look-up trees load once per process (~1 s each).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import reverse_geocode

CITY_POPULATION = 100_000
CITY_RADIUS_KM = 25.0


@dataclass(frozen=True)
class PlaceName:
    city: str | None
    state: str | None
    country: str | None
    country_code: str | None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _name(found: dict) -> PlaceName:
    return PlaceName(
        city=found.get("city") or None,
        state=found.get("state") or None,
        country=found.get("country") or None,
        country_code=found.get("country_code") or None,
    )


def locate(lat: float, lon: float) -> PlaceName | None:
    """The place of a position; None for positions that are not on Earth's surface grid."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        # (0, 0) is what a GPS without a fix writes: "Null Island" is not a place.
        return None
    city = reverse_geocode.get((lat, lon), min_population=CITY_POPULATION)
    if city and distance_km((lat, lon), (city["latitude"], city["longitude"])) <= CITY_RADIUS_KM:
        return _name(city)
    nearest = reverse_geocode.get((lat, lon))
    return _name(nearest) if nearest else None
