"""The invoicing setup of a tenant (seed 003 §3.4 "Setup lookups", §4.14): payment terms,
PDF layout setups, dunning levels; the defaults a new tenant starts with; and the checks
on what an administrator changes. Exactly one payment term, layout setup and sequence group
is the default at any time (seed 003: "exactly one default of each is presumably enforced").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.charts import AccountType, Chart
from beleg.domain.numbering.counters import DocumentType, check_name, check_no_nul

MAX_DAYS = 3650
MAX_TEXT = 4000
MAX_DESCRIPTION = 500
MAX_LINE = 200
MAX_ADDRESS_LINES = 6
TEXT_KINDS = ("description", "footer")
# Preferred accounts for dunning fees: other operating income (AT EKR 4880), other interest
# and similar income (SKR03 2650 / SKR04 7100); otherwise the first revenue account.
FEE_ACCOUNTS = ("4880", "2650", "7100")


class Language(StrEnum):
    DE = "de"
    EN = "en"


@dataclass(frozen=True, slots=True)
class PaymentTerm:
    """Seed 003 PaymentTermDto: due date = document date + ``due_days``, dunning date =
    document date + ``dunning_days`` (§3.4 "Due date"). With ``fixed_due_date`` the due date
    may not be set by hand."""

    id: uuid.UUID
    name: str
    due_days: int
    dunning_days: int
    fixed_due_date: bool = False

    def due_date(self, doc_date: date) -> date:
        return doc_date + timedelta(days=self.due_days)

    def dunning_date(self, doc_date: date) -> date:
        return doc_date + timedelta(days=self.dunning_days)


@dataclass(frozen=True, slots=True)
class DocumentTexts:
    """What a document prints after its subject (``description``) and after its lines."""

    description: str = ""
    footer: str = ""


@dataclass(frozen=True, slots=True)
class Sender:
    """The sender block of a PDF; every part is optional."""

    company_name: str | None = None
    address_lines: tuple[str, ...] = ()
    vat_id: str | None = None
    iban: str | None = None
    bic: str | None = None
    bank_name: str | None = None


@dataclass(frozen=True, slots=True)
class LayoutSetup:
    """Seed 003 LayoutSetupDto plus what the PDF needs: texts per document type and
    language ({doc type: {language: {description, footer}}}), the language it prints in,
    and the sender."""

    id: uuid.UUID
    description: str
    language: Language
    texts: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    sender: Sender = Sender()

    def texts_for(self, doc_type: DocumentType, language: str | None = None) -> DocumentTexts:
        """The default description and footer of ``doc_type`` in ``language`` (the setup's
        own language when None; German when the language has no text)."""
        by_language = self.texts.get(doc_type.value, {})
        chosen = by_language.get(language or self.language.value) or by_language.get("de") or {}
        return DocumentTexts(chosen.get("description", ""), chosen.get("footer", ""))


# The standard texts of a layout setup per document type: the message codes of its
# description and its footer, rendered in German and English when a setup gets them.
DEFAULT_TEXT_CODES: dict[DocumentType, tuple[str, str]] = {
    DocumentType.INVOICE: ("documents.invoice_description", "documents.invoice_footer"),
    DocumentType.CREDIT_MEMO: (
        "documents.credit_memo_description",
        "documents.credit_memo_footer",
    ),
    DocumentType.DELIVERY_NOTE: (
        "documents.delivery_note_description",
        "documents.delivery_note_footer",
    ),
    DocumentType.OFFER: ("documents.offer_description", "documents.offer_footer"),
    DocumentType.ORDER_CONFIRMATION: (
        "documents.order_confirmation_description",
        "documents.order_confirmation_footer",
    ),
}
DEFAULT_LAYOUT = "documents.default_layout"  # the message code of the standard layout's name


@dataclass(frozen=True, slots=True)
class PaymentTermDefault:
    """A payment term a new tenant starts with; ``name`` and ``description`` are message
    codes (the texts are German in a new tenant)."""

    name: str
    description: str
    due_days: int
    dunning_days: int
    default_term: bool = False


DEFAULT_PAYMENT_TERMS = (
    PaymentTermDefault(
        "documents.term_14_days", "documents.term_14_days_description", 14, 14, True
    ),
    PaymentTermDefault("documents.term_5_days", "documents.term_5_days_description", 5, 5),
)


@dataclass(frozen=True, slots=True)
class DunningLevelDefault:
    """A level of the dunning chain a new tenant starts with; the texts are message codes."""

    internal_name: str
    description: str
    document_subject: str
    fixed_fee: Decimal
    dunning_days: int
    line_text: str
    end_text: str
    default_flag: bool = False


DEFAULT_DUNNING_LEVELS = (  # a chain: each level's predecessor is the one before it
    DunningLevelDefault(
        "documents.dunning_reminder",
        "documents.dunning_reminder_description",
        "documents.dunning_reminder_subject",
        Decimal("0.00"),
        14,
        "documents.dunning_reminder_line_text",
        "documents.dunning_reminder_end_text",
        default_flag=True,
    ),
    DunningLevelDefault(
        "documents.dunning_first",
        "documents.dunning_first_description",
        "documents.dunning_first_subject",
        Decimal("5.00"),
        14,
        "documents.dunning_first_line_text",
        "documents.dunning_first_end_text",
    ),
    DunningLevelDefault(
        "documents.dunning_second",
        "documents.dunning_second_description",
        "documents.dunning_second_subject",
        Decimal("10.00"),
        14,
        "documents.dunning_second_line_text",
        "documents.dunning_second_end_text",
    ),
)


def dunning_fee_account(chart: Chart) -> tuple[str, str]:
    """(account, tax class entry) that dunning fees are booked to: a revenue account that
    allows the chart's 0 % entry (dunning fees are damages, not a taxable supply)."""
    zero = next(e.code for e in chart.tax_entries if e.rate == 0 and not e.modifiers)
    revenue = [
        a for a in chart.accounts if a.account_type is AccountType.REVENUE and zero in a.tax_codes
    ]
    for code in FEE_ACCOUNTS:
        for account in revenue:
            if account.code == code:
                return account.code, zero
    if not revenue:
        raise ValueError(f"chart {chart.name} has no revenue account allowing {zero}")
    return revenue[0].code, zero


def check_days(value: Any, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise ValidationFailed(
            "documents.days_out_of_range", field=field_name, name=field_name, max=MAX_DAYS
        )
    return value


def check_text(value: str | None, field_name: str, limit: int = MAX_DESCRIPTION) -> str:
    text = check_no_nul((value or "").strip(), field_name)
    if len(text) > limit:
        raise ValidationFailed(
            "documents.text_too_long", field=field_name, name=field_name, limit=limit
        )
    return text


def check_payment_term(values: dict[str, Any]) -> dict[str, Any]:
    """name, description, due_days, dunning_days, fixed_due_date, checked."""
    due = check_days(values.get("due_days"), "dueDays")
    dunning_days = values.get("dunning_days")
    dunning = check_days(due if dunning_days is None else dunning_days, "dunningDays")
    return {
        "name": check_name(values.get("name")),
        "description": check_text(values.get("description"), "description"),
        "due_days": due,
        "dunning_days": dunning,
        "fixed_due_date": bool(values.get("fixed_due_date", False)),
    }


def check_texts(texts: Any) -> dict[str, dict[str, dict[str, str]]]:
    """{doc type: {de|en: {description, footer}}}; errors name ``texts.<TYPE>.<lang>...``."""
    if texts is None:
        return {}
    if not isinstance(texts, dict):
        raise ValidationFailed("documents.texts_not_an_object", field="texts")
    result: dict[str, dict[str, dict[str, str]]] = {}
    for doc_type, by_language in texts.items():
        if doc_type not in DocumentType.__members__:
            raise ValidationFailed(
                "documents.texts_unknown_document_type",
                field=f"texts.{doc_type}",
                doc_type=doc_type,
                types=", ".join(DocumentType),
            )
        if not isinstance(by_language, dict):
            raise ValidationFailed(
                "documents.texts_per_language_not_an_object", field=f"texts.{doc_type}"
            )
        result[doc_type] = {}
        for language, parts in by_language.items():
            at = f"texts.{doc_type}.{language}"
            if language not in {lang.value for lang in Language} or not isinstance(parts, dict):
                raise ValidationFailed("documents.texts_language_unknown", field=at, name=at)
            unknown = set(parts) - set(TEXT_KINDS)
            if unknown:
                raise ValidationFailed(
                    "documents.texts_unknown_text", field=at, name=at, text=sorted(unknown)[0]
                )
            result[doc_type][language] = {
                kind: check_text(parts.get(kind), f"{at}.{kind}", MAX_TEXT) for kind in TEXT_KINDS
            }
    return result


def check_sender(sender: dict[str, Any]) -> dict[str, Any]:
    """Sender columns: company_name, address_lines, vat_id, iban, bic, bank_name."""
    lines = sender.get("address_lines") or []
    if len(lines) > MAX_ADDRESS_LINES:
        raise ValidationFailed(
            "documents.too_many_address_lines",
            field="sender.addressLines",
            max=MAX_ADDRESS_LINES,
        )
    iban = "".join((sender.get("iban") or "").split()).upper()
    if iban and not _valid_iban(iban):
        raise ValidationFailed("documents.iban_invalid", field="sender.iban", iban=iban)
    bic = (sender.get("bic") or "").strip().upper()
    if bic and (len(bic) not in (8, 11) or not (bic.isascii() and bic.isalnum())):
        raise ValidationFailed("documents.bic_invalid", field="sender.bic")
    return {
        "company_name": check_text(sender.get("company_name"), "sender.companyName", MAX_LINE)
        or None,
        "address_lines": [
            check_text(line, f"sender.addressLines.{i}", MAX_LINE) for i, line in enumerate(lines)
        ],
        "vat_id": check_text(sender.get("vat_id"), "sender.vatId", 20) or None,
        "iban": iban or None,
        "bic": bic or None,
        "bank_name": check_text(sender.get("bank_name"), "sender.bankName", MAX_LINE) or None,
    }


def _valid_iban(iban: str) -> bool:
    if (
        not 15 <= len(iban) <= 34
        or not (iban.isascii() and iban.isalnum())
        or not iban[:2].isalpha()
    ):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
