"""Planned documents of a billing chunk issued as invoices and credit notes, and the billed
lines that record them, in the chunk's transaction.

Every planned document becomes a typed draft (``domain.documents.drafts``): a line per charge
with its exact net (prorated or tiered amounts are not quantity x unit price), its service
period printed, booked on the revenue account of its VAT rate (``domain.billing.accounts``),
the tax per VAT group (EN 16931). ``issue_documents`` numbers the batch from one block, posts
the journals in bulk and queues the PDFs. When the batch breaks a rule, the documents are
issued one by one, each under a savepoint, so that only the contracts of a failing document
fail (their error is the contract's result) and the others are billed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session
from beleg.db.billing.billed import BilledRow, insert_billed
from beleg.db.ledger import load_books
from beleg.domain.billing.accounts import RevenueBooking, revenue_booking
from beleg.domain.billing.charges import Charge
from beleg.domain.billing.documents import PreviewType
from beleg.domain.billing.runs import PlannedDocument, billed_line_of, revisions
from beleg.domain.billing.schedule import BilledLine
from beleg.domain.documents.drafts import DocumentDraft, DraftLine
from beleg.domain.documents.records import SalesDocument
from beleg.domain.errors import DomainError
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType
from beleg.money import round_to_places
from beleg.services.documents.issue import issue_documents

PRINTED_PLACES = 5  # document lines take quantities and unit prices to 5 places (seed 003)


@dataclass(frozen=True, slots=True)
class Issued:
    """The documents issued for the planned ones (None where a document failed) and the
    error of every contract on a failed document."""

    documents: list[SalesDocument | None]
    failures: dict[uuid.UUID, DomainError]


Outcome = SalesDocument | DomainError


def issue_planned(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    planned: Sequence[PlannedDocument],
    billed: Mapping[uuid.UUID, Sequence[BilledLine]],
    run_id: uuid.UUID | None,
    clock: Clock,
) -> Issued:
    """Issue ``planned`` and write their billed lines (``billed``: what each contract had
    billed before, for the revisions of the unique key)."""
    if not planned:
        return Issued([], {})
    books = load_books(session, tenant_id)
    bookings: dict[Decimal, RevenueBooking] = {}
    drafts: list[DocumentDraft | DomainError] = []
    for document in planned:
        try:
            drafts.append(_draft(document, books, bookings))
        except DomainError as error:
            drafts.append(error)
    outcomes = _issue_all(session, actor=actor, tenant_id=tenant_id, drafts=drafts, clock=clock)
    documents = [d if isinstance(d, SalesDocument) else None for d in outcomes]
    failures = {
        contract: outcome
        for document, outcome in zip(planned, outcomes, strict=True)
        if isinstance(outcome, DomainError)
        for contract in document.contracts
    }
    rows = _billed_rows(planned, documents, billed, run_id)
    insert_billed(session, tenant_id, rows, now=clock.now())
    return Issued(documents, failures)


def _draft(
    planned: PlannedDocument, books: TenantBooks, bookings: dict[Decimal, RevenueBooking]
) -> DocumentDraft:
    document = planned.document
    lines = []
    for charge in document.lines:
        if charge.tax_rate not in bookings:
            bookings[charge.tax_rate] = revenue_booking(books, charge.tax_rate)
        lines.append(_draft_line(charge, bookings[charge.tax_rate], document.type))
    credit_note = document.type is PreviewType.CREDIT_NOTE
    return DocumentDraft(
        doc_type=DocumentType.CREDIT_MEMO if credit_note else DocumentType.INVOICE,
        doc_date=document.date,
        lines=tuple(lines),
        customer_id=planned.customer_id,
        currency=document.currency,
        billing_group=planned.billing_group,
        texts={
            "deliveryFromDate": min(c.service.start for c in document.lines).isoformat(),
            "deliveryToDate": max(c.service.end for c in document.lines).isoformat(),
        },
    )


def _draft_line(charge: Charge, booking: RevenueBooking, kind: PreviewType) -> DraftLine:
    """A charge as a document line; a credit carried onto an invoice counts negative."""
    sign = -1 if charge.credit and kind is PreviewType.INVOICE else 1
    quantity = round_to_places(charge.quantity, PRINTED_PLACES)
    price = charge.unit_price
    if price is None:
        price = charge.net_amount / quantity if quantity else charge.net_amount
    return DraftLine(
        name=charge.description,
        quantity=sign * quantity,
        unit_price=round_to_places(price, PRINTED_PLACES),
        account=booking.account,
        tax_entry=booking.tax_entry,
        net_amount=sign * charge.net_amount,
        texts={
            "option": charge.option,
            "deliveryFromDate": charge.service.start.isoformat(),
            "deliveryToDate": charge.service.end.isoformat(),
            **({"taxExemption": dict(charge.tax_exemption)} if charge.tax_exemption else {}),
        },
    )


def _issue_all(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    drafts: Sequence[DocumentDraft | DomainError],
    clock: Clock,
) -> list[Outcome]:
    """All drafts in one batch, or, when the batch fails, each under its own savepoint."""
    ready = [d for d in drafts if isinstance(d, DocumentDraft)]
    try:
        with session.begin_nested():
            docs = issue_documents(
                session, actor=actor, tenant_id=tenant_id, drafts=ready, clock=clock
            )
        issued = iter(docs)
        return [next(issued) if isinstance(d, DocumentDraft) else d for d in drafts]
    except DomainError:
        pass
    outcomes: list[Outcome] = []
    for draft in drafts:
        if isinstance(draft, DomainError):
            outcomes.append(draft)
            continue
        try:
            with session.begin_nested():
                (doc,) = issue_documents(
                    session, actor=actor, tenant_id=tenant_id, drafts=[draft], clock=clock
                )
            outcomes.append(doc)
        except DomainError as error:
            outcomes.append(error)
    return outcomes


def _billed_rows(
    planned: Sequence[PlannedDocument],
    documents: Sequence[SalesDocument | None],
    billed: Mapping[uuid.UUID, Sequence[BilledLine]],
    run_id: uuid.UUID | None,
) -> list[BilledRow]:
    """A billed row per issued line, its revision counted per contract."""
    placed: dict[uuid.UUID, list[tuple[Charge, uuid.UUID, int]]] = defaultdict(list)
    for document, doc in zip(planned, documents, strict=True):
        if doc is None:
            continue
        for line_no, (contract, charge) in enumerate(
            zip(document.contracts, document.document.lines, strict=True), start=1
        ):
            placed[contract].append((charge, doc.id, line_no))
    rows = []
    for contract, lines in placed.items():
        numbers = revisions([c for c, _, _ in lines], billed.get(contract, ()))
        rows += [
            BilledRow(
                contract,
                billed_line_of(charge),
                revision,
                doc_id,
                line_no,
                run_id,
                charge.explanation,
            )
            for (charge, doc_id, line_no), revision in zip(lines, numbers, strict=True)
        ]
    return rows
