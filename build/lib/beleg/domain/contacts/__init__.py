"""Customers, suppliers and additional addresses."""
