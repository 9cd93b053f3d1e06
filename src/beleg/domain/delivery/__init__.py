"""Delivery (ADR 0021): the event catalogue, retry schedules and address rules of outgoing
webhooks and mails."""
