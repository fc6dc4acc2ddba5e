"""Deciding what to correct: from the measures to a `Plan` of parameters, each off unless needed.

Every decision has a dead zone, so a well-exposed, neutral, clean, sharp photograph gets an
empty plan and comes out unchanged; past the dead zone the correction grows smoothly, so a
photo just past a threshold is not treated very differently from one just below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from fotoai.enhance.domain.analysis import Measures, luma_iqr, tone_statistics
from fotoai.enhance.domain.colour import srgb_to_linear
from fotoai.enhance.domain.curves import apply_luts_u8, channel_luts


@dataclass(frozen=True)
class Tuning:
    """Thresholds and strengths of the planner. Defaults were tuned on `bench/enhance_quality.py`."""

    # white balance, on the distance of the illuminant from a slightly warm reference (most
    # photographs are lit warm, and people keep them so): short casts are the scene's own light,
    # and very long ones are far likelier a colourful subject (flowers, sunsets) than a cast.
    warm_reference: tuple[float, float, float] = (1.12, 1.0, 0.88)
    cast_ramp: tuple[float, float] = (0.2, 0.4)  # from no correction to full
    cast_fade: tuple[float, float] = (0.55, 0.85)  # from full back to none
    cast_strength: float = 0.9
    # exposure
    target_white: float = 0.97  # sRGB value the brightest unclipped content should reach
    max_median_after_lift: float = 0.55  # a lift never pushes the median luma above this
    lift_dead_zone: tuple[float, float] = (0.45, 0.9)  # EV: no lift below, full lift above
    max_lift_ev: float = 3.0
    clipped_ramp: tuple[float, float] = (0.08, 0.2)  # clipped fraction: start and full darkening
    ev_per_clipped: float = 3.0  # EV of darkening per unit of clipped fraction
    max_darken_ev: float = 1.0
    # contrast
    black_threshold: float = 0.08  # a black point above this is lifted (haze, flat scan)
    white_cap: float = 0.92  # with lifted blacks, a white point below this is stretched too
    target_contrast: float = 0.3  # luma std a levels stretch never exceeds
    clahe_below_iqr: float = 0.07  # luma interquartile range after the tone curve
    clahe_clip: float = 2.0
    clahe_strength: float = 0.6
    # noise and detail
    denoise_above_sigma: float = 3.0
    sharpen_below: float = 0.45
    sharpen_full_at: float = 0.25
    sharpen_max_amount: float = 1.4
    sharpen_sigma: float = 1.4
    # colourfulness
    vibrance_below_saturation: float = 0.15
    vibrance_max: float = 0.35


@dataclass(frozen=True)
class Plan:
    """Parameters of every correction; the neutral value means the stage is skipped."""

    wb_gains: tuple[float, float, float] = (1.0, 1.0, 1.0)
    exposure_ev: float = 0.0
    black: float = 0.0
    white: float = 1.0
    denoise_sigma: float = 0.0
    clahe_clip: float = 0.0
    clahe_strength: float = 0.0
    vibrance: float = 0.0
    sharpen_amount: float = 0.0
    sharpen_sigma: float = 1.4

    @property
    def has_tone(self) -> bool:
        return (
            self.wb_gains != (1.0, 1.0, 1.0)
            or self.exposure_ev != 0.0
            or (
                self.black,
                self.white,
            )
            != (0.0, 1.0)
        )

    @property
    def is_identity(self) -> bool:
        return not (
            self.has_tone
            or self.denoise_sigma
            or self.clahe_strength
            or self.vibrance
            or self.sharpen_amount
        )

    def operations(self) -> list[tuple[str, dict[str, float | str]]]:
        """(name, params) of the stages that run, in the order they run."""
        ops: list[tuple[str, dict[str, float | str]]] = []
        if self.denoise_sigma:
            ops.append(
                ("denoise", {"sigma": round(self.denoise_sigma, 3), "method": "guided_filter"})
            )
        if self.wb_gains != (1.0, 1.0, 1.0):
            r, g, b = self.wb_gains
            ops.append(
                (
                    "white_balance",
                    {"r_gain": round(r, 4), "g_gain": round(g, 4), "b_gain": round(b, 4)},
                )
            )
        if self.exposure_ev:
            ops.append(("exposure", {"ev": round(self.exposure_ev, 4)}))
        if (self.black, self.white) != (0.0, 1.0):
            ops.append(
                ("tone_curve", {"black": round(self.black, 4), "white": round(self.white, 4)})
            )
        if self.clahe_strength:
            ops.append(
                (
                    "local_contrast",
                    {
                        "clip_limit": self.clahe_clip,
                        "strength": self.clahe_strength,
                        "method": "clahe_luma",
                    },
                )
            )
        if self.vibrance:
            ops.append(("vibrance", {"amount": round(self.vibrance, 4)}))
        if self.sharpen_amount:
            ops.append(
                ("sharpen", {"amount": round(self.sharpen_amount, 4), "sigma": self.sharpen_sigma})
            )
        return ops


def smoothstep(lo: float, hi: float, x: float) -> float:
    t = min(1.0, max(0.0, (x - lo) / (hi - lo)))
    return t * t * (3 - 2 * t)


def _zero_mean_log(rgb: tuple[float, float, float]) -> np.ndarray:
    logs = np.log(np.asarray(rgb, dtype=np.float64))
    return logs - logs.mean()


def white_balance_gains(m: Measures, t: Tuning) -> tuple[float, float, float]:
    """Linear gains that move the estimated illuminant toward the warm reference.

    The white-patch cast is trusted in proportion to how far the grey-pixel estimate points
    the same way (a bright orange rocket flame is not a cast when the grey pixels are grey).
    """
    ref = _zero_mean_log(t.warm_reference)
    v = _zero_mean_log(m.illuminant) - ref
    length = float(np.linalg.norm(v))
    if length < 1e-6:
        return (1.0, 1.0, 1.0)
    agreement = float(np.dot(_zero_mean_log(m.grey_illuminant) - ref, v)) / length**2
    weight = smoothstep(*t.cast_ramp, length) * (1 - smoothstep(*t.cast_fade, length))
    weight *= min(1.0, max(0.0, agreement))
    if weight <= 0:
        return (1.0, 1.0, 1.0)
    gains = np.exp(-v * weight * t.cast_strength)
    # keep luminance: a cast fix should not also change exposure
    gains /= float(gains @ np.array([0.2126, 0.7152, 0.0722]))
    return (round(float(gains[0]), 4), round(float(gains[1]), 4), round(float(gains[2]), 4))


def exposure_ev(median: float, white: float, clipped: float, t: Tuning) -> float:
    """EV to apply: a lift that brings the white point up, or a darkening of clipped photos.

    A lift is capped so the median does not pass `max_median_after_lift`: a dim scene without
    highlights (a cat indoors) keeps its mood. Darkening follows the clipped fraction, the one
    sign of overexposure that a bright scene (snow, sky) does not share with it as strongly.
    """
    if white > 0.0:
        lift = math.log2(
            float(srgb_to_linear(t.target_white)) / max(float(srgb_to_linear(white)), 1e-4)
        )
        cap = math.log2(
            float(srgb_to_linear(t.max_median_after_lift))
            / max(float(srgb_to_linear(median)), 1e-4)
        )
        ev = min(lift, cap, t.max_lift_ev)
        if ev > 0:
            return ev * smoothstep(*t.lift_dead_zone, ev)
    strength = smoothstep(*t.clipped_ramp, clipped)
    if strength > 0:
        return -min(t.max_darken_ev, t.ev_per_clipped * clipped) * strength
    return 0.0


def plan_enhancement(small: np.ndarray, m: Measures, t: Tuning | None = None) -> Plan:
    """Plan for a photo from its measures and its overview (`analysis.overview`)."""
    t = t or Tuning()
    gains = white_balance_gains(m, t)
    plan = Plan(wb_gains=gains)
    after_wb = apply_luts_u8(small, channel_luts(plan)) if plan.has_tone else small
    _, median, _, white, _, clipped = tone_statistics(after_wb)
    ev = round(exposure_ev(median, white, clipped, t), 4)
    plan = Plan(wb_gains=gains, exposure_ev=ev)
    after_ev = apply_luts_u8(small, channel_luts(plan)) if plan.has_tone else small
    _, _, black, white, contrast, _ = tone_statistics(after_ev)
    lo, hi = 0.0, 1.0
    # a flat field (black == white) has nothing to stretch
    if black > t.black_threshold and white - black > 0.02:
        lo = black
        hi = max(white, lo + 0.02) if white < t.white_cap else 1.0
        # never stretch past a plausible contrast: the scene may really be soft
        k_max = max(1.0, t.target_contrast / max(contrast, 1e-3))
        if 1.0 / (hi - lo) > k_max:
            mid, half = (lo + hi) / 2, 0.5 / k_max
            lo, hi = max(0.0, mid - half), min(1.0, mid + half)
        lo, hi = round(lo, 4), round(hi, 4)
    plan = Plan(wb_gains=gains, exposure_ev=ev, black=lo, white=hi)
    toned = apply_luts_u8(small, channel_luts(plan)) if plan.has_tone else small
    clahe_strength = t.clahe_strength if luma_iqr(toned) < t.clahe_below_iqr else 0.0
    denoise = m.noise_sigma if m.noise_sigma > t.denoise_above_sigma else 0.0
    sharpen = 0.0
    if not denoise:
        sharpen = t.sharpen_max_amount * smoothstep(t.sharpen_below, t.sharpen_full_at, m.sharpness)
    vibrance = 0.0
    if m.saturation < t.vibrance_below_saturation:
        vibrance = t.vibrance_max * (1 - m.saturation / t.vibrance_below_saturation)
    return Plan(
        wb_gains=gains,
        exposure_ev=ev,
        black=lo,
        white=hi,
        denoise_sigma=round(denoise, 3),
        clahe_clip=t.clahe_clip if clahe_strength else 0.0,
        clahe_strength=clahe_strength,
        vibrance=round(vibrance, 4),
        sharpen_amount=round(sharpen, 4),
        sharpen_sigma=t.sharpen_sigma,
    )
