"""Open items (OPOS, issue 16 item 1; DESIGN.md invariant 2; ADR 0024): every issued invoice
and credit memo, and every cash-based invoice of the accounting API (outgoing: a receivable,
incoming: a payable), is an open item of its partner, with what remains of it *in the
ledger's sense*.

- Amounts are signed as the receivable moves: an invoice positive, a credit memo or a
  cancellation invoice negative (the stored amounts are positive, ``sign`` orients them).
- The remaining amount is the document's stored ``remaining`` plus what its standing history
  carried to the customer's account without a booking (``restType`` ONACCOUNT and
  CREDIT_CASHED post no journal, nor does a cash-based invoice's EXISTING_CREDIT payment: the
  receivable stays in the ledger, on the customer's account). So an excess paid ONACCOUNT
  makes the item OVERPAID, and an ONACCOUNT rest keeps it OPEN; the sum of the remaining
  amounts equals the receivable balance.
- Status: PAID when nothing remains, OPEN when the rest has the orientation of the document,
  OVERPAID when more was paid (or paid out) than the document's total.

The customer account view lists what moved the receivable: the documents (value date: the
document date), payments and write-offs (value date: the date given with them) and their
cancellations, each with the date it was recorded; settlements between two documents
(CREDIT_FOR_INVOICE, CANCELLATION_INVOICE_FOR_INVOICE) and the unbooked carries above move no
amount of the customer's balance and are not transactions of the account.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum

from beleg.domain.documents.model import HistoryType


class ItemKind(StrEnum):
    """A receivable (what a customer owes) or a payable (what the tenant owes a supplier)."""

    RECEIVABLE = "RECEIVABLE"
    PAYABLE = "PAYABLE"


# The document types of cash-based invoices (seed 003 §3.3) among the open items.
CASH_OUT = "OUTGOING_CASH_INVOICE"
CASH_IN = "INCOMING_CASH_INVOICE"


class OpenItemStatus(StrEnum):
    OPEN = "OPEN"
    PAID = "PAID"
    OVERPAID = "OVERPAID"


class AccountEntryType(StrEnum):
    """A transaction of the customer account view."""

    INVOICE = "INVOICE"
    CREDIT_MEMO = "CREDIT_MEMO"
    CANCELLATION = "CANCELLATION"  # a document cancelled by reversal
    PAYMENT = "PAYMENT"  # a payment received (invoice) or paid out (credit memo)
    WRITE_OFF = "WRITE_OFF"  # DISCOUNT, CORRECTION, UNCOLLECTABLE
    PAYMENT_CANCELLED = "PAYMENT_CANCELLED"  # the reversal of a payment or write-off
    DUNNING_FEE = "DUNNING_FEE"  # the fee of a dunning notice (ADR 0027)


# History entries that reduce ``remaining`` without a journal: the amount stays on the
# customer's account in the ledger, so the open item still carries it.
CARRIED_TYPES = (HistoryType.ONACCOUNT, HistoryType.CREDIT_CASHED)
# History entries that settle one document with another of the same customer: they move both
# remaining amounts and no ledger amount.
SETTLEMENT_TYPES = (HistoryType.CREDIT_FOR_INVOICE, HistoryType.CANCELLATION_INVOICE_FOR_INVOICE)
WRITE_OFF_TYPES = (HistoryType.DISCOUNT, HistoryType.CORRECTION, HistoryType.UNCOLLECTABLE)


def open_amount(sign: int, remaining: Decimal, carried: Decimal) -> Decimal:
    """The signed remaining amount of an item: stored ``remaining`` (positive orientation)
    plus the ``carried`` standing ONACCOUNT/CREDIT_CASHED amounts, oriented by ``sign``."""
    return (remaining + carried) * sign


def item_status(sign: int, remaining: Decimal) -> OpenItemStatus:
    """PAID at 0, OPEN while ``remaining`` (signed) points the way of the document
    (``sign``), OVERPAID once it points the other way."""
    if remaining == 0:
        return OpenItemStatus.PAID
    return OpenItemStatus.OPEN if (remaining > 0) == (sign > 0) else OpenItemStatus.OVERPAID


def entry_kind(entry_type: HistoryType, *, is_payment: bool) -> AccountEntryType | None:
    """What a history entry is in the account view; None for entries that move no amount
    of the customer's balance (bookkeeping notes, carries, settlements, document
    reversals, which the view shows from the document itself)."""
    if not is_payment or entry_type in CARRIED_TYPES or entry_type in SETTLEMENT_TYPES:
        return None
    if entry_type is HistoryType.PAYED:
        return AccountEntryType.PAYMENT
    if entry_type in WRITE_OFF_TYPES:
        return AccountEntryType.WRITE_OFF
    return None


def entry_effect(kind: AccountEntryType, sign: int, amount: Decimal) -> Decimal:
    """The signed change of the customer's balance by a transaction of ``amount`` (positive,
    as stored) on a document of ``sign``."""
    if kind in (AccountEntryType.INVOICE, AccountEntryType.CREDIT_MEMO):
        return amount * sign
    if kind is AccountEntryType.PAYMENT_CANCELLED:
        return amount * sign
    return -amount * sign


def running_balances(effects: Iterable[Decimal], opening: Decimal = Decimal(0)) -> list[Decimal]:
    """The balance after each transaction, in order."""
    balance, out = opening, []
    for effect in effects:
        balance += effect
        out.append(balance)
    return out
