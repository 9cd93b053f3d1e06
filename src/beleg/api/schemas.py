"""Shared API schemas: camelCase JSON, unknown fields refused, generic pages."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from beleg.api.strict import StrictScalars

T = TypeVar("T")
MAX_BIGINT = 2**63 - 1  # the largest integer both databases store


class ApiModel(BaseModel):
    """Responses: camelCase field names."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ApiInput(StrictScalars, ApiModel):
    """Request bodies: camelCase, an unknown field is a 400 naming it, and a boolean, integer,
    text or date of another JSON kind too (``api/strict.py``). A field is read by its published
    camelCase name only: ``legal_name`` for ``legalName`` is an unknown field, as the OpenAPI
    document (``additionalProperties: false``) says."""

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_alias=True, validate_by_name=False, extra="forbid"
    )


class Page(ApiModel, Generic[T]):
    """One page of a list: ``page`` is 1-based; ``total`` counts every match."""

    items: list[T]
    page: int = Field(ge=1)
    size: int = Field(ge=1)
    total: int = Field(ge=0)


class Problem(ApiModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    request_id: str | None = None
    errors: list[dict[str, str]] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {
        "model": Problem,
        "description": description,
        "content": {"application/problem+json": {}},
    }
    for status, description in (
        (400, "Invalid input: the body names the field and the rule."),
        (401, "Missing, unknown or expired credential."),
        (403, "The credential lacks the scope named in the body."),
        (404, "Not found in this tenant."),
    )
}
