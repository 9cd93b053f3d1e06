"""The published scope catalogue and the role -> scope mapping.

Seed 000/001: API keys carry scopes chosen explicitly, not roles; users have roles. A scope is
``<resource>:<access>`` with access ``read`` or ``write`` (``write`` does not imply ``read``).
Platform scopes (tenant administration) exist only in the operator's platform tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from beleg.domain.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class Scope:
    """One entry of the catalogue."""

    name: str
    resource: str
    description: str
    platform: bool = False


def _pair(resource: str, what: str, *, platform: bool = False) -> list[Scope]:
    return [
        Scope(f"{resource}:read", resource, f"Read {what}.", platform),
        Scope(f"{resource}:write", resource, f"Create, change and delete {what}.", platform),
    ]


CATALOGUE: tuple[Scope, ...] = (
    *_pair("tenants", "tenants and their settings (platform administration)", platform=True),
    *_pair("users", "users of the tenant and their roles"),
    *_pair("api-keys", "API keys and the scope catalogue"),
    Scope("audit-trail:read", "audit-trail", "Read and export the audit trail."),
    *_pair("test-clock", "the tenant's test clock (test-mode tenants only)"),
    *_pair("security-settings", "password policy, 2FA and brute-force settings"),
    *_pair("oauth-apps", "OAuth2 client applications"),
    Scope("foundation:read", "foundation", "Read countries, regions, currencies and units."),
    *_pair("customers", "customers and their addresses"),
    *_pair("suppliers", "suppliers and their addresses"),
    *_pair("items", "items, item categories and prices"),
    *_pair("documents", "sales documents: offers, order confirmations, invoices, credit notes"),
    *_pair("contracts", "contracts, subscriptions and terminations"),
    *_pair("plans", "plans, plan variants and options"),
    *_pair("usages", "metered usage records"),
    *_pair("billing-runs", "billing runs and their documents"),
    *_pair("payments", "payments, refunds, SEPA mandates and direct debits"),
    *_pair("cash-registers", "cash registers, receipts and daily closings"),
    *_pair("open-items", "open items and their assignment"),
    *_pair("dunning", "dunning runs and levels"),
    *_pair("ledger", "accounts, bookings, journals and balances"),
    *_pair("bank", "bank accounts, statements and reconciliation"),
    *_pair("exports", "DATEV and CSV exports and reports"),
    *_pair("webhooks", "webhook endpoints and deliveries"),
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
