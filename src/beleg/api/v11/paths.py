"""Path identifiers of the accounting API: a malformed id is simply not found (404)."""

import uuid

from beleg.domain.errors import NotFound


def path_uuid(value: str, field: str) -> uuid.UUID:
    """The UUID in a path segment; anything else names nothing that exists."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("api.path_not_found", field=field, name=field, value=value) from None
