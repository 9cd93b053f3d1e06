"""Direct-debit batches: which open invoices a batch collects, under which mandate, with
which sequence type and collection date, and in which file (part) of the batch.

Rules: only issued EUR invoices with an open amount (remaining > 0) of customers paying by SEPA
direct debit with an active mandate; each invoice is collected once (the items table's unique
constraint stands behind it). The amount collected is the open amount. All invoices of one
mandate in a batch share the mandate's next sequence type (mandates.next_sequence); a one-off
mandate (OOFF) collects a single invoice, the earliest due.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from beleg.domain.banking.collection import collection_date, split_files
from beleg.domain.banking.mandates import Mandate, SequenceType, next_sequence


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    document_id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    customer_name: str
    remaining: Decimal  # EUR, > 0
    due_date: date | None


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One transaction of a batch; ``part`` numbers the batch's files from 1."""

    line_no: int
    part: int
    document_id: uuid.UUID
    mandate_id: uuid.UUID
    end_to_end_id: str
    amount: Decimal
    sequence_type: SequenceType
    instrument: str
    collection_date: date
    debtor_name: str


def _file_key(item: BatchItem) -> tuple[str, str, str]:
    return (item.collection_date.isoformat(), item.sequence_type.value, item.instrument)


def plan_items(
    invoices: Sequence[OpenInvoice],
    mandates: Mapping[uuid.UUID, Mandate],
    *,
    today: date,
    requested: date | None,
) -> list[BatchItem]:
    """The batch's items, numbered, in files of one collection date x sequence type x
    instrument with at most 800 transactions (collection.split_files). Invoices of
    customers without an active mandate are left out."""
    drafts: list[BatchItem] = []
    one_off_taken: set[uuid.UUID] = set()
    ordered = sorted(invoices, key=lambda i: i.due_date or today)  # stable: as read
    for invoice in ordered:
        mandate = mandates.get(invoice.customer_id)
        if mandate is None or mandate.id in one_off_taken:
            continue
        sequence = next_sequence(mandate)
        if sequence is SequenceType.OOFF:
            one_off_taken.add(mandate.id)
        drafts.append(
            BatchItem(
                line_no=0,
                part=0,
                document_id=invoice.document_id,
                mandate_id=mandate.id,
                end_to_end_id=invoice.number[:35],
                amount=invoice.remaining,
                sequence_type=sequence,
                instrument=mandate.mandate_type.value,
                collection_date=collection_date(
                    today=today, requested=requested, due=invoice.due_date
                ),
                debtor_name=mandate.account_holder,
            )
        )
    return _numbered(drafts)


def _numbered(drafts: Sequence[BatchItem]) -> list[BatchItem]:
    items: list[BatchItem] = []
    for part, (_key, members) in enumerate(split_files(drafts, _file_key), start=1):
        for item in members:
            items.append(replace(item, line_no=len(items) + 1, part=part))
    return items
