"""OAuth2 (seed 003 §2.1): client applications, token signing keys, refresh tokens and
pairing codes. Secrets, refresh tokens and pairing codes are stored only as SHA-256 hashes."""

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, Uuid

from beleg.db.tables.base import metadata
from beleg.db.types import UtcDateTime

oauth_apps = Table(
    "oauth_apps",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("client_id", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(64), nullable=True),  # confidential apps only
    Column("redirect_uris", JSON, nullable=False),
    Column("grant_types", JSON, nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by_name", String(200), nullable=False),
    # JWT bearer grant (RFC 7523): the public keys (JWKS) the app signs its assertions with.
    Column("issuer_jwks", JSON, nullable=True),
)

oauth_consents = Table(
    "oauth_consents",
    metadata,
    # A user allowed an app to act for them (seed 003 §1: required for the JWT bearer grant).
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("user_id", Uuid, primary_key=True),
    Column("client_id", String(64), primary_key=True),
    Column("granted_at", UtcDateTime, nullable=False),
)

oauth_assertion_ids = Table(
    "oauth_assertion_ids",
    metadata,
    # ``jti`` of accepted JWT bearer assertions, kept until they expire: a replay is refused.
    Column("client_id", String(64), primary_key=True),
    Column("jti", String(200), primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False),
)

oauth_signing_keys = Table(
    "oauth_signing_keys",
    metadata,
    # The newest unretired key signs; every unretired key verifies (rotation without logout).
    Column("kid", String(64), primary_key=True),
    Column("private_jwk", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("retired_at", UtcDateTime, nullable=True),
)

oauth_refresh_tokens = Table(
    "oauth_refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), nullable=False),
    Column("family_id", Uuid, nullable=False),  # every rotation of one login shares it
    Column("client_id", String(64), nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),  # rotated: a second use is a replay
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("ix_oauth_refresh_tokens_family", "family_id"),
)

oauth_pairings = Table(
    "oauth_pairings",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

oauth_codes = Table(
    "oauth_codes",
    metadata,
    # Authorization codes (RFC 6749 §4.1): single-use, short-lived, bound to the redirect URI
    # and the PKCE challenge (RFC 7636).
    Column("code_hash", String(64), primary_key=True),
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), nullable=False),
    Column("client_id", String(64), nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("redirect_uri", String(2000), nullable=True),
    Column("scope", String(2000), nullable=False),
    Column("code_challenge", String(200), nullable=True),
    Column("code_challenge_method", String(10), nullable=True),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    # A browser login (the OAuth login page now, the portal later); the cookie holds the
    # token, the table its hash. ``csrf`` is echoed by every form of the session.
    Column("token_hash", String(64), primary_key=True),
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), nullable=False),
    Column("user_id", Uuid, nullable=False),
    Column("csrf", String(64), nullable=False),
    # What the user must still do before the session counts: "password" (expired),
    # "enrol" (2FA required, none set up), "totp" (enter the code); None: signed in.
    Column("pending", String(10), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)
