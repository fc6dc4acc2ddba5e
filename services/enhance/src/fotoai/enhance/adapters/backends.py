"""`build_enhancer`: the `Enhancer` that `EnhanceOptions` asks for (CPU or torch, learned or not).

The CPU path never imports torch; only the torch path and the learned refiner do.
"""

from __future__ import annotations

from fotoai.enhance.config import EnhanceOptions
from fotoai.enhance.domain.cpu_pipeline import CpuPipeline
from fotoai.enhance.domain.enhancer import AnalysisSettings, Enhancer, Pipeline
from fotoai.servicekit.mlruntime import resolve_device


def build_pipeline(options: EnhanceOptions) -> Pipeline:
    if resolve_device(options.device) == "cuda":
        from fotoai.enhance.domain.torch_pipeline import TorchPipeline

        return TorchPipeline(device="cuda", batch_size=options.batch_size)
    if options.torch_on_cpu:
        from fotoai.enhance.domain.torch_pipeline import TorchPipeline

        return TorchPipeline(device="cpu", batch_size=options.batch_size)
    return CpuPipeline(strip_rows=options.strip_rows)


def build_enhancer(options: EnhanceOptions) -> Enhancer:
    pipeline = build_pipeline(options)
    refiner = None
    if options.model_path:
        from fotoai.enhance.adapters.learned_model import load_learned_refiner

        refiner = load_learned_refiner(
            options.model_path, device=pipeline.device, tile=options.model_tile
        )
    analysis = AnalysisSettings(
        overview_side=options.overview_side, detail_side=options.detail_side
    )
    return Enhancer(pipeline, analysis=analysis, refiner=refiner)
