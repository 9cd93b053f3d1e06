"""Read side of receivables: reconciliation suggestions (ADR 0026)."""
