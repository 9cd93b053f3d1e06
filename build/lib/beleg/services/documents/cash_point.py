"""The boundary between sales-document payments and cash registers: what a register needs to
know of a payment through it, the receipt it answers with, and the ``CashPoint`` the pos
context implements (``services/pos/payments.py``). The caller composing both contexts (the
API) passes the cash point in, so documents never import pos (docs/architecture.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from beleg.clock import Clock
from beleg.db import Session
from beleg.domain.identity.principal import Actor
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.numbering.counters import DocumentType


@dataclass(frozen=True, slots=True)
class CashPayment:
    """A document payment as a cash register sees it: the register issues the receipt."""

    document_id: uuid.UUID
    doc_type: DocumentType
    number: str
    doc_date: date
    customer_id: uuid.UUID | None
    customer_name: str
    account: str  # the unpaid (receivables) account the receipt's line names
    amount: Decimal  # signed: a credit memo paid out is negative
    day: date
    journal_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class CashReceiptRef:
    register_no: int
    number: str
    qr_code: str | None


class CashPoint(Protocol):
    """Payments through a cash register (seed 003 InvoicePaymentDto ``cashRegister``), provided
    by the pos context and passed in by the caller, so documents need not know registers."""

    def cash_account(
        self, session: Session, *, tenant_id: uuid.UUID, register_no: int, clock: Clock
    ) -> str:
        """The cash account of a register that takes payments (locked for the transaction)."""

    def issue_receipt(
        self,
        session: Session,
        *,
        books: TenantBooks,
        register_no: int,
        payment: CashPayment,
        actor: Actor,
        clock: Clock,
    ) -> CashReceiptRef:
        """The signed receipt of ``payment``."""

    def cancel_receipt(
        self,
        session: Session,
        *,
        books: TenantBooks,
        register_no: int,
        receipt_no: str,
        journal_id: uuid.UUID | None,
        actor: Actor,
        clock: Clock,
    ) -> None:
        """Cancel the receipt of a payment whose journal the caller reversed."""
