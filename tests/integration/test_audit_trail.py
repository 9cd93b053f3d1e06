"""The audit chain on a real database: tampering by editing or deleting rows is detected."""

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import audit_entries
from beleg.queries.audit.verification import verify_tenant_chain
from beleg.services.identity.users import create_user, update_user
from tests.conftest import TenantFixture, system_actor
from tests.tampering import tampering


def _make_entries(db: Database, tenant: TenantFixture) -> None:
    actor = system_actor(tenant.id)
    user = create_user(
        db=db,
        actor=actor,
        tenant_id=tenant.id,
        username="auditee",
        password="long enough password",
        role="VIEWER",
        clock=SystemClock(),
    )
    for name in ("A", "B", "C"):
        update_user(
            db=db,
            actor=actor,
            tenant_id=tenant.id,
            user_id=user.id,
            changes={"display_name": name},
            clock=SystemClock(),
        )


def test_chain_is_intact_after_changes(db: Database, tenant: TenantFixture) -> None:
    _make_entries(db, tenant)
    result = verify_tenant_chain(db=db, tenant_id=tenant.id)
    assert result.intact
    assert result.entries == 6  # tenant, key, user, 3 updates


def test_edited_row_is_detected(db: Database, tenant: TenantFixture) -> None:
    _make_entries(db, tenant)
    with tampering(db) as session:
        session.execute(
            update(audit_entries)
            .where(audit_entries.c.tenant_id == tenant.id, audit_entries.c.seq == 4)
            .values(actor_name="nobody")
        )
    result = verify_tenant_chain(db=db, tenant_id=tenant.id)
    assert [(b.seq, "altered" in b.reason) for b in result.breaks] == [(4, True)]


def test_edited_json_snapshot_is_detected(db: Database, tenant: TenantFixture) -> None:
    _make_entries(db, tenant)
    with tampering(db) as session:
        session.execute(
            update(audit_entries)
            .where(audit_entries.c.tenant_id == tenant.id, audit_entries.c.seq == 5)
            .values(after={"display_name": "forged"})
        )
    assert [b.seq for b in verify_tenant_chain(db=db, tenant_id=tenant.id).breaks] == [5]


def test_deleted_rows_are_detected(db: Database, tenant: TenantFixture) -> None:
    _make_entries(db, tenant)
    with tampering(db) as session:
        session.execute(
            delete(audit_entries).where(
                audit_entries.c.tenant_id == tenant.id, audit_entries.c.seq.in_([3, 6])
            )
        )
    breaks = verify_tenant_chain(db=db, tenant_id=tenant.id).breaks
    assert breaks[0].seq == 4 and "missing" in breaks[0].reason
    assert breaks[-1].seq == 5 and "head" in breaks[-1].reason


def test_other_tenants_are_unaffected(
    db: Database, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    _make_entries(db, tenant)
    with tampering(db) as session:
        session.execute(
            delete(audit_entries).where(
                audit_entries.c.tenant_id == tenant.id, audit_entries.c.seq == 2
            )
        )
    assert not verify_tenant_chain(db=db, tenant_id=tenant.id).intact
    assert verify_tenant_chain(db=db, tenant_id=other_tenant.id).intact
    with db.reader() as session:
        seqs = (
            session.execute(
                select(audit_entries.c.seq).where(audit_entries.c.tenant_id == other_tenant.id)
            )
            .scalars()
            .all()
        )
    assert sorted(seqs) == [1, 2]


def test_the_database_refuses_to_change_audit_entries(db: Database, tenant: TenantFixture) -> None:
    for statement in (
        update(audit_entries).where(audit_entries.c.tenant_id == tenant.id).values(actor_name="x"),
        delete(audit_entries).where(audit_entries.c.tenant_id == tenant.id),
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.transaction() as session:
            session.execute(statement)
    assert verify_tenant_chain(db=db, tenant_id=tenant.id).entries == 2
