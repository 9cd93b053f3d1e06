"""Use cases of receivables: bank reconciliation (ADR 0026), later OPOS cases and dunning."""
