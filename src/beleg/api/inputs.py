"""Rules every text and every date a client sends obeys, checked in one place each (issue 12,
findings 3 and 6).

Text: no control character other than tab, line feed and carriage return, and no unpaired
surrogate, in any JSON body (keys and values, at any depth), query parameter (``search=``
included), path parameter or form field. PostgreSQL refuses NUL in text and psycopg cannot
encode a lone surrogate (both were 500s); SQLite stored them. ``CheckedRoute`` refuses them
before the endpoint runs with a 400 naming the field, the same on both databases; every router
uses it (``BelegRoute`` is one).

Dates: ``BusinessDate`` and ``BusinessDateTime`` are the types of every business date a
request model takes, ``IsoBusinessDate`` that of a query parameter (``YYYY-MM-DD`` only): a
date outside ``domain/dates.py``'s range is a 400 naming the field and the range.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Iterable, Iterator
from datetime import UTC, date, datetime, time
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin
from urllib.parse import parse_qsl

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from beleg.domain import dates

D = TypeVar("D", date, datetime)
# Issue 12, finding 3: C0 controls but tab, LF and CR; DEL and the C1 controls; surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What a forbidden character looks like before decoding, to skip the decoded check when
# nothing can be there: percent-encoded (UTF-8) or raw in a query or form; escaped, raw (DEL,
# C1) or in a UTF-16/32 body (NUL bytes) in JSON. A match only means "look closer": tab, CR,
# LF, legal escapes and multi-byte characters match too.
_ENCODED = re.compile(rb"%(?:[01][0-9a-fA-F]|7[fF]|[cC]2%[89][0-9a-fA-F])|[\x00-\x1f\x7f-\x9f]")
_ESCAPED = re.compile(
    rb"\\(?:[bf]|u(?:00[0189][0-9a-fA-F]|007[fF]|[dD][89a-fA-F][0-9a-fA-F]{2}))"
    rb"|[\x00\x7f]|\xc2[\x80-\x9f]"
)
_ESCAPE_STARTS = (b"\\", b"\x00", b"\x7f", b"\xc2")  # cheaper to look for than the pattern
_JSON_BODY = ("POST", "PUT", "PATCH", "DELETE")
# Error kinds of our own beside pydantic's; their texts are the catalogue's framework.<kind>.
OWN_KINDS = (
    "control_character",
    "surrogate",
    "date_out_of_range",
    "date_format",
    "int_format",
    "bool_format",
    "repeated_parameter",
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"[0-9]{1,19}")
_SIGNED_DIGITS = re.compile(r"-?[0-9]{1,19}")
_BOOLEANS = frozenset({"true", "false"})
Location = tuple[str | int, ...]


def _in_business_range(value: D) -> D:
    if not dates.in_range(value):
        raise PydanticCustomError(
            "date_out_of_range",
            "date_out_of_range",  # the text is the catalogue's framework.date_out_of_range
            {"earliest": dates.EARLIEST.isoformat(), "latest": dates.LATEST.isoformat()},
        )
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value) is None:
        raise PydanticCustomError("date_format", "date_format")  # the catalogue's text
    return value


def _plain_digits(value: Any) -> Any:
    if isinstance(value, str) and _DIGITS.fullmatch(value) is None:
        raise PydanticCustomError("int_format", "int_format")  # the catalogue's text
    return value


# A whole number in a path or query parameter: ASCII digits only (the framework would also
# read "+1", " 1", "1.0" and "1_0" as numbers, which the documented integer is not).
WholeNumber = Annotated[int, BeforeValidator(_plain_digits)]
BusinessDate = Annotated[date, AfterValidator(_in_business_range)]
# A business date in a query parameter: only ``YYYY-MM-DD`` (the framework would also read
# ``0`` as 1970-01-01 and ``2026-01-01T00:00`` as a date), within the business range.
IsoBusinessDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_business_range)]
BusinessDateTime = Annotated[datetime, AfterValidator(_in_business_range)]
# The last instant of the range in epoch milliseconds (``updated_since`` filters).
LATEST_EPOCH_MILLIS = int(datetime.combine(dates.LATEST, time.max, UTC).timestamp() * 1000)


def _shown(text: str) -> str:
    """A key as it can be named in an error: a forbidden character as a JSON escape, ``\\u``
    and four hex digits (``\\u0000`` for NUL)."""
    return FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _error(location: Location, text: str) -> dict[str, Any] | None:
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    char = found.group()
    kind = "surrogate" if "\ud800" <= char <= "\udfff" else "control_character"
    return {
        "type": kind,
        "loc": location,
        "msg": kind,  # the text is the catalogue's framework.<kind>
        "input": _shown(text),
        "ctx": {"character": f"U+{ord(char):04X}", "position": found.start() + 1},
    }


def _walk(location: Location, value: Any) -> Iterator[dict[str, Any]]:
    """The errors of every text in a parsed JSON value, keys included (iteratively: depth
    is only bounded by the JSON parser)."""
    todo: list[tuple[Location, Any]] = [(location, value)]
    while todo:
        where, item = todo.pop()
        if isinstance(item, str):
            if (error := _error(where, item)) is not None:
                yield error
        elif isinstance(item, dict):
            for key, child in item.items():
                if (error := _error((*where, _shown(key)), key)) is not None:
                    yield error
                todo.append(((*where, _shown(key)), child))
        elif isinstance(item, list):
            todo.extend(((*where, i), child) for i, child in enumerate(item))


def _pairs(kind: str, pairs: Iterable[tuple[str, Any]]) -> Iterator[dict[str, Any]]:
    for name, value in pairs:
        if (error := _error((kind, _shown(name)), name)) is not None:
            yield error
        if isinstance(value, str) and (error := _error((kind, _shown(name)), value)):
            yield error


def json_may_hold_forbidden(raw: bytes) -> bool:
    """Whether a JSON body may decode to a forbidden character (raw C0 controls are not
    JSON: the parser refuses them itself)."""
    return any(b in raw for b in _ESCAPE_STARTS) and _ESCAPED.search(raw) is not None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _body_errors(request: Request) -> list[dict[str, Any]]:
    """Errors in a JSON body or an urlencoded form, parsed as the endpoints parse them (the
    parsed JSON is cached on the request, so the endpoint does not parse it again)."""
    media = _media_type(request)
    if media == "application/x-www-form-urlencoded":
        raw = await request.body()
        if _ENCODED.search(raw) is None:
            return []
        form = raw.decode("utf-8", "replace")
        return list(_pairs("body", parse_qsl(form, keep_blank_values=True)))
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        return []
    if not json_may_hold_forbidden(await request.body()):
        return []
    try:
        parsed = await request.json()
    except (ValueError, RecursionError):
        return []  # the endpoint answers broken (or too deeply nested) JSON itself
    return list(_walk(("body",), parsed))


async def input_errors(
    request: Request, query_kinds: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every forbidden character in the request's texts, and every query parameter not
    written as its documented kind (``query_kinds``), as request-validation errors."""
    errors: list[dict[str, Any]] = _query_kind_errors(request, query_kinds or {})
    if FORBIDDEN.search(request.scope["path"]) is not None:  # the server decoded the path
        errors += _pairs("path", request.path_params.items())
    query = request.scope.get("query_string", b"")
    if query and _ENCODED.search(query) is not None:
        errors += _pairs("query", request.query_params.multi_items())
    if request.method in _JSON_BODY:
        errors += await _body_errors(request)
    return errors


def field_name(location: Location) -> str:
    """The field an error names: its location without the part of the request."""
    return ".".join(str(part) for part in location[1:]) or str(location[0])


def _kind(annotation: Any) -> str:
    """``bool``, ``int``, ``list`` or ``other``: the kind a query parameter is written as
    (``X | None`` and ``Annotated[X, ...]`` are X's)."""
    if get_origin(annotation) is Annotated:
        return _kind(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        kinds = {_kind(arg) for arg in get_args(annotation) if arg is not type(None)}
        return kinds.pop() if len(kinds) == 1 else "other"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    origin = get_origin(annotation) or annotation
    return "list" if origin in (list, tuple, set, frozenset) else "other"


def query_kinds(dependant: Dependant) -> dict[str, str]:
    """The kind of every query parameter of a route and its dependencies, by its name."""
    kinds: dict[str, str] = {}
    todo = [dependant]
    while todo:
        current = todo.pop()
        kinds.update({f.alias: _kind(f.field_info.annotation) for f in current.query_params})
        todo.extend(current.dependencies)
    return kinds


def _query_kind_errors(request: Request, kinds: dict[str, str]) -> list[dict[str, Any]]:
    """A documented boolean is ``true`` or ``false`` and a documented integer plain digits
    (the framework would also read ``yes``, ``0``, ``+1`` and ``1_0``), and a parameter that
    is not a list is given once (the framework would take the last of several)."""
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, value in request.query_params.multi_items():
        kind = kinds.get(name)
        if kind is None or kind == "list":
            continue
        if name in seen:
            errors.append(_query_error(name, value, "repeated_parameter"))
        seen.add(name)
        if kind == "bool" and value.lower() not in _BOOLEANS:
            errors.append(_query_error(name, value, "bool_format"))
        elif kind == "int" and _SIGNED_DIGITS.fullmatch(value) is None:
            errors.append(_query_error(name, value, "int_format"))
    return errors


def _query_error(name: str, value: str, kind: str) -> dict[str, Any]:
    return {"type": kind, "loc": ("query", _shown(name)), "msg": kind, "input": _shown(value)}


class CheckedRoute(APIRoute):
    """A route whose text inputs and query parameters are checked before the endpoint runs;
    ``refuse`` answers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        kinds = query_kinds(self.dependant)

        async def checked(request: Request) -> Response:
            errors = await input_errors(request, kinds)
            if errors:
                return self.refuse(request, errors)
            return await handler(request)

        return checked

    def refuse(self, request: Request, errors: list[dict[str, Any]]) -> Response:
        """The 400 of the surface: a validation error like every other (``api/errors.py``)."""
        raise RequestValidationError(errors)
