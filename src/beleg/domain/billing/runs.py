"""What a billing run issues: its chunks of contracts, the documents their charges make, and
the unique key every billed line is written under (DESIGN.md "The billing engine").

- **Chunks**: contracts in the order (customer, contract), cut into chunks of about
  ``size`` contracts without splitting a customer, so that one invoice per customer is
  possible within one chunk's transaction.
- **Documents** (seed 000): one invoice per customer, currency, document date and billing
  group; with ``split_by_original_period`` also per billing period the service comes from.
  Credits make credit notes, grouped the same way.
- **Late usage**: a usage period whose quantity changed after it was billed shows as a credit
  of the billed line and a charge of the new quantity. ``CORRECTION`` issues both as they are
  (credit note and invoice). ``CARRY_OVER`` moves both onto the contract's next regular
  invoice, the credit as a negative line; with no regular invoice in the run they wait, unless
  the contract has no billing period left, then they are billed at once.
- **Nothing to bill**: a document whose every line is 0.00 (usage within its free quota
  alone, the credit of such a line when late usage changes it) is not issued: it would
  book nothing, and a journal needs amounts. Its lines stay unbilled, so that later runs
  compute them again and leave them again; a changed quantity is billed as a new line.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from beleg.domain.billing.charges import Charge
from beleg.domain.billing.documents import DocumentPreview, PreviewType, document_of
from beleg.domain.billing.groups import GroupRules, LateUsageHandling
from beleg.domain.billing.schedule import BilledLine
from beleg.money import Currency


class RunStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


CHUNK_SIZE = 500  # contracts per chunk (BELEG_BILLING_CHUNK_SIZE): one transaction, one block


def chunked(
    contracts: Iterable[tuple[uuid.UUID, uuid.UUID]], size: int = CHUNK_SIZE
) -> list[list[uuid.UUID]]:
    """Contract ids of (customer id, contract id) pairs in chunks of at least ``size``
    contracts (the last may be smaller), a customer's contracts always in one chunk."""
    chunks: list[list[uuid.UUID]] = []
    current: list[uuid.UUID] = []
    previous: uuid.UUID | None = None
    for customer, contract in sorted(contracts):
        if len(current) >= size and customer != previous:
            chunks.append(current)
            current = []
        current.append(contract)
        previous = customer
    if current:
        chunks.append(current)
    return chunks


@dataclass(frozen=True, slots=True)
class ContractCharges:
    """One contract's due charges in a run. ``open_ended``: it still has a billing period
    to come (not ended, no last day of service before the run's date)."""

    contract_id: uuid.UUID
    customer_id: uuid.UUID
    currency: Currency
    billing_group: str | None
    rules: GroupRules
    charges: tuple[Charge, ...]
    open_ended: bool


@dataclass(frozen=True, slots=True)
class PlannedLine:
    contract_id: uuid.UUID
    charge: Charge


@dataclass(frozen=True, slots=True)
class PlannedDocument:
    """A document the run issues: the preview's shape plus who it is for."""

    customer_id: uuid.UUID
    billing_group: str | None
    document: DocumentPreview
    contracts: tuple[uuid.UUID, ...]  # of each line, in line order


def billable(charges: ContractCharges) -> ContractCharges:
    """The contract's charges as the run bills them: late usage handled by the group's rule
    (module docstring), carried-over lines dated with the invoice they join."""
    if charges.rules.late_usage_handling is LateUsageHandling.CORRECTION:
        return charges
    late_keys = {
        (c.item_key, c.grid.start) for c in charges.charges if c.credit and c.kind.is_usage
    }
    late = [c for c in charges.charges if (c.item_key, c.grid.start) in late_keys]
    regular = [c for c in charges.charges if (c.item_key, c.grid.start) not in late_keys]
    invoice_dates = sorted(c.document_date for c in regular if not c.credit)
    if invoice_dates:
        day = invoice_dates[0]
    elif not charges.open_ended and late:
        day = max(c.document_date for c in late)
    else:
        return replace(charges, charges=tuple(regular))
    carried = [replace(c, document_date=day, carried=True) for c in late]
    return replace(charges, charges=tuple(regular + carried))


def plan_documents(contracts: Sequence[ContractCharges]) -> list[PlannedDocument]:
    """The documents of a chunk's contracts (module docstring), in (date, customer, type)
    order; lines keep each contract's charge order."""
    grouped: dict[_DocumentKey, list[PlannedLine]] = defaultdict(list)
    currencies: dict[str, Currency] = {}
    for contract in contracts:
        currencies[contract.currency.code] = contract.currency
        for charge in billable(contract).charges:
            key = _DocumentKey.of(contract, charge)
            grouped[key].append(PlannedLine(contract.contract_id, charge))
    planned = []
    for key in sorted(grouped):
        lines = grouped[key]
        if all(line.charge.net_amount == 0 for line in lines):
            continue  # nothing to bill (module docstring)
        kind = PreviewType.CREDIT_NOTE if key.credit_note else PreviewType.INVOICE
        charges = [line.charge for line in lines]
        document = document_of(charges, key.day, currencies[key.currency], kind)
        planned.append(
            PlannedDocument(
                uuid.UUID(key.customer),
                key.billing_group or None,
                document,
                tuple(line.contract_id for line in lines),
            )
        )
    return planned


@dataclass(frozen=True, slots=True, order=True)
class _DocumentKey:
    day: date
    credit_note: bool
    customer: str
    currency: str
    billing_group: str
    original_period: date  # date.min unless split by original billing period

    @classmethod
    def of(cls, contract: ContractCharges, charge: Charge) -> _DocumentKey:
        split = contract.rules.split_by_original_period
        return cls(
            charge.document_date,
            charge.credit and not charge.carried,
            str(contract.customer_id),
            contract.currency.code,
            contract.billing_group or "",
            charge.grid.start if split else date.min,
        )


def revisions(new: Sequence[Charge], billed: Sequence[BilledLine]) -> list[int]:
    """The revision of each new billed line: how many equal slices (item, period, variant,
    credit, first served day) are billed already, counting the new ones before it. Two runs
    computing the same charge give it the same revision; the unique key lets one of them
    write it (tables/billing.py)."""
    seen: Counter[tuple[object, ...]] = Counter(_slice(line) for line in billed)
    result = []
    for charge in new:
        key: tuple[object, ...] = (
            charge.item_key,
            charge.grid.start,
            charge.variant,
            charge.credit,
            charge.service.start,
        )
        result.append(seen[key])
        seen[key] += 1
    return result


def _slice(line: BilledLine) -> tuple[object, ...]:
    return (line.item_key, line.grid.start, line.variant, line.credit, line.served.start)


def billed_line_of(charge: Charge) -> BilledLine:
    """The billed line a charge becomes once issued (a carried-over credit is still a
    credit: it takes its days back)."""
    return BilledLine(
        item_key=charge.item_key,
        option=charge.option,
        description=charge.description,
        kind=charge.kind,
        grid=charge.grid,
        served=charge.service,
        variant=charge.variant,
        base_amount=charge.base_amount,
        quantity=charge.quantity,
        unit_price=charge.unit_price,
        net_amount=charge.net_amount,
        tax_rate=charge.tax_rate,
        credit=charge.credit,
    )
