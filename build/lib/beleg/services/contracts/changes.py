"""Changes to a running contract: its data and items (PATCH), the service cycle
(Leistungszyklus, seed 002), pauses, and plan changes at a date (seed 001). One transaction
each, audited, with a ``contract.updated`` event carrying ``oldContract``.

Item changes never rewrite what was billed: the charge calculation compares the new desired
state with the billed lines and charges or credits the difference.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import contracts as repo
from beleg.db.database import Database
from beleg.domain.contracts import items as rules
from beleg.domain.contracts.lifecycle import ContractStatus
from beleg.domain.contracts.records import Contract, ContractItem, Pause, ServiceCycleChange
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor
from beleg.services.contracts.contracts import business_today, save

ONE_DAY = timedelta(days=1)
CHANGEABLE = (ContractStatus.DRAFT, ContractStatus.ACTIVE, ContractStatus.TERMINATED)


def update_contract(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    fields: dict[str, str | None],
    items: tuple[rules.ItemChange, ...],
    clock: Clock,
) -> Contract:
    """Change the contract's data (``fields``: billingGroup, invoiceRecipientEmail,
    internalIdentifier) and items (status: hold or release; text; special price; discount)."""
    rules.check_length(fields.get("billingGroup"), "billingGroup", 50)
    rules.check_length(fields.get("internalIdentifier"), "internalIdentifier", 100)
    rules.check_email(fields.get("invoiceRecipientEmail"))
    with db.transaction() as session:
        before = _changeable(repo.load(session, tenant_id, contract_id, lock=True))
        today = business_today(session, tenant_id, clock)
        in_place, split = _item_changes(before, items, today)
        contract = replace(
            before,
            billing_group=fields.get("billingGroup", before.billing_group),
            invoice_recipient_email=fields.get(
                "invoiceRecipientEmail", before.invoice_recipient_email
            ),
            internal_identifier=fields.get("internalIdentifier", before.internal_identifier),
            items=_merged(before.items, in_place, split, today),
            updated_at=clock.now(),
        )
        repo.replace_items(session, tenant_id=tenant_id, items=in_place)
        repo.end_items(
            session,
            tenant_id=tenant_id,
            item_ids=[old.id for old, _ in split],
            served_to=today - ONE_DAY,
        )
        repo.insert_items(
            session,
            tenant_id=tenant_id,
            contract_id=contract_id,
            items=[new for _, new in split],
            now=clock.now(),
        )
        save(
            session,
            before,
            contract,
            "contract.updated",
            actor=actor,
            tenant_id=tenant_id,
            clock=clock,
        )
        return contract


def _changeable(contract: Contract) -> Contract:
    if contract.status not in CHANGEABLE:
        raise Conflict("contracts.not_changeable", field="status", status=contract.status.value)
    return contract


def _find_item(contract: Contract, item_id: uuid.UUID, index: int) -> ContractItem:
    item = next((i for i in contract.items if i.id == item_id), None)
    if item is None:
        raise ValidationFailed("contracts.item_unknown", field=f"items[{index}].id", id=item_id)
    return item


def _changed_item(item: ContractItem, change: rules.ItemChange, index: int) -> ContractItem:
    at = f"items[{index}]"
    sent = change.fields
    return replace(
        item,
        status=rules.item_status(change.status, f"{at}.status")
        if "status" in sent
        else item.status,
        additional_text=change.additional_text
        if "additionalText" in sent
        else item.additional_text,
        special_price=(
            rules.special_price(change.special_price, f"{at}.specialPrice")
            if "specialPrice" in sent
            else item.special_price
        ),
        discount_percent=(
            rules.discount(change.discount_percent, f"{at}.discountPercent")
            if "discountPercent" in sent
            else item.discount_percent
        ),
    )


def _item_changes(
    contract: Contract, items: tuple[rules.ItemChange, ...], today: date
) -> tuple[list[ContractItem], list[tuple[ContractItem, ContractItem]]]:
    """The changed versions written in place (texts; versions not begun yet) and the
    (old, new) pairs of versions split at ``today``: a change of status, special price or
    discount applies from today on and never rewrites days that may have been billed."""
    in_place, split = [], []
    for index, change in enumerate(items):
        old = _find_item(contract, change.id, index)
        new = _changed_item(old, change, index)
        money = (new.status, new.special_price, new.discount_percent)
        if (
            money == (old.status, old.special_price, old.discount_percent)
            or old.served_from >= today
        ):
            in_place.append(new)
        elif old.served_to is not None and old.served_to < today:
            raise ValidationFailed(
                "contracts.change_before_today", field=f"items[{index}].id", today=today.isoformat()
            )
        else:
            split.append(
                (
                    replace(old, additional_text=new.additional_text),
                    replace(new, id=uuid.uuid4(), served_from=today),
                )
            )
    return in_place, split


def _merged(
    items: tuple[ContractItem, ...],
    in_place: list[ContractItem],
    split: list[tuple[ContractItem, ContractItem]],
    today: date,
) -> tuple[ContractItem, ...]:
    by_id = {item.id: item for item in in_place}
    ended = {old.id: replace(old, served_to=today - ONE_DAY) for old, _ in split}
    kept = [ended.get(item.id) or by_id.get(item.id, item) for item in items]
    return tuple(
        sorted([*kept, *(new for _, new in split)], key=lambda i: (i.served_from, i.option))
    )


def change_service_cycle(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    change: ServiceCycleChange,
    clock: Clock,
) -> Contract:
    """Periods start anew on ``change.next_period_start`` (after the contract's start); the
    period running then is cut the day before and prorated."""
    with db.transaction() as session:
        before = _changeable(repo.load(session, tenant_id, contract_id, lock=True))
        if change.next_period_start <= before.start:
            raise ValidationFailed(
                "contracts.cycle_start_not_after_start",
                field="nextPeriodStart",
                start=before.start.isoformat(),
            )
        _within_service(before, change.next_period_start, "nextPeriodStart")
        _not_before_today(session, tenant_id, clock, change.next_period_start, "nextPeriodStart")
        kept = tuple(
            r for r in before.realignments if r.next_period_start != change.next_period_start
        )
        contract = replace(
            before,
            realignments=tuple(sorted((*kept, change), key=lambda r: r.next_period_start)),
            updated_at=clock.now(),
        )
        repo.save_realignment(
            session, tenant_id=tenant_id, contract_id=contract_id, change=change, now=clock.now()
        )
        save(
            session,
            before,
            contract,
            "contract.updated",
            actor=actor,
            tenant_id=tenant_id,
            clock=clock,
        )
        return contract


def _not_before_today(
    session: Session, tenant_id: uuid.UUID, clock: Clock, day: date, field: str
) -> None:
    """Days that may have been billed are not re-cut: a change starts today or later."""
    today = business_today(session, tenant_id, clock)
    if day < today:
        raise ValidationFailed(
            "contracts.change_before_today", field=field, today=today.isoformat()
        )


def _within_service(contract: Contract, day: date, field: str) -> None:
    end = contract.charged_until()
    if end is not None and day > end:
        raise ValidationFailed("contracts.date_after_end", field=field, end=end.isoformat())


def pause_contract(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    pause: Pause,
    clock: Clock,
) -> Contract:
    """No charges from ``pause.paused_from`` to ``pause.paused_to`` (open: until resumed)."""
    with db.transaction() as session:
        before = _changeable(repo.load(session, tenant_id, contract_id, lock=True))
        if pause.paused_from < before.start:
            raise ValidationFailed(
                "contracts.pause_before_start", field="from", start=before.start.isoformat()
            )
        _not_before_today(session, tenant_id, clock, pause.paused_from, "from")
        if pause.paused_to is not None and pause.paused_to < pause.paused_from:
            raise ValidationFailed("contracts.pause_end_before_start", field="to")
        if any(_overlaps(pause, other) for other in before.pauses):
            raise Conflict("contracts.pause_overlaps", field="from")
        contract = replace(
            before,
            pauses=tuple(sorted((*before.pauses, pause), key=lambda p: p.paused_from)),
            updated_at=clock.now(),
        )
        repo.save_pause(
            session, tenant_id=tenant_id, contract_id=contract_id, pause=pause, now=clock.now()
        )
        save(
            session,
            before,
            contract,
            "contract.paused",
            actor=actor,
            tenant_id=tenant_id,
            clock=clock,
        )
        return contract


def _overlaps(one: Pause, other: Pause) -> bool:
    one_end, other_end = one.paused_to or date.max, other.paused_to or date.max
    return one.paused_from <= other_end and other.paused_from <= one_end


def resume_contract(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, contract_id: uuid.UUID, clock: Clock
) -> Contract:
    """End the open pause: charges start again today (a pause not begun yet is dropped)."""
    with db.transaction() as session:
        before = repo.load(session, tenant_id, contract_id, lock=True)
        today = business_today(session, tenant_id, clock)
        running = next(
            (p for p in before.pauses if p.paused_to is None or p.paused_to >= today), None
        )
        if running is None:
            raise Conflict("contracts.not_paused", field="status")
        rest = tuple(p for p in before.pauses if p != running)
        if running.paused_from >= today:
            repo.delete_pause(session, tenant_id=tenant_id, contract_id=contract_id, pause=running)
            pauses = rest
        else:
            ended = Pause(running.paused_from, today - ONE_DAY)
            repo.save_pause(
                session, tenant_id=tenant_id, contract_id=contract_id, pause=ended, now=clock.now()
            )
            pauses = tuple(sorted((*rest, ended), key=lambda p: p.paused_from))
        contract = replace(before, pauses=pauses, updated_at=clock.now())
        save(
            session,
            before,
            contract,
            "contract.resumed",
            actor=actor,
            tenant_id=tenant_id,
            clock=clock,
        )
        return contract
