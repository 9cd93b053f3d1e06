"""OAuth2 rules (seed 003 §2.1, RFC 6749, RFC 8252): apps, grants, lifetimes, scopes.

- A redirect URI is absolute, has no fragment, and uses https. The one exception is a
  loopback address (127.0.0.1, [::1], localhost), which native apps may use over http
  (RFC 8252 §7.3). Redirect URIs are compared exactly.
- Access tokens live 1 hour, refresh tokens 1 month and are single-use, and pairing codes
  live 5 minutes (seed 003 §1).
- A token carries the scopes that the app, the user's role and the request all allow.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from beleg.domain.errors import ValidationFailed

ACCESS_TOKEN_TTL = timedelta(hours=1)
REFRESH_TOKEN_TTL = timedelta(days=30)
PAIRING_CODE_TTL = timedelta(minutes=5)
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen
PAIRING_CODE_LENGTH = 8
MAX_REDIRECT_URIS = 10
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class GrantType(StrEnum):
    AUTHORIZATION_CODE = "authorization_code"
    PAIRING = "password"  # seed 003: the pairing flow is the password grant with a code
    REFRESH_TOKEN = "refresh_token"  # noqa: S105 (a grant type, not a secret)
    JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """A registered client application. ``secret_hash`` is the SHA-256 of a confidential
    app's secret (None: a public app); ``issuer_jwks`` the public keys of a trusted app's
    JWT bearer assertions."""

    tenant_id: uuid.UUID
    id: uuid.UUID
    client_id: str
    name: str
    secret_hash: str | None
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    created_at: datetime
    created_by_name: str
    issuer_jwks: dict[str, Any] | None = None

    @property
    def confidential(self) -> bool:
        return self.secret_hash is not None

    def allows(self, grant: GrantType) -> bool:
        return grant.value in self.grant_types

    def snapshot(self) -> dict[str, Any]:
        """The app as audit entries show it: no secret hash, but whether it has one."""
        return {
            "tenant_id": self.tenant_id,
            "id": self.id,
            "client_id": self.client_id,
            "name": self.name,
            "redirect_uris": list(self.redirect_uris),
            "grant_types": list(self.grant_types),
            "scopes": list(self.scopes),
            "created_at": self.created_at,
            "created_by_name": self.created_by_name,
            "issuer_jwks": self.issuer_jwks,
            "confidential": self.confidential,
        }


@dataclass(frozen=True, slots=True)
class NewApp:
    """A registered app and its secret (confidential apps), which is shown once."""

    app: OAuthApp
    client_secret: str | None


@dataclass(frozen=True, slots=True)
class Grant:
    """Who a token is for: tenant, user, app and scopes."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID
    client_id: str
    scopes: frozenset[str]


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A stored refresh token (its hash): every rotation of one login shares the family;
    ``used_at`` is set when it was rotated, ``revoked_at`` when its family was revoked."""

    token_hash: str
    tenant_id: uuid.UUID
    family_id: uuid.UUID
    client_id: str
    user_id: uuid.UUID
    scopes: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def grant(self) -> Grant:
        return Grant(self.tenant_id, self.user_id, self.client_id, frozenset(self.scopes))


@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    """A stored authorization code (its hash), bound to the redirect URI and the PKCE
    challenge (RFC 7636); single-use."""

    code_hash: str
    tenant_id: uuid.UUID
    client_id: str
    user_id: uuid.UUID
    redirect_uri: str | None
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Pairing:
    """A stored pairing code (its hash) for one app and user (seed 003 §2.1.2)."""

    code_hash: str
    tenant_id: uuid.UUID
    client_id: str
    user_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PairingCode:
    """A pairing code as the user sees it once, and until when it is valid."""

    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A key that signs access tokens: its id and its private JWK (JSON text)."""

    kid: str
    private_jwk: str


def check_redirect_uris(uris: list[str]) -> list[str]:
    """Exact, absolute redirect URIs; https except for loopback (RFC 8252 §7.3)."""
    if len(uris) > MAX_REDIRECT_URIS:
        raise ValidationFailed(
            "identity.too_many_redirect_uris", field="redirectUris", limit=MAX_REDIRECT_URIS
        )
    for index, uri in enumerate(uris):
        field = f"redirectUris[{index}]"
        try:
            parts = urlsplit(uri)
        except ValueError:
            raise ValidationFailed("identity.redirect_uri_invalid", field=field, uri=uri) from None
        if not parts.scheme or not parts.hostname:
            raise ValidationFailed("identity.redirect_uri_not_absolute", field=field, uri=uri)
        if parts.fragment:
            raise ValidationFailed("identity.redirect_uri_fragment", field=field)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise ValidationFailed("identity.redirect_uri_not_https", field=field)
    return list(dict.fromkeys(uris))


def check_grant_types(
    values: list[str], *, confidential: bool, redirect_uris: list[str]
) -> list[str]:
    """Known grant types; the code grant needs a redirect URI."""
    if not values:
        raise ValidationFailed("identity.grant_types_required", field="grantTypes")
    known = {g.value for g in GrantType}
    for index, value in enumerate(values):
        if value not in known:
            raise ValidationFailed(
                "identity.grant_type_unknown",
                field=f"grantTypes[{index}]",
                grant_type=value,
                allowed=", ".join(sorted(known)),
            )
    if GrantType.AUTHORIZATION_CODE in values and not redirect_uris:
        raise ValidationFailed("identity.code_grant_needs_redirect_uri", field="redirectUris")
    if GrantType.JWT_BEARER in values and not confidential:
        raise ValidationFailed("identity.jwt_bearer_needs_confidential_app", field="grantTypes")
    return list(dict.fromkeys(values))


def granted_scopes(
    *, app: frozenset[str], role: frozenset[str], requested: str | None
) -> frozenset[str]:
    """The scopes a token carries: what the app may ask for, what the user may do, and, if
    the request names scopes, only those."""
    allowed = app & role
    if not requested:
        return allowed
    return allowed & frozenset(requested.split())


MAX_ASSERTION_LIFETIME = timedelta(hours=24)  # seed 003 §1: refuse "weeks or months"


def check_assertion_claims(claims: dict[str, object], *, tenant_number: int) -> None:
    """Seed 003 §1 JWT bearer claims beyond the signature and expiry: ``cid`` is the tenant's
    4-digit client number, ``scp`` is ``a``, and the validity is not unusually long."""
    if str(claims.get("cid")) != str(tenant_number):
        raise ValidationFailed("identity.assertion_cid_mismatch", field="cid")
    if claims.get("scp") != "a":
        raise ValidationFailed("identity.assertion_scp_invalid", field="scp")
    start = claims.get("nbf", claims.get("iat"))
    expires = claims.get("exp")
    if not isinstance(start, int | float) or not isinstance(expires, int | float):
        raise ValidationFailed("identity.assertion_times_missing", field="iat")
    if expires - start > MAX_ASSERTION_LIFETIME.total_seconds():
        raise ValidationFailed(
            "identity.assertion_too_long",
            field="exp",
            hours=int(MAX_ASSERTION_LIFETIME.total_seconds() // 3600),
        )
