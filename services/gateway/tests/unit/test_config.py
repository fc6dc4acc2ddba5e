"""Settings from the environment, as the launcher and Kubernetes set them."""

from __future__ import annotations

import pytest
from fotoai.gateway.config import GatewayOptions, GatewaySettings

SECRET = "x" * 40


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for k in list(os.environ):
        if k.startswith("FOTOAI_"):
            monkeypatch.delenv(k)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("http://127.0.0.1:3000", ["http://127.0.0.1:3000"]), ("http://a, http://b", ["http://a", "http://b"]),
     ('["http://c"]', ["http://c"]), ("", [])],
)
def test_list_options_accept_plain_comma_separated_or_json(monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]) -> None:
    monkeypatch.setenv("FOTOAI_GATEWAY__CORS_ORIGINS", raw)
    monkeypatch.setenv("FOTOAI_GATEWAY__TRUSTED_PROXIES", "10.0.0.0/8,192.168.1.1")
    s = GatewaySettings()
    assert s.gateway.cors_origins == expected
    assert s.gateway.trusted_proxies == ["10.0.0.0/8", "192.168.1.1"]


def test_nested_rate_limits_and_env_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOTOAI_JWT_SECRET", SECRET)
    monkeypatch.setenv("FOTOAI_JWT_ISSUER", "iss")
    monkeypatch.setenv("FOTOAI_JWT_AUDIENCE", "aud")
    monkeypatch.setenv("FOTOAI_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("FOTOAI_CATALOG_URL", "http://catalog:8001")
    monkeypatch.setenv("FOTOAI_GATEWAY__MAX_UPLOAD_BYTES", "1000")
    monkeypatch.setenv("FOTOAI_GATEWAY__RATE_LIMITS__UPLOADS_PER_DAY", "5")
    s = GatewaySettings()
    assert s.jwt_secret is not None and s.jwt_secret.get_secret_value() == SECRET
    assert (s.jwt_issuer, s.jwt_audience, s.redis_url, s.catalog_url) == ("iss", "aud", "redis://127.0.0.1:1/0", "http://catalog:8001")
    assert s.gateway.max_upload_bytes == 1000 and s.gateway.rate_limits.uploads_per_day == 5
    assert s.gateway.max_upload_bytes != GatewayOptions().max_upload_bytes


def test_dev_login_only_in_local_mode_without_jwks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOTOAI_JWT_SECRET", SECRET)
    assert not GatewaySettings().dev_login_enabled
    monkeypatch.setenv("FOTOAI_GATEWAY__DEV_LOGIN", "true")
    assert not GatewaySettings().dev_login_enabled  # the switch alone is not enough
    monkeypatch.setenv("FOTOAI_LOCAL_MODE", "true")
    assert GatewaySettings().dev_login_enabled
    monkeypatch.setenv("FOTOAI_GATEWAY__DEV_LOGIN", "false")
    assert not GatewaySettings().dev_login_enabled  # and it turns it off in local mode too
    monkeypatch.delenv("FOTOAI_GATEWAY__DEV_LOGIN")
    monkeypatch.setenv("FOTOAI_JWT_JWKS_URL", "https://id.example/jwks")
    assert not GatewaySettings().dev_login_enabled  # never next to production keys
    monkeypatch.delenv("FOTOAI_JWT_JWKS_URL")
    monkeypatch.delenv("FOTOAI_JWT_SECRET")
    assert not GatewaySettings().dev_login_enabled  # nothing to sign with
