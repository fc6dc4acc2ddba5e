"""The optional learned refiner: a small residual CNN and the tiled runner for any torch model.

Model contract: a module taking (N, 3, H, W) float RGB in [0, 1] and returning the same shape,
fully convolutional, so it can run tile by tile at any resolution with bounded memory.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class ResidualEnhanceNet(nn.Module):
    """`depth` 3x3 conv layers of `channels` features predicting a residual added to the input.

    The last layer starts at zero, so an untrained net is the identity.
    """

    def __init__(self, channels: int = 16, depth: int = 3) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(3, channels, 3, padding=1), nn.ReLU()]
        for _ in range(max(0, depth - 2)):
            layers += [nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU()]
        last = nn.Conv2d(channels, 3, 3, padding=1)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
        layers.append(last)
        self.body = nn.Sequential(*layers)
        self.receptive_radius = depth

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x + self.body(x)).clamp(0.0, 1.0)


class LearnedRefiner:
    """Runs a model over an 8-bit RGB image in overlapping tiles on `device`."""

    def __init__(
        self, model: nn.Module, device: str = "cpu", tile: int = 1024, halo: int = 16
    ) -> None:
        model = model.to(device)
        try:
            model.eval()
        except NotImplementedError:
            pass  # modules from torch.export have no train mode to leave
        self.model = model
        self.device = device
        self.tile = tile
        self.halo = halo

    @torch.inference_mode()
    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        out = np.empty_like(rgb)
        t, m = self.tile, self.halo
        for y0 in range(0, h, t):
            for x0 in range(0, w, t):
                y1, x1 = min(h, y0 + t), min(w, x0 + t)
                a0, b0 = max(0, y0 - m), max(0, x0 - m)
                a1, b1 = min(h, y1 + m), min(w, x1 + m)
                x = torch.from_numpy(np.ascontiguousarray(rgb[a0:a1, b0:b1])).to(self.device)
                x = x.permute(2, 0, 1)[None].float() / 255.0
                y = self.model(x)[0].permute(1, 2, 0).clamp(0, 1) * 255.0
                y = torch.round(y).to(torch.uint8).cpu().numpy()
                out[y0:y1, x0:x1] = y[y0 - a0 : y1 - a0, x0 - b0 : x1 - b0]
        return out
