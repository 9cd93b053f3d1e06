"""Account security (issue 4): the tenant's settings, brute-force lockout and its release,
TOTP required by policy (enrolment, verification, admin reset), password minimum length and
maximum age. Driven through the OAuth login pages like a browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import audit_entries, users
from beleg.domain.identity import hashing
from beleg.services.identity.users import create_user
from tests.api.test_oauth import BASE, PASSWORD, REDIRECT, register
from tests.conftest import TenantFixture, app_at, system_actor

HIDDEN = re.compile(r'type="hidden" name="([^"]+)" value="([^"]*)"')


def auth_url(app: dict) -> str:  # type: ignore[type-arg]
    return (
        f"{BASE}/oauth2/auth?response_type=code&client_id={app['clientId']}"
        f"&redirect_uri={REDIRECT}&state=s&code_challenge={'a' * 43}"
        "&code_challenge_method=S256"
    )


def sign_in(browser: TestClient, app: dict, password: str = PASSWORD):  # type: ignore[no-untyped-def, type-arg]
    page = browser.get(auth_url(app))
    fields = dict(HIDDEN.findall(page.text))
    return browser.post(
        f"{BASE}/oauth2/login",
        data={**fields, "username": "anna", "password": password},
        follow_redirects=True,
    )


@pytest.fixture
def anna(db: Database, tenant: TenantFixture) -> None:
    create_user(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        username="anna",
        password=PASSWORD,
        role="ACCOUNTANT",
        clock=SystemClock(),
    )


def audited(db: Database, tenant: TenantFixture, entity: str) -> list[dict]:  # type: ignore[type-arg]
    with db.reader() as session:
        return list(
            session.execute(
                select(audit_entries.c.after).where(
                    audit_entries.c.tenant_id == tenant.id, audit_entries.c.entity_type == entity
                )
            ).scalars()
        )


def test_settings_are_validated_and_audited(
    client: TestClient, db: Database, tenant: TenantFixture
) -> None:
    assert client.get("/v2/tenant-config/security", headers=tenant.headers).json() == {
        "passwordMinLength": 12,
        "passwordMaxAgeDays": None,
        "require2fa": False,
        "lockoutThreshold": 5,
        "lockoutMinutes": 15,
    }
    bad = client.put(
        "/v2/tenant-config/security", json={"passwordMinLength": 4}, headers=tenant.headers
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "passwordMinLength"
    changed = client.put(
        "/v2/tenant-config/security", json={"passwordMinLength": 20}, headers=tenant.headers
    )
    assert changed.status_code == 200 and changed.json()["passwordMinLength"] == 20
    assert audited(db, tenant, "SecuritySettings")[-1]["password_min_length"] == 20
    short = client.post(
        "/v2/users",
        headers=tenant.headers,
        json={"username": "bob", "password": "only-16-letters!", "role": "VIEWER"},
    )
    assert short.status_code == 400 and "at least 20" in short.json()["detail"]


def test_lockout_after_failures_and_release(
    client: TestClient, db: Database, database_url: str, tenant: TenantFixture, anna: None
) -> None:
    client.put(
        "/v2/tenant-config/security",
        headers=tenant.headers,
        json={"lockoutThreshold": 3, "lockoutMinutes": 15},
    )
    app = register(client, tenant, redirectUris=[REDIRECT], grantTypes=["authorization_code"])
    with TestClient(client.app, base_url=BASE) as browser:
        for _ in range(3):
            assert sign_in(browser, app, "wrong password!").status_code == 401
        locked = sign_in(browser, app)  # the right password does not help now
        assert locked.status_code == 429 and "gesperrt" in locked.text
    assert audited(db, tenant, "Lockout")
    later = app_at(db, database_url, datetime.now(UTC) + timedelta(minutes=16))
    with later:
        later.base_url = BASE  # type: ignore[assignment]
        released = sign_in(later, app)
        assert released.status_code == 200 and "Erlauben" in released.text


def test_totp_required_by_policy_enrol_verify_and_reset(
    client: TestClient, db: Database, tenant: TenantFixture, anna: None
) -> None:
    client.put("/v2/tenant-config/security", headers=tenant.headers, json={"require2fa": True})
    app = register(client, tenant, redirectUris=[REDIRECT], grantTypes=["authorization_code"])
    with TestClient(client.app, base_url=BASE) as browser:
        enrol = sign_in(browser, app)
        assert "<svg" in enrol.text and 'id="recovery-codes"' in enrol.text
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', enrol.text).group(1)  # type: ignore[union-attr]
        fields = dict(HIDDEN.findall(enrol.text))
        wrong = browser.post(f"{BASE}/oauth2/step", data={**fields, "code": "000000"})
        assert wrong.status_code == 400
        recovery = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", enrol.text)
        assert len(recovery) == 10
        done = browser.post(
            f"{BASE}/oauth2/step",
            follow_redirects=True,
            data={**fields, "code": pyotp.TOTP(secret).now()},
        )
        assert done.status_code == 200 and "Erlauben" in done.text
    assert audited(db, tenant, "TwoFactor")[-1]["confirmed"] is True
    for attempt, expected in ((recovery[0], 200), (recovery[0], 400)):  # each code once
        with TestClient(client.app, base_url=BASE) as browser:
            ask = sign_in(browser, app)
            assert 'autocomplete="one-time-code"' in ask.text and "<svg" not in ask.text
            used = browser.post(
                f"{BASE}/oauth2/step",
                follow_redirects=True,
                data={**dict(HIDDEN.findall(ask.text)), "code": attempt},
            )
            assert used.status_code == expected
    with db.reader() as session:
        anna_id = (
            session.execute(
                select(audit_entries.c.entity_id).where(
                    audit_entries.c.tenant_id == tenant.id,
                    audit_entries.c.entity_type == "TwoFactor",
                )
            )
            .scalars()
            .first()
        )
    assert (
        client.delete(f"/v2/users/{anna_id}/two-factor", headers=tenant.headers).status_code == 204
    )
    assert (
        client.delete(f"/v2/users/{anna_id}/two-factor", headers=tenant.headers).status_code == 404
    )


def test_expired_password_must_be_changed(
    client: TestClient, db: Database, database_url: str, tenant: TenantFixture, anna: None
) -> None:
    client.put("/v2/tenant-config/security", headers=tenant.headers, json={"passwordMaxAgeDays": 1})
    app = register(client, tenant, redirectUris=[REDIRECT], grantTypes=["authorization_code"])
    later = app_at(db, database_url, datetime.now(UTC) + timedelta(days=2))
    with later:
        later.base_url = BASE  # type: ignore[assignment]
        step = sign_in(later, app)
        assert 'name="new_password"' in step.text
        fields = dict(HIDDEN.findall(step.text))
        same = later.post(f"{BASE}/oauth2/step", data={**fields, "new_password": PASSWORD})
        assert same.status_code == 400
        done = later.post(
            f"{BASE}/oauth2/step",
            follow_redirects=True,
            data={**fields, "new_password": "a brand new passphrase"},
        )
        assert done.status_code == 200 and "Erlauben" in done.text


class RecordingHasher:
    """The real argon2 hasher, recording the hashes that passwords are checked against."""

    def __init__(self, real: object) -> None:
        self.real, self.checked = real, []  # type: ignore[var-annotated]

    def hash(self, password: str) -> str:
        return self.real.hash(password)  # type: ignore[attr-defined, no-any-return]

    def verify(self, password_hash: str, password: str) -> bool:
        self.checked.append(password_hash)
        return self.real.verify(password_hash, password)  # type: ignore[attr-defined, no-any-return]


def test_unknown_user_names_cost_the_same_password_check(
    client: TestClient,
    db: Database,
    tenant: TenantFixture,
    anna: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 12, finding 7: an unknown user name was answered without any argon2 check (59 ms
    against 223 ms), which told known from unknown names. Now both check one password
    against an argon2 hash of the same parameters; the work done is compared, not timings."""
    recorder = RecordingHasher(hashing._HASHER)
    monkeypatch.setattr(hashing, "_HASHER", recorder)
    app = register(client, tenant, redirectUris=[REDIRECT], grantTypes=["authorization_code"])
    with TestClient(client.app, base_url=BASE) as browser:
        fields = dict(HIDDEN.findall(browser.get(auth_url(app)).text))
        answers = {}
        for name in ("anna", "nobody"):
            form = {**fields, "username": name, "password": "wrong password!"}
            before = len(recorder.checked)
            answers[name] = browser.post(f"{BASE}/oauth2/login", data=form)
            assert len(recorder.checked) == before + 1, name  # before the fix: 0 for nobody
    assert answers["anna"].status_code == answers["nobody"].status_code == 401
    assert answers["anna"].text == answers["nobody"].text
    with db.reader() as session:
        stored = session.execute(
            select(users.c.password_hash).where(
                users.c.tenant_id == tenant.id, users.c.username == "anna"
            )
        ).scalar_one()
    known, unknown = recorder.checked[-2:]
    assert known == stored and unknown != stored
    parameters = stored.rsplit("$", 2)[0]  # $argon2id$v=19$m=...,t=...,p=...
    assert unknown.startswith(parameters + "$")
