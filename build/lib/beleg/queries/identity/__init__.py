"""Read side of tenants, users and API keys."""
