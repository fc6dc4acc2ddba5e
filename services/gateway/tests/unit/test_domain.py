"""Pure rules: sniffing, file names, client addresses, token buckets, streaming multipart."""

from __future__ import annotations

import io

import pytest
from fotoai.gateway.domain.client_ip import client_ip, parse_networks
from fotoai.gateway.domain.filenames import MAX_NAME_BYTES, sanitize_file_name
from fotoai.gateway.domain.multipart import MultipartError, MultipartStream, boundary_of
from fotoai.gateway.domain.ratelimit import Bucket, take
from fotoai.gateway.domain.sniff import sniff
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image


def encoded(fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize(("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"),
                                           ("TIFF", "image/tiff"), ("GIF", "image/gif"), ("BMP", "image/bmp")])
def test_sniff_recognises_real_images(fmt: str, mime: str) -> None:
    verdict = sniff(encoded(fmt)[:512])
    assert verdict.image and verdict.mime == mime


def test_sniff_heic_avif_brands_and_video() -> None:
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic").mime == "image/heic"
    assert sniff(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1").mime == "image/avif"
    assert not sniff(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42").image


@pytest.mark.parametrize("head", [b"just words", "unicode text ünïcödé\n".encode(), b"\xef\xbb\xbf<?xml version='1.0'?>",
                                  b"  \n<html>", b"#!/bin/sh\nrm -rf /", b"\x1f\x8b\x08\x00", b"\xff\xfeh\x00i\x00"])
def test_sniff_refuses_obvious_non_images(head: bytes) -> None:
    verdict = sniff(head)
    assert not verdict.image and verdict.reason


@given(st.binary(min_size=1, max_size=600))
def test_sniff_never_crashes(data: bytes) -> None:
    sniff(data)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\IMG 001.CR2", "IMG 001.CR2"),
        (".hidden.png", "hidden.png"),
        ("a\x00b\r\nc.jpg", "abc.jpg"),
        ('we"ird<>|name?.jpg', "we_ird___name_.jpg"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("   ", None),
        ("..", None),
        ("", None),
        (None, None),
    ],
)
def test_sanitize_file_name(raw: str | None, expected: str | None) -> None:
    assert sanitize_file_name(raw) == expected


@given(st.text(max_size=400))
def test_sanitized_names_are_safe(raw: str) -> None:
    name = sanitize_file_name(raw)
    if name is not None:
        assert "/" not in name and "\\" not in name and '"' not in name
        assert not name.startswith(".") and len(name.encode()) <= MAX_NAME_BYTES
        assert all(ord(c) >= 0x20 for c in name)


def test_long_names_keep_their_extension() -> None:
    name = sanitize_file_name("é" * 300 + ".jpeg")
    assert name is not None and name.endswith(".jpeg") and len(name.encode()) <= MAX_NAME_BYTES


def test_client_ip_trusts_only_configured_proxies() -> None:
    proxies = parse_networks(["10.0.0.0/8", "::1"])
    assert client_ip("10.1.2.3", "198.51.100.9", proxies) == "198.51.100.9"
    # The client prepended a fake hop; only our proxy's own entry is believed.
    assert client_ip("10.1.2.3", "1.1.1.1, 198.51.100.9", proxies) == "198.51.100.9"
    # Chained trusted proxies are skipped.
    assert client_ip("10.1.2.3", "198.51.100.9, 10.9.9.9", proxies) == "198.51.100.9"
    assert client_ip("203.0.113.5", "198.51.100.9", proxies) == "203.0.113.5"  # untrusted peer
    assert client_ip("10.1.2.3", "not-an-ip", proxies) == "10.1.2.3"
    assert client_ip("::1", "2001:db8::7", proxies) == "2001:db8::7"
    assert client_ip(None, None, ()) == "unknown"


def test_bucket_refills_and_refuses_atomically() -> None:
    ip, user = Bucket("ip", rate=1.0, burst=2), Bucket("u", rate=0.1, burst=1)
    d, st1 = take([ip, user], {}, now=0.0)
    assert d.allowed and st1["ip"].tokens == 1 and st1["u"].tokens == 0
    d, st2 = take([ip, user], st1, now=1.0)
    assert not d.allowed and st2 == {}  # the user bucket refuses; the IP bucket is not charged
    assert d.retry_after_s == pytest.approx(9.0)
    assert d.headers()["Retry-After"] == "9"
    d, _ = take([ip, user], st1, now=10.0)
    assert d.allowed


def test_bucket_costs_force_and_headers() -> None:
    b = Bucket("bytes", rate=10.0, burst=100, cost=60)
    d, s = take([b], {}, now=0.0)
    assert d.allowed and d.headers() == {"RateLimit-Limit": "100", "RateLimit-Remaining": "40", "RateLimit-Reset": "6"}
    d, _ = take([b], s, now=0.0)
    assert not d.allowed and d.retry_after_s == pytest.approx(2.0)
    d, s2 = take([Bucket("bytes", 10.0, 100, cost=500, force=True)], s, now=0.0)
    assert d.allowed and s2["bytes"].tokens == -460  # debt, paid back by waiting
    d, _ = take([Bucket("bytes", 10.0, 100, cost=1000)], {}, now=0.0)
    assert not d.allowed and d.retry_after_s == 86400  # above the burst: never payable


def _multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "b0undary") -> bytes:
    out = b""
    for name, filename, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\nContent-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


async def _collect(body: bytes, chunk: int) -> list[tuple[str | None, str | None, bytes]]:
    async def chunks():
        for i in range(0, len(body), chunk):
            yield body[i : i + chunk]

    out = []
    async for info, data in MultipartStream(chunks(), b"b0undary").parts():
        buf = b""
        async for piece in data:
            buf += piece
        out.append((info.name, info.filename, buf))
    return out


@settings(max_examples=40, deadline=None)
@given(
    payload=st.binary(max_size=3000).filter(lambda b: b"--b0undary" not in b),
    chunk=st.integers(min_value=1, max_value=700),
)
async def test_multipart_is_split_correctly_at_any_chunk_boundary(payload: bytes, chunk: int) -> None:
    body = _multipart([("note", None, b"hello"), ("file", "x.jpg", payload)])
    assert await _collect(body, chunk) == [("note", None, b"hello"), ("file", "x.jpg", payload)]


async def test_multipart_rejects_truncated_and_wrong_type() -> None:
    body = _multipart([("file", "x.jpg", b"\xff\xd8\xff" * 100)])
    with pytest.raises(MultipartError):
        await _collect(body[:-30], 50)
    with pytest.raises(MultipartError):
        boundary_of("application/json")
    with pytest.raises(MultipartError):
        boundary_of("multipart/form-data")
    assert boundary_of('multipart/form-data; boundary="abc"') == b"abc"


async def test_multipart_rfc5987_file_name() -> None:
    body = (b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''caf%C3%A9.jpg\r\n\r\n"
            b"data\r\n--b0undary--\r\n")
    assert await _collect(body, 7) == [("file", "café.jpg", b"data")]
