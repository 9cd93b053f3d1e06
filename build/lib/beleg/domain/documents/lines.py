"""Line and document amounts of sales documents (seed 003 §3.4, §7 items 16 and 20).

A regular line is ``itemPrice x amount`` less its discount; the price is net (N) or gross (T).
Discounts: RATE is percent of the line, CONSTANT an absolute net amount, CONSTANT_TOTAL an
absolute gross amount. Net lines round net half-up to the currency and compute the tax on the
rounded net; gross lines round the total and derive the net (``domain.ledger.tax``).

A TOTAL_DISCOUNT or TOTAL_SURCHARGE line applies to the regular lines of its own tax rate (so
the VAT of every rate stays exact; one such line per rate): RATE is percent of their net sum,
CONSTANT a net and CONSTANT_TOTAL a gross amount. Prepayment lines (CASH_IN_CM, ON_ACCT) and
total discounts are subtracted; OFFER_OPTION lines are shown but not counted.

Validation (FINALIZED and EXTERNAL documents): every given line amount must equal the computed
one and the document totals the sums of the counted lines; a mismatch names the line, the
expected and the given value. ``normalizeRoundingErrors`` takes the client's line amounts and
document totals as they are and pushes the difference into the last counted line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from beleg.domain.documents.model import DiscountMode, LineType
from beleg.domain.errors import ValidationFailed
from beleg.domain.ledger.tax import AmountType, line_amounts
from beleg.money import Currency, has_at_most_places, round_to_currency

HUNDRED = Decimal(100)
AMOUNT_FIELDS = ("netPrice", "taxPrice", "totalPrice")
TOTAL_FIELDS = ("netAmount", "taxAmount", "totalAmount")


@dataclass(frozen=True, slots=True)
class LineSpec:
    """A line after item defaulting: what its amounts are computed from."""

    index: int
    line_type: LineType
    quantity: Decimal
    item_price: Decimal | None
    item_price_type: AmountType | None
    discount: Decimal
    discount_mode: DiscountMode
    tax_rate: Decimal  # percent
    given: tuple[Decimal | None, Decimal | None, Decimal | None]  # net, tax, total
    fixed: Amounts | None = None  # amounts set by another document (a deposit settled)

    @property
    def prefix(self) -> str:
        return f"lines[{self.index}]"


@dataclass(frozen=True, slots=True)
class Amounts:
    """Signed amounts in the document currency (prepayments and discounts negative)."""

    net: Decimal
    tax: Decimal
    total: Decimal

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.net + other.net, self.tax + other.tax, self.total + other.total)

    def __sub__(self, other: Amounts) -> Amounts:
        return Amounts(self.net - other.net, self.tax - other.tax, self.total - other.total)

    def values(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.net, self.tax, self.total)


ZERO = Amounts(Decimal(0), Decimal(0), Decimal(0))


@dataclass(frozen=True, slots=True)
class ItemDefaults:
    """What a line takes from its catalogue item when item defaulting is on."""

    name: str
    description: str | None
    number: str | None
    unit_of_measure: str | None
    account: str
    tax_class_entry: str
    selling_price: Decimal
    amount_type: str  # N or T


@dataclass(frozen=True, slots=True)
class DocumentAmounts:
    lines: list[Amounts]
    totals: Amounts


def compute_document(
    specs: list[LineSpec],
    currency: Currency,
    *,
    validate: bool,
    normalize: bool,
    given_totals: tuple[Decimal | None, ...],
) -> DocumentAmounts:
    """Amounts of every line and of the document (see the module docstring).

    ``validate`` is set for FINALIZED and EXTERNAL documents; STAGING drafts keep the given
    line amounts unchecked. Amounts have the currency's minor units at most.
    """
    if not specs:
        raise ValidationFailed("documents.no_lines", field="lines")
    given = [_check_given_line(spec, currency) for spec in specs]
    if normalize or not validate:
        lines = given
    else:
        lines = _computed_lines(specs, currency)
        for spec, amounts in zip(specs, lines, strict=True):
            _compare(spec.prefix + ".", AMOUNT_FIELDS, amounts.values(), spec.given)
    totals = _sum(specs, lines)
    if normalize:
        lines, totals = _normalized(specs, lines, totals, given_totals, currency)
    elif validate:
        _require(given_totals, TOTAL_FIELDS, "")
        _compare("", TOTAL_FIELDS, totals.values(), given_totals)
    return DocumentAmounts(lines, totals)


def _check_given_line(spec: LineSpec, currency: Currency) -> Amounts:
    """The line's given amounts: all three present, in minor units, total = net + tax."""
    net, tax, total = _require(spec.given, AMOUNT_FIELDS, spec.prefix + ".")
    for name, value in zip(AMOUNT_FIELDS, (net, tax, total), strict=True):
        if not has_at_most_places(value, currency.minor_units):
            raise ValidationFailed(
                "documents.line_amount_too_many_decimals",
                field=f"{spec.prefix}.{name}",
                name=f"{spec.prefix}.{name}",
                value=value,
                places=currency.minor_units,
            )
    if net + tax != total:
        raise ValidationFailed(
            "documents.line_total_not_sum",
            field=f"{spec.prefix}.totalPrice",
            name=f"{spec.prefix}.totalPrice",
            total=total,
            expected=net + tax,
        )
    return Amounts(net, tax, total)


def _require(
    values: tuple[Decimal | None, ...], names: tuple[str, ...], prefix: str
) -> tuple[Decimal, Decimal, Decimal]:
    """The three ``values``, each required (a 400 naming the first one missing)."""
    present = []
    for name, value in zip(names, values, strict=True):
        if value is None:
            raise ValidationFailed("documents.required", field=prefix + name, name=prefix + name)
        present.append(value)
    first, second, third = present
    return first, second, third


def _compare(
    prefix: str,
    names: tuple[str, ...],
    expected: tuple[Decimal, ...],
    given: tuple[Decimal | None, ...],
) -> None:
    for name, want, got in zip(names, expected, given, strict=True):
        if got is not None and got != want:
            raise ValidationFailed(
                "documents.amount_mismatch",
                field=prefix + name,
                name=prefix + name,
                given=got,
                expected=want,
            )


def _sum(specs: list[LineSpec], lines: list[Amounts]) -> Amounts:
    total = ZERO
    for spec, amounts in zip(specs, lines, strict=True):
        if spec.line_type.counted:
            total += amounts
    return total


def _computed_lines(specs: list[LineSpec], currency: Currency) -> list[Amounts]:
    regular = {
        spec.index: regular_line(spec, currency)
        for spec in specs
        if spec.line_type not in (LineType.TOTAL_DISCOUNT, LineType.TOTAL_SURCHARGE)
    }
    net_by_rate: dict[Decimal, Decimal] = {}
    for spec in specs:
        if spec.line_type is LineType.LINE:
            net_by_rate[spec.tax_rate] = (
                net_by_rate.get(spec.tax_rate, Decimal(0)) + regular[spec.index].net
            )
    return [
        regular[spec.index]
        if spec.index in regular
        else total_line(spec, net_by_rate.get(spec.tax_rate, Decimal(0)), currency)
        for spec in specs
    ]


def regular_line(spec: LineSpec, currency: Currency) -> Amounts:
    """``itemPrice x amount`` less the discount, signed by the line type."""
    if spec.fixed is not None:
        return spec.fixed
    if spec.item_price is None or spec.item_price_type is None:
        missing = "itemPrice" if spec.item_price is None else "itemPriceType"
        raise ValidationFailed(
            "documents.price_required_without_item",
            field=f"{spec.prefix}.{missing}",
            name=f"{spec.prefix}.{missing}",
        )
    base = spec.item_price * spec.quantity
    factor = 1 + spec.tax_rate / HUNDRED
    gross = spec.item_price_type is AmountType.TOTAL
    if spec.discount_mode is DiscountMode.RATE:
        off = base * spec.discount / HUNDRED
    elif spec.discount_mode is DiscountMode.CONSTANT:
        off = spec.discount * factor if gross else spec.discount
    else:
        off = spec.discount if gross else spec.discount / factor
    if off > base or spec.discount < 0:
        raise ValidationFailed(
            "documents.discount_out_of_range",
            field=f"{spec.prefix}.discount",
            name=f"{spec.prefix}.discount",
            discount=spec.discount,
        )
    amounts = line_amounts(base - off, spec.item_price_type, spec.tax_rate, currency)
    return _signed(spec, Amounts(amounts.net, amounts.tax, amounts.total))


def total_line(spec: LineSpec, eligible_net: Decimal, currency: Currency) -> Amounts:
    """A total discount or surcharge over the regular lines of the same tax rate."""
    if spec.discount_mode is DiscountMode.RATE:
        if eligible_net == 0:
            raise ValidationFailed(
                "documents.no_line_with_tax_rate",
                field=f"{spec.prefix}.taxClassEntry",
                name=spec.prefix,
                rate=spec.tax_rate,
            )
        amounts = line_amounts(
            eligible_net * spec.discount / HUNDRED, AmountType.NET, spec.tax_rate, currency
        )
    else:
        kind = (
            AmountType.TOTAL
            if spec.discount_mode is DiscountMode.CONSTANT_TOTAL
            else AmountType.NET
        )
        amounts = line_amounts(spec.discount, kind, spec.tax_rate, currency)
    return _signed(spec, Amounts(amounts.net, amounts.tax, amounts.total))


def _signed(spec: LineSpec, amounts: Amounts) -> Amounts:
    if spec.line_type.sign > 0:
        return amounts
    return Amounts(-amounts.net, -amounts.tax, -amounts.total)


def _normalized(
    specs: list[LineSpec],
    lines: list[Amounts],
    totals: Amounts,
    given_totals: tuple[Decimal | None, ...],
    currency: Currency,
) -> tuple[list[Amounts], Amounts]:
    """The client's totals are authoritative; their difference lands in the last counted line
    (seed 003 BizDoc.normalizeRoundingErrors)."""
    wanted = Amounts(*_require(given_totals, TOTAL_FIELDS, ""))
    if wanted.net + wanted.tax != wanted.total:
        raise ValidationFailed("documents.total_amount_not_sum", field="totalAmount")
    for name, value in zip(TOTAL_FIELDS, wanted.values(), strict=True):
        if round_to_currency(value, currency) != value:
            raise ValidationFailed(
                "documents.total_too_many_decimals", field=name, name=name, value=value
            )
    last = max(i for i, spec in enumerate(specs) if spec.line_type.counted)
    adjusted = list(lines)
    adjusted[last] = lines[last] + (wanted - totals)
    return adjusted, wanted
