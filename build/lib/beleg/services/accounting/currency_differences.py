"""The currency difference of a foreign-currency invoice (seed 003 §3.3, §7 item 11): when
the last payment closes the invoice, the main-currency residue that differing rates left is
"paid out automatically with the last payment" by a CURRENCY_DIFFERENCE booking. In
double-entry accounting it books the residue on the unpaid account against the exchange
gain or loss account; in single-entry accounting it books no journal, since cash accounting
already booked what was paid.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from beleg.db import Session, ledger
from beleg.domain.accounting import rules_de
from beleg.domain.accounting.invoices import Payment, PaymentType
from beleg.domain.accounting.lines import Direction
from beleg.domain.accounting.rules import Booked
from beleg.domain.tenancy.settings import AccountingMode
from beleg.services.accounting.bookings import Bookkeeper, WorkingInvoice, add_payment


def clear_currency_difference(
    session: Session, *, keeper: Bookkeeper, work: WorkingInvoice, day: date
) -> None:
    """Book the main-currency residue of an invoice that is now paid in full, dated ``day``,
    in the caller's transaction; nothing while the invoice is open or nothing remains."""
    invoice = work.invoice
    if invoice.total != invoice.paid():
        return
    residue = _residue(session, keeper, work)
    if not residue:
        return
    journal: Booked | None = None
    contra = None
    if keeper.books.mode is AccountingMode.DE:
        chart = keeper.books.chart
        journal = rules_de.currency_difference(
            direction=invoice.direction,
            residue=residue,
            unpaid_account=invoice.unpaid(),
            gain_account=chart.exchange_gain,
            loss_account=chart.exchange_loss,
            booking_date=day,
            main=keeper.books.main,
        )
        contra = journal.draft.postings[1].account
    open_main = invoice.total_main - invoice.paid_main()
    difference = Payment(
        PaymentType.CURRENCY_DIFFERENCE, day, Decimal(0), open_main, contra, Decimal(1)
    )
    add_payment(session, keeper=keeper, work=work, booked=journal, payment=difference)


def _residue(session: Session, keeper: Bookkeeper, work: WorkingInvoice) -> Decimal:
    """DE: what the unpaid account still holds for the invoice, in the invoice's natural
    direction (payables credit, receivables debit); EA: the main-currency total not paid."""
    invoice = work.invoice
    if keeper.books.mode is AccountingMode.DE:
        balance = ledger.balance_main(
            session, keeper.tenant_id, invoice.active_journal_ids(), invoice.unpaid()
        )
        return -balance if invoice.direction is Direction.INCOMING else balance
    return invoice.total_main - invoice.paid_main()
