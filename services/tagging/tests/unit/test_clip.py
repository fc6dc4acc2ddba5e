"""The CLIP-family runner on a tiny random-weight model saved to disk and loaded back through
the real loader: vocabulary, calibration, embeddings, text embeddings, errors."""

from __future__ import annotations

import asyncio
import os

import numpy as np
import pytest
import torch
from fotoai.tagging.config import TaggingOptions
from fotoai.tagging.models.clip import ClipTagger
from fotoai.tagging.models.hardware import ModelLoadError, model_id_from_path
from fotoai.tagging.models.runner import build_model, load_runner
from fotoai.tagging.ports import TextEmbeddingUnavailable


@pytest.fixture(scope="module")
def runner(tiny_clip_dir):
    runner = load_runner(
        TaggingOptions(
            clip_path=tiny_clip_dir,
            device="cpu",
            batch_size=4,
            batch_timeout_ms=100,
            threshold=0.0,
            top_k=5,
        )
    )
    return runner


def test_loads_offline_with_the_shipped_vocabulary(runner, tiny_clip_dir) -> None:
    model = runner.model
    assert isinstance(model, ClipTagger)
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert len(model.labels) > 300
    assert model.model_id == tiny_clip_dir.name
    assert model.embedding_dim == 24
    assert runner.device == "cpu"


def test_scores_are_a_softmax_over_the_vocabulary(runner, astronaut) -> None:
    model = runner.model
    prepared = model.prepare(astronaut)
    assert prepared.shape == (3, 32, 32) and prepared.dtype == np.float32
    [result] = model.predict([prepared])
    assert len(result.tags) == 5
    assert all(t.source == "clip" for t in result.tags)
    scores = [t.score for t in result.tags]
    assert scores == sorted(scores, reverse=True)
    # With the model's own temperature the scores are the top of a distribution over labels.
    sims = model.similarities(result.embedding)
    scale = float(model._model.logit_scale.detach().exp())
    expected = np.exp(sims * scale) / np.exp(sims * scale).sum()
    best = int(np.argmax(expected))
    assert result.tags[0].label == model.labels[best]
    assert result.tags[0].score == pytest.approx(expected[best], rel=1e-4)


def test_threshold_and_top_k_limit_tags(tiny_clip_dir, astronaut) -> None:
    strict = build_model(TaggingOptions(clip_path=tiny_clip_dir, device="cpu", threshold=0.9))
    strict.load()
    assert strict.predict([strict.prepare(astronaut)])[0].tags == []
    sharp = build_model(
        TaggingOptions(
            clip_path=tiny_clip_dir, device="cpu", threshold=0.0, top_k=3, clip_temperature=1e-4
        )
    )
    sharp.load()
    tags = sharp.predict([sharp.prepare(astronaut)])[0].tags
    assert len(tags) == 3
    assert tags[0].score > 0.5  # a near-zero temperature puts almost all mass on one label


def test_image_and_text_embeddings_share_one_unit_space(runner, astronaut, coffee) -> None:
    model = runner.model
    results = model.predict([model.prepare(astronaut), model.prepare(coffee)])
    for result in results:
        assert result.embedding.shape == (24,)
        assert np.linalg.norm(result.embedding) == pytest.approx(1.0, abs=1e-5)
    vectors = runner.embed_text(["a dog on a beach", "a cup of coffee"])
    assert len(vectors) == 2 and all(len(v) == 24 for v in vectors)
    assert [np.linalg.norm(v) for v in vectors] == pytest.approx([1.0, 1.0], abs=1e-5)
    assert not np.allclose(vectors[0], vectors[1])
    # Same text, same vector (deterministic), and comparable with image embeddings.
    assert runner.embed_text(["a cup of coffee"])[0] == pytest.approx(vectors[1], abs=1e-5)
    assert -1.0 <= float(np.dot(vectors[1], results[1].embedding)) <= 1.0


async def test_the_batcher_batches_concurrent_photos(runner, astronaut, coffee, chelsea) -> None:
    before = len(runner.batcher.batch_sizes)
    pictures = [astronaut, coffee, chelsea] * 2
    prepared = [runner.prepare(p) for p in pictures]
    results = await asyncio.gather(*(runner.infer(p) for p in prepared))
    assert list(runner.batcher.batch_sizes)[before:] == [4, 2]
    direct = runner.model.predict(prepared)
    for got, want in zip(results, direct, strict=True):
        assert got.embedding == pytest.approx(want.embedding, abs=1e-5)
        assert [t.label for t in got.tags] == [t.label for t in want.tags]


def test_siglip_loads_and_scores_with_a_sigmoid(tiny_siglip_dir, astronaut) -> None:
    model = build_model(
        TaggingOptions(clip_path=tiny_siglip_dir, device="cpu", threshold=0.0, top_k=400)
    )
    assert isinstance(model, ClipTagger)
    model.load()
    [result] = model.predict([model.prepare(astronaut)])
    sims = model.similarities(result.embedding)
    hf = model._model
    assert hf is not None
    expected = 1 / (
        1 + np.exp(-(sims * float(hf.logit_scale.detach().exp()) + float(hf.logit_bias.detach())))
    )
    by_label = {t.label: t.score for t in result.tags}
    for label, score in zip(model.labels[:50], expected[:50], strict=True):
        if label in by_label:
            assert by_label[label] == pytest.approx(score, rel=1e-4)
    assert len(model.embed_text(["a photo of a cat"])[0]) == model.embedding_dim


def test_a_missing_path_fails_at_start_with_a_clear_message(tmp_path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_runner(TaggingOptions(clip_path=tmp_path / "nowhere", device="cpu"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="no config.json"):
        load_runner(TaggingOptions(clip_path=tmp_path / "empty", device="cpu"))


def test_cuda_requested_without_a_gpu_is_refused(tiny_clip_dir) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ModelLoadError, match="CUDA"):
        build_model(TaggingOptions(clip_path=tiny_clip_dir, device="cuda"))


def test_model_ids_from_paths(tmp_path) -> None:
    snapshot = tmp_path / "hub" / "models--openai--clip-vit-base-patch32" / "snapshots" / "abc123"
    assert model_id_from_path(snapshot) == "openai/clip-vit-base-patch32"
    assert model_id_from_path(tmp_path / "my-clip") == "my-clip"


def test_no_text_embeddings_without_clip() -> None:
    runner = load_runner(TaggingOptions(device="cpu"))
    with pytest.raises(TextEmbeddingUnavailable):
        runner.embed_text(["beach"])
