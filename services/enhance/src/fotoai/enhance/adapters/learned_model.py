"""Loading the optional learned refiner from a local path (never from a model hub).

Two formats: a `torch.export` program saved with `torch.export.save` (a `.pt2` file), or a
directory holding `config.json` (the `ResidualEnhanceNet` arguments) and `weights.pt` (its
state_dict, loaded with `weights_only=True`, so a file cannot run code when loaded).
"""

from __future__ import annotations

import json
from pathlib import Path

from fotoai.enhance.domain.learned import LearnedRefiner, ResidualEnhanceNet
from fotoai.servicekit.mlruntime import ModelLoadError

__all__ = ["ModelLoadError", "load_learned_refiner", "save_residual_net"]

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.pt"


def save_residual_net(
    net: ResidualEnhanceNet, directory: str | Path, channels: int, depth: int
) -> Path:
    """Write `net` in the directory format `load_learned_refiner` reads."""
    import torch

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    (d / CONFIG_FILE).write_text(
        json.dumps({"arch": "residual_enhance_net", "channels": channels, "depth": depth})
    )
    torch.save(net.state_dict(), d / WEIGHTS_FILE)
    return d


def load_learned_refiner(path: str | Path, device: str = "cpu", tile: int = 1024) -> LearnedRefiner:
    import torch

    p = Path(path)
    if p.is_dir():
        try:
            config = json.loads((p / CONFIG_FILE).read_text())
            if config.get("arch", "residual_enhance_net") != "residual_enhance_net":
                raise ModelLoadError(f"unknown arch {config.get('arch')!r} in {p / CONFIG_FILE}")
            net = ResidualEnhanceNet(channels=int(config["channels"]), depth=int(config["depth"]))
            net.load_state_dict(torch.load(p / WEIGHTS_FILE, map_location="cpu", weights_only=True))
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            raise ModelLoadError(f"cannot load model directory {p}: {exc}") from exc
        return LearnedRefiner(net, device=device, tile=tile, halo=max(8, 2 * net.receptive_radius))
    if p.suffix == ".pt2" and p.is_file():
        try:
            module = torch.export.load(str(p)).module()
        except Exception as exc:  # torch raises many types for a bad archive
            raise ModelLoadError(f"cannot load exported program {p}: {exc}") from exc
        return LearnedRefiner(module, device=device, tile=tile, halo=16)
    raise ModelLoadError(f"model path {p} is neither a model directory nor a .pt2 file")
