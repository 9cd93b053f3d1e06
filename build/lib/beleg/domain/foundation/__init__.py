"""Foundation data of the accounting API (seed 003 §4.7): countries, regions, currencies, units."""
