import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.api_keys import (
    KeyStatus,
    expiry_for,
    format_token,
    parse_token,
    status_at,
    valid_name,
)
from beleg.domain.identity.oauth import GrantType, OAuthApp
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
from beleg.domain.identity.security import (
    FailedLogins,
    SecurityPolicy,
    SubjectKind,
    changed_policy,
    count_failure,
    lockout_end,
    setting_name,
)
from beleg.domain.identity.two_factor import FactorState, TotpFactor
from beleg.domain.identity.usernames import normalize_username
from beleg.domain.identity.users import User, display_name, role_named

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


def _policy(**changes: object) -> SecurityPolicy:
    return changed_policy(SecurityPolicy(), changes)


def test_failed_logins_count_up_and_lock_at_the_threshold() -> None:
    policy = _policy(lockout_threshold=3, lockout_minutes=10)
    counts = None
    for expected in (1, 2):
        counts = count_failure(
            counts, kind=SubjectKind.USER, subject="anna", policy=policy, now=NOW
        )
        assert (counts.failures, counts.locked_until) == (expected, None)
    locked = count_failure(counts, kind=SubjectKind.USER, subject="anna", policy=policy, now=NOW)
    assert locked.locked_until == NOW + timedelta(minutes=10)
    ended = locked.locked_until
    after = count_failure(locked, kind=SubjectKind.USER, subject="anna", policy=policy, now=ended)
    assert after.failures == 1  # the next failure after the lockout counts as the first


def test_failures_older_than_the_lockout_window_start_anew() -> None:
    policy = _policy(lockout_threshold=2, lockout_minutes=5)
    first = count_failure(None, kind=SubjectKind.ADDRESS, subject="::1", policy=policy, now=NOW)
    later = NOW + timedelta(minutes=5, seconds=1)
    again = count_failure(first, kind=SubjectKind.ADDRESS, subject="::1", policy=policy, now=later)
    assert (again.failures, again.locked_until, again.last_failure_at) == (1, None, later)


def test_lockout_end_is_the_latest_running_lockout_of_the_subjects() -> None:
    soon, later = NOW + timedelta(minutes=1), NOW + timedelta(minutes=9)
    counts = [
        FailedLogins(SubjectKind.USER, "anna", 0, NOW, soon),
        FailedLogins(SubjectKind.ADDRESS, "10.0.0.1", 0, NOW, later),
        FailedLogins(SubjectKind.USER, "bert", 0, NOW, later + timedelta(hours=1)),  # not asked
        FailedLogins(SubjectKind.ADDRESS, "anna", 0, NOW, later),  # a user name, not an address
    ]
    subjects = {SubjectKind.USER: "anna", SubjectKind.ADDRESS: "10.0.0.1"}
    assert lockout_end(counts, subjects, NOW) == later
    assert lockout_end(counts, subjects, later) is None  # ended
    assert lockout_end([], subjects, NOW) is None


def test_policy_changes_are_checked_and_only_the_maximum_age_may_be_null() -> None:
    changed = _policy(password_min_length=20, password_max_age_days=None, unknown=1)
    assert changed == SecurityPolicy(password_min_length=20)
    with pytest.raises(ValidationFailed) as info:
        _policy(require_2fa=None)
    assert (info.value.field, info.value.message) == ("require2fa", "require2fa must not be null")
    with pytest.raises(ValidationFailed, match="passwordMinLength must be 8 to 128"):
        _policy(password_min_length=7)
    assert setting_name("lockout_minutes") == "lockoutMinutes"


def test_roles_display_names_and_names_are_checked() -> None:
    assert role_named("ADMIN") is Role.ADMIN
    with pytest.raises(ValidationFailed) as info:
        role_named("BOSS")
    assert info.value.field == "role"
    assert (
        info.value.message == "role must be one of VIEWER, ACCOUNTANT, ADMIN, SUPERUSER, not 'BOSS'"
    )
    assert display_name(None, "anna") == "anna" and display_name("  Anna B. ", "anna") == "Anna B."
    with pytest.raises(ValidationFailed, match="displayName must have 1 to 200 characters"):
        display_name("x" * 201, "anna")
    assert valid_name(" export ") == "export"
    with pytest.raises(ValidationFailed, match="name must have 1 to 200 characters"):
        valid_name("   ")


def test_snapshots_never_show_secrets() -> None:
    user = User(uuid.uuid4(), uuid.uuid4(), "anna", "Anna", None, Role.VIEWER, NOW, NOW, NOW)
    assert user.snapshot()["role"] == "VIEWER" and "password_hash" not in user.snapshot()
    app = OAuthApp(
        uuid.uuid4(), uuid.uuid4(), "app_x", "App", "hash", ("https://a.example/cb",),
        (GrantType.PAIRING.value,), ("users:read",), NOW, "admin",
    )  # fmt: skip
    assert app.confidential and app.allows(GrantType.PAIRING)
    assert not app.allows(GrantType.JWT_BEARER)
    assert "hash" not in app.snapshot().values() and app.snapshot()["confidential"] is True
    factor = TotpFactor("SECRET", None, (), None)
    assert factor.state is FactorState.PENDING
    assert replace(factor, confirmed_at=NOW).state is FactorState.ACTIVE


def test_errors_and_scope_descriptions_have_german_texts() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_scopes(["users:read", "users:delete"])
    assert info.value.text("de") == (
        "Unbekannte(r) Scope(s) users:delete; GET /v2/scopes listet den Katalog"
    )
    users_read = next(s for s in CATALOGUE if s.name == "users:read")
    assert users_read.description == "Read users of the tenant and their roles."
    assert users_read.describe("de") == "Lesen: Benutzer des Mandanten und ihre Rollen."
    assert all(s.describe("de") != s.description for s in CATALOGUE)
