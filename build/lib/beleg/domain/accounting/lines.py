"""Lines of cash-based invoices: tax class resolution and amounts (seed 003 §3.1, §3.3).

A line's ``amount`` is a money amount of type N (net) or T (total incl. tax), at most 5
decimals. Its tax class entry comes from the line or the account's default and must be one the
account allows (only the default when the account forces it). Amounts are rounded half-up
per line to the invoice currency; invoice totals are the sums of the rounded lines.

Lines with a tax class modifier (intra-community acquisition, reverse charge) are net lines
(``amountType`` N): the supplier charges no VAT, so the line's tax is 0 and the buyer
self-assesses ``self_assessed_tax`` (booked as output and input VAT by the posting rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from beleg.domain.amounts import check_amount
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.books import TenantBooks
from beleg.domain.ledger.charts import (
    EXPENSE_TYPES,
    REVENUE_TYPES,
    Account,
    AccountType,
    Chart,
    Modifier,
)
from beleg.domain.ledger.tax import AmountType, line_amounts, parse_amount_type, resolve_tax_entry
from beleg.money import Currency, round_to_currency

HUNDRED = Decimal(100)


class Direction(StrEnum):
    """Incoming invoices are expenses (ER numbers), outgoing invoices income (AR numbers)."""

    INCOMING = "IN"
    OUTGOING = "OUT"

    @property
    def line_account_types(self) -> tuple[AccountType, ...]:
        return EXPENSE_TYPES if self is Direction.INCOMING else REVENUE_TYPES


@dataclass(frozen=True, slots=True)
class LineInput:
    """A line as the client sent it."""

    account: str
    amount: Decimal
    amount_type: str
    tax_entry: str | None = None
    description: str | None = None
    private_part: Decimal | None = None
    private_part_type: str | None = None
    private_part_account: str | None = None
    modifier: str | None = None
    additional_sequence: str | None = None
    given: dict[str, Decimal | None] | None = None  # netAmount/taxAmount/totalAmount sent


@dataclass(frozen=True, slots=True)
class Line:
    """A resolved line: tax class, rate and rounded amounts in the invoice currency."""

    source: LineInput
    amount_type: AmountType
    tax_entry: str
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    modifier: Modifier | None = None
    self_assessed_tax: Decimal = Decimal(0)
    private_total: Decimal = Decimal(0)  # the private share of ``total``
    private_account: str | None = None


def resolve_line(
    item: LineInput,
    *,
    index: int,
    direction: Direction,
    chart: Chart,
    accounts: Mapping[str, Account],
    currency: Currency,
) -> Line:
    """Validate one line and compute its amounts; ``index`` is 0-based (for field names)."""
    prefix = f"lines[{index}]"
    account = _line_account(item.account, accounts, direction, prefix)
    amount = check_amount(item.amount, f"{prefix}.amount")
    if amount < 0:
        raise ValidationFailed(
            "accounting.line_amount_negative", field=f"{prefix}.amount", name=f"{prefix}.amount"
        )
    code = resolve_tax_entry(account, item.tax_entry, f"{prefix}.taxEntry")
    entry = chart.tax_entry(code)
    modifier = _modifier(item, entry.modifiers, direction, prefix)
    kind = parse_amount_type(item.amount_type, f"{prefix}.amountType")
    if modifier is not None:
        if kind is not AmountType.NET:
            raise ValidationFailed(
                "accounting.modifier_needs_net",
                field=f"{prefix}.amountType",
                name=f"{prefix}.amountType",
            )
        net = round_to_currency(amount, currency)
        self_assessed = round_to_currency(net * entry.rate / HUNDRED, currency)
        line = Line(item, kind, code, entry.rate, net, Decimal(0), net, modifier, self_assessed)
    else:
        amounts = line_amounts(amount, kind, entry.rate, currency)
        line = Line(item, kind, code, entry.rate, amounts.net, amounts.tax, amounts.total)
    check_given(
        item.given or {},
        {"netAmount": line.net, "taxAmount": line.tax, "totalAmount": line.total},
        prefix=f"{prefix}.",
    )
    return _with_private_part(
        line, direction, chart=chart, accounts=accounts, currency=currency, prefix=prefix
    )


def resolve_lines(
    books: TenantBooks, items: Sequence[LineInput], direction: Direction, currency: Currency
) -> tuple[Line, ...]:
    """Every line of an invoice resolved against the tenant's chart; at least one."""
    if not items:
        raise ValidationFailed("accounting.lines_required", field="lines")
    return tuple(
        resolve_line(
            item,
            index=i,
            direction=direction,
            chart=books.chart,
            accounts=books.accounts,
            currency=currency,
        )
        for i, item in enumerate(items)
    )


def check_given(
    given: dict[str, Decimal | None], computed: dict[str, Decimal], *, prefix: str = ""
) -> None:
    """Amounts a client sends along must equal what the server computes (they are never
    taken over): a mismatch names the field, the expected and the given value."""
    for name, value in given.items():
        if value is not None and value != computed[name]:
            raise ValidationFailed(
                "accounting.amount_mismatch",
                field=f"{prefix}{name}",
                name=f"{prefix}{name}",
                given=value,
                computed=computed[name],
            )


def _line_account(
    code: str, accounts: Mapping[str, Account], direction: Direction, prefix: str
) -> Account:
    account = accounts.get(code)
    if account is None:
        raise ValidationFailed(
            "accounting.line_account_unknown", field=f"{prefix}.account", code=code
        )
    if account.account_type not in direction.line_account_types:
        raise ValidationFailed(
            "accounting.line_account_type_incoming"
            if direction is Direction.INCOMING
            else "accounting.line_account_type_outgoing",
            field=f"{prefix}.account",
            code=code,
            account_type=account.account_type.value,
            kinds="/".join(t.value for t in direction.line_account_types),
        )
    return account


def _modifier(
    item: LineInput, allowed: tuple[Modifier, ...], direction: Direction, prefix: str
) -> Modifier | None:
    if item.modifier in (None, ""):
        return None
    field = f"{prefix}.taxEntryModifier"
    if direction is Direction.OUTGOING:  # seed 003 §7 item 14: incoming invoices only
        raise ValidationFailed("accounting.modifier_incoming_only", field=field)
    if item.modifier not in {m.value for m in allowed}:
        raise ValidationFailed(
            "accounting.modifier_unavailable",
            field=field,
            modifier=item.modifier,
            available=", ".join(m.value for m in allowed) or "none",
        )
    return Modifier(item.modifier)


def _with_private_part(
    line: Line,
    direction: Direction,
    *,
    chart: Chart,
    accounts: Mapping[str, Account],
    currency: Currency,
    prefix: str,
) -> Line:
    """Seed 003 §3.1 / §7 item 13: the private share of a line (P percent, A amount) is booked
    to a private account; invoice totals are unchanged."""
    item = line.source
    if item.private_part is None and not item.private_part_type:
        return line
    field = f"{prefix}.privatePart"
    if direction is Direction.OUTGOING:
        raise ValidationFailed("accounting.private_part_incoming_only", field=field)
    if item.private_part is None or item.private_part_type not in ("P", "A"):
        raise ValidationFailed("accounting.private_part_type", field=f"{prefix}.privatePartType")
    part = check_amount(item.private_part, field)
    limit = HUNDRED if item.private_part_type == "P" else line.total
    if not 0 <= part <= limit:
        raise ValidationFailed("accounting.private_part_range", field=field, limit=limit)
    account = item.private_part_account or chart.private_part
    if account not in chart.private_accounts or account not in accounts:
        raise ValidationFailed(
            "accounting.private_part_account", field=f"{prefix}.privatePartAccount", code=account
        )
    share = (
        round_to_currency(line.total * part / HUNDRED, currency)
        if item.private_part_type == "P"
        else round_to_currency(part, currency)
    )
    return replace(line, private_total=share, private_account=account)
