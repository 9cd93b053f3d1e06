"""List endpoints: JSON pages, or a streamed RFC 4180 CSV export of every match.

CSV is chosen by ``?format=csv`` or ``Accept: text/csv``; ``columns=a,b`` selects and orders
columns (default: all exportable), ``filename=`` names the download. No row cap: rows stream
from a server-side cursor.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import StreamingResponse

from beleg.api.inputs import WholeNumber
from beleg.api.runtime import Runtime
from beleg.domain.errors import ValidationFailed
from beleg.formats.csv_export import csv_chunks
from beleg.queries.listing import ListRequest, ListSpec, fetch_page, prepare_stream, stream_rows

MAX_PAGE = 1_000_000
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "A page as JSON, or every match as CSV (format=csv or Accept: text/csv)",
    }
}


class ListParams:
    """Query parameters every list endpoint accepts."""

    def __init__(  # noqa: PLR0917 -- FastAPI builds this from query parameters
        self,
        search: str | None = Query(None, description="RSQL filter, e.g. `role==ADMIN`"),
        sort: str | None = Query(None, description="Comma-separated fields; `-` for descending"),
        page: Annotated[
            WholeNumber, Query(ge=1, le=MAX_PAGE, description="1-based page number")
        ] = 1,
        size: Annotated[
            WholeNumber,
            Query(ge=1, le=MAX_PAGE, description="Items per page (at most BELEG_PAGE_SIZE_MAX)"),
        ] = 50,
        format: Literal["json", "csv"] | None = Query(None, description="csv streams every match"),
        columns: str | None = Query(None, description="CSV: comma-separated columns"),
        filename: str | None = Query(None, description="CSV: download file name"),
    ) -> None:
        self.search, self.sort, self.page, self.size = search, sort, page, size
        self.format, self.columns, self.filename = format, columns, filename


def _wants_csv(request: Request, params: ListParams) -> bool:
    if params.format is not None:
        return params.format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def _columns(spec: ListSpec, requested: str | None) -> list[str]:
    if not requested:
        return list(spec.columns)
    chosen = [c.strip() for c in requested.split(",") if c.strip()]
    unknown = [c for c in chosen if c not in spec.columns]
    if unknown or not chosen:
        raise ValidationFailed(
            "querying.columns_unknown",
            field="columns",
            unknown=", ".join(unknown) or "(none given)",
            available=", ".join(spec.columns),
        )
    return chosen


def _filename(requested: str | None, default: str) -> str:
    name = requested or default
    if not _FILENAME.match(name):
        raise ValidationFailed("querying.filename", field="filename")
    return name if name.lower().endswith(".csv") else f"{name}.csv"


def list_response(
    request: Request, spec: ListSpec, params: ListParams, rt: Runtime, default_filename: str
) -> Any:
    """A Page dict for JSON, or a StreamingResponse for CSV."""
    list_request = ListRequest(
        search=params.search, sort=params.sort, page=params.page, size=params.size
    )
    if _wants_csv(request, params):
        columns = _columns(spec, params.columns)
        name = _filename(params.filename, default_filename)
        statement = prepare_stream(spec=spec, request=list_request)
        rows = stream_rows(db=rt.db, spec=spec, statement=statement)
        return StreamingResponse(
            csv_chunks(rows, columns),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if params.size > rt.settings.page_size_max:
        raise ValidationFailed("querying.page_size", field="size", limit=rt.settings.page_size_max)
    page = fetch_page(db=rt.db, spec=spec, request=list_request)
    return {"items": page.items, "page": page.page, "size": page.size, "total": page.total}
