"""Users and API keys, and the users' system notifications."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from beleg.db.tables.base import metadata
from beleg.db.types import JsonDocument, UtcDateTime

users = Table(
    "users",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("username", String(64), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("email", String(254), nullable=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("password_changed_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "username"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    # Shown in clear for recognition; globally unique so a presented token finds its row.
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("validity_days", Integer, nullable=True),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Seed 001: deleting a user keeps the keys they created. The user service clears the
    # reference in the same transaction as the delete; the name stays as a snapshot.
    Column("created_by_user_id", Uuid, nullable=True, index=True),
    Column("created_by_key_id", Uuid, nullable=True),
    Column("created_by_name", String(200), nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "created_by_user_id"],
        ["users.tenant_id", "users.id"],
    ),
)

security_settings = Table(
    "security_settings",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("password_min_length", Integer, nullable=False),
    Column("password_max_age_days", Integer, nullable=True),
    Column("require_2fa", Boolean, nullable=False),
    Column("lockout_threshold", Integer, nullable=False),
    Column("lockout_minutes", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

login_failures = Table(
    "login_failures",
    metadata,
    # Failed logins per user name and per client address (brute-force protection).
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("kind", String(8), primary_key=True),  # user / address
    Column("subject", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
)

user_totp = Table(
    "user_totp",
    metadata,
    # TOTP second factor (RFC 6238): the shared secret and hashed one-time recovery codes.
    Column("tenant_id", Uuid, primary_key=True),
    Column("user_id", Uuid, primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("confirmed_at", UtcDateTime, nullable=True),  # set once a code was verified
    Column("recovery_hashes", JSON, nullable=False),
    Column("last_counter", Integer, nullable=True),  # a code is accepted once
    ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
)

# A system notice for one user (seed 003 NotificationDto), handed out once by
# ``POST /api/1.1/notifications``: the text is a catalogue key with its parameters, rendered in
# the reader's language; ``read_at`` is set when it was handed out.
notifications = Table(
    "notifications",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    Column("message", String(100), nullable=False),  # catalogue key
    Column("params", JsonDocument, nullable=False),  # {name: text}
    Column("priority", String(10), nullable=False),  # NONE / HIGH / URGENT
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime, nullable=True),
    # a deleted user's notifications go with the user
    ForeignKeyConstraint(
        ["tenant_id", "user_id"], ["users.tenant_id", "users.id"], ondelete="CASCADE"
    ),
    Index("ix_notifications_unread", "tenant_id", "user_id", "read_at"),
)
