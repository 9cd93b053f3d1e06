"""authlib's OAuth2 authorization server behind a small FastAPI adapter (authlib ships
server integrations for Flask and Django only): request, response and client model, and the
grants Beleg supports.

- ``authorization_code`` with PKCE (S256 only; required for public apps).
- ``password``: the pairing flow (seed 003 §2.1.2). The "password" is a pairing code the user
  started in Beleg; a user's real password is refused.
- ``refresh_token``: rotation on every use; a replayed refresh token revokes its family.
- ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (RFC 7523): a trusted app signs an
  assertion for a user who allowed it; no refresh token.

Every request runs in one database transaction (``in_transaction``); a context variable hands
it to the grant hooks. Errors are RFC 6749 JSON (``{"error": "invalid_grant", ...}``).
"""

import contextvars
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import (
    InvalidGrantError,
    InvalidRequestError,
)
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7523 import JWTBearerGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from beleg.api.runtime import Runtime
from beleg.api.security import via_trusted_proxy
from beleg.db import Session
from beleg.domain.errors import ValidationFailed
from beleg.domain.identity.api_keys import secret_digest
from beleg.domain.identity.oauth import (
    ACCESS_TOKEN_TTL,
    AuthorizationCode,
    GrantType,
    OAuthApp,
    RefreshToken,
)
from beleg.domain.identity.principal import Origin
from beleg.services.identity import oauth_tokens as tokens
from beleg.services.identity.oauth_apps import find_client, redeem_pairing_code

_session: contextvars.ContextVar[Session] = contextvars.ContextVar("oauth_session")
_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar("oauth_origin")


@dataclass
class AppClient(ClientMixin):  # authlib's client model (authlib is untyped: ClientMixin is Any)
    app: OAuthApp

    def get_client_id(self) -> str:
        return self.app.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.app.redirect_uris
        return uris[0] if uris else None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(self.app.scopes)
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.app.redirect_uris  # exact match (seed 003 §1)

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.app.secret_hash
        return stored is not None and secret_digest(client_secret) == stored

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if not self.app.confidential:
            return method == "none"  # public apps must not send a secret
        return method in ("client_secret_basic", "client_secret_post")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.app.grant_types

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.app.allows(GrantType.AUTHORIZATION_CODE)


@dataclass
class UserRef:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    family: uuid.UUID | None = None

    def get_user_id(self) -> str:
        return str(self.user_id)


@dataclass
class StoredRefreshToken:
    token: RefreshToken

    def check_client(self, client: AppClient) -> bool:
        return self.token.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return " ".join(self.token.scopes)


class FormRequest(OAuth2Request):
    """An OAuth2 request from form fields (token endpoint) or query parameters (the
    authorization endpoint, ``method`` GET)."""

    def __init__(
        self, uri: str, form: dict[str, str], headers: dict[str, str], method: str = "POST"
    ) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = BasicOAuth2Payload(form)
        self._form = form

    @property
    def args(self) -> dict[str, str]:
        return self._form if self.method == "GET" else {}

    @property
    def form(self) -> dict[str, str]:
        return self._form


AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")


class PairingGrant(grants.ResourceOwnerPasswordCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)

    def authenticate_user(self, username: str, password: str) -> UserRef | None:
        client: AppClient = self.request.client or self.server.query_client(
            self.request.payload.client_id
        )
        try:
            user = redeem_pairing_code(
                _session.get(),
                app=client.app,
                username=username,
                code=password,
                origin=_origin.get(),
                clock=self.server.clock,
            )
        except ValidationFailed as exc:  # locked out: too many wrong codes or passwords
            raise InvalidGrantError(description=exc.message) from exc
        return UserRef(client.app.tenant_id, user) if user else None


class RotatingRefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> StoredRefreshToken | None:
        client: AppClient = self.request.client  # authenticated before the token is read
        found = tokens.use_refresh_token(
            _session.get(),
            app=client.app,
            token=refresh_token,
            clock=self.server.clock,
            origin=_origin.get(),
        )
        return StoredRefreshToken(found) if found else None

    def authenticate_user(self, refresh_token: StoredRefreshToken) -> UserRef:
        token = refresh_token.token
        return UserRef(token.tenant_id, token.user_id, token.family_id)

    def revoke_old_credential(self, refresh_token: StoredRefreshToken) -> None:
        tokens.rotate_refresh_token(
            _session.get(), token=refresh_token.token, clock=self.server.clock
        )


@dataclass
class StoredCode:
    code: AuthorizationCode

    def get_redirect_uri(self) -> str | None:
        return self.code.redirect_uri

    def get_scope(self) -> str:
        return self.code.scope

    @property
    def code_challenge(self) -> str | None:
        return self.code.code_challenge

    @property
    def code_challenge_method(self) -> str | None:
        return self.code.code_challenge_method


class S256Only(CodeChallenge):
    """PKCE with S256 only (RFC 7636 §4.2: plain only when S256 is impossible); required for
    public apps, at the authorization request and at the token request."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        super().validate_code_challenge(grant, redirect_uri)
        payload = grant.request.payload.data
        if not grant.request.client.app.confidential and not payload.get("code_challenge"):
            raise InvalidRequestError("public apps must use PKCE (code_challenge, S256)")
        if payload.get("code_challenge") and payload.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        client: AppClient = request.client
        user: UserRef = request.user
        payload = request.payload.data
        tokens.save_code(
            _session.get(),
            code=code,
            app=client.app,
            user_id=user.user_id,
            redirect_uri=payload.get("redirect_uri"),
            scope=payload.get("scope") or " ".join(client.app.scopes),
            challenge=payload.get("code_challenge"),
            method=payload.get("code_challenge_method"),
            clock=self.server.clock,
        )

    def query_authorization_code(self, code: str, client: AppClient) -> StoredCode | None:
        found = tokens.find_code(_session.get(), app=client.app, code=code, clock=self.server.clock)
        return StoredCode(found) if found else None

    def delete_authorization_code(self, authorization_code: StoredCode) -> None:
        tokens.use_code(_session.get(), code=authorization_code.code, clock=self.server.clock)

    def authenticate_user(self, authorization_code: StoredCode) -> UserRef:
        code = authorization_code.code
        return UserRef(code.tenant_id, code.user_id)


class TrustedIssuerGrant(JWTBearerGrant):
    """RFC 7523 with seed 003's claims: ``iss`` = the app's client id, ``sub`` = user name,
    ``cid``, ``scp`` = a, ``req``, ``jti``. Seed clients send no ``aud``; one that is sent
    must name this server. No refresh token is issued."""

    CLAIMS_OPTIONS: ClassVar[dict[str, Any]] = {
        "iss": {"essential": True},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }

    def verify_claims(self, claims: Any) -> None:
        options = dict(self.CLAIMS_OPTIONS)
        if "aud" in claims:
            options["aud"] = {"essential": True, "values": self.get_audiences()}
        try:
            JWTClaimsRegistry(leeway=self.LEEWAY, **options).validate(claims)
        except JoseError as exc:
            raise InvalidGrantError(description=exc.description) from exc

    def get_audiences(self) -> list[str]:
        return [tokens.ISSUER, self.request.uri]

    def resolve_issuer_client(self, issuer: str) -> AppClient | None:
        client = self.server.query_client(issuer)
        if client is None or not client.app.issuer_jwks:
            return None
        return client

    def resolve_client_public_key(self, client: AppClient) -> KeySet:
        jwks = client.app.issuer_jwks or {}  # resolve_issuer_client admits only apps with keys
        return KeySet.import_key_set({"keys": jwks.get("keys", [])})

    def authenticate_user(self, subject: str) -> UserRef | None:
        client = self.resolve_issuer_client(self._claims["iss"])
        if client is None:
            return None
        try:
            user = tokens.accept_assertion(
                _session.get(),
                app=client.app,
                username=subject,
                claims=self._claims,
                clock=self.server.clock,
            )
        except ValidationFailed as exc:
            raise InvalidGrantError(description=exc.message) from exc
        return UserRef(client.app.tenant_id, user) if user else None

    def process_assertion_claims(self, assertion: str) -> Any:
        self._claims = dict(super().process_assertion_claims(assertion))
        return self._claims

    def has_granted_permission(self, client: AppClient, user: UserRef) -> bool:
        return True  # the consent was checked with the user (accept_assertion)


class BelegAuthorizationServer(AuthorizationServer):
    def __init__(self, rt: Runtime) -> None:
        super().__init__()
        self.db, self.clock = rt.db, rt.clock
        self.register_token_generator("default", self._generate)
        self.register_grant(PairingGrant)
        self.register_grant(RotatingRefreshGrant)
        self.register_grant(TrustedIssuerGrant)
        self.register_grant(CodeGrant, [S256Only(required=True)])

    def query_client(self, client_id: str) -> AppClient | None:
        app = find_client(_session.get(), client_id=client_id)
        return AppClient(app) if app else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Tokens are stored when generated (the refresh token's hash); nothing more."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """authlib's hook points; audit entries are written by the token services."""

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        if status in (301, 302, 303):  # the authorization endpoint redirects to the app
            return Response(status_code=302, headers=dict(headers))
        return JSONResponse(body, status_code=status, headers=dict(headers))

    def _generate(
        self,
        grant_type: str,
        client: AppClient,
        *,
        user: UserRef,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        """authlib's token generator: keyword arguments as authlib passes them."""
        del grant_type, expires_in  # one lifetime for every grant (seed 003 §1)
        session = _session.get()
        grant = tokens.make_grant(session, app=client.app, user_id=user.user_id, requested=scope)
        token = {
            "token_type": "Bearer",
            "access_token": tokens.issue_access_token(session, grant=grant, clock=self.clock),
            "expires_in": int(ACCESS_TOKEN_TTL.total_seconds()),
            "scope": " ".join(sorted(grant.scopes)),
        }
        if include_refresh_token and client.check_grant_type(GrantType.REFRESH_TOKEN.value):
            token["refresh_token"] = tokens.issue_refresh_token(
                session, grant=grant, clock=self.clock, family=user.family
            )
        return token


def in_transaction(
    rt: Runtime, origin: Origin, action: Callable[[BelegAuthorizationServer], Any]
) -> Any:
    """Run ``action`` with the authorization server inside one database transaction."""
    with rt.db.transaction() as session:
        session_token, origin_token = _session.set(session), _origin.set(origin)
        try:
            return action(authorization_server(rt))
        finally:
            _session.reset(session_token)
            _origin.reset(origin_token)


def authorization_server(rt: Runtime) -> BelegAuthorizationServer:
    server = getattr(rt, "oauth_server", None)
    if server is None:
        server = BelegAuthorizationServer(rt)
        rt.oauth_server = server
    return server


def external_url(request: Request, rt: Runtime) -> str:
    """The URL the client used: https when a trusted proxy terminated TLS for us."""
    url = request.url
    if request.headers.get("x-forwarded-proto") == "https" and via_trusted_proxy(request, rt):
        url = url.replace(scheme="https")
    return str(url)
