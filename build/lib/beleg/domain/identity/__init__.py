"""Identity: users, roles, scopes and API keys."""
