"""Internal HTTP routes of tagging: the text embedding that drives semantic search.

The catalog calls `POST /internal/embed-text` with the user's query; it is a read-only query
(no state changes), the same kind of synchronous call as gateway → catalog.
"""

from __future__ import annotations

from fastapi import APIRouter
from fotoai.servicekit.app import ProblemError
from fotoai.tagging.ports import TextEmbeddingUnavailable
from fotoai.tagging.use_cases import EmbedQuery
from pydantic import BaseModel, Field


class EmbedTextRequest(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=16)


class EmbedTextResponse(BaseModel):
    model_id: str
    vectors: list[list[float]]


def build_router(embed_query: EmbedQuery) -> APIRouter:
    router = APIRouter(prefix="/internal", tags=["internal"])

    @router.post("/embed-text", response_model=EmbedTextResponse)
    async def embed_text(body: EmbedTextRequest) -> EmbedTextResponse:
        try:
            found = await embed_query.many(body.texts)
        except TextEmbeddingUnavailable as exc:
            raise ProblemError(404, "No text encoder", str(exc)) from exc
        except ValueError as exc:
            raise ProblemError(422, "Invalid query", str(exc)) from exc
        return EmbedTextResponse(model_id=found[0].model_id, vectors=[q.vector for q in found])

    return router
