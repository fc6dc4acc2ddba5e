"""Fixtures of the enhance unit tests: real photographs from scikit-image and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data as skdata
from sklearn.datasets import load_sample_image

PHOTOS = {
    "astronaut": skdata.astronaut,
    "coffee": skdata.coffee,
    "chelsea": skdata.chelsea,
    "rocket": skdata.rocket,
    "china": lambda: load_sample_image("china.jpg"),
    "flower": lambda: load_sample_image("flower.jpg"),
}


@pytest.fixture(scope="session")
def photos() -> dict[str, np.ndarray]:
    return {name: load() for name, load in PHOTOS.items()}


@pytest.fixture(scope="session")
def astronaut(photos) -> np.ndarray:
    return photos["astronaut"]


@pytest.fixture(scope="session")
def coffee(photos) -> np.ndarray:
    return photos["coffee"]
