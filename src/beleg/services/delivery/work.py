"""Delivery's share of a worker round for one tenant (ADR 0021): dispatch the pending domain
events into deliveries and mails, then send what is due on the tenant's clock. Each step
commits on its own; sending happens outside any transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from beleg.clock import Clock
from beleg.db.database import Database
from beleg.services.delivery.dispatch import dispatch_pending
from beleg.services.delivery.sending import Mailer, send_due_mails


@dataclass(frozen=True, slots=True)
class DeliveryRound:
    dispatched: int  # domain events turned into deliveries and mails
    mails: int = 0  # mails attempted (sent, refused or held back)

    @property
    def count(self) -> int:
        """Events dispatched plus webhooks and mails attempted (0: nothing to do)."""
        return self.dispatched + self.mails


def deliver_due(
    *, db: Database, tenant_id: uuid.UUID, clock: Clock, mailer: Mailer | None = None
) -> DeliveryRound:
    """Dispatch the tenant's pending events, then send its due webhooks and mails (mails only
    with a ``mailer``: the worker's, from the settings)."""
    dispatched = dispatch_pending(db=db, tenant_id=tenant_id, clock=clock)
    mails = 0
    if mailer is not None:
        mails = send_due_mails(db=db, tenant_id=tenant_id, clock=clock, mailer=mailer)
    return DeliveryRound(dispatched=dispatched, mails=mails)
