"""Use cases of tenants, their test clocks and the first start."""
