"""The cash-based invoicing resources of the accounting API (seed 003 §4.3, §4.4)."""
