"""Offline reverse geocoding: a GPS position → city, state, country (GeoNames via the
`reverse-geocode` package, no network).

The nearest populated place is often a suburb (the Eiffel Tower's nearest is Vanves) or a
district GeoNames counts as a city of its own (Berlin-Mitte), which is not what people search
for. So the city is the nearest place of the first tier of `CITY_TIERS` (a million people within
30 km, else half a million within 20, else 100,000 within 15) that has one near enough, else
the nearest populated place at all; state and country come from the same place. Each tier's
look-up tree loads once per process: the service loads them all at start-up (`load_trees`, ~1 s of
CPU together) rather than on the first photo with a position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import reverse_geocode

#: (population, radius km): the biggest city tier with a place near enough names the city.
CITY_TIERS = ((1_000_000, 30.0), (500_000, 20.0), (100_000, 15.0))


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


def load_trees() -> None:
    """Load every tier's look-up tree now (~1 s of CPU each) instead of on the first photo with
    a position: the service calls it at start-up, off the event loop."""
    for population, _ in CITY_TIERS:
        reverse_geocode.get((0.0, 0.0), min_population=population)
    reverse_geocode.get((0.0, 0.0))


def locate(lat: float, lon: float) -> PlaceName | None:
    """The place of a position; None for positions that are not on Earth's surface grid."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        # (0, 0) is what a GPS without a fix writes: "Null Island" is not a place.
        return None
    for population, radius_km in CITY_TIERS:
        city = reverse_geocode.get((lat, lon), min_population=population)
        if city and distance_km((lat, lon), (city["latitude"], city["longitude"])) <= radius_km:
            return _name(city)
    nearest = reverse_geocode.get((lat, lon))
    return _name(nearest) if nearest else None
