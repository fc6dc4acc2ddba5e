"""The settings every service shares, read from `FOTOAI_*` environment variables.

Services subclass `ServiceSettings` and nest their own options under their name, e.g.
`FOTOAI_INGEST__MAX_PIXELS=100000000` fills `IngestSettings.ingest.max_pixels`.
Settings are read once, in each service's `main.py`, and passed down.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The environment names of a Kafka principal, for services (their own, from the stack's secrets)
#: and for other systems (`stack.env` gives the read-only subscriber under the same names).
KAFKA_AUTH_ENV = (
    "FOTOAI_KAFKA_SECURITY_PROTOCOL", "FOTOAI_KAFKA_SASL_MECHANISM",
    "FOTOAI_KAFKA_USERNAME", "FOTOAI_KAFKA_PASSWORD",
)


def kafka_client_options(
    security_protocol: str = "PLAINTEXT",
    sasl_mechanism: str | None = None,
    username: str | None = None,
    password: str | None = None,
    ssl_cafile: str | None = None,
) -> dict[str, Any]:
    """The keyword arguments every aiokafka client (consumer, producer, admin) needs to connect
    as one principal: nothing for PLAINTEXT, SASL/SCRAM with an optional TLS CA otherwise."""
    options: dict[str, Any] = {"security_protocol": security_protocol}
    if security_protocol.startswith("SASL"):
        if not username or password is None:
            raise ValueError(f"Kafka security protocol {security_protocol} needs a username and a password")
        options |= {"sasl_mechanism": sasl_mechanism or "SCRAM-SHA-512",
                    "sasl_plain_username": username, "sasl_plain_password": password}
    if security_protocol.endswith("SSL"):
        from aiokafka.helpers import create_ssl_context

        options["ssl_context"] = create_ssl_context(cafile=ssl_cafile)
    return options


def kafka_options_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """aiokafka options from a `stack.env`-like mapping (or `os.environ`)."""
    return kafka_client_options(
        env.get("FOTOAI_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"), env.get("FOTOAI_KAFKA_SASL_MECHANISM"),
        env.get("FOTOAI_KAFKA_USERNAME"), env.get("FOTOAI_KAFKA_PASSWORD"), env.get("FOTOAI_KAFKA_SSL_CAFILE"),
    )


def kafka_settings_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """`ServiceSettings` keyword arguments for the bootstrap and principal in a `stack.env`-like mapping."""
    out: dict[str, Any] = {"kafka_bootstrap": env["FOTOAI_KAFKA_BOOTSTRAP"]}
    for key in (*KAFKA_AUTH_ENV, "FOTOAI_KAFKA_SSL_CAFILE"):
        if key in env:
            out[key.removeprefix("FOTOAI_").lower()] = env[key]
    return out


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FOTOAI_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    service_name: str = "fotoai"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True

    kafka_bootstrap: str = "127.0.0.1:19092"
    #: PLAINTEXT, SASL_PLAINTEXT (the local stack), SASL_SSL or SSL; the principal is the service's own.
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"
    kafka_username: str | None = None
    kafka_password: SecretStr | None = None
    #: CA bundle that signed the brokers' certificates (SSL protocols; default: the system's).
    kafka_ssl_cafile: str | None = None
    #: Handler attempts before a message is parked on `dlq.<service>`.
    retry_attempts: int = Field(default=4, ge=1)
    retry_backoff_s: float = Field(default=0.5, ge=0)
    retry_backoff_max_s: float = Field(default=8.0, ge=0)
    #: Partitions of a topic processed concurrently by one replica.
    consumer_concurrency: int = Field(default=1, ge=1, le=12)

    s3_endpoint: str = "http://127.0.0.1:19000"
    s3_access_key: str = "fotoai"
    s3_secret_key: SecretStr = SecretStr("fotoai-secret")
    s3_region: str = "us-east-1"
    originals_bucket: str = "fotoai-originals"
    renditions_bucket: str = "fotoai-renditions"

    #: Endpoint put into presigned URLs, when clients reach the store by another address.
    s3_public_endpoint: str | None = None

    otlp_endpoint: str | None = None
    local_mode: bool = False

    def kafka_options(self) -> dict[str, Any]:
        """aiokafka keyword arguments for this service's principal (see `kafka_client_options`)."""
        return kafka_client_options(
            self.kafka_security_protocol, self.kafka_sasl_mechanism, self.kafka_username,
            self.kafka_password.get_secret_value() if self.kafka_password else None, self.kafka_ssl_cafile,
        )
