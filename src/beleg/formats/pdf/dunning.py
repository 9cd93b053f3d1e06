"""The view model and PDF/A-3b of a dunning notice (ADR 0027): the sender, the customer, the
level's subject, line and end texts (as configured for the level), the dunned invoices with
their due dates and remaining amounts, the fee and the total now due. Labels come from the
message catalogue in the layout's language."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from beleg import messages
from beleg.formats.pdf.model import Seller
from beleg.formats.pdf.render import render_template_pdf
from beleg.formats.pdf.texts import LOCALES, Formatter

LABELS = ("number", "date", "document", "due", "amount", "fee", "total")


def notice_view(notice: Mapping[str, Any], seller: Seller, language: str) -> dict[str, Any]:
    """What the notice prints; ``notice`` as ``queries.documents.dunning`` reads it."""
    fmt = Formatter(LOCALES.get(language, "de_DE"), notice["currency"])
    total = Decimal(notice["dunnedAmount"]) + Decimal(notice["fee"])
    return {
        "language": language,
        "seller": [seller.name, *seller.address_lines],
        "vat_id": seller.vat_id,
        "iban": seller.iban,
        "customer": notice.get("customerName") or "",
        "subject": notice["subject"],
        "number": notice["number"],
        "date": fmt.date(notice["noticeDate"]),
        "line_text": notice["lineText"],
        "end_text": notice["endText"],
        "items": [
            {
                "number": i["documentNumber"],
                "due": fmt.date(i["dueDate"]),
                "amount": fmt.money(Decimal(i["remainingAmount"])),
            }
            for i in notice["items"]
        ],
        "fee": fmt.money(Decimal(notice["fee"])),
        "total": fmt.money(total),
        "labels": {key: messages.text(f"documents.dunning_pdf_{key}", language) for key in LABELS},
    }


def notice_pdf(notice: Mapping[str, Any], seller: Seller, language: str) -> bytes:
    return render_template_pdf("dunning.html", notice_view(notice, seller, language))
