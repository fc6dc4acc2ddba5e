"""Bearer-token verification: who is calling and with which scopes.

`TokenVerifier` checks a JWT against a `Keyring` (an HS256 shared secret, or the public keys of
a JWKS) with a fixed allow-list of algorithms per key type, so `alg=none` and algorithm
confusion (an HS256 token signed with an RSA public key as the secret) can never verify.
"""

from __future__ import annotations

import json
import re
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Kept as is in owner ids; everything else (`/`, `:`, `%`, spaces, non-ASCII) is percent-encoded.
_OWNER_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@+=|!")

READ = "photos:read"
WRITE = "photos:write"
ADMIN = "admin"
KNOWN_SCOPES = (READ, WRITE, ADMIN)

HMAC_ALGS = frozenset({"HS256"})
RSA_ALGS = frozenset({"RS256"})
EC_ALGS = frozenset({"ES256"})


class AuthError(Exception):
    """The token is missing or invalid: 401 with `WWW-Authenticate`."""

    def __init__(self, description: str, *, missing: bool = False) -> None:
        super().__init__(description)
        self.description = description
        self.missing = missing


class UnknownKey(AuthError):
    """The token names a `kid` the keyring does not have (the JWKS may need a refresh)."""

    def __init__(self, kid: str | None) -> None:
        super().__init__(f"unknown signing key {kid!r}")
        self.kid = kid


class ScopeError(Exception):
    """The token is valid but lacks the scope: 403."""

    def __init__(self, needed: str) -> None:
        super().__init__(f"this operation needs the {needed!r} scope")
        self.needed = needed


def owner_id_of(sub: str) -> str:
    """The owner id a subject's data lives under: safe in object keys (`{owner}/{photo}/...`),
    Redis keys (`x:{owner}:y`) and purge prefixes, and one-to-one with the subject.

    Percent-encodes every character outside a small safe set, so `a/b` and `a:b` can never
    reach another owner's prefix or key. Control characters are refused before this.
    """
    return "".join(c if c in _OWNER_SAFE else "".join(f"%{b:02X}" for b in c.encode()) for c in sub)


def header_safe(text: str, limit: int = 200) -> str:
    """`text` as the content of a quoted-string in a header: printable ASCII, no `"` or `\\`."""
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text[:limit])


@dataclass(frozen=True)
class Principal:
    #: The owner id (`owner_id_of` the token's subject); the raw subject is `claims["sub"]`.
    sub: str
    scopes: frozenset[str]
    expires_at: float
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def has(self, scope: str) -> bool:
        return scope in self.scopes or ADMIN in self.scopes

    def require(self, scope: str) -> None:
        if not self.has(scope):
            raise ScopeError(scope)


@dataclass(frozen=True)
class VerificationKey:
    key: Any
    algorithms: frozenset[str]


class Keyring:
    """Keys by `kid`; a key without `kid` (the shared secret) answers every token."""

    def __init__(self, keys: Mapping[str | None, VerificationKey]) -> None:
        self._keys = dict(keys)

    @classmethod
    def shared_secret(cls, secret: str) -> Keyring:
        if len(secret.encode()) < 32:
            raise ValueError("an HS256 secret must be at least 32 bytes")
        return cls({None: VerificationKey(secret.encode(), HMAC_ALGS)})

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any] | str) -> Keyring:
        """Public keys of a JWKS document. Symmetric (`oct`) and private keys are refused."""
        doc = json.loads(jwks) if isinstance(jwks, str) else jwks
        keys: dict[str | None, VerificationKey] = {}
        for jwk in doc.get("keys", []):
            if jwk.get("use", "sig") != "sig":
                continue
            kty = jwk.get("kty")
            if "d" in jwk:
                raise ValueError("the JWKS holds a private key; publish public keys only")
            if kty == "RSA":
                key: Any
                key, algs = RSAAlgorithm.from_jwk(jwk), RSA_ALGS
            elif kty == "EC":
                key, algs = ECAlgorithm.from_jwk(jwk), EC_ALGS
            else:
                continue  # `oct` keys would re-open algorithm confusion
            if jwk.get("alg") and jwk["alg"] not in algs:
                continue
            keys[jwk.get("kid")] = VerificationKey(key, algs)
        return cls(keys)

    def __len__(self) -> int:
        return len(self._keys)

    def lookup(self, kid: str | None) -> VerificationKey:
        if kid in self._keys:
            return self._keys[kid]
        if None in self._keys and len(self._keys) == 1:
            return self._keys[None]
        raise UnknownKey(kid)


class TokenVerifier:
    """Verifies a compact JWT: signature, `iss`, `aud`, `exp`, `nbf` (with leeway), `sub`."""

    def __init__(self, issuer: str, audience: str, leeway_s: float = 30.0, cache_size: int = 4096) -> None:
        self.issuer = issuer
        self.audience = audience
        self.leeway_s = leeway_s
        # Verified tokens are remembered until they expire: a client sends the same token on
        # every request, and the signature check dominates the cost of an authenticated call.
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size

    def verify(self, token: str, keyring: Keyring, now: float | None = None) -> Principal:
        now = time.time() if now is None else now
        cached = self._cache.get(token)
        if cached is not None:
            if now <= cached.expires_at + self.leeway_s:
                return cached
            del self._cache[token]
            raise AuthError("the token has expired")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError(f"malformed token: {exc}") from exc
        alg = header.get("alg")
        kid = header.get("kid")
        key = keyring.lookup(kid if isinstance(kid, str) else None)
        if not isinstance(alg, str) or alg not in key.algorithms:
            raise AuthError(f"algorithm {alg!r} is not accepted for this key")
        try:
            claims = jwt.decode(
                token, key.key, algorithms=[alg], audience=self.audience, issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "sub", "iss", "aud"], "verify_iat": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("the token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthError("the token is not valid yet") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError("wrong issuer") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError("wrong audience") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthError("bad signature") from exc
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from exc
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub or len(sub) > 200:
            raise AuthError("the token has no usable subject")
        if _CONTROL.search(sub):
            raise AuthError("the token's subject contains control characters")
        scope = claims.get("scope", "")
        scopes = scope.split() if isinstance(scope, str) else [s for s in scope if isinstance(s, str)]
        principal = Principal(owner_id_of(sub), frozenset(scopes), float(claims["exp"]), claims)
        self._cache[token] = principal
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal


def mint_hs256(
    secret: str, sub: str, scopes: str, issuer: str, audience: str, ttl_s: int, now: float | None = None
) -> str:
    """A local HS256 token (dev sign-in and tools); never used with production keys."""
    t = int(time.time() if now is None else now)
    claims = {"sub": sub, "scope": scopes, "iat": t, "nbf": t, "exp": t + ttl_s, "iss": issuer, "aud": audience}
    return jwt.encode(claims, secret, algorithm="HS256")
