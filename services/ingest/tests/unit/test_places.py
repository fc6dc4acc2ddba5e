"""Offline reverse geocoding of known landmarks (GeoNames data shipped in the wheel)."""

import pytest
import reverse_geocode
from fotoai.ingest.domain.places import CITY_TIERS, distance_km, load_trees, locate


@pytest.mark.parametrize(
    ("lat", "lon", "city", "country", "code"),
    [
        (48.8584, 2.2945, "Paris", "France", "FR"),  # the Eiffel Tower: not its suburb Vanves
        (52.5163, 13.3777, "Berlin", "Germany", "DE"),  # not the district Mitte
        (38.7223, -9.1393, "Lisbon", "Portugal", "PT"),
        (41.8902, 12.4922, "Rome", "Italy", "IT"),
        (-33.8568, 151.2153, "Sydney", "Australia", "AU"),
    ],
)
def test_landmarks_name_their_city_and_country(lat, lon, city, country, code):
    place = locate(lat, lon)
    assert place is not None
    assert (place.city, place.country, place.country_code) == (city, country, code)


def test_far_from_a_big_city_the_nearest_populated_place_is_named():
    place = locate(46.0207, 7.7491)  # Zermatt: no big city near enough
    assert place is not None and place.country_code == "CH" and place.city


def test_null_island_is_no_place():
    assert locate(0.0, 0.0) is None


def test_distance():
    assert distance_km((48.8584, 2.2945), (38.7223, -9.1393)) == pytest.approx(1453, rel=0.02)



def test_load_trees_loads_every_tier_the_look_up_uses(monkeypatch) -> None:
    # Start from no loaded tree (the tests above loaded some), and restore them afterwards.
    instances = {k: v for k, v in reverse_geocode.Singleton._instances.items() if k[0] is not reverse_geocode.GeocodeData}
    monkeypatch.setattr(reverse_geocode.Singleton, "_instances", instances)
    load_trees()
    loaded = {args for (cls, args) in instances if cls is reverse_geocode.GeocodeData}
    assert loaded == {(population,) for population, _ in CITY_TIERS} | {(0,)}
