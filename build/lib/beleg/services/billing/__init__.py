"""Billing: what contracts cost (prices, previews, corrections); billing runs to come."""
