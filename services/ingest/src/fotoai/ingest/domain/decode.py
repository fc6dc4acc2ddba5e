"""Bytes → one upright sRGB RGB picture, with the pixel limit enforced before any pixel is decoded.

`decode_photo` is the only entry point. It detects the format from the bytes, reads the header to
learn the dimensions, refuses decompression bombs from that alone, then decodes — shrinking on load
(JPEG DCT scaling through Pillow's `draft`, LibRaw's half-size demosaic or embedded preview) when
the caller needs fewer pixels than the file holds. Failures are `ImageRejected` with a reason.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
from fotoai.ingest.domain.formats import Detected, ImageFormat, RawKind, detect_format
from fotoai.ingest.domain.metadata import PhotoMetadata, load_exif, orientation_of, read_metadata
from fotoai.ingest.domain.rejections import ImageRejected, Reason
from PIL import Image, ImageCms

_PIL_FORMATS = {
    ImageFormat.JPEG: "JPEG",
    ImageFormat.PNG: "PNG",
    ImageFormat.WEBP: "WEBP",
    ImageFormat.TIFF: "TIFF",
    ImageFormat.GIF: "GIF",
    ImageFormat.HEIC: "HEIF",
    ImageFormat.AVIF: "AVIF",
}

# Exceptions decoders raise on damaged input; anything outside this list is a bug and propagates.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    IndexError,
    KeyError,
    TypeError,
)

# EXIF orientation → the transpose that makes the picture upright.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# LibRaw's `flip` → EXIF orientation.
_LIBRAW_FLIP = {0: 1, 3: 3, 5: 8, 6: 6}

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class DecodePath:
    """How the pixels were obtained; reported in `photo.ingested.v1.decode_path`."""

    PILLOW = "pillow"
    PILLOW_DRAFT = "pillow_draft"
    HEIF = "pi_heif"
    RAW_PREVIEW = "raw_preview"
    RAW_HALF = "raw_half_demosaic"


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    max_pixels: int = 120_000_000
    # An embedded RAW preview is used when its longest side is at least this fraction of the
    # sensor's: at 0.5 it is never smaller than what the half-size demosaic would give.
    raw_preview_min_fraction: float = 0.5


@dataclass(slots=True)
class DecodedPhoto:
    image: Image.Image  # RGB, sRGB, orientation applied
    format: ImageFormat
    raw_kind: RawKind | None
    orientation: int
    metadata: PhotoMetadata
    decode_path: str
    source_size: tuple[int, int]  # full-resolution size after orientation


def decode_photo(data: bytes, limits: DecodeLimits, target_side: int | None = None) -> DecodedPhoto:
    """Decode `data`; with `target_side`, the result may be smaller but keeps that longest side."""
    if not data:
        raise ImageRejected(Reason.EMPTY, "the file is empty")
    detected = detect_format(data)
    if detected is None:
        raise ImageRejected(Reason.UNSUPPORTED_FORMAT, f"unrecognised signature {data[:12].hex()}")
    if detected.format is ImageFormat.RAW:
        return _decode_raw(data, detected, limits)
    try:
        return _decode_with_pillow(data, detected, limits, target_side)
    except ImageRejected as rejected:
        if detected.format is ImageFormat.TIFF and rejected.reason is Reason.CORRUPT:
            # A RAW flavour the IFD sniffing missed still deserves LibRaw's opinion.
            try:
                return _decode_raw(data, Detected(ImageFormat.RAW, RawKind.TIFF_RAW), limits)
            except ImageRejected:
                pass
        raise


def _check_pixels(width: int, height: int, limits: DecodeLimits) -> None:
    if width <= 0 or height <= 0:
        raise ImageRejected(Reason.CORRUPT, f"invalid dimensions {width}x{height}")
    if width * height > limits.max_pixels:
        raise ImageRejected(
            Reason.TOO_MANY_PIXELS,
            f"{width}x{height} = {width * height} pixels exceeds the limit of {limits.max_pixels}",
        )


def _open_pillow(data: bytes, detected: Detected) -> Image.Image:
    if detected.format is ImageFormat.HEIC:
        import pi_heif  # decode-only libheif: no GPL x265 encoder in the service

        pi_heif.register_heif_opener()
    with warnings.catch_warnings():
        # Bomb warnings are ours to judge; header-damage warnings become errors or are moot.
        warnings.simplefilter("ignore")
        try:
            return Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[detected.format]])
        except Image.DecompressionBombError as exc:
            raise ImageRejected(Reason.TOO_MANY_PIXELS, str(exc)) from exc
        except Image.UnidentifiedImageError as exc:
            raise ImageRejected(
                Reason.CORRUPT, f"{detected.format} header unreadable: {exc}"
            ) from exc
        except _DECODE_ERRORS as exc:
            raise ImageRejected(
                Reason.CORRUPT, f"{detected.format} header unreadable: {exc}"
            ) from exc


def _decode_with_pillow(
    data: bytes, detected: Detected, limits: DecodeLimits, target_side: int | None
) -> DecodedPhoto:
    im = _open_pillow(data, detected)
    width, height = im.size
    _check_pixels(width, height, limits)
    path = DecodePath.HEIF if detected.format is ImageFormat.HEIC else DecodePath.PILLOW
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns on every broken EXIF tag
            exif = im.getexif()
    except Exception:  # noqa: BLE001 - a broken EXIF block costs the metadata, not the photo
        exif = None
    orientation = orientation_of(exif)
    if detected.format is ImageFormat.HEIC:
        # libheif already applied the container's rotation; the EXIF value is reported only.
        orientation_applied = 1
        reported = _int_or(im.info.get("original_orientation"), orientation)
    else:
        orientation_applied = reported = orientation

    if detected.format is ImageFormat.JPEG and target_side and max(width, height) > target_side:
        scale = target_side / max(width, height)
        requested = (math.ceil(width * scale), math.ceil(height * scale))
        im.draft("RGB" if im.mode in ("RGB", "YCbCr") else im.mode, requested)
        if im.size != (width, height):
            path = DecodePath.PILLOW_DRAFT

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            im.load()
            rgb = _to_srgb(im)
        except Image.DecompressionBombError as exc:
            raise ImageRejected(Reason.TOO_MANY_PIXELS, str(exc)) from exc
        except MemoryError as exc:
            raise ImageRejected(Reason.TOO_MANY_PIXELS, "not enough memory to decode") from exc
        except _DECODE_ERRORS as exc:
            raise ImageRejected(
                Reason.CORRUPT, f"{detected.format} data is damaged: {exc}"
            ) from exc

    rgb = apply_orientation(rgb, orientation_applied)
    full = (height, width) if reported in (5, 6, 7, 8) else (width, height)
    return DecodedPhoto(
        image=rgb,
        format=detected.format,
        raw_kind=None,
        orientation=reported,
        metadata=read_metadata(exif),
        decode_path=path,
        source_size=full if detected.format is not ImageFormat.HEIC else (width, height),
    )


def _int_or(value: object, default: int) -> int:
    return value if isinstance(value, int) and 1 <= value <= 8 else default


def apply_orientation(im: Image.Image, orientation: int) -> Image.Image:
    """Make the picture upright according to the EXIF orientation value."""
    method = _TRANSPOSE.get(orientation)
    return im.transpose(method) if method is not None else im


def _to_srgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode and embedded profile → 8-bit RGB in sRGB, alpha flattened onto white."""
    if getattr(im, "n_frames", 1) > 1:
        im.seek(0)
    icc = im.info.get("icc_profile")
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        im = _deep_to_l(im)
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        im.mode == "P" and "transparency" in im.info
    ):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, rgba).convert("RGB")
    if icc and im.mode in ("RGB", "L", "CMYK"):
        converted = _apply_icc(im, icc)
        if converted is not None:
            return converted
    return im if im.mode == "RGB" else im.convert("RGB")


def _apply_icc(im: Image.Image, icc: bytes) -> Image.Image | None:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = ImageCms.getProfileDescription(source) or ""
        if im.mode == "RGB" and "srgb" in description.lower():
            return im  # already sRGB: the transform would be an expensive no-op
        return ImageCms.profileToProfile(
            im, source, _SRGB, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None  # an unusable profile is ignored; the pixels are taken as sRGB


def _deep_to_l(im: Image.Image) -> Image.Image:
    arr = np.asarray(im)
    if arr.dtype.kind == "f":
        top = float(np.nanmax(arr)) if arr.size else 1.0
        arr = np.nan_to_num(arr) * (255.0 / top if top > 1.0 else 255.0)
    elif arr.size and arr.max() > 255:
        arr = arr.astype(np.float32) / 257.0
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")


def _decode_raw(data: bytes, detected: Detected, limits: DecodeLimits) -> DecodedPhoto:
    import rawpy

    # LibRaw's own size and memory guards: the same verdict as our pixel limit.
    libraw_too_big = (
        rawpy.LibRawTooBigError,
        rawpy.LibRawUnsufficientMemoryError,
        rawpy.LibRawMemPoolOverflowError,
    )
    try:
        raw = rawpy.imread(io.BytesIO(data))
    except rawpy.LibRawFileUnsupportedError as exc:
        raise ImageRejected(
            Reason.UNSUPPORTED_FORMAT, f"LibRaw cannot read this {detected.raw_kind}: {exc}"
        ) from exc
    except libraw_too_big as exc:
        raise ImageRejected(Reason.TOO_MANY_PIXELS, f"LibRaw refused the size: {exc}") from exc
    except (rawpy.LibRawError, *_DECODE_ERRORS) as exc:
        raise ImageRejected(
            Reason.CORRUPT, f"{detected.raw_kind} header unreadable: {exc}"
        ) from exc
    with raw:
        sizes = raw.sizes
        _check_pixels(sizes.raw_width, sizes.raw_height, limits)
        _check_pixels(sizes.width, sizes.height, limits)
        orientation = _LIBRAW_FLIP.get(sizes.flip, 1)
        full = (
            (sizes.height, sizes.width)
            if orientation in (5, 6, 7, 8)
            else (sizes.width, sizes.height)
        )
        preview, preview_exif = _raw_preview(raw, max(sizes.width, sizes.height), limits)
        if preview is not None:
            image = apply_orientation(preview, orientation)
            path = DecodePath.RAW_PREVIEW
        else:
            try:
                rgb = raw.postprocess(
                    half_size=True,
                    use_camera_wb=True,
                    no_auto_bright=True,
                    output_bps=8,
                    output_color=rawpy.ColorSpace.sRGB,
                )
            except (MemoryError, *libraw_too_big) as exc:
                raise ImageRejected(
                    Reason.TOO_MANY_PIXELS, "not enough memory to demosaic"
                ) from exc
            except (rawpy.LibRawError, *_DECODE_ERRORS) as exc:
                raise ImageRejected(
                    Reason.CORRUPT, f"{detected.raw_kind} sensor data is damaged: {exc}"
                ) from exc
            image = Image.fromarray(np.ascontiguousarray(rgb), "RGB")  # LibRaw applied the flip
            path = DecodePath.RAW_HALF

    exif = load_exif(data) if data[:4] in (b"II*\x00", b"MM\x00*") else None
    metadata = read_metadata(exif)
    if metadata == PhotoMetadata() and preview_exif is not None:
        metadata = read_metadata(preview_exif)
    return DecodedPhoto(
        image=image,
        format=ImageFormat.RAW,
        raw_kind=detected.raw_kind,
        orientation=orientation,
        metadata=metadata,
        decode_path=path,
        source_size=full,
    )


def _raw_preview(
    raw: object, sensor_side: int, limits: DecodeLimits
) -> tuple[Image.Image | None, Image.Exif | None]:
    """The embedded preview as upright-less RGB when it is big enough, else (None, exif-or-None)."""
    import rawpy

    try:
        thumb = raw.extract_thumb()  # type: ignore[attr-defined]
    except (rawpy.LibRawError, *_DECODE_ERRORS):
        return None, None
    exif = None
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            im = Image.open(io.BytesIO(thumb.data), formats=["JPEG"])
            _check_pixels(*im.size, limits)
            try:
                exif = im.getexif()
            except Exception:  # noqa: BLE001
                exif = None
            if max(im.size) < sensor_side * limits.raw_preview_min_fraction:
                return None, exif
            im.load()
            return _to_srgb(im), exif
        if thumb.format == rawpy.ThumbFormat.BITMAP:
            arr = np.asarray(thumb.data)
            if arr.ndim != 3 or max(arr.shape[:2]) < sensor_side * limits.raw_preview_min_fraction:
                return None, None
            return Image.fromarray(
                np.ascontiguousarray(arr[:, :, :3].astype(np.uint8)), "RGB"
            ), None
    except ImageRejected:
        return None, exif
    except _DECODE_ERRORS:
        return None, exif  # a damaged preview is no reason to refuse the RAW itself
    return None, exif
