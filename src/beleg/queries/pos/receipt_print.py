"""A receipt as its printer sees it: the PDF (seed 003 §4.19.9) and the Star receipt-printer
segments (§4.19.10), from the stored receipt, the register's layout and the seller of the
tenant's default layout setup."""

from __future__ import annotations

import uuid
from typing import Any

from beleg.db.database import Database
from beleg.db.pos.printing import print_facts
from beleg.formats.pdf.render import render_receipt_pdf
from beleg.formats.receipt_print import printed, star_receipt


def _view(db: Database, tenant_id: uuid.UUID, number: int, receipt: str) -> dict[str, Any]:
    with db.reader() as session:
        return printed(print_facts(session, tenant_id, number, receipt))


def receipt_pdf(*, db: Database, tenant_id: uuid.UUID, number: int, receipt: str) -> bytes:
    return render_receipt_pdf(_view(db, tenant_id, number, receipt))


def receipt_star(
    *, db: Database, tenant_id: uuid.UUID, number: int, receipt: str, width: int | None
) -> dict[str, Any]:
    return star_receipt(_view(db, tenant_id, number, receipt), width)
