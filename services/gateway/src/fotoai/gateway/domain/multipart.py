"""Streaming `multipart/form-data`: parts are yielded as they arrive, file data never buffered.

Wraps python-multipart's callback parser. `iter_parts` yields `(PartInfo, data)` where `data`
is an async iterator of the part's bytes, which must be consumed (or abandoned) before the
next part is requested. Memory stays bounded by the size of one incoming chunk.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from python_multipart.multipart import MultipartParser, parse_options_header

MAX_HEADER_BYTES = 16 * 1024
_EXT_FILENAME = re.compile(r"filename\*\s*=\s*([^;]+)", re.IGNORECASE)


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


@dataclass(frozen=True)
class PartInfo:
    name: str | None
    filename: str | None
    content_type: str | None


def boundary_of(content_type: str) -> bytes:
    ctype, params = parse_options_header(content_type)
    if ctype != b"multipart/form-data":
        raise MultipartError("not multipart/form-data")
    boundary = params.get(b"boundary")
    if not boundary or len(boundary) > 200:
        raise MultipartError("missing or invalid multipart boundary")
    return boundary


_BEGIN, _DATA, _END, _DONE = range(4)


class _Events:
    """Collects the parser's callbacks for one written chunk, in order."""

    def __init__(self) -> None:
        self.queue: deque[tuple[int, object]] = deque()
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[str, str] = {}
        self._header_bytes = 0

    def callbacks(self) -> dict[str, object]:
        def on_part_begin() -> None:
            self._headers = {}
            self._header_bytes = 0

        def on_header_field(data: bytes, start: int, end: int) -> None:
            self._field += data[start:end]
            self._grow(end - start)

        def on_header_value(data: bytes, start: int, end: int) -> None:
            self._value += data[start:end]
            self._grow(end - start)

        def on_header_end() -> None:
            self._headers[self._field.decode("latin-1").lower()] = self._value.decode("latin-1")
            self._field.clear()
            self._value.clear()

        def on_headers_finished() -> None:
            disposition = self._headers.get("content-disposition", "")
            _, params = parse_options_header(disposition)
            name = params.get(b"name")
            extended = _EXT_FILENAME.search(disposition)  # python-multipart drops `filename*`
            filename = extended.group(1).strip().encode("latin-1") if extended else params.get(b"filename")
            info = PartInfo(
                name.decode("utf-8", "replace") if name is not None else None,
                _decode_filename(filename) if filename is not None else None,
                self._headers.get("content-type"),
            )
            self.queue.append((_BEGIN, info))

        def on_part_data(data: bytes, start: int, end: int) -> None:
            if end > start:
                self.queue.append((_DATA, bytes(data[start:end])))

        def on_part_end() -> None:
            self.queue.append((_END, None))

        def on_end() -> None:
            self.queue.append((_DONE, None))

        return {
            "on_part_begin": on_part_begin, "on_header_field": on_header_field,
            "on_header_value": on_header_value, "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
            "on_part_end": on_part_end, "on_end": on_end,
        }

    def _grow(self, n: int) -> None:
        self._header_bytes += n
        if self._header_bytes > MAX_HEADER_BYTES:
            raise MultipartError("part headers too large")


def _decode_filename(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    if "''" in text:  # RFC 5987 ext-value: charset''percent-encoded
        from urllib.parse import unquote

        charset, _, encoded = text.partition("''")
        try:
            return unquote(encoded, encoding=charset or "utf-8", errors="replace")
        except LookupError:
            return unquote(encoded)
    return text


class MultipartStream:
    """Pull-based view over a push parser."""

    def __init__(self, chunks: AsyncIterator[bytes], boundary: bytes) -> None:
        self._chunks = chunks
        self._events = _Events()
        self._parser = MultipartParser(boundary, self._events.callbacks())  # type: ignore[arg-type]
        self._eof = False
        self._done = False

    async def _next_event(self) -> tuple[int, object]:
        q = self._events.queue
        while not q:
            if self._eof:
                raise MultipartError("the multipart body ended early")
            try:
                chunk = await anext(self._chunks)
            except StopAsyncIteration:
                self._eof = True
                self._parser.finalize()
                continue
            try:
                self._parser.write(chunk)
            except MultipartError:
                raise
            except Exception as exc:  # python-multipart raises its own error types
                raise MultipartError(f"malformed multipart body: {exc}") from exc
        return q.popleft()

    async def _part_data(self) -> AsyncIterator[bytes]:
        while True:
            kind, payload = await self._next_event()
            if kind == _DATA:
                yield payload  # type: ignore[misc]
            elif kind == _END:
                return
            else:
                raise MultipartError("unexpected multipart structure")

    async def parts(self) -> AsyncIterator[tuple[PartInfo, AsyncIterator[bytes]]]:
        while not self._done:
            kind, payload = await self._next_event()
            if kind == _DONE:
                self._done = True
                return
            if kind == _BEGIN:
                data = self._part_data()
                yield payload, data  # type: ignore[misc]
                # Skip whatever the caller left unread of this part.
                async for _ in data:
                    pass
            elif kind in (_DATA, _END):
                continue
            else:
                raise MultipartError("unexpected multipart structure")


async def read_small(data: AsyncIterator[bytes], limit: int) -> bytes:
    """Read a non-file field, refusing more than `limit` bytes."""
    out = bytearray()
    async for chunk in data:
        out += chunk
        if len(out) > limit:
            raise MultipartError("form field too large")
    return bytes(out)
