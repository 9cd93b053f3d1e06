"""The shape of a chart of accounts and its tax class entries (seed 003 §3.1).

A chart is reference data: the accounts a new tenant starts with, the tax class entries
(3-digit codes that yield a rate) each account allows, and the accounts the posting rules
need (receivables, payables, input and output VAT per rate, self-assessed VAT for
intra-community acquisitions and reverse charge, private parts, currency differences).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from beleg.domain.errors import NotFound, ValidationFailed


class AccountType(StrEnum):
    """Seed 003 AccountDto.type: groups accounts, "no direct impact on bookings"."""

    REVENUE = "E"
    REVENUE_GASTRONOMY = "M"
    EXPENSE = "A"
    ASSET = "L"
    MISCELLANEOUS = "S"
    PAYMENT = "U"  # cash, bank and other means of payment; the targets of rebooks


REVENUE_TYPES = (AccountType.REVENUE, AccountType.REVENUE_GASTRONOMY)  # lines of sales
EXPENSE_TYPES = (AccountType.EXPENSE, AccountType.ASSET)  # lines of purchases


class Modifier(StrEnum):
    """Tax class modifiers for incoming-invoice lines (seed 003 §3.1, §7 item 14)."""

    INTRA_COMMUNITY_ACQUISITION = "IG"  # AT Art. 1 UStG-Binnenmarkt, DE § 1a UStG
    REVERSE_CHARGE = "RC"  # AT § 19 UStG, DE § 13b UStG


MODIFIER_NAMES = {
    Modifier.INTRA_COMMUNITY_ACQUISITION: (
        "Innergemeinschaftlicher Erwerb",
        "Intra-community acquisition",
    ),
    Modifier.REVERSE_CHARGE: ("Übergang der Steuerschuld (Reverse Charge)", "Reverse charge"),
}


@dataclass(frozen=True, slots=True)
class TaxEntry:
    """A tax class entry: ``code`` such as ``020`` and its rate in percent."""

    code: str
    name_de: str
    name_en: str
    rate: Decimal
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Account:
    """An account of the chart. ``tax_codes`` are the entries it allows, the default first;
    ``forced`` means only the default is allowed (seed 003 AccountDto.forcedTaxClass)."""

    code: str
    name: str
    account_type: AccountType
    tax_codes: tuple[str, ...] = ("000",)
    forced: bool = True

    @property
    def default_tax_code(self) -> str:
        return self.tax_codes[0]

    @classmethod
    def stored(
        cls, code: str, name: str, account_type: str, tax_codes: str, forced: bool
    ) -> Account:
        """An account as the ledger stores it (tax codes comma-separated, default first)."""
        return cls(code, name, AccountType(account_type), tuple(tax_codes.split(",")), forced)


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart of accounts with the accounts its posting rules use."""

    name: str
    country: str
    tax_entries: tuple[TaxEntry, ...]
    accounts: tuple[Account, ...]
    receivables: str
    payables: str
    input_vat: dict[str, str]  # tax code -> input VAT (Vorsteuer) account
    output_vat: dict[str, str]  # tax code -> output VAT (Umsatzsteuer) account
    self_assessed: dict[Modifier, tuple[str, str]]  # modifier -> (input VAT, output VAT)
    private_part: str
    private_accounts: tuple[str, ...]
    exchange_gain: str
    exchange_loss: str
    _by_code: dict[str, Account] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {a.code: a for a in self.accounts})
        codes = {e.code for e in self.tax_entries}
        for account in self.accounts:
            unknown = set(account.tax_codes) - codes
            if unknown:
                raise ValueError(f"{self.name} {account.code}: unknown tax codes {unknown}")
        named = [
            self.receivables,
            self.payables,
            self.private_part,
            self.exchange_gain,
            self.exchange_loss,
            *self.input_vat.values(),
            *self.output_vat.values(),
            *self.private_accounts,
            *(a for pair in self.self_assessed.values() for a in pair),
        ]
        missing = [code for code in named if code not in self._by_code]
        if missing:
            raise ValueError(f"{self.name}: rule accounts {missing} are not in the chart")

    def account(self, code: str) -> Account:
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFound(
                "ledger.account_not_in_chart", field="account", code=code, chart=self.name
            ) from None

    def tax_entry(self, code: str) -> TaxEntry:
        for entry in self.tax_entries:
            if entry.code == code:
                return entry
        raise ValidationFailed("ledger.tax_entry_unknown", field="taxEntry", code=code)


def revenue(
    code: str, name: str, *tax_codes: str, forced: bool = False, gastronomy: bool = False
) -> Account:
    """A revenue account; the first tax code is its default."""
    kind = AccountType.REVENUE_GASTRONOMY if gastronomy else AccountType.REVENUE
    return Account(code, name, kind, tax_codes, forced)


def expense(code: str, name: str, *tax_codes: str, forced: bool = False) -> Account:
    """An expense account; the first tax code is its default."""
    return Account(code, name, AccountType.EXPENSE, tax_codes, forced)


def tax_free(code: str, name: str, account_type: AccountType) -> Account:
    """An account that only takes ``000`` (wages, insurance, interest, tax-free revenue)."""
    return Account(code, name, account_type, ("000",), True)


def balance(code: str, name: str, account_type: AccountType = AccountType.MISCELLANEOUS) -> Account:
    """A balance-sheet account: no VAT of its own."""
    return Account(code, name, account_type, ("000",), True)
