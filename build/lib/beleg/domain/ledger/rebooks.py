"""Rebooks (Umbuchungen, seed 003 §3.7): a tax-free U journal moving an amount from one
account (``account``, credited) to another (``contraAccount``, debited).

Which accounts a rebook type may use (seed ``GET /accounts/rebook_accounts?type=`` and
``/accounts/{a}/rebook_contra_accounts``):
- REBOOK moves money between balance-sheet accounts: means of payment (U), assets (L) and
  miscellaneous balance accounts (S: private, receivables, payables, VAT);
- CORRECTION, FINALIZATION (closing entries) and BALANCE (opening balances) may use any
  account.
The two accounts must differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.charts import Account, AccountType
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.money import Currency

BALANCE_SHEET = (AccountType.PAYMENT, AccountType.ASSET, AccountType.MISCELLANEOUS)


class RebookType(StrEnum):
    REBOOK = "REBOOK"
    CORRECTION = "CORRECTION"
    FINALIZATION = "FINALIZATION"
    BALANCE = "BALANCE"


def rebook_type(value: str) -> RebookType:
    try:
        return RebookType(value)
    except ValueError:
        allowed = ", ".join(t.value for t in RebookType)
        raise ValidationFailed(
            "ledger.rebook_type_unknown", field="type", allowed=allowed, value=value
        ) from None


@dataclass(frozen=True, slots=True)
class Rebook:
    """A posted rebook: ``amount`` (main currency) moved from ``account`` to
    ``contra_account`` by the U journal ``number``."""

    number: str
    rebook_type: RebookType
    account: str
    contra_account: str
    amount: Decimal
    booking_date: date
    description: str
    reference: str
    currency: str


def rebook_journal(
    *,
    account: str,
    contra_account: str,
    amount: Decimal,
    booking_date: date,
    description: str,
    main: Currency,
) -> JournalDraft:
    """The tax-free U journal of a rebook, in the main currency: ``contra_account`` debited,
    ``account`` credited."""
    return JournalDraft(
        JournalType.REBOOK,
        booking_date,
        main,
        (Posting(contra_account, amount), Posting(account, -amount)),
        description=description,
    )


def allowed(kind: RebookType, account: Account) -> bool:
    """Whether ``account`` may take part in a rebook of ``kind``."""
    return kind is not RebookType.REBOOK or account.account_type in BALANCE_SHEET


def check_pair(
    kind: RebookType, account: Account | None, contra: Account | None, codes: tuple[str, str]
) -> None:
    """Both accounts exist, differ and are allowed for ``kind``."""
    for value, code, field in ((account, codes[0], "account"), (contra, codes[1], "contraAccount")):
        if value is None:
            raise ValidationFailed("ledger.account_unknown", field=field, code=code)
        if not allowed(kind, value):
            raise ValidationFailed(
                "ledger.account_not_for_rebook",
                code=code,
                type=value.account_type.value,
                kind=kind.value,
                field=field,
            )
    if codes[0] == codes[1]:
        raise ValidationFailed(
            "ledger.rebook_same_accounts",
            field="contraAccount",
        )
