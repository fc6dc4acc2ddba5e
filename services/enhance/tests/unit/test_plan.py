import numpy as np
import pytest
from fotoai.enhance.domain.cpu_pipeline import CpuPipeline
from fotoai.enhance.domain.degradations import DEGRADATIONS
from fotoai.enhance.domain.enhancer import Enhancer
from fotoai.enhance.domain.plan import Plan, smoothstep
from skimage.metrics import structural_similarity


@pytest.fixture(scope="module")
def enhancer() -> Enhancer:
    return Enhancer(CpuPipeline())


@pytest.mark.parametrize("name", ["astronaut", "coffee", "chelsea", "rocket", "china", "flower"])
def test_good_photos_come_out_nearly_unchanged(enhancer, photos, name):
    original = photos[name]
    result = enhancer.enhance(original)
    ssim = structural_similarity(original, result.image, channel_axis=2, data_range=255)
    assert ssim >= 0.98
    assert not any(
        op in ("denoise", "sharpen", "local_contrast", "vibrance")
        for op, _ in result.plan.operations()
    )


def test_identity_plan_is_identity(astronaut):
    assert Plan().is_identity
    assert np.array_equal(CpuPipeline().apply(astronaut, Plan()), astronaut)


@pytest.mark.parametrize(
    ("degradation", "expect"),
    [
        ("under_exposed_-1.5EV", "exposure"),
        ("over_exposed_+1EV", "exposure"),
        ("cast_cool", "white_balance"),
        ("noise_sigma15", "denoise"),
        ("blur_sigma1.5", "sharpen"),
        ("low_contrast_x0.5", "tone_curve"),
    ],
)
def test_each_degradation_triggers_its_correction(enhancer, astronaut, degradation, expect):
    plan, _ = enhancer.plan(DEGRADATIONS[degradation](astronaut))
    names = [n for n, _ in plan.operations()]
    assert expect in names


def test_exposure_direction(enhancer, astronaut):
    dark, _ = enhancer.plan(DEGRADATIONS["under_exposed_-1.5EV"](astronaut))
    bright, _ = enhancer.plan(DEGRADATIONS["over_exposed_+1EV"](astronaut))
    assert dark.exposure_ev > 0.8
    assert bright.exposure_ev < -0.3


def test_cool_cast_is_warmed(enhancer, astronaut):
    plan, _ = enhancer.plan(DEGRADATIONS["cast_cool"](astronaut))
    r, _, b = plan.wb_gains
    assert r > 1.05 and b < 0.9


def test_a_flat_image_with_full_range_gets_local_contrast():
    # mid-grey texture (fog) plus a dark and a bright object: levels cannot stretch it further
    rng = np.random.default_rng(0)
    base = (rng.random((32, 32)) * 20 + 118).astype(np.float32)
    flat = np.repeat(np.kron(base, np.ones((8, 8)))[..., None], 3, axis=2).astype(np.uint8)
    flat[:40, :40] = 2
    flat[-40:, -40:] = 253
    plan, _ = Enhancer(CpuPipeline()).plan(flat)
    assert plan.clahe_strength > 0
    assert (plan.black, plan.white) == (0.0, 1.0)
    out = CpuPipeline().apply(flat, plan)
    assert out.std() > flat.std()


def test_operations_report_parameters_in_run_order():
    plan = Plan(wb_gains=(1.1, 1.0, 0.9), exposure_ev=0.5, denoise_sigma=8.0, sharpen_amount=0.5)
    names = [n for n, _ in plan.operations()]
    assert names == ["denoise", "white_balance", "exposure", "sharpen"]
    params = dict(plan.operations())
    assert params["exposure"]["ev"] == 0.5
    assert params["white_balance"]["r_gain"] == 1.1


def test_smoothstep_bounds():
    assert smoothstep(0, 1, -1) == 0 and smoothstep(0, 1, 2) == 1
    assert 0 < smoothstep(0, 1, 0.5) < 1


def test_planning_is_deterministic(enhancer, coffee):
    a, _ = enhancer.plan(coffee)
    b, _ = enhancer.plan(coffee.copy())
    assert a == b
