"""Migration 0008 (the one number allocator) keeps every series' last value: a database with
journals, document numbers and tenants is migrated down to 0007 (the old counter tables) and
up again, and every series continues where it stood."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from beleg.api.app import create_app
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.schema import alembic_config, upgrade_to_head
from beleg.db.tables import contact_addresses, contacts, sequences
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.money import Currency
from beleg.services.ledger.journals import book_journal
from beleg.services.onboarding.bootstrap import bootstrap_if_empty
from tests.api.test_documents import invoice_body
from tests.conftest import make_tenant, system_actor
from tests.conftest import test_settings as app_settings


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind the suite runs on."""
    shared = os.environ.get("BELEG_TEST_DATABASE_URL")
    if not shared:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"{make_url(shared).database}_mig_{uuid.uuid4().hex[:6]}"
    admin = Database(str(make_url(shared).set(database="postgres")))
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(shared).set(database=name))
    finally:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _series(db: Database) -> dict[tuple[uuid.UUID, str, str], int]:
    with db.reader() as session:
        rows = session.execute(select(sequences)).all()
    return {(r.tenant_id, r.series, r.period): int(r.last_value) for r in rows}


def test_series_survive_the_migration_down_and_up(fresh_url: str) -> None:
    db = Database(fresh_url)
    try:
        upgrade_to_head(db=db)
        bootstrap_if_empty(db=db, clock=SystemClock())
        tenant = make_tenant(db)
        draft = JournalDraft(
            JournalType.INCOME,
            date(2025, 3, 1),
            Currency.of("EUR"),
            (Posting("2000", Decimal("12.00")), Posting("4000", Decimal("-12.00"))),
        )
        for _ in range(3):
            book_journal(
                db=db,
                actor=system_actor(tenant.id),
                tenant_id=tenant.id,
                draft=draft,
                clock=SystemClock(),
            )
        with TestClient(create_app(settings=app_settings(fresh_url), db=db)) as client:
            for _ in range(2):
                client.post(
                    "/api/1.1/invoices", json=invoice_body(), headers=tenant.headers
                ).raise_for_status()
        before = _series(db)
        mine = {k[1:]: v for k, v in before.items() if k[0] == tenant.id}
        assert mine[("journal:E", "2025")] == 3
        assert [v for (s, p), v in mine.items() if s.startswith("document-counter:")] == [2]
        assert before[(uuid.UUID(int=0), "tenant-number", "")] == tenant.number

        config = alembic_config(fresh_url)
        command.downgrade(config, "0007")
        with db.engine.connect() as connection:
            old = connection.execute(
                text("SELECT prefix, year, last_value FROM ledger_counters")
            ).all()
        assert ("E", 2025, 3) in [tuple(r) for r in old]
        command.upgrade(config, "head")
        assert _series(db) == before
    finally:
        db.dispose()


def test_contact_numbers_become_unique_and_customers_get_their_type(fresh_url: str) -> None:
    """Migration 0010 refuses two contacts of a kind sharing a number (naming them) until
    one of them has another; then existing customers get B2B/B2C from the company name rule
    once, and empty numbers become NULL."""
    db = Database(fresh_url)
    try:
        upgrade_to_head(db=db)
        bootstrap_if_empty(db=db, clock=SystemClock())
        tenant = make_tenant(db)
        config = alembic_config(fresh_url)
        command.downgrade(config, "0009")
        now = datetime.now(UTC)
        rows = [
            ("CUSTOMER", "K1", {"companyName": "Acme"}),
            ("CUSTOMER", "K1", {"firstName": "Eva", "lastName": "Berg"}),
            ("CUSTOMER", "", {"lastName": "Leer", "firstName": "L"}),
            ("CUSTOMER", "", {"lastName": "Auch", "firstName": "A"}),
            ("SUPPLIER", "K1", {"companyName": "Lieferant"}),
        ]
        ids = [uuid.uuid4() for _ in rows]
        with db.transaction() as session:
            for contact_id, (kind, number, fields) in zip(ids, rows, strict=True):
                session.execute(
                    insert(contacts).values(
                        tenant_id=tenant.id,
                        id=contact_id,
                        kind=kind,
                        number=number,
                        display_name="x",
                        fields=fields,
                        created_at=now,
                        updated_at=now,
                    )
                )
            session.execute(  # a row that refers to a contact: the upgrade must keep it
                insert(contact_addresses).values(
                    tenant_id=tenant.id,
                    id=uuid.uuid4(),
                    contact_id=ids[0],
                    address_type="DELIVERY_ADDRESS",
                    is_default=False,
                    fields={"city": "Graz"},
                    created_at=now,
                )
            )
        with pytest.raises(Exception, match=r"CUSTOMER number 'K1': 2 contacts"):
            upgrade_to_head(db=db)  # as `beleg serve` does: SQLite foreign keys on
        with db.transaction() as session:
            session.execute(update(contacts).where(contacts.c.id == ids[1]).values(number="K2"))
        upgrade_to_head(db=db)
        with db.reader() as session:
            stored = {
                r.id: (r.number, r.customer_type, r.payment_method)
                for r in session.execute(select(contacts).where(contacts.c.tenant_id == tenant.id))
            }
        assert [stored[i] for i in ids] == [
            ("K1", "B2B", "BANK_TRANSFER"),
            ("K2", "B2C", "BANK_TRANSFER"),
            (None, "B2C", "BANK_TRANSFER"),
            (None, "B2C", "BANK_TRANSFER"),
            ("K1", None, None),
        ]
        command.downgrade(config, "0009")  # and back, with the address still referring
        upgrade_to_head(db=db)
    finally:
        db.dispose()
