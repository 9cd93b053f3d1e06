"""The audit trail: append-only, hash-chained per tenant."""
