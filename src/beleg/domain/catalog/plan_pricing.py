"""How a plan prices its options: what the charge calculation needs from the catalogue for
one contract (the option's kind, name and tax rate, the plan item's price versions, its free
quota and the pricing groups' maximum billable quantities)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from beleg.domain.catalog.options import OptionKind
from beleg.domain.catalog.pricing import PriceModel


@dataclass(frozen=True, slots=True)
class PriceVersion:
    """A price of a plan item effective from ``valid_from`` until the next version;
    ``label`` names it in a line's explanation."""

    valid_from: date
    model: PriceModel
    label: str


@dataclass(frozen=True, slots=True)
class OptionPricing:
    """One option of a plan. ``tax_rate`` is a percentage (19 for 19 %); ``max_quantity``
    maps a pricing group's code to the cap of this (time-based usage) option."""

    option: str
    name: str
    kind: OptionKind
    tax_rate: Decimal
    prices: tuple[PriceVersion, ...]
    quantity: Decimal = Decimal(1)
    free_quota: Decimal = Decimal(0)
    max_quantity: dict[str, Decimal] = field(default_factory=dict)
    # the option's tax exemption in the API's shape ({category, reason, vatexCode}): 0 %
    tax_exemption: Mapping[str, Any] | None = None

    def cap(self, pricing_group: str | None) -> Decimal | None:
        return None if pricing_group is None else self.max_quantity.get(pricing_group)
