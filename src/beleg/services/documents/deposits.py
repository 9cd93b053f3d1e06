"""Deposits (seed 001 "deposits" of orders; advance-payment invoices and their settlement).
Steps of creating a document, in the caller's transaction.

- An order confirmation may agree deposits (``deposits``: amounts, optional due date and
  text); together they are at most the order's total.
- A deposit invoice (``depositFor`` = the order confirmation's number, type code 386) asks
  for one: together the deposit invoices of an order are at most its agreed deposits.
- The final invoice settles a deposit invoice with an ON_ACCT line naming it
  (``depositInvoice``): the line subtracts exactly that invoice's net, tax and total (so
  income and VAT are booked once, § 13 Abs. 1 Nr. 1a UStG), the deposit invoice must belong
  to the same customer, have one tax class entry, and not be settled already.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from beleg.db import Session
from beleg.db.documents import deposits as deposits_db
from beleg.db.documents import store
from beleg.domain.documents.deposits import agreed_total
from beleg.domain.documents.lines import Amounts
from beleg.domain.documents.model import LineType, TypeCode
from beleg.domain.documents.parties import Party
from beleg.domain.documents.records import SalesDocument
from beleg.domain.errors import ValidationFailed
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.lines import ResolvedLine


def check_deposit_lines(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    party: Party,
    lines: list[ResolvedLine],
) -> list[ResolvedLine]:
    """Lines settling a deposit invoice take that invoice's amounts, negated (the deposit
    invoices are locked for the transaction)."""
    out = []
    for line in lines:
        number = line.texts.get("depositInvoice")
        if number:
            out.append(
                _settling_line(session, tenant_id, doc_type, party=party, line=line, number=number)
            )
        else:
            out.append(line)
    return out


def _settling_line(
    session: Session,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    *,
    party: Party,
    line: ResolvedLine,
    number: str,
) -> ResolvedLine:
    field = f"{line.spec.prefix}.depositInvoice"
    if doc_type is not DocumentType.INVOICE or line.spec.line_type is not LineType.ON_ACCT:
        raise ValidationFailed("documents.deposit_line_misplaced", field=field, name=field)
    deposit = _deposit_invoice(session, tenant_id, number, field)
    if deposit.customer_id != party.customer_id:
        raise ValidationFailed(
            "documents.deposit_of_other_customer", field=field, name=field, number=number
        )
    entries = {(ln.account, ln.tax_entry) for ln in deposit.lines}
    if len(entries) != 1:
        raise ValidationFailed(
            "documents.deposit_with_several_entries", field=field, name=field, number=number
        )
    ((account, tax_entry),) = entries
    fixed = Amounts(-deposit.net, -deposit.tax, -deposit.total)
    return replace(
        line,
        spec=replace(line.spec, fixed=fixed),
        account=account,
        tax_entry=tax_entry,
        texts={**line.texts, "depositInvoiceId": str(deposit.id)},
    )


def _deposit_invoice(
    session: Session, tenant_id: uuid.UUID, number: str, field: str
) -> SalesDocument:
    deposit = store.find_document(session, tenant_id, DocumentType.INVOICE, number, lock=True)
    if deposit is None or deposit.type_code is not TypeCode.PREPAYMENT_INVOICE:
        raise ValidationFailed(
            "documents.not_a_deposit_invoice", field=field, name=field, number=number
        )
    if not deposit.issued:
        raise ValidationFailed(
            "documents.deposit_invoice_not_issued",
            field=field,
            name=field,
            number=number,
            state=deposit.state.value,
        )
    if deposit.deposit_settled_by is not None:
        raise ValidationFailed(
            "documents.deposit_invoice_settled", field=field, name=field, number=number
        )
    return deposit


def check_deposit_invoice(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    order_number: str,
    party: Party,
    total: Decimal,
) -> uuid.UUID:
    """A deposit invoice fits into what its order confirmation agreed (the order is locked
    for the transaction); returns the order's id."""
    order = store.find_document(
        session, tenant_id, DocumentType.ORDER_CONFIRMATION, order_number, lock=True
    )
    if order is None or not order.issued:
        raise ValidationFailed(
            "documents.deposit_order_not_issued", field="depositFor", number=order_number
        )
    if order.customer_id != party.customer_id:
        raise ValidationFailed("documents.deposit_order_of_other_customer", field="depositFor")
    agreed = agreed_total(order.texts)
    invoiced = deposits_db.deposits_invoiced(session, tenant_id, order.id)
    if invoiced + total > agreed:
        raise ValidationFailed(
            "documents.deposits_exceed_agreed",
            field="depositFor",
            number=order_number,
            agreed=agreed,
            invoiced=invoiced,
        )
    return order.id
