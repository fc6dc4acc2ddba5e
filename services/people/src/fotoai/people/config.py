"""Settings of the people service (`FOTOAI_PEOPLE__*`)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from fotoai.servicekit.settings import ServiceSettings
from pydantic import BaseModel, Field


class PeopleOptions(BaseModel):
    database_url: str | None = Field(
        default=None,
        description="the people service's own database (never the catalog's); default: the database "
                    "`fotoai_people` on the server of FOTOAI_DATABASE_URL",
    )
    threshold: float = Field(
        default=0.6, gt=0, lt=2,
        description="largest face distance to join a person (dlib's ResNet: same person ~0.25-0.5, others ~0.7+)",
    )
    jitters: int = Field(default=1, ge=1, le=100, description="dlib descriptor re-samplings per face")
    max_side: int = Field(default=2048, ge=256, description="longest side of the image faces are embedded from")
    max_concurrency: int = Field(default=1, ge=1, description="photos embedded at once per replica")
    db_pool_max: int = Field(default=4, ge=1)


class PeopleSettings(ServiceSettings):
    service_name: str = "people"
    #: The PostgreSQL server the stack shares (its database is the catalog's: not used here).
    database_url: str = "postgresql://postgres@127.0.0.1:15432/fotoai"
    people: PeopleOptions = Field(default_factory=PeopleOptions)

    def people_database_url(self) -> str:
        if self.people.database_url:
            return self.people.database_url
        parts = urlsplit(self.database_url)
        return urlunsplit(parts._replace(path="/fotoai_people"))
