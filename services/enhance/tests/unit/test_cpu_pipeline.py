import cv2
import numpy as np
import pytest
from fotoai.enhance.domain.clahe import GRID
from fotoai.enhance.domain.cpu_pipeline import CpuPipeline
from fotoai.enhance.domain.curves import apply_luts_u8, channel_luts
from fotoai.enhance.domain.degradations import add_noise
from fotoai.enhance.domain.plan import Plan

FULL = Plan(
    wb_gains=(1.1, 1.0, 0.85),
    exposure_ev=0.4,
    black=0.05,
    white=0.95,
    denoise_sigma=10.0,
    clahe_clip=2.0,
    clahe_strength=0.5,
    vibrance=0.2,
    sharpen_amount=0.8,
    sharpen_sigma=1.4,
)


def test_strips_give_the_same_pixels_as_one_pass(coffee):
    noisy = add_noise(coffee, 10)
    one = CpuPipeline(strip_rows=10_000).apply(noisy, FULL)
    strips = CpuPipeline(strip_rows=37).apply(noisy, FULL)
    assert np.abs(one.astype(int) - strips).max() <= 1
    assert (one != strips).mean() < 1e-3


def test_output_shape_and_type(coffee):
    out = CpuPipeline().apply(coffee, FULL)
    assert out.shape == coffee.shape and out.dtype == np.uint8


def test_identity_luts_are_identity():
    luts = channel_luts(Plan())
    assert np.allclose(luts, np.arange(256)[None, :], atol=1e-3)


def test_luts_apply_per_channel():
    img = np.zeros((2, 2, 3), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = 50, 100, 150
    out = apply_luts_u8(img, channel_luts(Plan(wb_gains=(2.0, 1.0, 0.5))))
    assert out[0, 0, 0] > 50 and out[0, 0, 1] == 100 and out[0, 0, 2] < 150


def test_positive_exposure_brightens_and_never_wraps(astronaut):
    out = apply_luts_u8(astronaut, channel_luts(Plan(exposure_ev=1.0)))
    assert out.mean() > astronaut.mean() + 10
    assert (out.astype(int) >= astronaut.astype(int) - 1).all()


def test_negative_exposure_keeps_white_white():
    luts = channel_luts(Plan(exposure_ev=-1.0))
    assert luts[:, 255].min() > 254.0
    assert luts[:, 128].max() < 110


def test_local_contrast_uses_opencv_clahe_on_luma():
    rng = np.random.default_rng(1)
    grey = np.repeat((rng.random((64, 80, 1)) * 40 + 100).astype(np.uint8), 3, axis=2)
    plan = Plan(clahe_clip=2.0, clahe_strength=1.0)
    out = CpuPipeline().apply(grey, plan)
    expected = cv2.createCLAHE(2.0, (GRID, GRID)).apply(grey[..., 0])
    assert np.abs(out[..., 0].astype(int) - expected).max() <= 1


@pytest.mark.parametrize("sigma", [8.0, 15.0])
def test_denoise_reduces_noise_on_a_flat_patch(sigma):
    flat = np.full((128, 128, 3), 120, np.uint8)
    noisy = add_noise(flat, sigma)
    out = CpuPipeline().apply(noisy, Plan(denoise_sigma=sigma))
    assert out.astype(float).std() < 0.5 * noisy.astype(float).std()


def test_sharpen_increases_edge_contrast():
    step = np.zeros((32, 32, 3), np.uint8)
    step[:, 16:] = 200
    soft = cv2.GaussianBlur(step, (0, 0), 1.5)
    out = CpuPipeline().apply(soft, Plan(sharpen_amount=1.0))
    assert (
        np.abs(np.diff(out[16, :, 1].astype(int))).max()
        > np.abs(np.diff(soft[16, :, 1].astype(int))).max()
    )


def _reference_local_contrast_and_sharpen(img: np.ndarray, plan: Plan) -> np.ndarray:
    """The formulas of both stages on three float channels, in one pass (the torch path's
    order): equalised luma offset added to every channel, then the unsharp mask of its luma."""
    from fotoai.enhance.domain.colour import luma
    from fotoai.enhance.domain.filters import gaussian_kernel

    f = img.astype(np.float32)
    y8 = np.clip(np.rint(luma(f)), 0, 255).astype(np.uint8)
    clahe = cv2.createCLAHE(clipLimit=plan.clahe_clip, tileGridSize=(GRID, GRID))
    f += (plan.clahe_strength * (clahe.apply(y8).astype(np.float32) - y8))[..., None]
    y = np.ascontiguousarray(luma(f))
    k = gaussian_kernel(plan.sharpen_sigma)
    blurred = cv2.sepFilter2D(y, -1, k, k, borderType=cv2.BORDER_REFLECT_101)
    f += (plan.sharpen_amount * (y - blurred))[..., None]
    return np.clip(np.rint(f), 0, 255).astype(np.uint8)


def test_local_contrast_and_sharpen_on_one_luma_plane_match_the_three_channel_formula(coffee):
    plan = Plan(clahe_clip=2.0, clahe_strength=0.6, sharpen_amount=1.2, sharpen_sigma=1.4)
    ours = CpuPipeline(strip_rows=64).apply(coffee, plan)
    diff = np.abs(ours.astype(int) - _reference_local_contrast_and_sharpen(coffee, plan))
    assert diff.max() <= 1  # a float rounding tie at most
    assert (diff > 0).mean() < 1e-3


def test_vibrance_on_channel_planes_matches_the_per_pixel_formula(coffee):
    from fotoai.enhance.domain.filters import vibrance

    f = coffee.astype(np.float32)
    y = (f @ np.asarray([0.299, 0.587, 0.114], np.float32))[..., None]
    mx, mn = f.max(axis=-1, keepdims=True), f.min(axis=-1, keepdims=True)
    expected = y + (f - y) * (1.0 + 0.3 * (1.0 - (mx - mn) / np.maximum(mx, 1.0)))
    assert np.abs(vibrance(f, 0.3) - expected).max() < 1e-3
