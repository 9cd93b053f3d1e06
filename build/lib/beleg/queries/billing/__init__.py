"""Read models of billing groups and billing runs."""
