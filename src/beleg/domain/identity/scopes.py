"""The published scope catalogue and the role -> scope mapping.

Seed 000/001: API keys carry scopes chosen explicitly, not roles; users have roles. A scope is
``<resource>:<access>`` with access ``read`` or ``write`` (``write`` does not imply ``read``).
Platform scopes (tenant administration) exist only in the operator's platform tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from beleg import messages
from beleg.domain.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class Scope:
    """One entry of the catalogue. Its description is a text of the message catalogue:
    ``text``, filled with the area the scope ``covers`` (a text too) for read/write pairs."""

    name: str
    resource: str
    text: str
    platform: bool = False
    covers: str | None = None

    def describe(self, language: str = messages.ENGLISH) -> str:
        """The description in ``language``."""
        if self.covers is None:
            return messages.text(self.text, language)
        return messages.text(self.text, language, what=messages.text(self.covers, language))

    @property
    def description(self) -> str:
        """The English description (GET /v2/scopes)."""
        return self.describe()


def _pair(resource: str, covers: str, *, platform: bool = False) -> list[Scope]:
    return [
        Scope(f"{resource}:read", resource, "identity.scope_read", platform, covers),
        Scope(f"{resource}:write", resource, "identity.scope_write", platform, covers),
    ]


CATALOGUE: tuple[Scope, ...] = (
    *_pair("tenants", "identity.scope_tenants", platform=True),
    *_pair("users", "identity.scope_users"),
    *_pair("api-keys", "identity.scope_api_keys"),
    Scope("audit-trail:read", "audit-trail", "identity.scope_audit_trail_read"),
    *_pair("test-clock", "identity.scope_test_clock"),
    *_pair("security-settings", "identity.scope_security_settings"),
    *_pair("oauth-apps", "identity.scope_oauth_apps"),
    Scope("foundation:read", "foundation", "identity.scope_foundation_read"),
    *_pair("customers", "identity.scope_customers"),
    *_pair("suppliers", "identity.scope_suppliers"),
    *_pair("items", "identity.scope_items"),
    *_pair("documents", "identity.scope_documents"),
    *_pair("contracts", "identity.scope_contracts"),
    *_pair("plans", "identity.scope_plans"),
    *_pair("usages", "identity.scope_usages"),
    *_pair("billing-runs", "identity.scope_billing_runs"),
    *_pair("payments", "identity.scope_payments"),
    *_pair("cash-registers", "identity.scope_cash_registers"),
    *_pair("open-items", "identity.scope_open_items"),
    *_pair("dunning", "identity.scope_dunning"),
    *_pair("ledger", "identity.scope_ledger"),
    *_pair("bank", "identity.scope_bank"),
    *_pair("exports", "identity.scope_exports"),
    *_pair("webhooks", "identity.scope_webhooks"),
    *_pair("mails", "identity.scope_mails"),
)

SCOPES_BY_NAME: dict[str, Scope] = {scope.name: scope for scope in CATALOGUE}
PLATFORM_SCOPES = frozenset(s.name for s in CATALOGUE if s.platform)
TENANT_SCOPES = frozenset(s.name for s in CATALOGUE if not s.platform)

_ADMINISTRATIVE = ("users", "api-keys", "audit-trail", "security-settings", "oauth-apps")
_ACCOUNTING_WRITE = (
    "customers",
    "suppliers",
    "items",
    "documents",
    "payments",
    "cash-registers",
    "open-items",
    "dunning",
    "ledger",
    "bank",
    "exports",
)


class Role(StrEnum):
    """User roles of the staff portal; each maps to a fixed set of scopes."""

    VIEWER = "VIEWER"
    ACCOUNTANT = "ACCOUNTANT"
    ADMIN = "ADMIN"
    SUPERUSER = "SUPERUSER"


def _viewer_scopes() -> frozenset[str]:
    return frozenset(
        s.name
        for s in CATALOGUE
        if not s.platform and s.name.endswith(":read") and s.resource not in _ADMINISTRATIVE
    )


@cache  # the catalogue is fixed; this runs on every request with an access token
def scopes_for_role(role: Role, *, platform_tenant: bool) -> frozenset[str]:
    """The scopes a role grants. SUPERUSER = ADMIN, plus tenant administration in the platform
    tenant; ADMIN = every tenant scope; ACCOUNTANT = VIEWER plus writing bookkeeping data."""
    viewer = _viewer_scopes()
    if role is Role.VIEWER:
        return viewer
    if role is Role.ACCOUNTANT:
        return viewer | {f"{r}:write" for r in _ACCOUNTING_WRITE}
    if role is Role.ADMIN or not platform_tenant:
        return TENANT_SCOPES
    return TENANT_SCOPES | PLATFORM_SCOPES


def validate_scopes(requested: list[str], *, field: str = "scopes") -> frozenset[str]:
    """Check that every requested scope exists in the catalogue; return them as a set."""
    if not requested:
        raise ValidationFailed("identity.scopes_required", field=field)
    unknown = sorted(set(requested) - SCOPES_BY_NAME.keys())
    if unknown:
        raise ValidationFailed("identity.scopes_unknown", field=field, scopes=", ".join(unknown))
    return frozenset(requested)


def check_grantable(
    requested: frozenset[str],
    *,
    granter_scopes: frozenset[str],
    platform_tenant: bool,
    field: str = "scopes",
) -> None:
    """A credential can only grant scopes it holds itself (no escalation), and platform scopes
    only exist in the platform tenant."""
    if not platform_tenant and requested & PLATFORM_SCOPES:
        raise ValidationFailed(
            "identity.scopes_platform_only",
            field=field,
            scopes=", ".join(sorted(requested & PLATFORM_SCOPES)),
        )
    missing = sorted(requested - granter_scopes)
    if missing:
        raise ValidationFailed("identity.scopes_not_held", field=field, scopes=", ".join(missing))
