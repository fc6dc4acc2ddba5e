"""Errors the gateway's use cases raise; the HTTP layer maps each to a problem+json answer."""

from __future__ import annotations

import math

from fotoai.gateway.domain.ratelimit import Decision


class CatalogUnavailable(RuntimeError):
    """The catalog did not answer in time or failed: 503."""


class CatalogNotFound(LookupError):
    """No such photo or object for this owner: 404 (never 403: no existence leak)."""


class CatalogRejected(ValueError):
    """The catalog refused the query's parameters (e.g. a bad cursor): 400."""


class UploadRefused(Exception):
    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


class StoreUnavailable(RuntimeError):
    """The shared record store (Redis) did not answer: 503."""


class KeysUnavailable(RuntimeError):
    """The token signing keys could not be fetched (JWKS URL down, nothing cached): 503."""


class PublishFailed(RuntimeError):
    """The event could not be published: the upload is undone, 503."""


class UploadTimedOut(Exception):
    """The client sent no bytes for too long, or the upload passed its deadline: 408."""


class RateLimited(Exception):
    """A budget (budget.py) refused the request: 429 with `Retry-After` and `RateLimit-*`."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(f"rate limit reached; retry in {math.ceil(decision.retry_after_s)} s")
        self.decision = decision


class IdempotencyConflict(Exception):
    """A request with the same Idempotency-Key is still in progress: 409, retry shortly."""
