"""Options of the billing catalogue (spec/billing-api.md, "Option"): create and change them.
Every change is audited and announced in the outbox (``option.created``, ``option.updated``);
each use case is one transaction.

An option's ``code`` (its item number) is unique per tenant and fixed once created; its
``type`` is fixed once a plan has it as an item (the plan's free quota and caps depend on it).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import Any

from beleg.clock import Clock
from beleg.db import Session
from beleg.db import plans as repo
from beleg.db.audit import record_change
from beleg.db.database import Database
from beleg.db.ledger import load_books
from beleg.db.outbox import enqueue
from beleg.domain.audit.chain import AuditAction
from beleg.domain.catalog.options import (
    Aggregation,
    Option,
    OptionInput,
    OptionKind,
    check_option,
)
from beleg.domain.errors import Conflict, NotFound, ValidationFailed
from beleg.domain.identity.principal import Actor

ENTITY = "Option"


def create_option(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, data: OptionInput, clock: Clock
) -> Option:
    """A new option; a code the tenant already has is a 409 naming ``code``."""
    checked = check_option(data)
    now = clock.now()
    option = _option(uuid.uuid4(), checked, created_at=now, updated_at=now)
    with db.transaction() as session:
        _check_tax_class(session, tenant_id, checked)
        if repo.find_option(session, tenant_id=tenant_id, code=checked.code) is not None:
            raise Conflict("catalog.option_exists", field="code", code=checked.code)
        repo.insert_option(session, tenant_id=tenant_id, option=option)
        _audit(session, actor=actor, tenant_id=tenant_id, before=None, after=option, clock=clock)
    return option


def update_option(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    code: str,
    changes: Mapping[str, Any],
    clock: Clock,
) -> Option:
    """Change the fields named in ``changes`` (OptionInput's fields, not ``code``); the
    result is checked as a whole. Unchanged, nothing is written."""
    with db.transaction() as session:
        before = find(session, tenant_id, code, lock=True)
        given = dataclasses.replace(_input(before), **changes)
        checked = check_option(dataclasses.replace(given, code=before.code))
        after = _option(before.id, checked, created_at=before.created_at, updated_at=clock.now())
        if repo.option_snapshot(after) == repo.option_snapshot(before):
            return before
        _check_tax_class(session, tenant_id, checked)
        if after.kind is not before.kind and repo.option_in_use(
            session, tenant_id=tenant_id, option_id=before.id
        ):
            raise Conflict("catalog.option_type_in_use", field="type", code=before.code)
        repo.update_option(session, tenant_id=tenant_id, option=after)
        _audit(session, actor=actor, tenant_id=tenant_id, before=before, after=after, clock=clock)
        return after


def find(session: Session, tenant_id: uuid.UUID, code: str, *, lock: bool = False) -> Option:
    found = repo.find_option(session, tenant_id=tenant_id, code=code, lock=lock)
    if found is None:
        raise NotFound("catalog.option_not_found", field="code", code=code)
    return found


def _check_tax_class(session: Session, tenant_id: uuid.UUID, checked: OptionInput) -> None:
    """A 400 naming ``taxClass`` unless it is a tax entry of the tenant's chart: the charges
    of contracts take the option's rate from that entry."""
    if checked.tax_class is None:
        return
    try:
        load_books(session, tenant_id).chart.tax_entry(checked.tax_class)
    except ValidationFailed:
        raise ValidationFailed(
            "catalog.tax_class_unknown", field="taxClass", code=checked.tax_class
        ) from None


def _input(option: Option) -> OptionInput:
    return OptionInput(
        code=option.code,
        name=option.name,
        type=option.kind.value,
        unit=option.unit,
        aggregation=None if option.aggregation is None else option.aggregation.value,
        tax_rate=option.tax_rate,
        tax_class=option.tax_class,
        tax_exemption=option.tax_exemption,
        aggregation_property=option.aggregation_property,
    )


def _option(
    option_id: uuid.UUID, checked: OptionInput, *, created_at: Any, updated_at: Any
) -> Option:
    return Option(
        id=option_id,
        code=checked.code,
        name=checked.name,
        kind=OptionKind(checked.type),
        unit=checked.unit,
        aggregation=None if checked.aggregation is None else Aggregation(checked.aggregation),
        tax_rate=checked.tax_rate,
        tax_class=checked.tax_class,
        tax_exemption=checked.tax_exemption,
        created_at=created_at,
        updated_at=updated_at,
        aggregation_property=checked.aggregation_property,
    )


def _audit(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    before: Option | None,
    after: Option,
    clock: Clock,
) -> None:
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        entity_type=ENTITY,
        entity_id=after.id,
        before=None if before is None else repo.option_snapshot(before),
        after=repo.option_snapshot(after),
        clock=clock,
    )
    topic = "option.created" if before is None else "option.updated"
    enqueue(
        session,
        tenant_id=tenant_id,
        topic=topic,
        payload={"id": str(after.id), "code": after.code},
        clock=clock,
    )
