"""The optional learned refiner: built, saved and loaded from a local path in the test."""

from typing import Any

import numpy as np
import pytest

torch: Any = pytest.importorskip("torch")  # the module object: its names are not analysed

from fotoai.enhance.adapters.backends import build_enhancer
from fotoai.enhance.adapters.learned_model import (
    ModelLoadError,
    load_learned_refiner,
    save_residual_net,
)
from fotoai.enhance.config import EnhanceOptions
from fotoai.enhance.domain.learned import LearnedRefiner, ResidualEnhanceNet


class Darken(torch.nn.Module):
    def forward(self, x):
        return x * 0.5


def brightening_net(channels: int = 4, depth: int = 3) -> ResidualEnhanceNet:
    torch.manual_seed(0)
    net = ResidualEnhanceNet(channels, depth)
    with torch.no_grad():
        net.body[-1].bias.fill_(0.1)  # a constant lift of 0.1 = 25.5 levels
    return net


def test_an_untrained_net_is_the_identity(coffee):
    out = LearnedRefiner(ResidualEnhanceNet(4, 3))(coffee)
    assert np.array_equal(out, coffee)


def test_state_dict_directory_round_trip(tmp_path, coffee):
    net = brightening_net()
    save_residual_net(net, tmp_path / "m", channels=4, depth=3)
    refiner = load_learned_refiner(tmp_path / "m")
    out = refiner(coffee)
    lifted = np.clip(coffee.astype(int) + 25.5, 0, 255)
    assert np.abs(out.astype(int) - lifted).max() <= 1


def test_exported_program_round_trip(tmp_path, coffee):
    example = torch.rand(1, 3, 64, 64)
    h, w = torch.export.Dim("h", min=8, max=4096), torch.export.Dim("w", min=8, max=4096)
    program = torch.export.export(Darken(), (example,), dynamic_shapes=({2: h, 3: w},))
    torch.export.save(program, tmp_path / "darken.pt2")
    refiner = load_learned_refiner(tmp_path / "darken.pt2", tile=128)
    out = refiner(coffee)
    assert np.abs(out.astype(int) - np.rint(coffee / 2).astype(int)).max() <= 1


def test_tiles_join_without_seams(coffee):
    net = brightening_net()
    whole = LearnedRefiner(net, tile=4096)(coffee)
    tiled = LearnedRefiner(net, tile=96, halo=8)(coffee)
    assert np.array_equal(whole, tiled)


def test_bad_paths_raise_model_load_error(tmp_path):
    with pytest.raises(ModelLoadError):
        load_learned_refiner(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError):
        load_learned_refiner(tmp_path / "empty")
    (tmp_path / "junk.pt2").write_bytes(b"not a model")
    with pytest.raises(ModelLoadError):
        load_learned_refiner(tmp_path / "junk.pt2")


def test_refiner_is_off_unless_configured_and_runs_when_configured(tmp_path, coffee):
    assert build_enhancer(EnhanceOptions(device="cpu")).refiner is None
    save_residual_net(brightening_net(), tmp_path / "m", channels=4, depth=3)
    enhancer = build_enhancer(EnhanceOptions(device="cpu", model_path=str(tmp_path / "m")))
    result = enhancer.enhance(coffee)
    assert result.refined
    assert result.image.mean() > coffee.mean() + 15
