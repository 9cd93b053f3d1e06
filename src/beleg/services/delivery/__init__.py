"""Use cases of delivery: webhook endpoints and their deliveries, mails (ADR 0021)."""
