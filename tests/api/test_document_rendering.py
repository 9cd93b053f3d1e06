"""PDFs are rendered by the worker, never inside a request that finalises a document (issue
12, finding 5): creating, cancelling, converting and correcting answer with the PDF still
pending in the outbox; ``GET .../document`` renders a PDF the worker has not got to yet."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import outbox_events, sales_document_files
from beleg.services.documents import pdf
from tests.api.test_documents import invoice_body, post
from tests.conftest import TenantFixture


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The numbers of the PDFs rendered in this process while the test runs."""
    seen: list[str] = []
    original: Callable[[Mapping[str, Any]], bytes] = pdf.render_pdf

    def recording(view: Mapping[str, Any]) -> bytes:
        seen.append(str(view.get("number")))
        return original(view)

    monkeypatch.setattr(pdf, "render_pdf", recording)
    return seen


def _pdfs(db: Database, tenant: TenantFixture) -> tuple[int, int, int]:
    """(stored PDFs, render events, of which done) of the tenant."""
    with db.reader() as session:
        stored = session.execute(
            select(func.count())
            .select_from(sales_document_files)
            .where(sales_document_files.c.tenant_id == tenant.id)
        ).scalar_one()
        events, done = session.execute(
            select(func.count(), func.count(outbox_events.c.done_at)).where(
                outbox_events.c.tenant_id == tenant.id, outbox_events.c.topic == "render.pdf"
            )
        ).one()
    return stored, events, done


def _finalise_every_way(client: TestClient, tenant: TenantFixture) -> dict[str, Any]:
    invoice = post(client, tenant, "/invoices", invoice_body())
    cancelled = post(client, tenant, "/invoices", invoice_body())
    storno = post(
        client,
        tenant,
        f"/invoices/{cancelled['id']}/cancel",
        {"cancelType": "CANCELLATION_INVOICE", "cancellationDate": "2026-11-04"},
    )
    offer = post(client, tenant, "/offers", invoice_body(expirationDate="2026-12-01"))
    converted = post(client, tenant, f"/offers/{offer['id']}/convert", {"targetType": "INVOICE"})
    memo = post(
        client,
        tenant,
        f"/invoices/{invoice['id']}/lines/1/corrections",
        {"amount": 30, "date": "2026-11-12", "reason": "Kulanz"},
    )
    return {
        "invoice": invoice["id"],
        "storno": storno["newDocumentNumber"],
        "converted": converted["id"],
        "memo": memo["id"],
    }


def test_finalising_endpoints_leave_the_pdf_to_the_worker(
    client: TestClient, db: Database, tenant: TenantFixture, renders: list[str]
) -> None:
    _finalise_every_way(client, tenant)
    # invoice, cancelled invoice, its cancellation invoice, offer, converted invoice, memo
    assert _pdfs(db, tenant) == (0, 6, 0)
    assert renders == []  # nothing rendered in the API process, before or after the response


def test_a_pdf_not_rendered_yet_is_rendered_when_asked_for(
    client: TestClient, db: Database, tenant: TenantFixture, renders: list[str]
) -> None:
    numbers = _finalise_every_way(client, tenant)
    assert renders == []
    first = client.get(f"/api/1.1/invoices/{numbers['invoice']}/document", headers=tenant.headers)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    again = client.get(f"/api/1.1/invoices/{numbers['invoice']}/document", headers=tenant.headers)
    assert again.content == first.content
    memo = client.get(f"/api/1.1/credit_memos/{numbers['memo']}/document", headers=tenant.headers)
    assert memo.status_code == 200 and memo.content.startswith(b"%PDF")
    assert len(renders) == 2  # on demand, once each; stored for the next request
    assert _pdfs(db, tenant)[0] == 2
