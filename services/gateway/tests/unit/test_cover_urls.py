"""Thumbnails become presigned URLs: a summary's `thumb` (~256 px) and `thumb_large` (1024 px) of
the version shown, an album's cover in both sizes; never a bucket or key."""

from __future__ import annotations

from fotoai.gateway.domain.views import public_summary
from fotoai.gateway.library import Library
from fotoai.gateway.library_config import LibraryOptions


def presign(bucket: str, key: str) -> str:
    return f"https://s3.test/{bucket}/{key}"


def obj(name: str) -> dict[str, str]:
    return {"bucket": "fotoai-renditions", "key": f"alice/p1/{name}.jpg"}


def test_a_summary_offers_both_sizes_of_the_version_shown() -> None:
    out = public_summary({"id": "p1", "thumb": obj("enhanced_thumb_small"), "thumb_large": obj("enhanced_thumb"),
                          "original_thumb": obj("thumb_small"), "enhanced_thumb": obj("enhanced_thumb")}, presign)
    assert out == {
        "id": "p1",
        "thumb_url": "https://s3.test/fotoai-renditions/alice/p1/enhanced_thumb_small.jpg",
        "thumb_large_url": "https://s3.test/fotoai-renditions/alice/p1/enhanced_thumb.jpg",
        "original_thumb_url": "https://s3.test/fotoai-renditions/alice/p1/thumb_small.jpg",
        "enhanced_thumb_url": "https://s3.test/fotoai-renditions/alice/p1/enhanced_thumb.jpg",
    }
    # A catalog that predates thumb_large: no field is made up.
    assert public_summary({"id": "p1", "thumb": None}, presign) == {"id": "p1", "thumb_url": None}


def test_an_album_cover_comes_in_both_sizes() -> None:
    library = Library(None, None, None, None, presign, LibraryOptions())  # type: ignore[arg-type]
    out = library._public_album({"id": "a1", "title": "Trip", "thumb": obj("enhanced_thumb_small"),
                                 "thumb_large": obj("enhanced_thumb"), "links": [], "items": []})
    assert out == {"id": "a1", "title": "Trip",
                   "cover_url": "https://s3.test/fotoai-renditions/alice/p1/enhanced_thumb_small.jpg",
                   "cover_large_url": "https://s3.test/fotoai-renditions/alice/p1/enhanced_thumb.jpg"}
    assert library._public_album({"id": "a2", "thumb": None})["cover_url"] is None
