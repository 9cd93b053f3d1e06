"""Read side of dunning (ADR 0027): a run with its notices, and a customer's notices with
their items. Scoped to one tenant."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.documents.references import tenant_name_and_currency
from beleg.db.documents.setup import layout_setup
from beleg.db.tables import dunning_notice_items, dunning_notices, dunning_runs
from beleg.domain.errors import NotFound
from beleg.formats.pdf.dunning import notice_pdf
from beleg.formats.pdf.model import Seller
from beleg.money import Currency, round_to_currency

N, NI, R = dunning_notices.c, dunning_notice_items.c, dunning_runs.c


def _items(session: Any, tenant_id: uuid.UUID, notice_ids: list[uuid.UUID]) -> dict[Any, list]:
    rows = session.execute(
        select(dunning_notice_items)
        .where(NI.tenant_id == tenant_id, NI.notice_id.in_(notice_ids))
        .order_by(NI.due_date, NI.number)
    ).all()
    found: dict[Any, list] = {}
    for r in rows:
        found.setdefault(r.notice_id, []).append(r)
    return found


def _notice(row: Any, items: list[Any]) -> dict[str, Any]:
    currency = Currency.of(row.currency)
    return {
        "id": row.id,
        "runId": row.run_id,
        "number": row.number,
        "noticeDate": row.notice_date,
        "customerId": row.customer_id,
        "customerName": row.customer_name,
        "level": row.level_no,
        "levelId": row.level_id,
        "currency": row.currency,
        "dunnedAmount": round_to_currency(row.dunned, currency),
        "fee": round_to_currency(row.fee, currency),
        "subject": row.subject,
        "lineText": row.line_text,
        "endText": row.end_text,
        "journalId": row.journal_id,
        "items": [
            {
                "documentId": i.document_id,
                "documentNumber": i.number,
                "dueDate": i.due_date,
                "level": i.level_no,
                "remainingAmount": round_to_currency(i.remaining, currency),
            }
            for i in items
        ],
    }


def notices(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    customer_id: uuid.UUID | None = None,
    run_id: uuid.UUID | None = None,
    notice_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """The notices (newest first), of one customer or one run when given."""
    query = select(dunning_notices).where(N.tenant_id == tenant_id)
    if customer_id is not None:
        query = query.where(N.customer_id == customer_id)
    if run_id is not None:
        query = query.where(N.run_id == run_id)
    if notice_id is not None:
        query = query.where(N.id == notice_id)
    with db.reader() as session:
        rows = session.execute(query.order_by(N.notice_date.desc(), N.number.desc())).all()
        items = _items(session, tenant_id, [r.id for r in rows])
    return [_notice(r, items.get(r.id, [])) for r in rows]


def get_run(*, db: Database, tenant_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    with db.reader() as session:
        row = session.execute(
            select(dunning_runs).where(R.tenant_id == tenant_id, R.id == run_id)
        ).first()
    if row is None:
        raise NotFound("documents.dunning_run_not_found", id=str(run_id))
    found = notices(db=db, tenant_id=tenant_id, run_id=run_id)
    return {
        "id": row.id,
        "asOf": row.as_of,
        "dryRun": False,
        "createdAt": row.created_at,
        "noticeCount": row.notice_count,
        "itemCount": row.item_count,
        "notices": sorted(found, key=lambda n: n["number"]),
    }


def notice_file(*, db: Database, tenant_id: uuid.UUID, notice_id: uuid.UUID) -> tuple[str, bytes]:
    """The PDF of a notice (file name, bytes), rendered from the stored notice with the
    default layout's sender and language; 404 naming the notice when there is none."""
    found = notices(db=db, tenant_id=tenant_id, notice_id=notice_id)
    if not found:
        raise NotFound("documents.dunning_notice_not_found", id=str(notice_id))
    with db.reader() as session:
        tenant_name, _ = tenant_name_and_currency(session, tenant_id)
        setup = layout_setup(session, tenant_id, None)
    sender = setup.sender
    seller = Seller(
        name=sender.company_name or tenant_name,
        address_lines=sender.address_lines,
        vat_id=sender.vat_id,
        iban=sender.iban,
        bic=sender.bic,
        bank_name=sender.bank_name,
    )
    notice = found[0]
    return f"{notice['number']}.pdf", notice_pdf(notice, seller, setup.language.value)
