"""Issue 12, finding 2: parallel attempts cannot get around the lockout. 60 parallel wrong
passwords on the login page, and 60 parallel wrong pairing codes on the token endpoint's
password grant, against a threshold of 5: at most 5 secrets are checked, the rest are refused
as locked, and afterwards the right password (or a valid code) is refused while the lockout
runs. Runs on both databases (short: five argon2 checks)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.identity import oauth as oauth_repo
from beleg.db.tables import audit_entries, login_failures
from beleg.domain.identity import hashing
from beleg.services.identity.users import create_user
from tests.api.test_account_security import HIDDEN, auth_url
from tests.api.test_oauth import BASE, PASSWORD, REDIRECT, pair, register, user_key
from tests.conftest import TenantFixture, system_actor

__all__ = ["user_key"]  # the fixture, imported for the pairing test

ATTEMPTS = 60
THRESHOLD = 5


class Counter:
    """Counts calls of a wrapped function from many threads."""

    def __init__(self, wrapped: Callable[..., Any]) -> None:
        self.wrapped, self.calls, self._lock = wrapped, 0, threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.calls += 1
        return self.wrapped(*args, **kwargs)


class CountingHasher:
    """The real argon2 hasher, counting the passwords it checks."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.verify = Counter(real.verify)

    def hash(self, password: str) -> str:
        return str(self.real.hash(password))


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingHasher]:
    counting = CountingHasher(hashing._HASHER)
    monkeypatch.setattr(hashing, "_HASHER", counting)
    yield counting


def burst(send: Callable[[], httpx2.Response], attempts: int = ATTEMPTS) -> list[int]:
    """``attempts`` requests sent at once from as many threads; their status codes."""
    start = threading.Barrier(attempts)

    def one(_: int) -> int:
        start.wait()
        return send().status_code

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        return list(pool.map(one, range(attempts)))


def strict_lockout(client: TestClient, tenant: TenantFixture) -> None:
    policy = {"lockoutThreshold": THRESHOLD, "lockoutMinutes": 15}
    response = client.put("/v2/tenant-config/security", headers=tenant.headers, json=policy)
    assert response.status_code == 200, response.text


def checked_logins(db: Database, tenant: TenantFixture) -> int:
    """Failed logins whose password was checked (not refused as locked), as audited."""
    with db.reader() as session:
        entries = session.execute(
            select(audit_entries.c.after).where(
                audit_entries.c.tenant_id == tenant.id,
                audit_entries.c.entity_type == "FailedLogin",
            )
        ).scalars()
        return sum(1 for after in entries if not after["locked"])


@pytest.fixture
def browser(client: TestClient) -> Iterator[TestClient]:
    """A client of its own: the login's session cookies stay out of the shared client."""
    with TestClient(client.app, base_url=BASE) as own:
        yield own


def login_form(
    client: TestClient, db: Database, tenant: TenantFixture
) -> Callable[..., httpx2.Response]:
    """User anna, an app with the code flow, and a function that posts the login form."""
    create_user(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        username="anna",
        password=PASSWORD,
        role="ACCOUNTANT",
        clock=SystemClock(),
    )
    app = register(client, tenant, redirectUris=[REDIRECT], grantTypes=["authorization_code"])
    fields = dict(HIDDEN.findall(client.get(auth_url(app)).text))

    def login(password: str, username: str = "anna") -> httpx2.Response:
        form = {**fields, "username": username, "password": password}
        return client.post(f"{BASE}/oauth2/login", data=form, follow_redirects=False)

    return login


def test_parallel_wrong_passwords_check_at_most_the_threshold(
    client: TestClient,
    browser: TestClient,
    db: Database,
    tenant: TenantFixture,
    hasher: CountingHasher,
) -> None:
    strict_lockout(client, tenant)
    login = login_form(browser, db, tenant)
    statuses = burst(lambda: login("wrong password!"))
    assert hasher.verify.calls <= THRESHOLD, hasher.verify.calls
    assert statuses.count(401) <= THRESHOLD and statuses.count(429) >= ATTEMPTS - THRESHOLD
    assert set(statuses) <= {401, 429}, statuses
    assert checked_logins(db, tenant) <= THRESHOLD
    locked = login(PASSWORD)  # the right password does not help while the lockout runs
    assert locked.status_code == 429 and "gesperrt" in locked.text
    assert hasher.verify.calls <= THRESHOLD


def test_parallel_right_and_wrong_passwords_each_count_once(
    client: TestClient, browser: TestClient, db: Database, tenant: TenantFixture
) -> None:
    """Successes take back their own count only, and sign-ins do not deadlock (they take the
    lockout rows before the audit head): from one address, 6 wrong and 6 right passwords in
    parallel leave the address with exactly 6 failures. (Few: each check holds 64 MiB.)"""
    policy = {"lockoutThreshold": 100, "lockoutMinutes": 15}
    client.put("/v2/tenant-config/security", headers=tenant.headers, json=policy)
    login = login_form(browser, db, tenant)
    passwords = iter(["wrong password!", PASSWORD] * 6)
    lock = threading.Lock()

    def next_password() -> str:
        with lock:
            return next(passwords)

    statuses = burst(lambda: login(next_password()), attempts=12)
    assert sorted(statuses) == [303] * 6 + [401] * 6, statuses
    with db.reader() as session:
        failures = session.execute(
            select(login_failures.c.kind, login_failures.c.failures).where(
                login_failures.c.tenant_id == tenant.id
            )
        ).all()
    assert ("address", 6) in [tuple(row) for row in failures], failures


def test_parallel_wrong_pairing_codes_check_at_most_the_threshold(
    client: TestClient,
    tenant: TenantFixture,
    user_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    strict_lockout(client, tenant)
    app = register(client, tenant)
    lookups = Counter(oauth_repo.locked_pairing)
    monkeypatch.setattr(oauth_repo, "locked_pairing", lookups)
    form = {"grant_type": "password", "username": "anna", "client_id": app["clientId"]}

    def token(code: str) -> httpx2.Response:
        return client.post(f"{BASE}/oauth2/token", data={**form, "password": code})

    statuses = burst(lambda: token("WRONG1"))
    assert lookups.calls <= THRESHOLD, lookups.calls  # before: all 60 codes were looked up
    assert statuses == [400] * ATTEMPTS
    valid = pair(client, app, user_key)
    refused = token(valid)  # a valid code does not help while the lockout runs
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert "locked until" in refused.json()["error_description"]
    assert lookups.calls <= THRESHOLD


def test_user_names_no_user_has_are_counted_not_a_server_error(
    client: TestClient, browser: TestClient, db: Database, tenant: TenantFixture
) -> None:
    """A NUL byte in the user name was a 500 on PostgreSQL once the name is a lockout
    subject. A control character is refused before any password is checked (issue 12,
    finding 3: a 400 naming the field, nothing counted); a long unknown name is counted
    (cut) like any other wrong name."""
    policy = {"lockoutThreshold": 20, "lockoutMinutes": 15}
    client.put("/v2/tenant-config/security", headers=tenant.headers, json=policy)
    login = login_form(browser, db, tenant)
    app = register(client, tenant)
    for name in ("an\x00na", "jörg\x07", "x" * 300):
        form = {"grant_type": "password", "username": name, "password": "X" * 8}
        token = client.post(f"{BASE}/oauth2/token", data={**form, "client_id": app["clientId"]})
        assert token.status_code == 400 and token.json()["error"] == "invalid_request", name
        page = login("wrong password!", name)
        if name.isprintable():
            assert page.status_code == 401, name
        else:
            assert token.json()["error_description"].startswith("username: Control character")
            assert page.status_code == 400 and "username:" in page.text, name
    with db.reader() as session:
        counted = dict(
            session.execute(
                select(login_failures.c.subject, login_failures.c.failures).where(
                    login_failures.c.tenant_id == tenant.id, login_failures.c.kind == "user"
                )
            ).all()
        )
    assert counted == {"x" * 64: 2}, counted
