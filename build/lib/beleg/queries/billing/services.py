"""The services list (seed 002 "Leistungsexport"): every billed line with its service period,
its amount gross as the document line carries it (the line's share of the VAT group's tax),
its contract number and the number of the invoice or credit note it is on. ``format=csv``
exports it with these columns."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row, and_, select

from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import billed_lines, contracts, sales_document_lines, sales_documents
from beleg.money import Currency, with_scale
from beleg.queries.listing import ListSpec

SERVICE_COLUMNS = [
    "contractNumber",
    "option",
    "description",
    "servicePeriodFrom",
    "servicePeriodTo",
    "quantity",
    "netAmount",
    "grossAmount",
    "credit",
    "documentType",
    "documentNumber",
    "documentDate",
]


def service_list(tenant_id: uuid.UUID) -> ListSpec:
    b, c, d, ln = billed_lines.c, contracts.c, sales_documents.c, sales_document_lines.c
    statement = (
        select(
            b.id,
            b.contract_id,
            b.option_code,
            b.description,
            b.served_start,
            b.served_end,
            b.quantity,
            b.net_amount,
            b.credit,
            c.contract_number,
            d.number.label("document_number"),
            d.doc_type,
            d.doc_date,
            d.currency,
            ln.total.label("line_total"),
        )
        .join(contracts, and_(c.tenant_id == b.tenant_id, c.id == b.contract_id))
        .join(sales_documents, and_(d.tenant_id == b.tenant_id, d.id == b.document_id))
        .join(
            sales_document_lines,
            and_(
                ln.tenant_id == b.tenant_id,
                ln.document_id == b.document_id,
                ln.line_no == b.line_no,
            ),
        )
        .where(b.tenant_id == tenant_id)
    )
    return ListSpec(
        statement=statement,
        filters={
            "contract": FilterField(b.contract_id, Kind.UUID),
            "contractNumber": FilterField(c.contract_number),
            "option": FilterField(b.option_code),
            "servicePeriodFrom": FilterField(b.served_start, Kind.DATE),
            "servicePeriodTo": FilterField(b.served_end, Kind.DATE),
            "documentNumber": FilterField(d.number),
            "documentDate": FilterField(d.doc_date, Kind.DATE),
        },
        sortable={
            "servicePeriodFrom": b.served_start,
            "contractNumber": c.contract_number,
            "documentDate": d.doc_date,
        },
        default_sort=[b.served_start, c.contract_number, b.id],
        to_item=service_item,
        columns=SERVICE_COLUMNS,
    )


def service_item(row: Row[Any]) -> dict[str, Any]:
    places = Currency.of(row.currency).minor_units
    return {
        "id": row.id,
        "contract": row.contract_id,
        "contractNumber": row.contract_number,
        "option": row.option_code,
        "description": row.description,
        "servicePeriodFrom": row.served_start,
        "servicePeriodTo": row.served_end,
        "quantity": row.quantity,
        "netAmount": with_scale(row.net_amount, places),
        "grossAmount": with_scale(abs(row.line_total), places),
        "credit": row.credit,
        "documentType": "CREDIT_NOTE" if row.doc_type == "CREDIT_MEMO" else "INVOICE",
        "documentNumber": row.document_number,
        "documentDate": row.doc_date,
        "currency": row.currency,
    }
