"""Read models of contracts."""
