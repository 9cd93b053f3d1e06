"""Read models of delivery: endpoints, deliveries with their attempts, mails (ADR 0021)."""
