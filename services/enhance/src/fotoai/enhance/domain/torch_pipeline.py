"""The plan applied with torch, batched, on CPU or CUDA: the same stages and formulas as
`cpu_pipeline`, so the two agree within a level or two.

Images of the same size are stacked into one batch; per-image parameters ride along as tensors,
and a stage a photo does not need runs with its neutral parameter (a no-op) rather than
splitting the batch. Torch is imported when this module is, so only the torch path pays for it.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch
import torch.nn.functional as F
from fotoai.enhance.domain import clahe as clahe_tables
from fotoai.enhance.domain.colour import LUMA_WEIGHTS
from fotoai.enhance.domain.curves import channel_luts
from fotoai.enhance.domain.filters import (
    CHROMA_K,
    CHROMA_RADIUS,
    LUMA_K,
    LUMA_RADIUS,
    SIGMA_CB,
    SIGMA_CR,
    SIGMA_Y,
    gaussian_kernel,
)
from fotoai.enhance.domain.plan import Plan

_R, _G, _B = LUMA_WEIGHTS


def resolve_device(device: str) -> str:
    """'auto' -> 'cuda' when a GPU is visible, else 'cpu'; 'cuda' without one is an error."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' requested but torch sees no GPU")
    return device


def _quantise(x: torch.Tensor) -> torch.Tensor:
    return torch.round(x).clamp_(0, 255)


def _luma(x: torch.Tensor) -> torch.Tensor:
    return x[:, 0:1] * _R + x[:, 1:2] * _G + x[:, 2:3] * _B


def _box(x: torch.Tensor, r: int) -> torch.Tensor:
    # two depthwise 1-D convolutions: avg_pool2d is an order of magnitude slower on CPU
    c = x.shape[1]
    k = 2 * r + 1
    weight = torch.full((c, 1, 1, k), 1.0 / k, dtype=x.dtype, device=x.device)
    padded = F.pad(x, (r, r, r, r), mode="reflect")
    rows = F.conv2d(padded, weight, groups=c)
    return F.conv2d(rows, weight.view(c, 1, k, 1), groups=c)


def _guided_self(x: torch.Tensor, r: int, eps: torch.Tensor) -> torch.Tensor:
    mean = _box(x, r)
    var = _box(x * x, r) - mean * mean
    a = var / (var + eps)
    b = mean - a * mean
    return _box(a, r) * x + _box(b, r)


def _denoise(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    s = sigma.view(-1, 1, 1, 1)
    y = _luma(x)
    cb = x[:, 2:3] - y
    cr = x[:, 0:1] - y
    y = _guided_self(y, LUMA_RADIUS, (LUMA_K * SIGMA_Y * s) ** 2)
    eps_c = (CHROMA_K * 0.5 * (SIGMA_CB + SIGMA_CR) * s) ** 2
    c = _guided_self(torch.cat([cb, cr], dim=1), CHROMA_RADIUS, eps_c)
    r = y + c[:, 1:2]
    b = y + c[:, 0:1]
    g = (y - _R * r - _B * b) / _G
    return torch.cat([r, g, b], dim=1)


def _apply_luts(x: torch.Tensor, luts: torch.Tensor) -> torch.Tensor:
    """Per-image, per-channel table lookup of integer-valued x; luts is (N, 3, 256)."""
    n, c, h, w = x.shape
    idx = x.to(torch.int64).view(n, c, -1)
    return torch.gather(luts, 2, idx).view(n, c, h, w)


def _vibrance(x: torch.Tensor, amount: torch.Tensor) -> torch.Tensor:
    y = _luma(x)
    mx = x.amax(dim=1, keepdim=True)
    mn = x.amin(dim=1, keepdim=True)
    sat = (mx - mn) / mx.clamp(min=1.0)
    return y + (x - y) * (1.0 + amount.view(-1, 1, 1, 1) * (1.0 - sat))


def _clahe_delta(y: torch.Tensor, clip: float) -> torch.Tensor:
    """CLAHE(y) - y for one (1, 1, H, W) plane of integer values, as OpenCV computes it."""
    grid = clahe_tables.GRID
    _, _, h, w = y.shape
    ph, pw = clahe_tables.padded_size(h, w)
    padded = F.pad(y, (0, pw - w, 0, ph - h), mode="reflect") if (ph, pw) != (h, w) else y
    th, tw = ph // grid, pw // grid
    v = padded[0, 0].to(torch.int64)
    ty = torch.arange(ph, device=y.device) // th
    tx = torch.arange(pw, device=y.device) // tw
    tile = (ty[:, None] * grid + tx[None, :]) * 256 + v
    hist = torch.bincount(tile.view(-1), minlength=grid * grid * 256).view(grid, grid, 256)
    luts = clahe_tables.tile_luts(hist.cpu().numpy(), th * tw, clip)
    lut = torch.from_numpy(luts.astype(np.float32)).to(y.device).view(-1)

    def axis(n: int, size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        pos = (
            torch.arange(n, device=y.device, dtype=torch.float32)
            * torch.tensor(1.0 / size, dtype=torch.float32)
            - 0.5
        )
        lo = torch.floor(pos)
        frac = pos - lo
        lo = lo.to(torch.int64)
        return lo.clamp(min=0), (lo + 1).clamp(max=grid - 1), frac

    ty1, ty2, ya = axis(h, th)
    tx1, tx2, xa = axis(w, tw)
    val = y[0, 0].to(torch.int64)

    def at(ty_: torch.Tensor, tx_: torch.Tensor) -> torch.Tensor:
        return lut[(ty_[:, None] * grid + tx_[None, :]) * 256 + val]

    xa_ = xa[None, :]
    ya_ = ya[:, None]
    res = (at(ty1, tx1) * (1 - xa_) + at(ty1, tx2) * xa_) * (1 - ya_) + (
        at(ty2, tx1) * (1 - xa_) + at(ty2, tx2) * xa_
    ) * ya_
    return (_quantise(res) - y[0, 0])[None, None]


class TorchPipeline:
    """Applies plans to batches of 8-bit RGB images with torch on `device` (cpu, cuda, auto)."""

    def __init__(self, device: str = "auto", batch_size: int = 4) -> None:
        self.device = resolve_device(device)
        self.batch_size = max(1, batch_size)

    def apply(self, rgb: np.ndarray, plan: Plan) -> np.ndarray:
        return self.apply_batch([rgb], [plan])[0]

    def apply_batch(self, images: list[np.ndarray], plans: list[Plan]) -> list[np.ndarray]:
        out: list[np.ndarray | None] = [None] * len(images)
        by_shape: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for i, im in enumerate(images):
            by_shape[im.shape].append(i)
        for idx in by_shape.values():
            for k in range(0, len(idx), self.batch_size):
                chunk = idx[k : k + self.batch_size]
                results = self._run(np.stack([images[i] for i in chunk]), [plans[i] for i in chunk])
                for i, r in zip(chunk, results, strict=True):
                    out[i] = r
        return out  # type: ignore[return-value]

    @torch.inference_mode()
    def _run(self, batch: np.ndarray, plans: list[Plan]) -> list[np.ndarray]:
        dev = self.device
        x = torch.from_numpy(batch).to(dev).permute(0, 3, 1, 2).float()
        if any(p.denoise_sigma for p in plans):
            sigma = torch.tensor([p.denoise_sigma for p in plans], device=dev)
            denoised = _quantise(_denoise(x, sigma.clamp(min=1e-3)))
            x = torch.where((sigma > 0).view(-1, 1, 1, 1), denoised, x)
        if any(p.has_tone or p.denoise_sigma for p in plans):
            luts = torch.from_numpy(np.stack([channel_luts(p) for p in plans])).to(dev)
            x = _apply_luts(x, luts)
            if not any(p.vibrance for p in plans):
                x = _quantise(x)  # as cv2.LUT through an 8-bit table does
        if any(p.vibrance for p in plans):
            x = _vibrance(x, torch.tensor([p.vibrance for p in plans], device=dev))
        x = _quantise(x)
        if any(p.clahe_strength for p in plans):
            y = _quantise(_luma(x))
            deltas = []
            for i, p in enumerate(plans):
                if p.clahe_strength:
                    deltas.append(p.clahe_strength * _clahe_delta(y[i : i + 1], p.clahe_clip))
                else:
                    deltas.append(torch.zeros_like(y[i : i + 1]))
            x = x + torch.cat(deltas, dim=0)
        if any(p.sharpen_amount for p in plans):
            x = self._sharpen(x, plans)
        x = _quantise(x)
        return list(x.to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy())

    def _sharpen(self, x: torch.Tensor, plans: list[Plan]) -> torch.Tensor:
        dev = x.device
        amount = torch.tensor([p.sharpen_amount for p in plans], device=dev).view(-1, 1, 1, 1)
        sigma = next(p.sharpen_sigma for p in plans if p.sharpen_amount)
        k = torch.from_numpy(gaussian_kernel(sigma)).to(dev)
        r = k.numel() // 2
        y = _luma(x)
        blurred = F.conv2d(F.pad(y, (r, r, 0, 0), mode="reflect"), k.view(1, 1, 1, -1))
        blurred = F.conv2d(F.pad(blurred, (0, 0, r, r), mode="reflect"), k.view(1, 1, -1, 1))
        return x + amount * (y - blurred)
