"""The tagging service's text embedder over internal HTTP (POST /internal/embed-text).

An unreachable tagging service, a timeout, or 404/503 (no CLIP model configured) all mean
"no semantic search right now": `embed` returns None and search falls back to text.
"""

from __future__ import annotations

import httpx
from fotoai.servicekit.log import get_logger

log = get_logger("fotoai.catalog.embedder")


class HttpTextEmbedder:
    def __init__(self, base_url: str, timeout_s: float = 2.0, client: httpx.AsyncClient | None = None) -> None:
        self.url = base_url.rstrip("/") + "/internal/embed-text"
        self.client = client or httpx.AsyncClient(timeout=timeout_s)

    async def embed(self, text: str) -> tuple[str, list[float]] | None:
        try:
            resp = await self.client.post(self.url, json={"texts": [text]})
        except httpx.HTTPError as exc:
            log.info("tagging service unreachable for query embedding", error=str(exc))
            return None
        if resp.status_code in (404, 503):
            return None
        if resp.status_code != 200:
            log.warning("unexpected answer from embed-text", status=resp.status_code)
            return None
        body = resp.json()
        vectors = body.get("vectors") or []
        if not vectors or not body.get("model_id"):
            return None
        return str(body["model_id"]), [float(v) for v in vectors[0]]

    async def aclose(self) -> None:
        await self.client.aclose()
