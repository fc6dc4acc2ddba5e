import numpy as np
import pytest
from fotoai.enhance.domain.analysis import detail_crop, estimate_noise_sigma, measure, overview
from fotoai.enhance.domain.degradations import add_noise, blur, linear_gain


def test_overview_halves_until_the_longest_side_fits_and_keeps_small_images():
    big = np.zeros((3000, 4000, 3), np.uint8)
    assert overview(big, 1024).shape == (750, 1000, 3)
    assert overview(np.zeros((1440, 1920, 3), np.uint8), 512).shape == (360, 480, 3)
    small = np.zeros((100, 50, 3), np.uint8)
    assert overview(small, 1024) is small


def test_overview_averages_2x2_blocks_and_drops_an_odd_edge():
    img = np.zeros((5, 7, 3), np.uint8)
    img[:2, :2] = (40, 80, 120)  # one block
    img[4, :] = img[:, 6] = 255  # the odd last row and column
    half = overview(img, 4)
    assert half.shape == (2, 3, 3)
    assert tuple(half[0, 0]) == (40, 80, 120)
    assert half[1:, 1:].max() == 0 and half[0, 1:].max() == 0


def test_detail_crop_is_central_and_full_resolution():
    img = np.arange(20 * 30 * 3, dtype=np.uint8).reshape(20, 30, 3)
    crop = detail_crop(img, 10)
    assert crop.shape == (10, 10, 3)
    assert np.array_equal(crop, img[5:15, 10:20])


@pytest.mark.parametrize("sigma", [5.0, 10.0, 20.0])
def test_noise_estimate_tracks_added_gaussian_noise(sigma):
    flat = np.full((256, 256, 3), 128, np.uint8)
    est = estimate_noise_sigma(add_noise(flat, sigma))
    assert est == pytest.approx(sigma, rel=0.15)


def test_noise_estimate_is_low_on_a_clean_photo_and_high_on_a_noisy_one(astronaut):
    assert estimate_noise_sigma(astronaut) < 3.0
    assert estimate_noise_sigma(add_noise(astronaut, 15)) > 10.0


def test_blur_lowers_sharpness(astronaut):
    sharp = measure(astronaut).sharpness
    soft = measure(blur(astronaut, 1.5)).sharpness
    assert soft < 0.6 * sharp


def test_exposure_measures_move_with_exposure(astronaut):
    normal = measure(astronaut)
    dark = measure(linear_gain(astronaut, (0.25,) * 3))
    assert dark.exposure_mean < normal.exposure_mean - 0.15
    assert dark.white < 0.8


def test_white_patch_illuminant_follows_a_linear_cast(astronaut):
    m = measure(linear_gain(astronaut, (0.75, 0.95, 1.3)))
    r, g, b = m.illuminant
    assert b > g > r
    assert m.colour_cast > measure(astronaut).colour_cast + 0.2


def test_rejects_non_rgb_input():
    with pytest.raises(ValueError):
        measure(np.zeros((10, 10), np.uint8))


def test_report_has_the_published_measures(astronaut):
    report = measure(astronaut).report()
    for key in ("exposure_mean", "contrast", "colour_cast", "noise_sigma", "sharpness"):
        assert isinstance(report[key], float)
