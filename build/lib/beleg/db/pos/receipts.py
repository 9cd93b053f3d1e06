"""Receipts of the cash registers. A receipt's lines and customer are stored as JSON with
amounts as decimal strings (exact), empty values left out, the lines' keys in the order of
seed 003 ReceiptLineDto."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from beleg.db.tables import cash_receipts
from beleg.domain.documents.model import DiscountMode
from beleg.domain.errors import NotFound
from beleg.domain.ledger.tax import AmountType
from beleg.domain.pos.receipts import Receipt, ReceiptLine, ReceiptParty
from beleg.domain.pos.registers import ReceiptType


def insert_receipt(session: Session, *, tenant_id: uuid.UUID, receipt: Receipt) -> None:
    session.execute(
        insert(cash_receipts).values(
            tenant_id=tenant_id,
            register_no=receipt.register_no,
            number=receipt.number,
            position=receipt.position,
            receipt_type=receipt.receipt_type.value,
            series=receipt.receipt_type.series,
            year=receipt.date_time.year,
            sequence=receipt.sequence,
            date_time=receipt.date_time,
            closing_day=receipt.closing_day,
            created_at=receipt.created_at,
            total=receipt.total,
            lines=[_line_json(line) for line in receipt.lines],
            party=_party_json(receipt.party),
            from_account=receipt.from_account,
            to_account=receipt.to_account,
            description=receipt.description,
            cancels=receipt.cancels,
            cancelled_by=receipt.cancelled_by,
            jws=receipt.jws,
            qr_code=receipt.qr_code,
            journal_id=receipt.journal_id,
            document_id=receipt.document_id,
        )
    )


def receipt_by_number(
    session: Session, *, tenant_id: uuid.UUID, register_no: int, number: str
) -> Receipt:
    """The receipt ``number`` of the register; NotFound naming ``receipt`` otherwise."""
    c = cash_receipts.c
    row = session.execute(
        select(cash_receipts).where(
            c.tenant_id == tenant_id, c.register_no == register_no, c.number == number
        )
    ).one_or_none()
    if row is None:
        raise NotFound(
            "pos.receipt_not_found", field="receipt", receipt=number, register=register_no
        )
    return Receipt(
        register_no=row.register_no,
        number=row.number,
        position=row.position,
        sequence=row.sequence,
        receipt_type=ReceiptType(row.receipt_type),
        date_time=row.date_time,
        closing_day=row.closing_day,
        total=row.total,
        lines=tuple(_line(line) for line in row.lines),
        party=_party(row.party),
        created_at=row.created_at,
        from_account=row.from_account,
        to_account=row.to_account,
        description=row.description,
        cancels=row.cancels,
        cancelled_by=row.cancelled_by,
        jws=row.jws,
        qr_code=row.qr_code,
        journal_id=row.journal_id,
        document_id=row.document_id,
    )


def set_cancelled_by(
    session: Session, *, tenant_id: uuid.UUID, register_no: int, number: str, cancelled_by: str
) -> None:
    c = cash_receipts.c
    session.execute(
        update(cash_receipts)
        .where(c.tenant_id == tenant_id, c.register_no == register_no, c.number == number)
        .values(cancelled_by=cancelled_by)
    )


def _line_json(line: ReceiptLine) -> dict[str, Any]:
    """A line as stored (ReceiptLineDto keys in their order, amounts as decimal strings)."""
    values: dict[str, Any] = {
        "id": line.line_no,
        "itemNumber": line.item_number,
        "item": str(line.item) if line.item else None,
        "itemName": line.item_name,
        "itemDescription": line.item_description,
        "itemPrice": line.item_price,
        "itemPriceType": line.item_price_type.value if line.item_price_type else None,
        "unitOfMeasure": line.unit_of_measure,
        "netPrice": line.net_price,
        "taxPrice": line.tax_price,
        "totalPrice": line.total_price,
        "discount": line.discount,
        "discountMode": line.discount_mode.value if line.discount_mode else None,
        "amount": line.amount,
        "account": line.account,
        "taxClassEntry": line.tax_class_entry,
        "taxRate": line.tax_rate,
    }
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items() if v is not None}


def _line(data: Mapping[str, Any]) -> ReceiptLine:
    def amount(key: str) -> Decimal | None:
        value = data.get(key)
        return None if value is None else Decimal(value)

    price_type, mode, item = data.get("itemPriceType"), data.get("discountMode"), data.get("item")
    return ReceiptLine(
        line_no=int(data["id"]),
        net_price=Decimal(data["netPrice"]),
        tax_price=Decimal(data["taxPrice"]),
        total_price=Decimal(data["totalPrice"]),
        amount=Decimal(data["amount"]),
        account=data["account"],
        tax_class_entry=data["taxClassEntry"],
        item_name=data.get("itemName"),
        item_price=amount("itemPrice"),
        item_price_type=AmountType(price_type) if price_type is not None else None,
        item_number=data.get("itemNumber"),
        item=uuid.UUID(item) if item is not None else None,
        item_description=data.get("itemDescription"),
        unit_of_measure=data.get("unitOfMeasure"),
        discount=amount("discount"),
        discount_mode=DiscountMode(mode) if mode is not None else None,
        tax_rate=amount("taxRate"),
    )


def _party_json(party: ReceiptParty) -> dict[str, Any]:
    values: dict[str, Any] = {
        "customer": str(party.customer) if party.customer else None,
        "customerName": party.customer_name,
        "customerMail": party.customer_mail,
        "additionalAddress": str(party.additional_address) if party.additional_address else None,
        "referenceDate": party.reference_date.isoformat() if party.reference_date else None,
        "referenceText": party.reference_text,
        "textAfterLines": party.text_after_lines,
        "addressInfo": dict(party.address_info) if party.address_info is not None else None,
    }
    return {k: v for k, v in values.items() if v is not None and v != ""}


def _party(data: Mapping[str, Any]) -> ReceiptParty:
    customer, address, day = (
        data.get("customer"),
        data.get("additionalAddress"),
        data.get("referenceDate"),
    )
    return ReceiptParty(
        customer=uuid.UUID(customer) if customer else None,
        customer_name=data.get("customerName"),
        customer_mail=data.get("customerMail"),
        additional_address=uuid.UUID(address) if address else None,
        reference_date=date.fromisoformat(day) if day else None,
        reference_text=data.get("referenceText"),
        text_after_lines=data.get("textAfterLines"),
        address_info=data.get("addressInfo"),
    )
