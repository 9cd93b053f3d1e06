"""Deposits (seed 001 "deposits" of orders; advance-payment invoices and their settlement).

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
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from beleg.clock import Clock
from beleg.db.tables import sales_document_lines, sales_documents
from beleg.domain.amounts import check_amount
from beleg.domain.documents.lines import Amounts
from beleg.domain.documents.model import LineType, State, TypeCode
from beleg.domain.errors import ValidationFailed
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.lines import ResolvedLine
from beleg.services.documents.parties import Party
from beleg.services.documents.store import Doc


def check_deposit_lines(
    session: Session,
    tenant_id: uuid.UUID,
    doc_type: DocumentType,
    party: Party,
    resolved: list[ResolvedLine],
) -> list[ResolvedLine]:
    """Lines settling a deposit invoice take that invoice's amounts, negated."""
    out = []
    for line in resolved:
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
        raise ValidationFailed(
            f"{field} is only allowed on ON_ACCT lines of invoices",
            de=f"{field} ist nur in ON_ACCT-Zeilen von Rechnungen erlaubt",
            field=field,
        )
    deposit = _deposit_invoice(session, tenant_id, number, field)
    if deposit.customer_id != party.customer_id:
        raise ValidationFailed(
            f"{field}: deposit invoice {number} is another customer's",
            de=f"{field}: Anzahlungsrechnung {number} gehört einem anderen Kunden",
            field=field,
        )
    entries = session.execute(
        select(sales_document_lines.c.account, sales_document_lines.c.tax_entry)
        .where(
            sales_document_lines.c.tenant_id == tenant_id,
            sales_document_lines.c.document_id == deposit.id,
        )
        .distinct()
    ).all()
    if len(entries) != 1:
        raise ValidationFailed(
            f"{field}: deposit invoice {number} has several tax class entries",
            de=f"{field}: Anzahlungsrechnung {number} hat mehrere Steuerklassen",
            field=field,
        )
    fixed = Amounts(-deposit.net, -deposit.tax, -deposit.total)
    spec = replace(line.spec, fixed=fixed)
    return replace(
        line,
        spec=spec,
        account=entries[0].account,
        tax_entry=entries[0].tax_entry,
        texts={**line.texts, "depositInvoiceId": str(deposit.id)},
    )


def _deposit_invoice(session: Session, tenant_id: uuid.UUID, number: str, field: str) -> Any:
    row = session.execute(
        select(sales_documents)
        .where(
            sales_documents.c.tenant_id == tenant_id,
            sales_documents.c.doc_type == DocumentType.INVOICE.value,
            sales_documents.c.number == number,
        )
        .with_for_update()
    ).one_or_none()
    if row is None or row.type_code != TypeCode.PREPAYMENT_INVOICE.value:
        raise ValidationFailed(
            f"{field}: {number} is not a deposit invoice",
            de=f"{field}: {number} ist keine Anzahlungsrechnung",
            field=field,
        )
    if row.state not in (State.FINALIZED.value, State.EXTERNAL.value):
        raise ValidationFailed(
            f"{field}: deposit invoice {number} is {row.state}",
            de=f"{field}: Anzahlungsrechnung {number} ist {row.state}",
            field=field,
        )
    if row.deposit_settled_by is not None:
        raise ValidationFailed(
            f"{field}: deposit invoice {number} is already settled",
            de=f"{field}: Anzahlungsrechnung {number} ist bereits verrechnet",
            field=field,
        )
    return row


def settle_deposits(
    session: Session, doc: Doc, resolved: list[ResolvedLine], *, clock: Clock
) -> None:
    for line in resolved:
        deposit_id = line.texts.get("depositInvoiceId")
        if deposit_id:
            session.execute(
                update(sales_documents)
                .where(
                    sales_documents.c.tenant_id == doc.row["tenant_id"],
                    sales_documents.c.id == uuid.UUID(deposit_id),
                )
                .values(deposit_settled_by=doc.id, updated_at=clock.now())
            )


def agreed_deposits(texts: dict[str, Any], total: Decimal) -> list[dict[str, Any]]:
    """Validate an order confirmation's ``deposits``; their sum is at most ``total``."""
    deposits = texts.get("deposits") or []
    checked = []
    for index, entry in enumerate(deposits):
        amount = check_amount(Decimal(str(entry.get("amount"))), f"deposits[{index}].amount", 2)
        if amount <= 0:
            raise ValidationFailed(
                f"deposits[{index}].amount must be more than 0",
                de=f"deposits[{index}].amount muss größer 0 sein",
                field=f"deposits[{index}].amount",
            )
        checked.append({**entry, "amount": str(amount)})
    if sum((Decimal(d["amount"]) for d in checked), Decimal(0)) > total:
        raise ValidationFailed(
            f"deposits exceed the order total {total}",
            de=f"Anzahlungen übersteigen die Auftragssumme {total}",
            field="deposits",
        )
    return checked


def check_deposit_invoice(
    session: Session, tenant_id: uuid.UUID, order_number: str, party: Party, total: Decimal
) -> uuid.UUID:
    """A deposit invoice fits into what its order confirmation agreed; returns the order id."""
    order = session.execute(
        select(sales_documents)
        .where(
            sales_documents.c.tenant_id == tenant_id,
            sales_documents.c.doc_type == DocumentType.ORDER_CONFIRMATION.value,
            sales_documents.c.number == order_number,
        )
        .with_for_update()
    ).one_or_none()
    if order is None or order.state not in (State.FINALIZED.value, State.EXTERNAL.value):
        raise ValidationFailed(
            f"depositFor: {order_number} is not an issued order confirmation",
            de=f"depositFor: {order_number} ist keine abgeschlossene Auftragsbestätigung",
            field="depositFor",
        )
    if order.customer_id != party.customer_id:
        raise ValidationFailed(
            "depositFor: the order confirmation is another customer's",
            de="depositFor: die Auftragsbestätigung gehört einem anderen Kunden",
            field="depositFor",
        )
    agreed = sum(
        (Decimal(str(d["amount"])) for d in order.fields.get("deposits") or []), Decimal(0)
    )
    invoiced = session.execute(
        select(func.coalesce(func.sum(sales_documents.c.total), 0)).where(
            sales_documents.c.tenant_id == tenant_id,
            sales_documents.c.source_id == order.id,
            sales_documents.c.type_code == TypeCode.PREPAYMENT_INVOICE.value,
            sales_documents.c.state != State.CANCELLED.value,
        )
    ).scalar_one()
    if Decimal(invoiced) + total > agreed:
        raise ValidationFailed(
            f"depositFor: deposit invoices of {order_number} would exceed the agreed deposits "
            f"{agreed} (already invoiced {invoiced})",
            de=f"depositFor: Anzahlungsrechnungen übersteigen die vereinbarten Anzahlungen "
            f"{agreed}",
            field="depositFor",
        )
    return order.id
