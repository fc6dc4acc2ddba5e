"""Options of the library routes (albums, share links, trash), nested under the gateway's:
`FOTOAI_GATEWAY__LIBRARY__TRASH_RETENTION_S=2592000`, `…__SHARED_PER_S=2`, …"""

from __future__ import annotations

from pydantic import BaseModel, Field


class LibraryOptions(BaseModel):
    #: How long a photo stays in the trash before it is purged for good (default 30 days).
    trash_retention_s: int = Field(default=30 * 24 * 3600, ge=1)
    #: How often the gateway looks for trash past retention; 0 turns the automatic purge off.
    purge_interval_s: float = Field(default=3600.0, ge=0)
    purge_batch: int = Field(default=500, ge=1, le=10_000)
    #: Public shared-album routes, per client IP (no account to charge): a token bucket.
    shared_per_s: float = Field(default=5.0, gt=0)
    shared_burst: int = Field(default=120, ge=1)
    #: Longest lifetime a share link may ask for; links without `expires_in` never expire.
    max_link_ttl_s: int = Field(default=365 * 24 * 3600, ge=60)
    #: The web app's origin: share links are then `<origin>/shared/<token>`, its public album
    #: page (the launcher sets it whenever it runs the web app); empty: the API's own shared route.
    share_base_url: str = ""
    #: How long the gateway itself remembers an album it just created and a revoked link, to
    #: answer before the catalog has caught up (read-your-writes, revocation at once).
    recent_ttl_s: int = Field(default=24 * 3600, ge=60)
