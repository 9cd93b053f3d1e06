"""Use cases of customers, suppliers and their addresses."""
