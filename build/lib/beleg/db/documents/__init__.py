"""Data access of sales documents and their setup."""
