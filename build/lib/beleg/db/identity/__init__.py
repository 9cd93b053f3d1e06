"""Data access of identity: users, API keys, OAuth2 apps, grants and signing keys, web
sessions, the security policy, failed logins and second factors.

Every function runs in the caller's transaction. Queries are scoped to one tenant, except
the lookups by which a request finds its tenant in the first place (an API key's prefix, the
hash of a presented token, code or session cookie, an app's client id); signing keys and the
ids of used assertions belong to the platform, not to a tenant.
"""
