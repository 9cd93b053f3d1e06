"""Read models of SEPA mandates and direct-debit batches (camelCase, as ``/v2/mandates`` and
``/v2/direct-debit-batches`` show them), and a batch's pain.008.001.08 files, rendered from the
stored items and validated against the XSD before they are offered."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select

from beleg.db.banking import direct_debits as batches_db
from beleg.db.banking import mandates as mandates_db
from beleg.db.database import Database
from beleg.db.filtering import FilterField, Kind
from beleg.db.tables import direct_debit_batches, sepa_mandates
from beleg.domain.banking.direct_debits import BatchItem
from beleg.domain.banking.mandates import Mandate, MandateStatus
from beleg.domain.errors import NotFound
from beleg.formats.sepa import pain008
from beleg.queries.listing import ListSpec

MANDATE_COLUMNS = ["id", "customerId", "reference", "signedOn", "type", "status", "iban"]
BATCH_COLUMNS = ["id", "itemCount", "total", "createdAt"]


def mandate_item(m: Mandate) -> dict[str, Any]:
    return {
        "id": m.id,
        "customerId": m.customer_id,
        "paymentAccountId": m.payment_account_id,
        "reference": m.reference,
        "signedOn": m.signed_on,
        "type": m.mandate_type.value,
        "oneOff": m.one_off,
        "final": m.final,
        "status": m.status.value,
        "iban": m.iban,
        "bic": m.bic,
        "accountHolder": m.account_holder,
        "collections": m.collections,
        "createdAt": m.created_at,
        "updatedAt": m.updated_at,
    }


def mandate_list(tenant_id: uuid.UUID) -> ListSpec:
    c = sepa_mandates.c
    return ListSpec(
        statement=select(sepa_mandates).where(c.tenant_id == tenant_id),
        filters={
            "reference": FilterField(c.reference),
            "customerId": FilterField(c.customer_id, Kind.UUID),
            "status": FilterField(c.status, Kind.ENUM, tuple(s.value for s in MandateStatus)),
        },
        sortable={"reference": c.reference, "signedOn": c.signed_on, "createdAt": c.created_at},
        default_sort=[c.created_at, c.id],
        to_item=lambda row: mandate_item(mandates_db.mandate_from_row(row)),
        columns=MANDATE_COLUMNS,
    )


def get_mandate(*, db: Database, tenant_id: uuid.UUID, mandate_id: uuid.UUID) -> dict[str, Any]:
    with db.reader() as session:
        found = mandates_db.find_mandate(session, tenant_id, mandate_id)
    if found is None:
        raise NotFound("banking.mandate_not_found", field="id", id=mandate_id)
    return mandate_item(found)


def _batch_head(row: Row[Any] | batches_db.BatchHead) -> dict[str, Any]:
    return {
        "id": row.id,
        "creditorId": row.creditor_id,
        "itemCount": row.item_count,
        "total": Decimal(row.total).quantize(pain008.CENT),
        "createdAt": row.created_at,
    }


def batch_list(tenant_id: uuid.UUID) -> ListSpec:
    c = direct_debit_batches.c
    return ListSpec(
        statement=select(direct_debit_batches).where(c.tenant_id == tenant_id),
        filters={"createdAt": FilterField(c.created_at, Kind.DATETIME)},
        sortable={"createdAt": c.created_at},
        default_sort=[c.created_at, c.id],
        to_item=_batch_head,
        columns=BATCH_COLUMNS,
    )


@dataclass(frozen=True, slots=True)
class _Loaded:
    head: batches_db.BatchHead
    items: list[BatchItem]
    references: dict[uuid.UUID, Mandate]


def _load(
    db: Database, tenant_id: uuid.UUID, batch_id: uuid.UUID, part: int | None = None
) -> _Loaded:
    with db.reader() as session:
        head = batches_db.find_batch(session, tenant_id, batch_id)
        if head is None:
            raise NotFound("banking.batch_not_found", field="id", id=batch_id)
        items = batches_db.batch_items(session, tenant_id, batch_id, part=part)
        ids = {i.mandate_id for i in items}
        mandates = {m: mandates_db.find_mandate(session, tenant_id, m) for m in ids}
    return _Loaded(head, items, {k: v for k, v in mandates.items() if v is not None})


def _files(items: list[BatchItem]) -> list[dict[str, Any]]:
    files: dict[int, dict[str, Any]] = {}
    for item in items:
        f = files.setdefault(
            item.part,
            {
                "part": item.part,
                "collectionDate": item.collection_date,
                "sequenceType": item.sequence_type.value,
                "instrument": item.instrument,
                "numberOfTransactions": 0,
                "controlSum": Decimal("0.00"),
            },
        )
        f["numberOfTransactions"] += 1
        f["controlSum"] += item.amount.quantize(pain008.CENT)
    return [files[p] for p in sorted(files)]


def get_batch(*, db: Database, tenant_id: uuid.UUID, batch_id: uuid.UUID) -> dict[str, Any]:
    """The batch with its files (one per collection date x sequence type x instrument, at
    most 800 transactions) and its items."""
    loaded = _load(db, tenant_id, batch_id)
    return {
        **_batch_head(loaded.head),
        "files": _files(loaded.items),
        "items": [
            {
                "lineNo": i.line_no,
                "part": i.part,
                "documentId": i.document_id,
                "mandateId": i.mandate_id,
                "mandateReference": loaded.references[i.mandate_id].reference,
                "endToEndId": i.end_to_end_id,
                "amount": i.amount.quantize(pain008.CENT),
                "sequenceType": i.sequence_type.value,
                "collectionDate": i.collection_date,
            }
            for i in loaded.items
        ],
    }


def batch_file(
    *, db: Database, tenant_id: uuid.UUID, batch_id: uuid.UUID, part: int
) -> tuple[str, bytes]:
    """File ``part`` of the batch as pain.008.001.08 XML, XSD-valid; NotFound naming
    ``part`` when the batch has no such file. Returns (file name, XML)."""
    loaded = _load(db, tenant_id, batch_id, part)
    if not loaded.items:
        raise NotFound("banking.batch_part_not_found", field="part", part=part)
    first, head = loaded.items[0], loaded.head
    debits = []
    for i in loaded.items:
        m = loaded.references[i.mandate_id]
        debits.append(
            pain008.Debit(
                end_to_end_id=i.end_to_end_id,
                amount=i.amount.quantize(pain008.CENT),
                debtor_name=i.debtor_name,
                iban=m.iban,
                bic=m.bic,
                mandate_reference=m.reference,
                mandate_signed_on=m.signed_on,
                remittance=i.end_to_end_id,
            )
        )
    message_id = f"{head.id.hex[:28]}-{part}"
    xml = pain008.render(
        pain008.DebitFile(
            message_id=message_id,
            created_at=head.created_at,
            creditor=pain008.Creditor(
                head.creditor_name, head.creditor_iban, head.creditor_bic, head.creditor_id
            ),
            collection_date=first.collection_date,
            sequence_type=first.sequence_type.value,
            instrument=first.instrument,
            debits=tuple(debits),
        )
    )
    return f"pain008-{message_id}.xml", xml
