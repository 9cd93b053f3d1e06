"""Read side of cash-based invoices."""
