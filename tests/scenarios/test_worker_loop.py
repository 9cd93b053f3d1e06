"""The worker loop outlives its failures (issue 12, finding 5): PDFs are rendered only by the
worker now, so a failing render, a failing round or one tenant's failing due invoices must not
end it. Runs on both databases; the loop sees only this test's tenants."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import outbox_events, sales_document_files, sales_documents
from beleg.jobs import worker
from beleg.services.documents import pdf
from beleg.services.documents.create import create_document
from beleg.services.documents.templates import TemplateInput, save_template
from tests.cli.test_commands import _invoice
from tests.conftest import TenantFixture, make_tenant, system_actor


def _finalise(db: Database, tenant: TenantFixture) -> uuid.UUID:
    clock = SystemClock()
    return create_document(
        db=db,
        actor=system_actor(tenant.id),
        tenant_id=tenant.id,
        data=_invoice(clock.now().date()),
        clock=clock,
    )


def _render_events(db: Database, doc_id: uuid.UUID) -> list[Any]:
    with db.reader() as session:
        events = session.execute(
            select(outbox_events).where(outbox_events.c.topic == "render.pdf")
        ).all()
    return [e for e in events if e.payload["id"] == str(doc_id)]


def _stored(db: Database, doc_id: uuid.UUID) -> bool:
    with db.reader() as session:
        return (
            session.execute(
                select(sales_document_files.c.document_id).where(
                    sales_document_files.c.document_id == doc_id
                )
            ).first()
            is not None
        )


def _only(monkeypatch: pytest.MonkeyPatch, *tenants: TenantFixture) -> None:
    """Let the worker see only these tenants of the shared test database."""
    ids = [t.id for t in tenants]
    original = worker.work_pending

    def scoped(**kwargs: Any) -> int:
        return sum(original(**(kwargs | {"tenant_id": tenant_id})) for tenant_id in ids)

    monkeypatch.setattr(worker, "work_pending", scoped)
    monkeypatch.setattr(worker, "all_tenant_ids", lambda *, db: ids)


def _failing_first(original: Callable[..., Any], error: Exception) -> Callable[..., Any]:
    calls = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise error
        return original(*args, **kwargs)

    return flaky


def test_the_loop_outlives_a_failing_round_and_a_failing_render(
    db: Database, platform: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant(db)
    doc_id = _finalise(db, tenant)
    _only(monkeypatch, tenant)
    lost = OperationalError("SELECT", {}, Exception("server closed the connection"))
    monkeypatch.setattr(worker, "work_pending", _failing_first(worker.work_pending, lost))
    original_render: Callable[[Mapping[str, Any]], bytes] = pdf.render_pdf
    monkeypatch.setattr(
        pdf, "render_pdf", _failing_first(original_render, RuntimeError("fonts unavailable"))
    )
    stop = threading.Event()
    loop = threading.Thread(
        target=worker.run_forever,
        kwargs={"db": db, "clock": SystemClock(), "interval": 0.05, "stop": stop},
    )
    loop.start()
    try:
        deadline = time.monotonic() + 60
        while not _stored(db, doc_id) and time.monotonic() < deadline and loop.is_alive():
            time.sleep(0.05)
        assert _stored(db, doc_id) and loop.is_alive()
    finally:
        stop.set()
        loop.join(30)
    assert not loop.is_alive()  # the stop signal ends it
    [event] = _render_events(db, doc_id)
    assert event.done_at is not None and event.attempts == 2 and event.last_error is None


def test_one_tenants_failing_due_invoices_do_not_hold_up_the_others(
    db: Database, platform: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, fine = make_tenant(db), make_tenant(db)
    clock = SystemClock()
    today = clock.now().date()
    for tenant in (broken, fine):
        save_template(
            db=db,
            actor=system_actor(tenant.id),
            tenant_id=tenant.id,
            clock=clock,
            data=TemplateInput(
                name="Wartungsvertrag",
                document=_invoice(today),
                raw={},
                interval=1,
                interval_type="MONTH",
                next_invoice_date=today,
            ),
        )
    _only(monkeypatch, broken, fine)
    original = worker.catch_up

    def failing_for_one(**kwargs: Any) -> Any:
        if kwargs["tenant_id"] == broken.id:
            raise RuntimeError("template of a deleted customer")
        return original(**kwargs)

    monkeypatch.setattr(worker, "catch_up", failing_for_one)
    done = worker.run_round(db=db, clock=clock)
    assert done.invoices == 1
    with db.reader() as session:
        issued = session.execute(
            select(sales_documents.c.tenant_id).where(
                sales_documents.c.tenant_id.in_([broken.id, fine.id])
            )
        ).all()
    assert [row.tenant_id for row in issued] == [fine.id]
