"""Why a file is refused: the domain's rejection error and its reason codes.

The codes mirror `RejectReason` in the contracts (the domain does not import contracts); the use
case maps one onto the other. `ImageRejected` is raised inside the decode sandbox and pickled back
to the consumer, so it keeps to plain picklable attributes.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    UNSUPPORTED_FORMAT = "unsupported_format"
    CORRUPT = "corrupt"
    TOO_MANY_PIXELS = "too_many_pixels"
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    DECODE_TIMEOUT = "decode_timeout"
    MISSING_OBJECT = "missing_object"


class ImageRejected(Exception):
    """The bytes can never become a photo; retrying will not help."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(reason, message)
        self.reason = Reason(reason)
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"
