"""The charge calculation: what a contract owes for its service periods (pure, no I/O)."""
