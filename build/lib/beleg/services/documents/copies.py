"""The input of a new sales document made from an existing one: a cancellation credit memo
or invoice, a correction's credit memo, or the next document of the chain (offer -> order
confirmation -> delivery note -> invoice). It takes the existing document's customer,
currency and (copied) lines, and refers to it by its number."""

from __future__ import annotations

from datetime import date

from beleg.domain.documents.model import LineType
from beleg.domain.documents.records import SalesDocument
from beleg.domain.numbering.counters import DocumentType
from beleg.services.documents.create import DocumentInput
from beleg.services.documents.lines import DocLineInput


def document_input(
    doc: SalesDocument, *, target: DocumentType, day: date, lines: list[DocLineInput]
) -> DocumentInput:
    """The input of a new ``target`` document for ``doc``'s customer, in its currency, with
    ``lines`` (referring to ``doc`` by its number)."""
    return DocumentInput(
        doc_type=target,
        state=None,
        doc_date=day,
        lines=lines,
        customer=str(doc.customer_id) if doc.customer_id else None,
        customer_name=doc.customer_name,
        address_info=doc.texts.get("addressInfo") or None,
        currency=doc.currency.code,
        currency_rate=doc.currency_rate,
        texts={"referenceText": doc.number},
    )


def related_texts(doc: SalesDocument) -> dict[str, str | None]:
    """The texts of a document correcting or cancelling ``doc`` (EN 16931 BT-25, BT-26)."""
    return {
        "referenceText": doc.number,
        "relatedDocument": doc.number,
        "relatedDocumentDate": doc.doc_date.isoformat(),
    }


def copied_lines(
    doc: SalesDocument, as_type: LineType | None, *, counted_only: bool
) -> list[DocLineInput]:
    """The document's lines as input for another document (seed 003 §3.4: credit-memo and
    prepayment lines are not copied to other types; optional offer lines are dropped when
    ``counted_only``). ``as_type`` retypes regular lines (credit memos: CREDIT_MEMO)."""
    out = []
    for line in doc.lines:
        kind = line.line_type
        if counted_only and not kind.counted:
            continue
        if as_type is None and not kind.copied and doc.doc_type is not DocumentType.INVOICE:
            continue
        texts = line.texts
        new_type = as_type if as_type is not None and kind is LineType.LINE else kind
        out.append(
            DocLineInput(
                amount=line.quantity,
                net_price=line.net,
                tax_price=line.tax,
                total_price=line.total,
                name=texts.get("name"),
                description=texts.get("description"),
                line_type=new_type.value,
                item_price=line.item_price,
                item_price_type=line.item_price_type.value if line.item_price_type else None,
                unit_of_measure=texts.get("unitOfMeasure"),
                discount=line.discount,
                discount_mode=line.discount_mode.value,
                item_number=texts.get("itemNumber"),
                item=str(line.item_id) if line.item_id else None,
                item_defaulting=False,
                account=line.account,
                tax_class_entry=line.tax_entry,
            )
        )
    return out
