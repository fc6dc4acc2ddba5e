"""The enhanced photo is closer to the original than the degraded input it was made from."""

import pytest
from fotoai.enhance.domain.cpu_pipeline import CpuPipeline
from fotoai.enhance.domain.degradations import DEGRADATIONS
from fotoai.enhance.domain.enhancer import Enhancer
from skimage.color import deltaE_ciede2000, rgb2lab


def psnr(a, b) -> float:
    import numpy as np

    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * np.log10(255.0**2 / mse)


@pytest.mark.parametrize(
    ("photo", "degradation"),
    [
        ("astronaut", "under_exposed_-1.5EV"),
        ("coffee", "over_exposed_+1EV"),
        ("astronaut", "cast_cool"),
        ("chelsea", "cast_warm"),
        ("china", "noise_sigma15"),
        ("astronaut", "blur_sigma1.5"),
        ("coffee", "low_contrast_x0.5"),
    ],
)
def test_enhanced_is_closer_to_the_original(photos, photo, degradation):
    original = photos[photo]
    degraded = DEGRADATIONS[degradation](original)
    enhanced = Enhancer(CpuPipeline()).enhance(degraded).image
    assert psnr(original, enhanced) > psnr(original, degraded) + 0.5
    ref = rgb2lab(original)
    assert (
        deltaE_ciede2000(ref, rgb2lab(enhanced)).mean()
        < deltaE_ciede2000(ref, rgb2lab(degraded)).mean()
    )
