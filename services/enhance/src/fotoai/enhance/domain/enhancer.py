"""`Enhancer`: analysis, planning and a pipeline backend put together, one photo or a batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from fotoai.enhance.domain.analysis import Measures, measure, overview
from fotoai.enhance.domain.plan import Plan, Tuning, plan_enhancement


class Pipeline(Protocol):
    device: str

    def apply_batch(self, images: list[np.ndarray], plans: list[Plan]) -> list[np.ndarray]: ...


class Refiner(Protocol):
    """An optional learned stage run after the classic pipeline (see `learned`)."""

    def __call__(self, rgb: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Enhanced:
    image: np.ndarray
    plan: Plan
    before: Measures
    after: Measures
    device: str
    refined: bool = False


@dataclass(frozen=True)
class AnalysisSettings:
    overview_side: int = 640
    detail_side: int = 768


class Enhancer:
    """Measures each photo, plans its corrections and applies them on the pipeline's device."""

    def __init__(
        self,
        pipeline: Pipeline,
        tuning: Tuning | None = None,
        analysis: AnalysisSettings | None = None,
        refiner: Refiner | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.tuning = tuning or Tuning()
        self.analysis = analysis or AnalysisSettings()
        self.refiner = refiner

    @property
    def device(self) -> str:
        return self.pipeline.device

    def _measure(self, rgb: np.ndarray, small: np.ndarray | None = None) -> Measures:
        return measure(
            rgb,
            overview_side=self.analysis.overview_side,
            detail_side=self.analysis.detail_side,
            small=small,
        )

    def plan(self, rgb: np.ndarray) -> tuple[Plan, Measures]:
        # one overview for the measures and the planner's trial curves
        small = overview(rgb, self.analysis.overview_side)
        before = self._measure(rgb, small)
        return plan_enhancement(small, before, self.tuning), before

    def enhance(self, rgb: np.ndarray) -> Enhanced:
        return self.enhance_batch([rgb])[0]

    def enhance_batch(self, images: list[np.ndarray]) -> list[Enhanced]:
        planned = [self.plan(im) for im in images]
        plans = [p for p, _ in planned]
        outputs = self.pipeline.apply_batch(images, plans)
        results = []
        for out, (plan, before) in zip(outputs, planned, strict=True):
            refined = False
            if self.refiner is not None:
                out = self.refiner(out)
                refined = True
            # an untouched photo measures the same after: skip the second analysis
            after = before if plan.is_identity and not refined else self._measure(out)
            results.append(Enhanced(out, plan, before, after, self.device, refined))
        return results
