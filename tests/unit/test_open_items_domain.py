"""Open items' rules (ADR 0024): whatever payments, write-offs, carries to the customer's
account and cancellations a document goes through, its open amount equals what a double-entry
ledger still holds on the unpaid account, the account view's transactions sum to it, and the
status follows its sign."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from beleg.domain.documents.model import HistoryType, State, TypeCode
from beleg.domain.documents.open_items import (
    CARRIED_TYPES,
    AccountEntryType,
    OpenItemStatus,
    entry_effect,
    entry_kind,
    item_status,
    open_amount,
    running_balances,
)
from beleg.domain.documents.records import (
    HistoryEntry,
    SalesDocument,
    with_entry,
    with_entry_cancelled,
    with_payment_state,
)
from beleg.domain.numbering.counters import DocumentType
from beleg.money import Currency

EUR = Currency.of("EUR")
NOW = datetime(2026, 3, 1, tzinfo=UTC)
BOOKED = (
    HistoryType.PAYED,
    HistoryType.DISCOUNT,
    HistoryType.UNCOLLECTABLE,
    HistoryType.CORRECTION,
)
cents = st.integers(min_value=1, max_value=1_000_000).map(lambda c: D(c).scaleb(-2))


def _document(total: D, sign: int) -> SalesDocument:
    return SalesDocument(
        id=uuid.uuid4(),
        doc_type=DocumentType.INVOICE if sign > 0 else DocumentType.CREDIT_MEMO,
        state=State.FINALIZED,
        number="R 2026 1",
        type_code=TypeCode.INVOICE if sign > 0 else TypeCode.CREDIT_NOTE,
        sign=sign,
        doc_date=date(2026, 3, 1),
        due_date=None,
        dunning_date=None,
        paid_date=None,
        customer_id=None,
        customer_name="Test GmbH",
        currency=EUR,
        currency_rate=D(1),
        net=total,
        tax=D(0),
        total=total,
        remaining=total,
        payment_term_id=None,
        layout_setup_id=None,
        sequence_group_id=None,
        unpaid_account="2000",
        journal_id=None,
        completion_state=None,
        completion_date=None,
        cancelled_date=None,
        related_id=None,
        source_id=None,
        deposit_settled_by=None,
        texts={},
        created_at=NOW,
        updated_at=NOW,
    )


def _entry(doc: SalesDocument, kind: HistoryType, amount: D, cancels: uuid.UUID | None = None):
    return HistoryEntry(
        id=uuid.uuid4(),
        position=len(doc.history) + 1,
        entry_type=kind,
        is_payment=True,
        entry_date=date(2026, 3, 2),
        amount=amount,
        created_at=NOW,
        cancels=cancels,
    )


operations = st.lists(
    st.tuples(
        st.sampled_from([*BOOKED, *CARRIED_TYPES, HistoryType.CANCELLED]),
        cents,
        st.booleans(),  # an excess carried to the account is negative
    ),
    max_size=8,
)


def _apply(doc: SalesDocument, ledger: D, op: tuple) -> tuple[SalesDocument, D]:
    """``doc`` after one operation, and the unpaid account's balance after its journal."""
    kind, amount, negative = op
    sign = doc.sign
    if kind is HistoryType.CANCELLED:
        standing = [h for h in doc.history if h.stands]
        if not standing:
            return doc, ledger
        target = standing[0]
        undo = _entry(doc, kind, target.amount, target.id)
        doc = with_entry(with_entry_cancelled(doc, target.id), undo)
        booked = target.entry_type in BOOKED  # only those had a journal to reverse
        return doc, ledger + target.amount * sign if booked else ledger
    value = -amount if negative and kind in CARRIED_TYPES else amount
    doc = with_entry(doc, _entry(doc, kind, value))
    return doc, ledger - amount * sign if kind in BOOKED else ledger


def _effects(doc: SalesDocument) -> list[D]:
    """The account view's transactions of ``doc``, as balance changes."""
    effects = [entry_effect(AccountEntryType.INVOICE, doc.sign, doc.total)]
    by_id = {h.id: h for h in doc.history}
    for h in doc.history:
        shown = entry_kind(h.entry_type, is_payment=h.is_payment)
        if h.cancels is not None and entry_kind(by_id[h.cancels].entry_type, is_payment=True):
            shown = AccountEntryType.PAYMENT_CANCELLED
        if shown is not None:
            effects.append(entry_effect(shown, doc.sign, h.amount))
    return effects


@settings(max_examples=300, deadline=None)
@given(total=cents, sign=st.sampled_from([1, -1]), ops=operations)
def test_the_open_amount_is_what_the_ledger_holds(total: D, sign: int, ops: list) -> None:
    doc = _document(total, sign)
    ledger = total * sign  # the issue booked the total on the unpaid account
    for op in ops:
        doc, ledger = _apply(doc, ledger, op)
    doc = with_payment_state(doc, day=date(2026, 3, 3), now=NOW)
    carried = sum((h.amount for h in doc.active_payments() if h.entry_type in CARRIED_TYPES), D(0))
    remaining = open_amount(doc.sign, doc.remaining, carried)
    assert remaining == ledger
    assert running_balances(_effects(doc))[-1] == remaining
    status = item_status(sign, remaining)
    if remaining == 0:
        assert status is OpenItemStatus.PAID
    elif (remaining > 0) == (sign > 0):
        assert status is OpenItemStatus.OPEN
    else:
        assert status is OpenItemStatus.OVERPAID


@given(effects=st.lists(cents, max_size=20), opening=cents)
def test_the_running_balance_ends_at_the_sum(effects: list[D], opening: D) -> None:
    balances = running_balances(effects, opening)
    assert len(balances) == len(effects)
    assert (balances[-1] if balances else opening) == opening + sum(effects, D(0))


def test_statuses_of_invoices_and_credit_memos() -> None:
    assert item_status(1, D("0.00")) is OpenItemStatus.PAID
    assert item_status(1, D("5")) is OpenItemStatus.OPEN
    assert item_status(1, D("-5")) is OpenItemStatus.OVERPAID
    assert item_status(-1, D("-5")) is OpenItemStatus.OPEN  # a credit still to pay out
    assert item_status(-1, D("5")) is OpenItemStatus.OVERPAID
