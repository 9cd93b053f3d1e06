"""What a contract costs: its prices at a date, the documents the billing run will create for
it up to a date (the preview, computed by the same calculation the run uses), and the credit a
termination causes.

The billed side of "desired - billed" is the lines of the documents billing runs issue; no
billing run exists yet (the usage and billing-run issue builds it), so no contract has billed
lines and no usage is recorded: the preview shows every period since the start and a
termination has nothing to credit. Both are computed, not assumed, and change with the first
billed line.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import contracts as contracts_db
from beleg.db import plans as plans_db
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.domain.billing.charges import due_charges
from beleg.domain.billing.contract_schedule import ItemPrice, Pricing, prices_at, schedule_for
from beleg.domain.billing.documents import DocumentPreview, documents_for
from beleg.domain.billing.schedule import BilledLine, price_versions
from beleg.domain.catalog.options import Option
from beleg.domain.catalog.plan_pricing import OptionPricing
from beleg.domain.catalog.plans import Plan, PlanItem
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.contracts.records import Contract, ItemStatus
from beleg.domain.errors import ValidationFailed
from beleg.money import Currency
from beleg.services.contracts.contracts import business_today
from beleg.services.contracts.terminations import Correction

NOT_BILLED: Sequence[BilledLine] = ()  # until billing runs write billed lines


def preview(
    *, db: Database, tenant_id: uuid.UUID, contract_id: uuid.UUID, until: date, clock: Clock
) -> list[DocumentPreview]:
    """The documents due for the contract up to ``until`` (none for a cancelled one)."""
    with db.transaction() as session:
        contract = contracts_db.load(session, tenant_id, contract_id)
        if contract.status is ContractStatus.CANCELLED:
            return []
        schedule = schedule_for(contract, pricing_of(session, tenant_id, contract))
        today = business_today(session, tenant_id, clock)
        charges = due_charges(schedule, billed=NOT_BILLED, usage={}, today=today, until=until)
        return documents_for(charges, schedule.currency)


def prices(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    at: date,
    status: ItemStatus | None,
) -> tuple[Contract, tuple[ItemPrice, ...]]:
    """The prices of the items current on ``at`` (only those in ``status``, if given)."""
    with db.transaction() as session:
        contract = contracts_db.load(session, tenant_id, contract_id)
        found = prices_at(contract, pricing_of(session, tenant_id, contract), at)
        return contract, tuple(p for p in found if status is None or p.item.status is status)


def termination_correction(
    session: Session, tenant_id: uuid.UUID, contract: Contract, today: date
) -> Correction:
    """The credit for days billed beyond the terminated contract's end. Issuing it as a
    credit note needs billed lines to credit; with none (see above) nothing is issued."""
    schedule = schedule_for(contract, pricing_of(session, tenant_id, contract))
    horizon = max(today, contract.end or today)
    credits = [
        charge
        for charge in due_charges(schedule, billed=NOT_BILLED, usage={}, today=today, until=horizon)
        if charge.credit
    ]
    amount = sum((c.net_amount for c in credits), Decimal(0))
    amount = amount.quantize(Currency.of(contract.frame.currency).quantum)
    return Correction(would_create=bool(credits), net_amount=amount)


def pricing_of(session: Session, tenant_id: uuid.UUID, contract: Contract) -> Pricing:
    """How the plans of the contract's item versions price their options."""
    plans = [
        plans_db.find_plan(session, tenant_id=tenant_id, code=code)
        for code in sorted({item.plan for item in contract.items})
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
