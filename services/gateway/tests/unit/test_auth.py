"""JWT verification: every refusal the gateway promises has its case, through the domain and the HTTP API."""

from __future__ import annotations

import base64
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fotoai.gateway.adapters.keys import JwksFileKeys, JwksUrlKeys
from fotoai.gateway.domain.auth import AuthError, Keyring, TokenVerifier, UnknownKey
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISS, AUD = "https://id.example", "fotoai"
SECRET = "s" * 40


def claims(**over: object) -> dict[str, object]:
    now = int(time.time())
    base = {"sub": "alice", "scope": "photos:read", "iat": now, "nbf": now, "exp": now + 300, "iss": ISS, "aud": AUD}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def jwks_of(**keys: object) -> dict[str, object]:
    out = []
    for kid, key in keys.items():
        pub = key.public_key()  # type: ignore[attr-defined]
        jwk = json.loads(RSAAlgorithm.to_jwk(pub) if isinstance(pub, rsa.RSAPublicKey) else ECAlgorithm.to_jwk(pub))
        out.append({**jwk, "kid": kid, "use": "sig"})
    return {"keys": out}


def verifier(leeway: float = 0) -> TokenVerifier:
    return TokenVerifier(ISS, AUD, leeway_s=leeway)


def test_hs256_shared_secret_accepts_a_good_token() -> None:
    p = verifier().verify(jwt.encode(claims(scope="photos:read admin"), SECRET, "HS256"), Keyring.shared_secret(SECRET))
    assert p.sub == "alice" and p.scopes == {"photos:read", "admin"}
    assert p.has("photos:write")  # admin implies every scope


def test_short_shared_secret_is_refused_at_start() -> None:
    with pytest.raises(ValueError):
        Keyring.shared_secret("short")


def test_alg_none_is_refused() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=").decode()
    with pytest.raises(AuthError, match="algorithm 'none'"):
        verifier().verify(f"{header}.{body}.", Keyring.shared_secret(SECRET))


def test_algorithm_confusion_hs256_signed_with_the_rsa_public_key_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = rsa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    # PyJWT refuses to sign with a PEM as HMAC secret, so forge the token by hand.
    import hashlib
    import hmac

    def b64(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    signing_input = f"{header}.{b64(json.dumps(claims()).encode())}"
    sig = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{b64(sig)}"
    with pytest.raises(AuthError, match="algorithm 'HS256' is not accepted"):
        verifier().verify(forged, Keyring.from_jwks(jwks_of(k1=rsa_key)))


def test_rs256_and_es256_from_a_jwks(rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey) -> None:
    ring = Keyring.from_jwks(jwks_of(r=rsa_key, e=ec_key))
    t_rsa = jwt.encode(claims(), rsa_key, "RS256", headers={"kid": "r"})
    t_ec = jwt.encode(claims(sub="bob"), ec_key, "ES256", headers={"kid": "e"})
    assert verifier().verify(t_rsa, ring).sub == "alice"
    assert verifier().verify(t_ec, ring).sub == "bob"
    # A token signed by the EC key but claiming the RSA kid fails its signature check.
    t_wrong = jwt.encode(claims(), ec_key, "ES256", headers={"kid": "r"})
    with pytest.raises(AuthError):
        verifier().verify(t_wrong, ring)


def test_jwks_with_private_or_symmetric_keys_is_refused_or_ignored(rsa_key: rsa.RSAPrivateKey) -> None:
    private = json.loads(RSAAlgorithm.to_jwk(rsa_key))
    with pytest.raises(ValueError, match="private key"):
        Keyring.from_jwks({"keys": [private]})
    ring = Keyring.from_jwks({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "o"}]})
    assert len(ring) == 0


def test_wrong_key_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(AuthError, match="bad signature"):
        verifier().verify(jwt.encode(claims(), "x" * 40, "HS256"), Keyring.shared_secret(SECRET))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError, match="bad signature"):
        verifier().verify(jwt.encode(claims(), other, "RS256", headers={"kid": "k"}), Keyring.from_jwks(jwks_of(k=rsa_key)))


def test_unknown_kid_is_reported_for_a_refresh(rsa_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(UnknownKey):
        verifier().verify(jwt.encode(claims(), rsa_key, "RS256", headers={"kid": "new"}), Keyring.from_jwks(jwks_of(old=rsa_key)))


@pytest.mark.parametrize(
    ("over", "match"),
    [
        ({"iss": "https://evil.example"}, "wrong issuer"),
        ({"aud": "someone-else"}, "wrong audience"),
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"nbf": int(time.time()) + 86400}, "not valid yet"),  # far enough to outlive collection
        ({"exp": None}, "exp"),
        ({"sub": None}, "sub"),
        ({"sub": ""}, "subject"),
    ],
)
def test_bad_claims_are_refused(over: dict[str, object], match: str) -> None:
    with pytest.raises(AuthError, match=match):
        verifier().verify(jwt.encode(claims(**over), SECRET, "HS256"), Keyring.shared_secret(SECRET))


def test_clock_skew_leeway() -> None:
    token = jwt.encode(claims(exp=int(time.time()) - 10), SECRET, "HS256")
    assert verifier(leeway=30).verify(token, Keyring.shared_secret(SECRET)).sub == "alice"
    with pytest.raises(AuthError, match="expired"):
        verifier(leeway=0).verify(token, Keyring.shared_secret(SECRET))


def test_cached_tokens_still_expire() -> None:
    v, ring = verifier(), Keyring.shared_secret(SECRET)
    token = jwt.encode(claims(exp=int(time.time()) + 5), SECRET, "HS256")
    assert v.verify(token, ring).sub == "alice"
    with pytest.raises(AuthError, match="expired"):
        v.verify(token, ring, now=time.time() + 60)


async def test_jwks_url_refreshes_on_unknown_kid(rsa_key: rsa.RSAPrivateKey) -> None:
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    served = {"doc": jwks_of(old=rsa_key)}
    fetches = []

    def handler(request: httpx.Request) -> httpx.Response:
        fetches.append(request.url)
        return httpx.Response(200, json=served["doc"])

    keys = JwksUrlKeys("https://id.example/jwks", min_refresh_s=0, transport=httpx.MockTransport(handler))
    ring = await keys.keyring()
    with pytest.raises(UnknownKey):
        verifier().verify(jwt.encode(claims(), new_key, "RS256", headers={"kid": "new"}), ring)
    served["doc"] = jwks_of(old=rsa_key, new=new_key)  # the identity provider rotated
    ring = await keys.refresh()
    assert verifier().verify(jwt.encode(claims(), new_key, "RS256", headers={"kid": "new"}), ring).sub == "alice"
    assert len(fetches) == 2
    assert await keys.keyring() is ring  # cached: no third fetch
    assert len(fetches) == 2
    await keys.aclose()


async def test_jwks_file(tmp_path, ec_key: ec.EllipticCurvePrivateKey) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks_of(e=ec_key)))
    ring = await JwksFileKeys(str(path)).keyring()
    assert verifier().verify(jwt.encode(claims(), ec_key, "ES256", headers={"kid": "e"}), ring).sub == "alice"


# ------------------------------------------------------------------ through the HTTP API


async def test_missing_token_is_401_with_challenge(gw) -> None:
    client, _ = gw
    r = await client.get("/v1/photos")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="fotoai"'
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 401


@pytest.mark.parametrize("case", ["none", "wrong_key", "wrong_iss", "wrong_aud", "expired", "garbage", "basic"])
async def test_bad_tokens_are_401_with_invalid_token(gw, case: str) -> None:
    client, h = gw
    now = int(time.time())
    base = {"sub": "alice", "scope": "photos:read", "iat": now, "exp": now + 60, "iss": "fotoai-test", "aud": "fotoai"}
    tokens = {
        "none": jwt.encode(base, None, algorithm="none"),  # type: ignore[arg-type]  # "none" takes no key
        "wrong_key": jwt.encode(base, "k" * 40, "HS256"),
        "wrong_iss": jwt.encode({**base, "iss": "x"}, h.secret, "HS256"),
        "wrong_aud": jwt.encode({**base, "aud": "x"}, h.secret, "HS256"),
        "expired": jwt.encode({**base, "exp": now - 3600}, h.secret, "HS256"),
        "garbage": "not.a.jwt",
    }
    header = f"Basic {base64.b64encode(b'a:b').decode()}" if case == "basic" else f"Bearer {tokens[case]}"
    r = await client.get("/v1/photos", headers={"Authorization": header})
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"].startswith('Bearer realm="fotoai"')
    if case != "basic":
        assert 'error="invalid_token"' in r.headers["www-authenticate"]


async def test_missing_scope_is_403(gw) -> None:
    client, h = gw
    r = await client.get("/v1/photos", headers=h.auth(scope="photos:write"))
    assert r.status_code == 403
    assert 'error="insufficient_scope"' in r.headers["www-authenticate"]
    r = await client.post("/v1/photos", headers={**h.auth(scope="photos:read"), "Content-Type": "image/jpeg"},
                          content=b"\xff\xd8\xff" + b"0" * 100)
    assert r.status_code == 403
    r = await client.delete("/v1/photos/p1", headers=h.auth(scope="photos:read"))
    assert r.status_code == 403
    r = await client.get("/v1/photos", headers=h.auth(scope="admin"))
    assert r.status_code == 200


async def test_dev_token_only_when_enabled(make_client) -> None:
    async with make_client() as (client, _):
        r = await client.post("/v1/dev/token", json={"user": "carol"})
        assert r.status_code == 200
        body = r.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        r = await client.get("/v1/photos", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert r.status_code == 200 and r.json()["items"] == []
        assert (await client.post("/v1/dev/token", json={"user": "../x"})).status_code == 422
    async with make_client(local_mode=False) as (client, _):
        r = await client.post("/v1/dev/token", json={"user": "carol"})
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_jwks_unreachable_is_503_not_500(make_client) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with make_client() as (client, h):
        h.app.state.gateway.keys = JwksUrlKeys("https://id.example/jwks", transport=httpx.MockTransport(down))
        r = await client.get("/v1/photos", headers=h.auth())
        assert r.status_code == 503 and r.json()["title"] == "Identity Provider Unavailable"
