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
        raise ValidationFailed(
            "a document needs at least one line",
            de="Ein Beleg braucht mindestens eine Zeile",
            field="lines",
        )
    for spec in specs:
        _check_given_line(spec, currency)
    if normalize or not validate:
        lines = [Amounts(*spec.given) for spec in specs]  # type: ignore[arg-type]
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


def _check_given_line(spec: LineSpec, currency: Currency) -> None:
    _require(spec.given, AMOUNT_FIELDS, spec.prefix + ".")
    for name, value in zip(AMOUNT_FIELDS, spec.given, strict=True):
        if not has_at_most_places(value, currency.minor_units):  # type: ignore[arg-type]
            raise ValidationFailed(
                f"{spec.prefix}.{name} {value} has more than {currency.minor_units} decimals",
                de=f"{spec.prefix}.{name} {value} hat mehr als {currency.minor_units} "
                "Nachkommastellen",
                field=f"{spec.prefix}.{name}",
            )
    net, tax, total = spec.given
    if net + tax != total:  # type: ignore[operator]
        raise ValidationFailed(
            f"{spec.prefix}.totalPrice {total} must be netPrice + taxPrice = {net + tax}",  # type: ignore[operator]
            de=f"{spec.prefix}.totalPrice muss netPrice + taxPrice sein",
            field=f"{spec.prefix}.totalPrice",
        )


def _require(values: tuple[Decimal | None, ...], names: tuple[str, ...], prefix: str) -> None:
    for name, value in zip(names, values, strict=True):
        if value is None:
            raise ValidationFailed(
                f"{prefix}{name} is required",
                de=f"{prefix}{name} ist erforderlich",
                field=prefix + name,
            )


def _compare(
    prefix: str,
    names: tuple[str, ...],
    expected: tuple[Decimal, ...],
    given: tuple[Decimal | None, ...],
) -> None:
    for name, want, got in zip(names, expected, given, strict=True):
        if got is not None and got != want:
            raise ValidationFailed(
                f"{prefix}{name} is {got} but computes to {want}",
                de=f"{prefix}{name} ist {got}, berechnet wird {want}",
                field=prefix + name,
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
        field = "itemPrice" if spec.item_price is None else "itemPriceType"
        raise ValidationFailed(
            f"{spec.prefix}.{field} is required without an item",
            de=f"{spec.prefix}.{field} ist ohne Artikel erforderlich",
            field=f"{spec.prefix}.{field}",
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
            f"{spec.prefix}.discount {spec.discount} must be between 0 and the line amount",
            de=f"{spec.prefix}.discount muss zwischen 0 und dem Zeilenbetrag liegen",
            field=f"{spec.prefix}.discount",
        )
    amounts = line_amounts(base - off, spec.item_price_type, spec.tax_rate, currency)
    return _signed(spec, Amounts(amounts.net, amounts.tax, amounts.total))


def total_line(spec: LineSpec, eligible_net: Decimal, currency: Currency) -> Amounts:
    """A total discount or surcharge over the regular lines of the same tax rate."""
    if spec.discount_mode is DiscountMode.RATE:
        if eligible_net == 0:
            raise ValidationFailed(
                f"{spec.prefix}: no regular line has the tax rate {spec.tax_rate} % this "
                "total discount or surcharge applies to",
                de=f"{spec.prefix}: keine Zeile hat den Steuersatz {spec.tax_rate} %",
                field=f"{spec.prefix}.taxClassEntry",
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
    _require(given_totals, TOTAL_FIELDS, "")
    wanted = Amounts(*given_totals)  # type: ignore[arg-type]
    if wanted.net + wanted.tax != wanted.total:
        raise ValidationFailed(
            "totalAmount must be netAmount + taxAmount",
            de="totalAmount muss netAmount + taxAmount sein",
            field="totalAmount",
        )
    for name, value in zip(TOTAL_FIELDS, wanted.values(), strict=True):
        if round_to_currency(value, currency) != value:
            raise ValidationFailed(
                f"{name} {value} has too many decimals",
                de=f"{name} {value} hat zu viele Nachkommastellen",
                field=name,
            )
    last = max(i for i, spec in enumerate(specs) if spec.line_type.counted)
    adjusted = list(lines)
    adjusted[last] = lines[last] + (wanted - totals)
    return adjusted, wanted
