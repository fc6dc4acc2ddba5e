"""The enhanced thumbnail's size: the photo's thumb_large, whatever rounding the two scalings did."""

import numpy as np
import pytest
from fotoai.enhance.domain.thumbnail import fit_within, shrink, thumbnail_size


@pytest.mark.parametrize(
    ("size", "like", "expected"),
    [
        ((1920, 1440), (1024, 768), (1024, 768)),  # a 4000x3000 photo: preview and thumb_large
        ((1920, 1437), (1024, 767), (1024, 767)),  # rounding of the preview: thumb_large's own size
        ((1920, 1437), (1024, 766), (1024, 766)),
        ((480, 320), (480, 320), (480, 320)),  # a small photo: nothing to shrink
        ((400, 300), (480, 360), (400, 300)),  # never larger than the enhanced picture
        ((1920, 1080), (1024, 1024), (1024, 576)),  # another aspect: fitted, not distorted
    ],
)
def test_the_thumbnail_takes_the_size_of_thumb_large(size, like, expected):
    assert thumbnail_size(size, like) == expected


def test_fit_within_never_enlarges():
    assert fit_within((300, 200), 1024) == (300, 200)
    assert fit_within((4000, 3000), 1024) == (1024, 768)
    assert fit_within((3000, 4000), 1024) == (768, 1024)


def test_shrink_averages_the_picture_down():
    rgb = np.zeros((400, 600, 3), np.uint8)
    rgb[:, 300:] = (200, 120, 40)
    small = shrink(rgb, (300, 200))
    assert small.shape == (200, 300, 3) and small.dtype == np.uint8
    assert small[:, :140].max() == 0 and np.abs(small[:, 160:].astype(int) - (200, 120, 40)).max() <= 1
    assert shrink(rgb, (600, 400)) is rgb
