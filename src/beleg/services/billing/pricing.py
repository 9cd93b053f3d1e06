"""How the plans of contracts price their options, as the charge calculation takes it: per
(plan code, option code), the option's kind, VAT rate, price versions, quantity, free quota and
the pricing groups' caps. Read once per contract (preview) or once per chunk of contracts
(billing run): one query per plan and one for the options, whatever the number of contracts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from beleg.db import Session
from beleg.db import plans as plans_db
from beleg.db.ledger import load_books
from beleg.domain.billing.contract_schedule import Pricing
from beleg.domain.billing.schedule import price_versions
from beleg.domain.catalog.options import Option, exemption_document
from beleg.domain.catalog.plan_pricing import OptionPricing
from beleg.domain.catalog.plans import Plan, PlanItem
from beleg.domain.contracts.records import Contract
from beleg.domain.errors import ValidationFailed


def pricing_of(session: Session, tenant_id: uuid.UUID, contract: Contract) -> Pricing:
    """How the plans of the contract's item versions price their options."""
    return pricing_for(session, tenant_id, {item.plan for item in contract.items})


def pricing_for(session: Session, tenant_id: uuid.UUID, plan_codes: Iterable[str]) -> Pricing:
    """How the plans ``plan_codes`` price their options."""
    plans = [
        plans_db.find_plan(session, tenant_id=tenant_id, code=code)
        for code in sorted(set(plan_codes))
    ]
    found = [plan for plan in plans if plan is not None]
    codes = {item.option for plan in found for item in plan.items}
    options = plans_db.options_by_code(session, tenant_id=tenant_id, codes=codes)
    rates = _tax_rates(session, tenant_id, options.values())
    return {
        (plan.code, item.option): _option_pricing(plan, item, options[item.option], rates)
        for plan in found
        for item in plan.items
    }


def _option_pricing(
    plan: Plan, item: PlanItem, option: Option, rates: dict[str, Decimal]
) -> OptionPricing:
    caps = {
        group.code: group.max_quantity[option.code]
        for group in plan.pricing_groups
        if option.code in group.max_quantity
    }
    return OptionPricing(
        option=option.code,
        name=option.name,
        kind=option.kind,
        tax_rate=rates[option.code],
        prices=price_versions(item.prices),
        quantity=item.quantity or Decimal(1),
        free_quota=item.free_quota or Decimal(0),
        max_quantity=caps,
        tax_exemption=exemption_document(option.tax_exemption),
    )


def _tax_rates(
    session: Session, tenant_id: uuid.UUID, options: Iterable[Option]
) -> dict[str, Decimal]:
    """Each option's VAT rate in percent: 0 when exempt, its own rate, or the rate of its
    tax class entry in the tenant's chart (seed 003 tax classes such as ``020``)."""
    rates: dict[str, Decimal] = {}
    books = None
    for option in options:
        if option.tax_exemption is not None:
            rates[option.code] = Decimal(0)
        elif option.tax_rate is not None:
            rates[option.code] = option.tax_rate
        elif option.tax_class is not None:
            books = books or load_books(session, tenant_id)
            rates[option.code] = books.chart.tax_entry(option.tax_class).rate
        else:
            raise ValidationFailed(
                "billing.option_without_tax", field="taxRate", option=option.code
            )
    return rates
