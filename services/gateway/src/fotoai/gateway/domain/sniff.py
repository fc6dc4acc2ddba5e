"""Cheap content sniffing of an upload's first bytes.

Recognises the common image signatures, and refuses what is obviously not an image (text,
HTML/XML/SVG, PDF, archives, executables). Anything else is plausible — camera RAW formats
have many signatures — and goes on to ingest, which validates by decoding.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bytes needed for a verdict.
SNIFF_BYTES = 512

_IMAGE_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"IIRO", 0, "image/x-olympus-orf"),
    (b"IIU\x00", 0, "image/x-panasonic-rw2"),
    (b"FUJIFILMCCD-RAW", 0, "image/x-fuji-raf"),
    (b"BM", 0, "image/bmp"),
    (b"\x00\x00\x00\x0cjP  ", 0, "image/jp2"),
    (b"\xff\x0a", 0, "image/jxl"),
    (b"\x00\x00\x00\x0cJXL ", 0, "image/jxl"),
)

_NOT_IMAGE: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O or Java class file"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\x00asm", "a WebAssembly module"),
    (b"#!", "a script"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office document"),
    (b"OggS", "an Ogg stream"),
    (b"ID3", "an MP3 file"),
    (b"fLaC", "a FLAC file"),
)

_TEXT_CONTROL_OK = frozenset(b"\t\n\r\f\x1b")
_MARKUP = (b"<!doctype", b"<html", b"<?xml", b"<svg", b"<head", b"<body", b"<script", b"<iframe",
           b"<object", b"<embed", b"<meta", b"<style", b"<!--")


@dataclass(frozen=True)
class Sniffed:
    image: bool  # False: refuse with 415
    mime: str | None  # a recognised image type, when one was
    reason: str = ""


def _isobmff_brand(head: bytes) -> str | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return "image/heic"
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand == b"crx ":
            return "image/x-canon-cr3"
        return None
    return None


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 BOM
    try:
        # The sample may end mid-character.
        text = body.decode("utf-8") if len(body) < SNIFF_BYTES else body[:-4].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ord(c) >= 0x20 or ord(c) in _TEXT_CONTROL_OK for c in text if ord(c) != 0x7F)


def sniff(head: bytes) -> Sniffed:
    """Judge an upload by its first bytes (pass at least `SNIFF_BYTES` when the file has them)."""
    if not head:
        return Sniffed(False, None, "the upload is empty")
    for magic, offset, mime in _IMAGE_MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return Sniffed(True, mime)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed(True, "image/webp")
    brand = _isobmff_brand(head)
    if brand:
        return Sniffed(True, brand)
    if head[4:8] == b"ftyp":
        return Sniffed(False, None, "an ISO media file that is not an image (video or audio)")
    for magic, what in _NOT_IMAGE:
        if head.startswith(magic):
            return Sniffed(False, None, f"this looks like {what}, not an image")
    lowered = head.lower()
    if any(tag in lowered for tag in _MARKUP):
        # Anywhere in the sample, not only at the start: browsers sniff past junk bytes
        # (`\x80<html><script>` renders as HTML), and no camera format carries these tags up front.
        return Sniffed(False, None, "this looks like HTML or XML (SVG is not accepted), not an image")
    if _looks_like_text(head):
        return Sniffed(False, None, "this looks like text, not an image")
    return Sniffed(True, None)


#: Media types an original or rendition may be served as; anything else is served as
#: application/octet-stream (never text/html, SVG or a script type).
SERVABLE = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/avif",
    "image/tiff", "image/bmp", "image/jp2", "image/jxl", "image/x-canon-cr3", "image/x-olympus-orf",
    "image/x-panasonic-rw2", "image/x-fuji-raf",
})


def servable_type(media_type: str | None) -> str:
    """The type to serve stored bytes as: a known raster image type, else a download."""
    value = (media_type or "").split(";", 1)[0].strip().lower()
    return value if value in SERVABLE else "application/octet-stream"
