"""OpenCV's bundled Haar cascade on real photographs."""

from __future__ import annotations

import numpy as np
import pytest
from fotoai.tagging.domain.imaging import decode_image
from fotoai.tagging.models.faces import HaarFaceDetector
from matplotlib import cbook
from PIL import Image

from .conftest import jpeg_bytes, upscale


@pytest.fixture(scope="module")
def detector() -> HaarFaceDetector:
    detector = HaarFaceDetector()
    detector.load()
    return detector


def test_the_astronaut_has_one_face_where_her_face_is(detector, astronaut) -> None:
    # As the service sees it: a 1024-pixel thumbnail decoded to the analysis size.
    rgb = decode_image(jpeg_bytes(upscale(astronaut, 1024))).rgb
    faces = detector.detect(rgb)
    assert len(faces) == 1
    face = faces[0]
    # Eileen Collins' face sits in the upper middle-left of the picture.
    assert 0.3 < face.x + face.w / 2 < 0.6
    assert 0.1 < face.y + face.h / 2 < 0.4
    assert 0.08 < face.w < 0.35
    assert 0.5 < face.score <= 1.0


def test_grace_hopper_is_found(detector) -> None:
    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        rgb = np.asarray(Image.open(handle).convert("RGB"))
    assert len(detector.detect(rgb)) == 1


@pytest.mark.parametrize("name", ["coffee", "chelsea", "rocket"])
def test_no_faces_on_photos_without_people(detector, name) -> None:
    from skimage import data as skdata

    assert detector.detect(getattr(skdata, name)()) == []
