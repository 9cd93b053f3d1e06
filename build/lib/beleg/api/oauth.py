"""The OAuth2 token endpoint and the discovery documents (RFC 6749 §3.2, RFC 8414,
RFC 7517). The protocol machinery is in ``oauth_server``; the pages in ``oauth_pages``."""

from typing import Any
from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749.errors import (
    InsecureTransportError,
)
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from beleg import messages
from beleg.api.errors import validation_text
from beleg.api.inputs import CheckedRoute, field_name
from beleg.api.oauth_server import FormRequest, external_url, in_transaction
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import client_ip
from beleg.domain.identity.oauth import GrantType
from beleg.domain.identity.principal import Origin
from beleg.services.identity import oauth_tokens as tokens


class _TokenRoute(CheckedRoute):
    """Refused input on the token endpoint is an RFC 6749 §5.2 ``invalid_request``."""

    def refuse(self, request: Request, errors: list[dict[str, Any]]) -> Response:
        described = "; ".join(
            f"{field_name(e['loc'])}: {validation_text(e, messages.ENGLISH)}" for e in errors
        )
        return JSONResponse(
            {"error": "invalid_request", "error_description": described},
            status_code=400,
            headers={"Cache-Control": "no-store"},
        )


router = APIRouter(tags=["OAuth2"], route_class=_TokenRoute)
# Public by design: the token endpoint authenticates the client itself (RFC 6749 §2.3), the
# discovery documents are public (RFC 8414, RFC 7517).
# The login and consent pages authenticate the user themselves (password, session, CSRF).
PUBLIC_PATHS = frozenset(
    {
        "/oauth2/token",
        "/.well-known/jwks.json",
        "/.well-known/oauth-authorization-server",
        "/oauth2/auth",
        "/oauth2/login",
        "/oauth2/consent",
        "/oauth2/step",
        "/oauth2/pair",
    }
)


@router.post("/oauth2/token", summary="Exchange a grant for tokens (RFC 6749 §3.2)")
async def token(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return JSONResponse(
            {
                "error": "invalid_request",
                "error_description": "send application/x-www-form-urlencoded (RFC 6749 §3.2)",
            },
            status_code=400,
        )
    form = dict(
        parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    )
    headers = dict(request.headers)
    origin = Origin(
        ip_address=client_ip(request, rt), request_id=getattr(request.state, "request_id", None)
    )

    try:
        oauth_request = FormRequest(external_url(request, rt), form, headers)
    except InsecureTransportError:
        return JSONResponse(
            {"error": "insecure_transport", "error_description": "OAuth 2 requires https"},
            status_code=400,
        )

    response: Response = await run_in_threadpool(
        in_transaction, rt, origin, lambda server: server.create_token_response(oauth_request)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/.well-known/jwks.json", summary="Public keys of the access tokens")
def jwks(rt: Runtime = Depends(runtime)) -> dict[str, Any]:
    return tokens.read_public_keys(db=rt.db)


@router.get(
    "/.well-known/oauth-authorization-server", summary="Authorization server metadata (RFC 8414)"
)
def metadata(request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    return {
        "issuer": tokens.ISSUER,
        "token_endpoint": f"{base}/oauth2/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "authorization_endpoint": f"{base}/oauth2/auth",
        "grant_types_supported": [g.value for g in GrantType],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "response_types_supported": ["code"],
    }
