"""Delivery's share of a worker round for one tenant (ADR 0021): dispatch the pending domain
events into deliveries and mails, then send what is due on the tenant's clock. Each step
commits on its own; sending happens outside any transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.services.delivery.dispatch import dispatch_pending
from beleg.services.delivery.mail_sending import Mailer, send_due_mails
from beleg.services.delivery.webhook_sending import send_due


@dataclass(frozen=True, slots=True)
class DeliveryRound:
    dispatched: int  # domain events turned into deliveries and mails
    webhooks: int = 0  # webhook attempts made (delivered or not)
    mails: int = 0  # mails attempted (sent, refused or held back)

    @property
    def count(self) -> int:
        """Events dispatched plus webhooks and mails attempted (0: nothing to do)."""
        return self.dispatched + self.webhooks + self.mails


def deliver_due(
    *,
    db: Database,
    tenant_id: uuid.UUID,
    clock: Clock,
    allow_loopback: bool = False,
    mailer: Mailer | None = None,
) -> DeliveryRound:
    """Dispatch the tenant's pending events, then send its due webhooks and mails (mails only
    with a ``mailer``: the worker's, from the settings). ``allow_loopback`` is
    ``BELEG_WEBHOOKS_ALLOW_LOOPBACK`` (it counts for test-mode tenants only)."""
    dispatched = dispatch_pending(db=db, tenant_id=tenant_id, clock=clock)
    webhooks = send_due(db=db, tenant_id=tenant_id, clock=clock, allow_loopback=allow_loopback)
    mails = 0
    if mailer is not None:
        mails = send_due_mails(db=db, tenant_id=tenant_id, clock=clock, mailer=mailer)
    return DeliveryRound(dispatched=dispatched, webhooks=webhooks, mails=mails)
