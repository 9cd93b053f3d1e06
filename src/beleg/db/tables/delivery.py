"""Delivery (ADR 0021): outgoing webhooks and mails, each a row the worker works after the
commit that caused it.

``webhook_endpoints`` are a tenant's receivers with the event types they take and the signing
secret (Standard Webhooks, ``whsec_`` + base64). ``webhook_deliveries`` hold one event for one
endpoint with its exact payload text (what was signed, what ``GET /v2/webhook-deliveries/{id}``
answers), its state and when the next attempt is due; ``webhook_attempts`` log each POST with
the receiver's status and the first 4 KiB of its answer. ``mails`` are rendered messages
queued in the transaction of their cause (a rollback sends nothing), with their state and the
SMTP server's last answer; ``mail_templates`` are a tenant's own texts per kind and language,
``mail_settings`` its sender.

No foreign keys on the delivery rows: a fan-out writes many rows in one COPY; the dispatcher
reads its endpoints in the same transaction.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    true,
)

from beleg.db.tables.base import metadata
from beleg.db.types import JsonDocument, UtcDateTime

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("description", String(500), nullable=True),
    Column("event_types", JsonDocument, nullable=False),  # list of catalogue names
    Column("secret", String(100), nullable=False),  # whsec_..., signs every delivery
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", String(500), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),  # also the webhook-id header
    Column("endpoint_id", Uuid, nullable=False),
    Column("event_id", Uuid, nullable=False),  # the outbox event (or the test's own id)
    Column("event_type", String(100), nullable=False),
    Column("payload", Text, nullable=False),  # the exact JSON text signed and sent
    Column("status", String(10), nullable=False),  # PENDING / DELIVERED / FAILED
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),  # business clock
    Column("first_attempt_at", UtcDateTime, nullable=True),  # of the series; 3 days from it
    Column("claimed_until", UtcDateTime, nullable=True),  # system clock: a worker's lease
    Column("last_error", String(2000), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    UniqueConstraint("tenant_id", "endpoint_id", "event_id", name="uq_webhook_deliveries_event"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_endpoint", "tenant_id", "endpoint_id", "created_at"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("delivery_id", Uuid, primary_key=True),
    Column("number", Integer, primary_key=True),  # 1, 2, ...
    Column("endpoint_id", Uuid, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status_code", Integer, nullable=True),  # None: no answer (refused, timeout, ...)
    Column("response_body", Text, nullable=True),  # at most 4 KiB (domain/delivery/webhooks.py)
    Column("error", String(2000), nullable=True),
)

mails = Table(
    "mails",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("kind", String(50), nullable=False),  # invoice, webhook_endpoint_disabled, ...
    Column("language", String(5), nullable=False),
    Column("sender", String(320), nullable=True),  # None: the platform's BELEG_MAIL_FROM
    Column("reply_to", String(320), nullable=True),
    Column("recipients", JsonDocument, nullable=False),  # list of addresses
    Column("cc", JsonDocument, nullable=True),  # copies (seed 003 copyEmailType CC)
    Column("bcc", JsonDocument, nullable=True),  # blind copies (copyEmailType BCC)
    Column("subject", String(500), nullable=False),
    Column("body", Text, nullable=False),
    Column("document_id", Uuid, nullable=True),  # attached at send time: PDF, e-invoice
    # the cash receipt (register, number) whose PDF is attached at send time (receipt mails)
    Column("receipt_register_no", Integer, nullable=True),
    Column("receipt_number", String(20), nullable=True),
    Column("status", String(10), nullable=False),  # QUEUED / SENT / FAILED
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("claimed_until", UtcDateTime, nullable=True),
    Column("first_attempt_at", UtcDateTime, nullable=True),  # the retries give up 3 days on
    Column("last_error", String(2000), nullable=True),  # the server's answer
    Column("message_id", String(300), nullable=True),
    Column("attachments", JsonDocument, nullable=True),  # [{name, mediaType, size}] as sent
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Index("ix_mails_due", "status", "next_attempt_at"),
    Index("ix_mails_document", "tenant_id", "document_id"),
    Index("ix_mails_receipt", "tenant_id", "receipt_register_no", "receipt_number"),
)

mail_templates = Table(
    "mail_templates",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("kind", String(50), primary_key=True),
    Column("language", String(5), primary_key=True),
    Column("subject", String(500), nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

mail_settings = Table(
    "mail_settings",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("sender_address", String(320), nullable=True),
    Column("sender_name", String(200), nullable=True),
    Column("reply_to", String(320), nullable=True),
    # finalised invoices and credit notes from contracts are mailed (seed 002: "immer")
    Column("invoice_mails", Boolean, nullable=False, server_default=true()),
    Column("updated_at", UtcDateTime, nullable=False),
)
