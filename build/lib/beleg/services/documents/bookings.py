"""Ledger bookings of sales invoices and credit memos, by the tenant's mode (seed 003 §3.3
rules applied to §3.4 documents; rules in ``domain.documents.booking``). Steps that run in
the caller's transaction.

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

from beleg import messages
from beleg.clock import Clock
from beleg.db import Session
from beleg.db.ledger import posting_sums
from beleg.domain.accounting import rules_de, rules_ea
from beleg.domain.accounting.components import Key, Side
from beleg.domain.accounting.rules import Booked
from beleg.domain.documents.booking import oriented, sales_document_side
from beleg.domain.documents.model import HistoryType
from beleg.domain.documents.records import SalesDocument
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType
from beleg.domain.tenancy.settings import AccountingMode
from beleg.money import round_to_currency
from beleg.services.ledger.posting import post_journals, reversal_of

WRITE_OFF_RULE = {
    HistoryType.DISCOUNT: "DISCOUNT",
    HistoryType.CORRECTION: "DISCOUNT",
    HistoryType.UNCOLLECTABLE: "IRRECOVERABLE",
}
# The description of a document's journals: the message code per type, rendered in English
# (journal descriptions have always been English).
JOURNAL_TEXTS = {
    DocumentType.INVOICE: "documents.invoice_journal",
    DocumentType.CREDIT_MEMO: "documents.credit_memo_journal",
}


def book_issue(
    session: Session, *, books: TenantBooks, doc: SalesDocument, actor: Actor, clock: Clock
) -> uuid.UUID | None:
    """DE: the document against its unpaid account; EA: nothing (cash basis). Returns the
    journal's id, if one was posted."""
    booked = issue_booking(books, doc)
    if booked is None:
        return None
    return _post(session, books, booked, actor=actor, clock=clock)


def issue_booking(books: TenantBooks, doc: SalesDocument) -> Booked | None:
    """What issuing ``doc`` books: DE invoices and credit memos against their unpaid account
    (mirrored for credit memos), nothing in EA (cash basis) or for the other types."""
    if books.mode is not AccountingMode.DE or not doc.payable:
        return None
    booked = rules_de.initial(
        sales_document_side(doc, books.chart),
        counter_account=doc.unpaid_account or books.chart.receivables,
        booking_date=doc.doc_date,
        rate=doc.currency_rate,
        description=_text(doc),
    )
    return oriented(booked, doc.sign)


def book_payment(
    session: Session,
    *,
    books: TenantBooks,
    doc: SalesDocument,
    amount: Decimal,
    account: str,
    day: date,
    rate: Decimal,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID:
    """The journal of one payment (an ONACCOUNT excess included in DE)."""
    side = sales_document_side(doc, books.chart)
    main = round_to_currency(amount * rate, books.main)
    if books.mode is AccountingMode.DE:
        booked = rules_de.payment(
            side,
            amount=amount,
            unpaid_account=doc.unpaid_account or books.chart.receivables,
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
    return _post(session, books, oriented(booked, doc.sign), actor=actor, clock=clock)


def book_write_off(
    session: Session,
    *,
    books: TenantBooks,
    doc: SalesDocument,
    rest_type: HistoryType,
    remaining: Decimal,
    day: date,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID | None:
    """DE: the journal writing off ``remaining`` (DISCOUNT, CORRECTION, UNCOLLECTABLE)."""
    rule = WRITE_OFF_RULE.get(rest_type)
    if books.mode is not AccountingMode.DE or rule is None or remaining <= 0:
        return None
    booked = rules_de.rest_payment(
        sales_document_side(doc, books.chart),
        rest_type=rule,
        remaining=remaining,
        unpaid_account=doc.unpaid_account or books.chart.receivables,
        booking_date=day,
        rate=doc.currency_rate,
        description=_text(doc),
    )
    return _post(session, books, oriented(booked, doc.sign), actor=actor, clock=clock)


def reverse(
    session: Session,
    *,
    books: TenantBooks,
    journal_id: uuid.UUID | None,
    day: date,
    reason: str,
    actor: Actor,
    clock: Clock,
) -> uuid.UUID | None:
    """Post the cancellation of ``journal_id`` (if there is one); returns its id."""
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


def _booked_so_far(
    session: Session, books: TenantBooks, doc: SalesDocument, side: Side
) -> dict[Key, Decimal]:
    """EA: what the standing payment journals booked on the income side, in the orientation
    of an invoice (a credit memo's journals are mirrored back)."""
    journal_ids = [h.journal_id for h in doc.active_payments() if h.journal_id]
    keys = side.component_keys()
    sums = posting_sums(session, books.tenant_id, journal_ids)
    return {key: amount * doc.sign for key, amount in sums.items() if key in keys}


def _text(doc: SalesDocument) -> str:
    code = JOURNAL_TEXTS[doc.doc_type]
    return messages.text(code, messages.ENGLISH, number=doc.number or "").strip()
