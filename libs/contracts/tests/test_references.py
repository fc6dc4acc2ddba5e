"""The reference rule: an event may only point at objects of its own photo."""

import pytest
from fotoai.contracts import (
    Buckets,
    OriginalObject,
    OwnerMismatch,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoUploadedV1,
    ReferenceViolation,
    Rendition,
    check_owner,
    check_references,
)

BUCKETS = Buckets(originals="fotoai-originals", renditions="fotoai-renditions")


def rendition(key: str, bucket: str = "fotoai-renditions", name: str = "enhanced") -> Rendition:
    return Rendition(bucket=bucket, key=key, name=name, width=4, height=3, bytes=10, mime="image/jpeg")


def enhanced(key: str, bucket: str = "fotoai-renditions", owner: str = "mallory", photo: str = "m1") -> PhotoEnhancedV1:
    return PhotoEnhancedV1(photo_id=photo, owner_id=owner, rendition=rendition(key, bucket), duration_ms=1)


def test_own_objects_pass():
    check_references(enhanced("mallory/m1/enhanced.jpg"), BUCKETS)
    up = PhotoUploadedV1(photo_id="m1", owner_id="mallory", original=OriginalObject(
        bucket="fotoai-originals", key="mallory/m1/original", size=1, sha256="a" * 64))
    check_references(up, BUCKETS)
    ing = PhotoIngestedV1(photo_id="m1", owner_id="mallory", format="jpeg", width=4, height=3,
                          renditions=[rendition("mallory/m1/display.jpg", name="display")])
    check_references(ing, BUCKETS)


def test_the_forged_enhanced_event_of_the_issue_is_refused():
    """Mallory points her own photo's `enhanced` rendition at Alice's original."""
    with pytest.raises(ReferenceViolation, match="bucket"):
        check_references(enhanced("alice/a1/original", bucket="fotoai-originals"), BUCKETS)
    with pytest.raises(ReferenceViolation, match="not under 'mallory/m1/'"):
        check_references(enhanced("alice/a1/display.jpg"), BUCKETS)


@pytest.mark.parametrize("key", [
    "mallory/m1/", "mallory/m1/../../alice/a1/display.jpg", "mallory/m10/x.jpg", "mallory/m1//x",
    "mallory/m1/./x", "m1/mallory/x",
])
def test_keys_outside_the_photo_prefix_are_refused(key):
    with pytest.raises(ReferenceViolation):
        check_references(enhanced(key), BUCKETS)


def test_ids_that_would_widen_the_prefix_are_refused():
    with pytest.raises(ReferenceViolation):
        check_references(enhanced("alice/a1/x.jpg", owner="alice/a1", photo=".."), BUCKETS)


def test_nested_lists_are_checked_too():
    ing = PhotoIngestedV1(photo_id="m1", owner_id="mallory", format="jpeg", width=4, height=3,
                          renditions=[rendition("mallory/m1/display.jpg", name="display"),
                                      rendition("alice/a1/thumb.jpg", name="thumb_small")])
    with pytest.raises(ReferenceViolation, match=r"renditions\[1\]"):
        check_references(ing, BUCKETS)


def test_the_enhanced_thumbnail_is_checked_like_the_enhanced_rendition():
    own = enhanced("mallory/m1/enhanced.jpg")
    check_references(own.model_copy(update={"thumbnail": rendition("mallory/m1/enhanced_thumb.jpg")}), BUCKETS)
    forged = own.model_copy(update={"thumbnail": rendition("alice/a1/enhanced_thumb.jpg")})
    with pytest.raises(ReferenceViolation, match=r"\$\.thumbnail"):
        check_references(forged, BUCKETS)


def test_owner_must_match_the_owner_on_record():
    ev = enhanced("mallory/m1/enhanced.jpg")
    check_owner(ev, None)
    check_owner(ev, "mallory")
    with pytest.raises(OwnerMismatch):
        check_owner(ev, "alice")
