"""Making a contract holds its customer and its plan against deletion and change until it
commits, so a concurrent customer delete or plan change waits and then sees the contract
(instead of failing on the foreign key or removing an item the contract holds)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Table, select
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from beleg.db import plans as plans_db
from beleg.db.contacts import partners
from beleg.db.database import Database
from beleg.db.tables import contacts, plans
from beleg.domain.contacts.partners import ContactKind
from tests.api.test_v2_contracts import setup
from tests.conftest import TenantFixture


def _locked_elsewhere(
    db: Database, table: Table, tenant_id: uuid.UUID, column: str, value: object
) -> bool:
    """Whether another transaction would have to wait to lock the row for a change."""
    other = Database(db.url)
    try:
        with other.transaction() as session:
            session.execute(
                select(table.c.tenant_id)
                .where(table.c.tenant_id == tenant_id, table.c[column] == value)
                .with_for_update(nowait=True)
            )
        return False
    except OperationalError:
        return True
    finally:
        other.dispose()


def test_making_a_contract_locks_its_customer_and_plan_against_changes(
    db: Database, client: TestClient, billing_tenant: TenantFixture
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("row locks between transactions: PostgreSQL (SQLite has one writer)")
    customer = uuid.UUID(setup(client, billing_tenant))
    tenant_id = billing_tenant.id
    with db.transaction() as session:
        assert partners.exists(session, tenant_id, ContactKind.CUSTOMER, customer, shared=True)
        assert plans_db.find_plan(session, tenant_id=tenant_id, code="START", shared=True)
        assert _locked_elsewhere(db, contacts, tenant_id, "id", customer)
        assert _locked_elsewhere(db, plans, tenant_id, "code", "START")
    assert not _locked_elsewhere(db, contacts, tenant_id, "id", customer)
