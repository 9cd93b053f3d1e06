"""The payload of a document's ``document.finalized`` event (the webhook's ``data``, ADR
0021): what a connected system needs to act on an issued document without a second call.
Amounts are decimal strings at the currency's scale (``"119.00"``), dates ISO 8601."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from beleg.domain.documents.records import SalesDocument
from beleg.money import has_at_most_places, with_scale


def finalized_payload(doc: SalesDocument) -> dict[str, Any]:
    places = doc.currency.minor_units
    return {
        "id": str(doc.id),
        "type": doc.doc_type.value,
        "typeCode": doc.type_code.value,
        "number": doc.number,
        "state": doc.state.value,
        "documentDate": doc.doc_date.isoformat(),
        "dueDate": doc.due_date.isoformat() if doc.due_date else None,
        "customerId": str(doc.customer_id) if doc.customer_id else None,
        "customerName": doc.customer_name,
        "currency": doc.currency.code,
        "net": _amount(doc.net, places),
        "tax": _amount(doc.tax, places),
        "total": _amount(doc.total, places),
        "relatedDocumentId": str(doc.related_id) if doc.related_id else None,
    }


def _amount(value: Decimal, places: int) -> str:
    """At the currency's scale; an amount with more decimals (never on an issued document's
    totals) is written as it is rather than rounded."""
    return str(with_scale(value, places) if has_at_most_places(value, places) else value)
