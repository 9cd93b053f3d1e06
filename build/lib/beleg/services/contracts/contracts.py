"""Contracts: create, change, activate, cancel and delete (seeds 001/002). One transaction
each, with its audit entry and its outbox event (``contract.created``, ``contract.updated``,
``contract.activated``, ``contract.cancelled``, ``contract.deleted``).

A contract takes its frame data (currency, billing interval and timing, minimum and renewal
term, notice period) from its plan when it is made; its items are versions that a plan change
ends and replaces, so the charge calculation sees the whole history.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from beleg.clock import Clock, today_in
from beleg.db import Session
from beleg.db import contract_documents as documents_db
from beleg.db import contracts as repo
from beleg.db import plans as plans_db
from beleg.db import tenancy as tenancy_db
from beleg.db.audit import Change, record_change, record_changes
from beleg.db.contacts import partners as contacts_db
from beleg.db.database import Database
from beleg.db.outbox import enqueue
from beleg.db.sequences import allocate
from beleg.domain.audit.chain import AuditAction
from beleg.domain.catalog.plans import PhaseType, Plan
from beleg.domain.contacts.partners import ContactKind
from beleg.domain.contracts import items as rules
from beleg.domain.contracts.lifecycle import Action, ContractStatus, after, check_allowed
from beleg.domain.contracts.records import Contract, Frame
from beleg.domain.errors import Conflict, ValidationFailed
from beleg.domain.identity.principal import Actor

ENTITY = "Contract"
DOCUMENT = "ContractDocument"
NUMBER_SERIES = "contract-number"


def create_contract(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, given: rules.ContractInput, clock: Clock
) -> Contract:
    """A DRAFT contract of ``given.customer_id`` on the plan ``given.plan``."""
    rules.check_texts(given)
    with db.transaction() as session:
        customer = given.customer_id
        if not contacts_db.exists(session, tenant_id, ContactKind.CUSTOMER, customer, shared=True):
            raise ValidationFailed("contracts.customer_unknown", field="customer")
        plan = rules.usable_plan(
            plans_db.find_plan(session, tenant_id=tenant_id, code=given.plan, shared=True),
            given.plan,
        )
        rules.check_pricing_group(plan, given.pricing_group)
        now = clock.now()
        contract = Contract(
            id=uuid.uuid4(),
            number=_number(session, tenant_id, given.contract_number),
            customer_id=given.customer_id,
            plan_code=plan.code,
            status=ContractStatus.DRAFT,
            start=given.start_date,
            frame=frame_of(plan),
            items=rules.build_items(plan, given.items, served_from=given.start_date),
            created_at=now,
            updated_at=now,
            pricing_group=given.pricing_group,
            billing_group=given.billing_group,
            invoice_recipient_email=given.invoice_recipient_email,
            internal_identifier=given.internal_identifier,
        )
        repo.insert_contract(session, tenant_id=tenant_id, contract=contract)
        publish(
            session,
            actor=actor,
            tenant_id=tenant_id,
            before=None,
            contract=contract,
            clock=clock,
            topic="contract.created",
        )
        return contract


def frame_of(plan: Plan) -> Frame:
    terms = plan.terms
    trial = next((p.duration for p in plan.phases if p.type is PhaseType.TRIAL), None)
    return Frame(
        currency=plan.currency,
        interval=terms.billing_interval,
        billing_timing=terms.billing_timing.value,
        minimum=terms.minimum_term,
        renewal=terms.renewal_term,
        notice=terms.notice_period,
        trial=trial,
    )


def _number(session: Session, tenant_id: uuid.UUID, given: str | None) -> str:
    """The given number if no contract has it yet, else the next of the tenant's counter."""
    if given is not None:
        if repo.number_taken(session, tenant_id, given):
            raise Conflict("contracts.number_taken", field="contractNumber", number=given)
        return given
    while True:  # skip numbers a client gave by hand
        number = str(allocate(session, tenant_id=tenant_id, series=NUMBER_SERIES, start=1000))
        if not repo.number_taken(session, tenant_id, number):
            return number


def transition(
    *,
    db: Database,
    actor: Actor,
    tenant_id: uuid.UUID,
    contract_id: uuid.UUID,
    action: Action,
    clock: Clock,
) -> Contract:
    """Activate or cancel a contract (the lifecycle decides which status allows it)."""
    with db.transaction() as session:
        before = repo.load(session, tenant_id, contract_id, lock=True)
        status = after(before.status, action)
        contract = replace(before, status=status, updated_at=clock.now())
        topic = "contract.activated" if action is Action.ACTIVATE else "contract.cancelled"
        save(session, before, contract, topic, actor=actor, tenant_id=tenant_id, clock=clock)
        return contract


def delete_contract(
    *, db: Database, actor: Actor, tenant_id: uuid.UUID, contract_id: uuid.UUID, clock: Clock
) -> Contract:
    """Delete a DRAFT or CANCELLED contract (one that never ran has no billed services) with
    the documents filed with it, each with its own audit entry."""
    with db.transaction() as session:
        before = repo.load(session, tenant_id, contract_id, lock=True)
        check_allowed(before.status, Action.DELETE)
        filed = documents_db.filed_with(session, tenant_id, contract_id)
        if filed:
            record_changes(
                session,
                actor=actor,
                tenant_id=tenant_id,
                changes=[
                    Change(AuditAction.DELETE, DOCUMENT, d.id, documents_db.snapshot(d), None)
                    for d in filed
                ],
                clock=clock,
            )
        repo.delete_contract(session, tenant_id=tenant_id, contract_id=contract_id)
        publish(
            session,
            actor=actor,
            tenant_id=tenant_id,
            before=before,
            contract=None,
            clock=clock,
            topic="contract.deleted",
        )
        return before


def business_today(session: Session, tenant_id: uuid.UUID, clock: Clock) -> date:
    """Today in the tenant's time zone, on its test clock when it has one."""
    zone = tenancy_db.tenant_timezone(session, tenant_id)
    return today_in(tenancy_db.business_clock(session, tenant_id=tenant_id, system=clock), zone)


def save(
    session: Session,
    before: Contract,
    contract: Contract,
    topic: str,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    clock: Clock,
) -> None:
    """Write the changed contract row, with its audit entry and its event."""
    repo.update_contract(session, tenant_id=tenant_id, contract=contract)
    publish(
        session,
        actor=actor,
        tenant_id=tenant_id,
        before=before,
        contract=contract,
        clock=clock,
        topic=topic,
    )


def publish(
    session: Session,
    *,
    actor: Actor,
    tenant_id: uuid.UUID,
    before: Contract | None,
    contract: Contract | None,
    clock: Clock,
    topic: str,
) -> None:
    """The audit entry and the outbox event of a change (``oldContract`` on updates)."""
    old = None if before is None else repo.snapshot(before)
    new = None if contract is None else repo.snapshot(contract)
    if before is None:
        action = AuditAction.CREATE
    elif contract is None:
        action = AuditAction.DELETE
    else:
        action = AuditAction.UPDATE
    entity = (contract or before).id  # type: ignore[union-attr]
    record_change(
        session,
        actor=actor,
        tenant_id=tenant_id,
        action=action,
        entity_type=ENTITY,
        entity_id=entity,
        before=old,
        after=new,
        clock=clock,
    )
    payload = {"contract": new or old, "oldContract": old}
    enqueue(session, tenant_id=tenant_id, topic=topic, payload=payload, clock=clock)
