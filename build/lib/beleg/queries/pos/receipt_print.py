"""A receipt as its printer sees it: the PDF (seed 003 §4.19.9) and the Star receipt-printer
segments (§4.19.10), from the stored receipt, the register's layout and the seller of the
tenant's default layout setup."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from beleg.db.database import Database
from beleg.db.documents.setup import layout_setup
from beleg.db.tables import cash_receipts, tenants
from beleg.domain.errors import NotFound
from beleg.formats.pdf.render import render_receipt_pdf
from beleg.formats.receipt_print import ReceiptPrintInput, receipt_view, star_receipt
from beleg.queries.pos.registers import receipt_dto, register_row, tenant_zone


def _view(db: Database, tenant_id: uuid.UUID, number: int, receipt: str) -> dict[str, Any]:
    with db.reader() as session:
        register = register_row(session, tenant_id, number)
        row = session.execute(
            select(cash_receipts).where(
                cash_receipts.c.tenant_id == tenant_id,
                cash_receipts.c.register_no == number,
                cash_receipts.c.number == receipt,
            )
        ).one_or_none()
        if row is None:
            raise NotFound(
                "pos.receipt_not_found", field="receipt", receipt=receipt, register=number
            )
        sender = layout_setup(session, tenant_id, None).sender
        name = (
            sender.company_name
            or session.execute(select(tenants.c.name).where(tenants.c.id == tenant_id)).scalar_one()
        )
        dto = receipt_dto(row, tenant_zone(session, tenant_id))
    rates = [Decimal(line.get("taxRate", "0")) for line in row.lines]
    return receipt_view(
        ReceiptPrintInput(
            name,
            tuple(sender.address_lines),
            sender.vat_id,
            number,
            dto,
            rates,
            dict(register.layout),
        )
    )


def receipt_pdf(*, db: Database, tenant_id: uuid.UUID, number: int, receipt: str) -> bytes:
    return render_receipt_pdf(_view(db, tenant_id, number, receipt))


def receipt_star(
    *, db: Database, tenant_id: uuid.UUID, number: int, receipt: str, width: int | None
) -> dict[str, Any]:
    return star_receipt(_view(db, tenant_id, number, receipt), width)
