"""Outgoing connections to other systems: the mail transport and the webhook sender (ADR 0021).

An adapter speaks one protocol (SMTP, HTTPS) and knows nothing of tenants or tables."""
