"""Public shapes of the catalog's answers: object locations become presigned URLs.

The internal API returns `{bucket, key}` pairs; clients never see them. A `Presign` callable
turns a pair into a short-lived URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Presign = Callable[[str, str], str]

#: The thumbnails of a summary, each becoming `<name>_url`: the one to show (`thumb`, ~256 px:
#: FotoAI's version where it changed the picture, else the original's) and its 1024 px
#: counterpart (`thumb_large`, for `srcset`), and both versions for clients that let people
#: choose. A summary without the others (a shared album's) gets none of them.
THUMBS = ("thumb", "thumb_large", "original_thumb", "enhanced_thumb")


def public_summary(item: Mapping[str, Any], presign: Presign) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if k not in THUMBS}
    for name in THUMBS:
        if name == "thumb" or name in item:
            thumb = item.get(name)
            out[f"{name}_url"] = presign(thumb["bucket"], thumb["key"]) if thumb else None
    return out


def public_detail(detail: Mapping[str, Any], presign: Presign) -> dict[str, Any]:
    out = public_summary(detail, presign)
    out["renditions"] = [
        {**{k: v for k, v in r.items() if k not in ("bucket", "key")}, "url": presign(r["bucket"], r["key"])}
        for r in detail.get("renditions") or []
    ]
    return out


def public_page(page: Mapping[str, Any], presign: Presign) -> dict[str, Any]:
    out = {k: v for k, v in page.items() if k != "items"}
    out["items"] = [public_summary(i, presign) for i in page.get("items") or []]
    return out
