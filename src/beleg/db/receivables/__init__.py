"""Data access of receivables: what reconciliation and later OPOS cases read across the
documents and banking contexts."""
