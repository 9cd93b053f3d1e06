"""The PointOfSale resources of the accounting API (seed 003 §4.19)."""
