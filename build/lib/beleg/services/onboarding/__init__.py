"""Use cases that set up a tenant with the defaults of every context, and the first start."""
