"""Shared fixtures. Every database test runs against ``BELEG_TEST_DATABASE_URL`` (PostgreSQL in
CI) or, when it is unset, a fresh SQLite file. Tests isolate themselves by creating their own
tenant, which also exercises tenant scoping everywhere."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.clock import FixedClock, SystemClock
from beleg.db.database import Database
from beleg.db.schema import upgrade_to_head
from beleg.domain.identity.principal import Actor, ActorType, Principal
from beleg.domain.identity.scopes import PLATFORM_SCOPES, TENANT_SCOPES
from beleg.services.identity.api_keys import create_api_key
from beleg.services.onboarding.bootstrap import bootstrap_if_empty
from beleg.services.onboarding.tenants import TenantInput, create_tenant
from beleg.settings import Settings, get_settings

SAFE_DATABASE_PREFIXES = ("beleg_test", "test")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("BELEG_TEST_SKIP_SLOW") != "1":
        return
    skip = pytest.mark.skip(reason="slow test: runs in the SQLite pass of .ci/run only")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Mails the worker sends in tests (the file transport: BELEG_SMTP_URL is unset) go to a
    temporary directory, not into the checkout."""
    before = os.environ.get("BELEG_MAIL_DIR")
    os.environ["BELEG_MAIL_DIR"] = str(tmp_path_factory.mktemp("mail"))
    get_settings.cache_clear()
    yield
    if before is None:
        os.environ.pop("BELEG_MAIL_DIR", None)
    else:
        os.environ["BELEG_MAIL_DIR"] = before
    get_settings.cache_clear()


def _reset_postgres(url: str) -> None:
    name = make_url(url).database or ""
    if not name.startswith(SAFE_DATABASE_PREFIXES):
        raise pytest.UsageError(
            f"refusing to wipe database {name!r}: name test databases beleg_test* or test*"
        )
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    database.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("BELEG_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    path: Path = tmp_path_factory.mktemp("db") / "beleg-test.db"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade_to_head(db=database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def platform(db: Database) -> dict[str, object]:
    """The platform tenant and its all-scopes admin token (what `beleg serve` bootstraps)."""
    first = bootstrap_if_empty(db=db, clock=SystemClock())
    assert first is not None, "the test database must start empty"
    return {"tenant": first.tenant, "token": first.admin_key.token}


def system_actor(tenant_id: uuid.UUID, scopes: frozenset[str] = TENANT_SCOPES) -> Actor:
    return Actor(
        Principal(
            tenant_id=tenant_id,
            actor_type=ActorType.SYSTEM,
            actor_id=None,
            name="test",
            scopes=scopes | PLATFORM_SCOPES,
            platform_tenant=True,
        )
    )


@dataclass
class TenantFixture:
    id: uuid.UUID
    number: int
    token: str  # an API key with every tenant scope

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_tenant(
    db: Database,
    *,
    test_mode: bool = False,
    country: str = "AT",
    scopes: frozenset[str] = TENANT_SCOPES,
    mode: str = "DE",
    chart: str | None = None,
) -> TenantFixture:
    clock = SystemClock()
    row = create_tenant(
        db=db,
        actor=system_actor(uuid.UUID(int=0)),
        clock=clock,
        spec=TenantInput(
            name=f"Test {uuid.uuid4().hex[:6]}",
            country=country,
            accounting_mode=mode,
            test_mode=test_mode,
            chart_of_accounts=chart,
        ),
    )
    key = create_api_key(
        db=db,
        actor=system_actor(row.id),
        tenant_id=row.id,
        name="test admin",
        scopes=sorted(scopes),
        validity_days=None,
        clock=clock,
    )
    return TenantFixture(id=row.id, number=row.number, token=key.token)


@pytest.fixture
def tenant(db: Database, platform: dict[str, object]) -> TenantFixture:
    """A fresh production tenant with an all-tenant-scopes API key."""
    return make_tenant(db)


@pytest.fixture
def billing_tenant(db: Database, platform: dict[str, object]) -> TenantFixture:
    """A German test-mode tenant (19 % VAT, runs on a test clock): the billing API's."""
    return make_tenant(db, test_mode=True, country="DE")


@pytest.fixture
def other_tenant(db: Database, platform: dict[str, object]) -> TenantFixture:
    return make_tenant(db)


def test_settings(database_url: str) -> Settings:
    """The shared test app: one client address and one key send the whole suite, faster than
    any real client may (rate limits are tested with their own apps in test_rate_limits)."""
    return Settings(
        database_url=database_url,
        log_level="WARNING",
        rate_limit_per_ip="1000000/minute",
        rate_limit_per_credential="1000000/minute",
    )


@pytest.fixture(scope="session")
def app(db: Database, database_url: str):  # type: ignore[no-untyped-def]
    return create_app(settings=test_settings(database_url), db=db)


@pytest.fixture(scope="session")
def client(app):  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


def app_at(db: Database, database_url: str, instant: datetime):  # type: ignore[no-untyped-def]
    """An app whose system clock is frozen at ``instant`` (for expiry tests)."""
    application = create_app(
        settings=test_settings(database_url), db=db, clock=FixedClock(instant.astimezone(UTC))
    )
    return TestClient(application)
