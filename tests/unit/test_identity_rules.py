from datetime import UTC, datetime, timedelta

import pytest

from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.api_keys import (
    KeyStatus,
    expiry_for,
    format_token,
    parse_token,
    status_at,
)
from beleg.domain.identity.passwords import check_password
from beleg.domain.identity.scopes import (
    CATALOGUE,
    PLATFORM_SCOPES,
    TENANT_SCOPES,
    Role,
    check_grantable,
    scopes_for_role,
    validate_scopes,
)
from beleg.domain.identity.usernames import normalize_username

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "char", "position"),
    [
        ("jürgen", "'ü'", 2),
        ("anna maria", "U+0020", 5),
        ("max#1", "'#'", 4),
        ("straße", "'ß'", 5),
    ],
)
def test_username_error_names_the_invalid_character(raw: str, char: str, position: int) -> None:
    with pytest.raises(ValidationFailed) as info:
        normalize_username(raw)
    assert info.value.field == "username"
    assert f"invalid character {char} at position {position}" in info.value.message


def test_username_is_lower_cased_and_length_checked() -> None:
    assert normalize_username("Anna.Berger@Example") == "anna.berger@example"
    with pytest.raises(ValidationFailed, match="3 to 64"):
        normalize_username("ab")
    with pytest.raises(ValidationFailed, match="start with a letter"):
        normalize_username(".anna")


def test_password_length() -> None:
    check_password("correct horse battery")
    with pytest.raises(ValidationFailed, match="at least 12"):
        check_password("short")


def test_catalogue_scopes_are_unique_and_well_formed() -> None:
    names = [s.name for s in CATALOGUE]
    assert len(names) == len(set(names))
    assert all(n.count(":") == 1 and n.split(":")[1] in ("read", "write") for n in names)
    assert {"tenants:read", "tenants:write"} == PLATFORM_SCOPES


def test_roles_map_to_nested_scope_sets() -> None:
    viewer = scopes_for_role(Role.VIEWER, platform_tenant=False)
    accountant = scopes_for_role(Role.ACCOUNTANT, platform_tenant=False)
    admin = scopes_for_role(Role.ADMIN, platform_tenant=False)
    assert viewer < accountant < admin == TENANT_SCOPES
    assert "users:read" not in viewer and "documents:write" not in viewer
    assert "ledger:write" in accountant and "api-keys:write" not in accountant
    assert scopes_for_role(Role.SUPERUSER, platform_tenant=False) == TENANT_SCOPES
    assert scopes_for_role(Role.SUPERUSER, platform_tenant=True) == TENANT_SCOPES | PLATFORM_SCOPES


def test_scopes_must_exist_and_cannot_escalate() -> None:
    with pytest.raises(ValidationFailed, match="unknown scope"):
        validate_scopes(["users:read", "users:delete"])
    with pytest.raises(ValidationFailed, match="at least one"):
        validate_scopes([])
    with pytest.raises(ValidationFailed, match="lacks"):
        check_grantable(
            frozenset({"users:write"}),
            granter_scopes=frozenset({"users:read"}),
            platform_tenant=False,
        )
    with pytest.raises(ValidationFailed, match="platform tenant"):
        check_grantable(
            frozenset({"tenants:read"}), granter_scopes=PLATFORM_SCOPES, platform_tenant=False
        )


def test_key_validity_and_status() -> None:
    assert expiry_for(NOW, None) is None
    assert expiry_for(NOW, 30) == NOW + timedelta(days=30)
    with pytest.raises(ValidationFailed, match="7, 30, 60, 90"):
        expiry_for(NOW, 14)
    expires = NOW + timedelta(days=7)
    assert status_at(expires, expires - timedelta(microseconds=1)) is KeyStatus.ACTIVE
    assert status_at(expires, expires) is KeyStatus.EXPIRED
    assert status_at(None, NOW + timedelta(days=10_000)) is KeyStatus.ACTIVE


def test_token_format_round_trip() -> None:
    token = format_token("abcd2345", "se_cr-et")
    assert token == "blg_abcd2345_se_cr-et"
    assert parse_token(token) == ("abcd2345", "se_cr-et")
    assert parse_token("blg_short_x") is None
    assert parse_token("eyJhbGciOi.jwt.token") is None
