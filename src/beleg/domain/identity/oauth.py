"""OAuth2 rules (seed 003 §2.1, RFC 6749, RFC 8252): apps, grants, lifetimes, scopes.

- A redirect URI is absolute, has no fragment, and uses https. The one exception is a
  loopback address (127.0.0.1, [::1], localhost), which native apps may use over http
  (RFC 8252 §7.3). Redirect URIs are compared exactly.
- Access tokens live 1 hour, refresh tokens 1 month and are single-use, and pairing codes
  live 5 minutes (seed 003 §1).
- A token carries the scopes that the app, the user's role and the request all allow.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
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


def check_redirect_uris(uris: list[str]) -> list[str]:
    """Exact, absolute redirect URIs; https except for loopback (RFC 8252 §7.3)."""
    if len(uris) > MAX_REDIRECT_URIS:
        raise ValidationFailed(f"at most {MAX_REDIRECT_URIS} redirect URIs", field="redirectUris")
    for index, uri in enumerate(uris):
        field = f"redirectUris[{index}]"
        try:
            parts = urlsplit(uri)
        except ValueError:
            raise ValidationFailed(f"{uri!r} is not a URI", field=field) from None
        if not parts.scheme or not parts.hostname:
            raise ValidationFailed(f"{uri!r} is not an absolute URI", field=field)
        if parts.fragment:
            raise ValidationFailed("a redirect URI must not have a fragment", field=field)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            raise ValidationFailed(
                "a redirect URI must use https (http only for loopback)", field=field
            )
    return list(dict.fromkeys(uris))


def check_grant_types(
    values: list[str], *, confidential: bool, redirect_uris: list[str]
) -> list[str]:
    """Known grant types; the code grant needs a redirect URI."""
    if not values:
        raise ValidationFailed("at least one grant type is required", field="grantTypes")
    known = {g.value for g in GrantType}
    for index, value in enumerate(values):
        if value not in known:
            raise ValidationFailed(
                f"unknown grant type {value!r}; one of {', '.join(sorted(known))}",
                field=f"grantTypes[{index}]",
            )
    if GrantType.AUTHORIZATION_CODE in values and not redirect_uris:
        raise ValidationFailed(
            "the authorization code grant needs a redirect URI", field="redirectUris"
        )
    if GrantType.JWT_BEARER in values and not confidential:
        raise ValidationFailed(
            "the JWT bearer grant is for trusted (confidential) apps", field="grantTypes"
        )
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
        raise ValidationFailed("the assertion's cid is not this app's client number", field="cid")
    if claims.get("scp") != "a":
        raise ValidationFailed("scp must be 'a' (authentication)", field="scp")
    start = claims.get("nbf", claims.get("iat"))
    expires = claims.get("exp")
    if not isinstance(start, int | float) or not isinstance(expires, int | float):
        raise ValidationFailed("the assertion needs numeric iat (or nbf) and exp", field="iat")
    if expires - start > MAX_ASSERTION_LIFETIME.total_seconds():
        raise ValidationFailed("the assertion is valid for longer than 24 hours", field="exp")
