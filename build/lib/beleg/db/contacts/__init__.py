"""Data access of contacts: customers and suppliers (``partners``), the billing API's view of
customers with their payment accounts (``customers``)."""
