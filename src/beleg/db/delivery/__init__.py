"""Data access of delivery: webhook endpoints, deliveries and attempts; mails, templates
and the tenant's sender (ADR 0021)."""
