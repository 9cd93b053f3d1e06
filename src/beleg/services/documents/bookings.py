"""Ledger bookings of sales invoices and credit memos, by the tenant's mode (seed 003 §3.3
rules applied to §3.4 documents; rules in ``domain.documents.booking``).

- DE (double entry): issuing books the document against its unpaid account (the customer's
  contra account or receivables) in an income journal; a payment is a rebook to the payment
  account; DISCOUNT and CORRECTION write-offs reverse the pro-rata income and VAT, as does
  UNCOLLECTABLE (bad debt, VAT corrected per § 17 UStG); ONACCOUNT and CREDIT_CASHED move no
  income.
- EA (single entry, cash basis): issuing books nothing; each payment books its pro-rata share
  of income and VAT against the payment account; write-offs book nothing.
Credit memos and cancellation invoices book the mirror image.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.accounting import component_sums
from beleg.domain.accounting import rules_de, rules_ea
from beleg.domain.accounting.components import Side
from beleg.domain.accounting.rules import Booked
from beleg.domain.documents.booking import BookableLine, document_side, oriented
from beleg.domain.documents.model import HistoryType, LineType
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import round_to_currency
from beleg.services.documents.store import PAYABLE, Doc
from beleg.services.ledger.posting import post_journals, reversal_of

WRITE_OFF_RULE = {
    HistoryType.DISCOUNT: "DISCOUNT",
    HistoryType.CORRECTION: "DISCOUNT",
    HistoryType.UNCOLLECTABLE: "IRRECOVERABLE",
}


def side_of(books: TenantBooks, doc: Doc) -> Side:
    lines = [
        BookableLine(
            ln["line_no"] - 1, ln["account"], ln["tax_entry"], ln["tax_rate"], ln["net"], ln["tax"]
        )
        for ln in doc.lines
        if LineType(ln["line_type"]).counted
    ]
    return document_side(lines, books.chart, doc.currency)


def books_ledger(doc: Doc) -> bool:
    return doc.doc_type in PAYABLE


def book_issue(
    session: Session, books: TenantBooks, doc: Doc, *, actor: Actor, clock: Clock
) -> uuid.UUID | None:
    """DE: the document against its unpaid account; EA: nothing (cash basis)."""
    if books.mode is not AccountingMode.DE or not books_ledger(doc):
        return None
    row = doc.row
    booked = rules_de.initial(
        side_of(books, doc),
        counter_account=row["unpaid_account"],
        booking_date=row["doc_date"],
        rate=row["currency_rate"],
        description=_text(doc),
    )
    return _post(session, books, oriented(booked, row["sign"]), actor=actor, clock=clock)


def book_payment(
    session: Session,
    books: TenantBooks,
    doc: Doc,
    *,
    amount: Decimal,
    account: str,
    day: date,
    rate: Decimal,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID:
    """The journal of one payment (an ONACCOUNT excess included in DE)."""
    row = doc.row
    side = side_of(books, doc)
    main = round_to_currency(amount * rate, books.main)
    if books.mode is AccountingMode.DE:
        booked = rules_de.payment(
            side,
            amount=amount,
            unpaid_account=row["unpaid_account"],
            payment_account=account,
            booking_date=day,
            rate=rate,
            main_total=main,
            description=_text(doc),
        )
    else:
        booked = rules_ea.payment(
            side,
            paid_before=doc.settled(),
            amount=amount,
            booked=_booked_so_far(session, books, doc, side),
            payment_account=account,
            booking_date=day,
            rate=rate,
            main_total=main,
            description=_text(doc),
        )
    return _post(session, books, oriented(booked, row["sign"]), actor=actor, clock=clock)


def book_write_off(
    session: Session,
    books: TenantBooks,
    doc: Doc,
    *,
    rest_type: HistoryType,
    remaining: Decimal,
    day: date,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID | None:
    rule = WRITE_OFF_RULE.get(rest_type)
    if books.mode is not AccountingMode.DE or rule is None or remaining <= 0:
        return None
    row = doc.row
    booked = rules_de.rest_payment(
        side_of(books, doc),
        rest_type=rule,
        remaining=remaining,
        unpaid_account=row["unpaid_account"],
        booking_date=day,
        rate=row["currency_rate"],
        description=_text(doc),
    )
    return _post(session, books, oriented(booked, row["sign"]), actor=actor, clock=clock)


def reverse(
    session: Session,
    books: TenantBooks,
    journal_id: uuid.UUID | None,
    *,
    day: date,
    reason: str,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID | None:
    """Post the cancellation of ``journal_id`` (if there is one)."""
    if journal_id is None:
        return None
    draft = reversal_of(
        session,
        tenant_id=books.tenant_id,
        journal_id=journal_id,
        booking_date=day,
        reason=reason,
    )
    return post_journals(
        session,
        actor=actor,
        tenant_id=books.tenant_id,
        drafts=[draft],
        clock=clock,
        reverses=[journal_id],
    )[0].id


def _post(
    session: Session, books: TenantBooks, booked: Booked, *, actor: Actor, clock: Clock
) -> uuid.UUID:
    return post_journals(
        session, actor=actor, tenant_id=books.tenant_id, drafts=[booked.draft], clock=clock
    )[0].id


def _booked_so_far(session: Session, books: TenantBooks, doc: Doc, side: Side) -> dict:
    """EA: what the standing payment journals booked on the income side, in the orientation
    of an invoice (a credit memo's journals are mirrored back)."""
    journal_ids = [h["journal_id"] for h in doc.active_payments() if h["journal_id"]]
    sums = component_sums(session, books.tenant_id, journal_ids, side.component_keys())
    return {key: amount * doc.row["sign"] for key, amount in sums.items()}


def _text(doc: Doc) -> str:
    return f"{doc.doc_type.value.replace('_', ' ').title()} {doc.row['number'] or ''}".strip()
