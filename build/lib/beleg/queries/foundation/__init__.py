"""Read side of the foundation data (countries, regions, currencies, units)."""
