"""Image analysis: the measures that decide which corrections a photo needs.

Global statistics (exposure, contrast, colour) come from a downscaled overview, so their cost
does not grow with the photo. Noise and sharpness are pixel-scale properties that downscaling
would hide, so they come from a bounded full-resolution crop of the centre instead.

The overview is made by halving (2x2 averaging, OpenCV's fast area path: 1.6 ms for a 1920 px
picture where a resize to an arbitrary 1024 px took 25 ms), so its size lies between half the
requested side and the side. Histograms come from `cv2.calcHist`, not `np.bincount`, which widens
every 8-bit value to 64 bits first.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from fotoai.enhance.domain.colour import LINEAR_OF_CODE, LUMA_WEIGHTS, luma

# Immerkær's operator: the difference of two Laplacians, blind to planes and ramps. Its squared
# weights sum to 36, so on white Gaussian noise of sigma s the response has sigma 6 s.
_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
_MAD_TO_SIGMA = 1.0 / (0.6745 * 6.0)
_LUMA_ROW = np.asarray([LUMA_WEIGHTS], dtype=np.float32)  # cv2.transform: RGB -> luma
# Longest side of the copy the illuminant is estimated on: colour needs far fewer pixels than
# the tone percentiles.
ILLUMINANT_SIDE = 320


@dataclass(frozen=True)
class Measures:
    """What the analysis found. Values on [0, 1] unless said otherwise."""

    exposure_mean: float
    median: float
    black: float  # 0.5th percentile of the darkest channel
    white: float  # 99.5th percentile of the brightest channel
    contrast: float  # standard deviation of luma
    clipped: float  # fraction of pixels with a channel at 255
    illuminant: tuple[float, float, float]  # white-patch illuminant estimate, linear, mean 1
    grey_illuminant: tuple[float, float, float]  # grey-pixel illuminant estimate
    colour_cast: float  # length of the illuminant's log-chromaticity vector
    saturation: float  # mean (max - min) / max over pixels
    noise_sigma: float  # per channel, in 8-bit levels
    sharpness: float  # fine-band over medium-band detail energy; blur pushes it down

    def report(self) -> dict[str, float]:
        """The measures published in the event, rounded so replays compare equal."""
        return {
            "exposure_mean": round(self.exposure_mean, 4),
            "contrast": round(self.contrast, 4),
            "colour_cast": round(self.colour_cast, 4),
            "noise_sigma": round(self.noise_sigma, 3),
            "sharpness": round(self.sharpness, 4),
            "black": round(self.black, 4),
            "white": round(self.white, 4),
            "saturation": round(self.saturation, 4),
        }


def halve(rgb: np.ndarray) -> np.ndarray:
    """Each 2x2 block averaged into one pixel (a last odd row or column is dropped)."""
    h, w = rgb.shape[:2]
    even = rgb[: h - h % 2, : w - w % 2]
    return cv2.resize(even, (even.shape[1] // 2, even.shape[0] // 2), interpolation=cv2.INTER_AREA)


def overview(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """A copy halved until its longest side is at most `max_side` (so more than half of it); the
    image itself if it is small already."""
    small = rgb
    while max(small.shape[:2]) > max_side and min(small.shape[:2]) >= 2:
        small = halve(small)
    return small


def detail_crop(rgb: np.ndarray, side: int) -> np.ndarray:
    """The central `side` x `side` window at full resolution (a view, no copy)."""
    h, w = rgb.shape[:2]
    ch, cw = min(h, side), min(w, side)
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    return rgb[y0 : y0 + ch, x0 : x0 + cw]


def estimate_illuminants(
    small: np.ndarray,
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """Two estimates of the scene illuminant in linear RGB (each mean 1): white patch, grey pixels.

    The white patch (mean of the brightest unclipped pixels) scales exactly with a cast applied
    in linear light but is fooled by a bright coloured subject; the grey-pixel estimate (the
    most neutral mid-tones) is biased toward neutral but is not fooled the same way. The planner
    trusts the first as far as the second agrees with it.
    """
    flat = small.reshape(-1, 3)
    lin = LINEAR_OF_CODE[flat]
    y = lin @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    ok = (channel_max(flat) < 250) & (y > 0.01)
    neutral = (1.0, 1.0, 1.0)
    if ok.sum() < 16:
        return neutral, neutral
    bright = _unit(lin[ok & (y >= np.percentile(y[ok], 95))].mean(axis=0))
    mid = ok & (y > 0.05) & (y < 0.9)
    if mid.sum() < 16:
        return bright, neutral
    logs = np.log(lin[mid] + 1e-3)
    chroma = np.linalg.norm(logs - logs.mean(axis=1, keepdims=True), axis=1)
    grey = _unit(lin[mid][chroma <= np.percentile(chroma, 10)].mean(axis=0))
    return bright, grey


def _unit(e: np.ndarray) -> tuple[float, float, float]:
    logs = np.log(np.maximum(e.astype(np.float64), 1e-6))
    u = np.exp(logs - logs.mean())
    return (float(u[0]), float(u[1]), float(u[2]))


def cast_strength(illuminant: tuple[float, float, float]) -> float:
    """Length of the zero-mean log-chromaticity vector of an illuminant (0 = neutral)."""
    logs = np.log(np.asarray(illuminant, dtype=np.float64))
    return float(np.linalg.norm(logs - logs.mean()))


def _median_of_counts(counts: np.ndarray) -> float:
    """np.median of non-negative integers given as their histogram (the two middle values'
    mean for an even count)."""
    cdf = np.cumsum(counts)
    n = int(cdf[-1])
    lo = np.searchsorted(cdf, (n - 1) // 2, side="right")
    hi = np.searchsorted(cdf, n // 2, side="right")
    return (float(lo) + float(hi)) / 2.0


def estimate_noise_sigma(crop: np.ndarray) -> float:
    """Per-channel noise sigma in 8-bit levels: median absolute Immerkær response, averaged."""
    if min(crop.shape[:2]) < 8:
        return 0.0
    # the response of 8-bit input is an exact integer: 16-bit, all channels in one pass; every
    # other row and column (the same median within noise), and medians from histograms
    resp = np.abs(cv2.filter2D(np.ascontiguousarray(crop), cv2.CV_16S, _NOISE_KERNEL))
    sampled = resp[1:-1:2, 1:-1:2]
    sigmas = [_median_of_counts(np.bincount(sampled[..., c].ravel())) for c in range(3)]
    return float(np.mean(sigmas)) * _MAD_TO_SIGMA


def estimate_sharpness(crop: np.ndarray) -> float:
    """Fine-band (sigma < 1) over medium-band (1..3) detail energy of the luma.

    Natural photographs keep a roughly constant ratio between neighbouring bands; optical or
    motion blur removes the fine band first, so the ratio falls (about 0.55-1.5 on sharp photos,
    0.2-0.3 after a 1.5-pixel Gaussian blur).
    """
    if min(crop.shape[:2]) < 16:
        return 1.0
    y = cv2.transform(crop.astype(np.float32), _LUMA_ROW)
    g1 = cv2.GaussianBlur(y, (0, 0), 1.0, borderType=cv2.BORDER_REFLECT_101)
    g3 = cv2.GaussianBlur(y, (0, 0), 3.0, borderType=cv2.BORDER_REFLECT_101)
    fine = cv2.norm(y, g1, cv2.NORM_L1) / y.size
    medium = cv2.norm(g1, g3, cv2.NORM_L1) / y.size
    return fine / medium if medium > 1e-3 else 1.0


def channel_max(rgb: np.ndarray) -> np.ndarray:
    # elementwise over channel planes: much faster than a reduction over a length-3 axis
    return np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])


def channel_min(rgb: np.ndarray) -> np.ndarray:
    return np.minimum(np.minimum(rgb[..., 0], rgb[..., 1]), rgb[..., 2])


def percentile_u8(values: np.ndarray, q: float) -> float:
    """Percentile (lower value) of 8-bit data from its histogram: linear time, no sort."""
    flat = np.ascontiguousarray(values).reshape(-1, 1)
    cdf = np.cumsum(cv2.calcHist([flat], [0], None, [256], [0, 256]).ravel())
    return float(np.searchsorted(cdf, q / 100.0 * (cdf[-1] - 1), side="right"))


def tone_statistics(small: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """(mean luma, median luma, black, white, luma std, clipped fraction) of an 8-bit image."""
    y = luma(small) / 255.0
    mx = channel_max(small)
    median = percentile_u8(np.clip(np.rint(y * 255.0), 0, 255).astype(np.uint8), 50) / 255.0
    black = percentile_u8(channel_min(small), 0.5) / 255.0
    white = percentile_u8(mx, 99.5) / 255.0
    clipped = float(np.count_nonzero(mx >= 255)) / mx.size
    return float(y.mean()), median, black, white, float(y.std()), clipped


def luma_iqr(small: np.ndarray) -> float:
    """Interquartile range of luma on [0, 1]: the spread of the bulk of the picture, which a few
    dark or bright objects in a foggy scene do not widen as they widen the standard deviation."""
    y = np.clip(np.rint(luma(small)), 0, 255).astype(np.uint8)
    return (percentile_u8(y, 75) - percentile_u8(y, 25)) / 255.0


def mean_saturation(small: np.ndarray) -> float:
    mx = channel_max(small).astype(np.float32)
    mn = channel_min(small).astype(np.float32)
    return float(np.mean((mx - mn) / np.maximum(mx, 1.0)))


def measure(
    rgb: np.ndarray,
    *,
    overview_side: int = 640,
    detail_side: int = 768,
    small: np.ndarray | None = None,
) -> Measures:
    """Analyse an 8-bit RGB image (H, W, 3); `small` is its `overview` when the caller has it."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError("expected an 8-bit RGB image of shape (H, W, 3)")
    if small is None:
        small = overview(rgb, overview_side)
    crop = detail_crop(rgb, detail_side)
    mean, median, black, white, contrast, clipped = tone_statistics(small)
    illuminant, grey_illuminant = estimate_illuminants(overview(small, ILLUMINANT_SIDE))
    return Measures(
        exposure_mean=mean,
        median=median,
        black=black,
        white=white,
        contrast=contrast,
        clipped=clipped,
        illuminant=illuminant,
        grey_illuminant=grey_illuminant,
        colour_cast=cast_strength(illuminant),
        saturation=mean_saturation(small),
        noise_sigma=estimate_noise_sigma(crop),
        sharpness=estimate_sharpness(crop),
    )
