"""Dominant colours: solid pictures, two-colour splits, names, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from fotoai.tagging.domain.colours import colour_name, dominant_colours


def solid(rgb: tuple[int, int, int]) -> np.ndarray:
    return np.full((120, 160, 3), rgb, dtype=np.uint8)


@pytest.mark.parametrize(
    ("rgb", "name"),
    [
        ((220, 20, 30), "red"),
        ((20, 60, 210), "blue"),
        ((30, 170, 40), "green"),
        ((250, 250, 250), "white"),
        ((5, 5, 5), "black"),
        ((245, 220, 30), "yellow"),
    ],
)
def test_a_solid_picture_has_one_colour_covering_it(rgb, name) -> None:
    colours = dominant_colours(solid(rgb))
    assert len(colours) == 1
    assert colours[0].fraction == pytest.approx(1.0)
    assert colours[0].hex == "#{:02x}{:02x}{:02x}".format(*rgb)
    assert colour_name(colours[0].rgb) == name


def test_a_split_picture_reports_both_colours_by_share() -> None:
    picture = solid((220, 20, 30))
    picture[:, :40] = (20, 60, 210)  # a quarter blue
    colours = dominant_colours(picture)
    assert [c.hex for c in colours] == ["#dc141e", "#143cd2"]
    assert colours[0].fraction == pytest.approx(0.75, abs=0.02)
    assert colours[1].fraction == pytest.approx(0.25, abs=0.02)


def test_small_slivers_are_dropped_and_fractions_stay_in_range(chelsea) -> None:
    colours = dominant_colours(chelsea, k=5, min_fraction=0.05)
    assert 1 <= len(colours) <= 5
    assert all(0.05 <= c.fraction <= 1 for c in colours)
    assert sum(c.fraction for c in colours) <= 1.0 + 1e-9
    assert [c.fraction for c in colours] == sorted((c.fraction for c in colours), reverse=True)


def test_the_answer_is_deterministic(astronaut) -> None:
    assert dominant_colours(astronaut) == dominant_colours(astronaut)
