"""Data access of banking: statements, SEPA mandates and direct-debit batches."""
