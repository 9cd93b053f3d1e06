"""Use cases of users, API keys, OAuth2 apps and tokens, sign-in and account security."""
