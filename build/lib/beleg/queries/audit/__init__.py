"""Read side of the audit trail."""
