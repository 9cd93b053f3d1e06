"""Use cases of cash-based invoices (seed 003 §3.3): create, pay, cancel."""
