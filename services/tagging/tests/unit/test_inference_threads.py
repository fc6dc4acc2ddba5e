"""torch's thread count on the CPU: one per replica unless configured."""

from __future__ import annotations

import torch
from fotoai.tagging.config import TaggingOptions
from fotoai.tagging.models.runner import set_inference_threads


def test_one_torch_thread_on_the_cpu_unless_configured() -> None:
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        set_inference_threads(TaggingOptions(device="cpu"))
        assert torch.get_num_threads() == 1
        set_inference_threads(TaggingOptions(device="cpu", inference_threads=3))
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)
