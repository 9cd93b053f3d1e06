"""The authorization code flow's pages (seed 003 §2.1.1): login and consent.

``GET /oauth2/auth`` validates the request with authlib first. An unknown app or a redirect
URI that is not registered exactly gets an error page and never a redirect (RFC 6749 §4.1.2.1).
Without a browser session the page asks for user name and password; with one it asks for
consent. ``POST /oauth2/consent`` (with the session's CSRF token) redirects back to the app
with ``code`` and ``state``, or with ``error=access_denied``. Pages are German unless the
browser prefers English.
"""

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from beleg.api.errors import validation_text
from beleg.api.inputs import CheckedRoute, field_name
from beleg.api.language import preferred_language
from beleg.api.oauth_server import FormRequest, UserRef, external_url, in_transaction
from beleg.api.runtime import Runtime, runtime
from beleg.api.security import client_ip
from beleg.domain.errors import DomainError
from beleg.domain.identity.oauth import GrantType
from beleg.domain.identity.principal import Actor, ActorType, Origin, Principal
from beleg.domain.identity.sessions import SignInStep, WebSession
from beleg.queries.identity.lists import get_user
from beleg.services.identity import web_sessions
from beleg.services.identity.oauth_apps import start_pairing


class _PageRoute(CheckedRoute):
    """Refused input on a page is the error page, naming the field."""

    def refuse(self, request: Request, errors: list[dict[str, Any]]) -> Response:
        lang = preferred_language(request)
        described = "; ".join(f"{field_name(e['loc'])}: {validation_text(e, lang)}" for e in errors)
        return _page(request, "error", 400, error=described)


router = APIRouter(tags=["OAuth2"], include_in_schema=False, route_class=_PageRoute)
COOKIE = "beleg_session"
OAUTH_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "flow",
)
PAIRING = "pair"  # ``flow=pair``: the pairing page instead of an authorization request
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
TEXTS = {
    "de": {
        "sign_in": "Anmelden",
        "username": "Benutzername",
        "password": "Passwort",
        "allow_title": "{app} Zugriff erlauben?",
        "allow": "Erlauben",
        "deny": "Ablehnen",
        "allow_intro": "{user}, die App möchte in Ihrem Namen auf diese Bereiche zugreifen:",
        "error_title": "Anmeldung nicht möglich",
        "bad_login": "Benutzername oder Passwort ist falsch.",
        "locked": "Zu viele Fehlversuche: gesperrt bis {until} (UTC).",
        "step_password": "Neues Passwort festlegen",
        "new_password": "Neues Passwort",
        "step_totp": "Bestätigungscode",
        "code": "Code aus der Authenticator-App",
        "step_enrol": "Zwei-Faktor-Anmeldung einrichten",
        "secret": "Schlüssel",
        "enrol_intro": "Scannen Sie den QR-Code mit einer Authenticator-App.",
        "recovery_intro": "Bewahren Sie diese Wiederherstellungscodes sicher auf:",
        "continue": "Weiter",
        "pair": "{app} koppeln",
        "pair_intro": "Geben Sie diesen Code in der App ein. Er gilt bis {expires} (UTC):",
    },
    "en": {
        "sign_in": "Sign in",
        "username": "User name",
        "password": "Password",
        "allow_title": "Allow {app} access?",
        "allow": "Allow",
        "deny": "Deny",
        "allow_intro": "{user}, the app asks to act for you in these areas:",
        "error_title": "Sign-in not possible",
        "bad_login": "The user name or password is wrong.",
        "locked": "Too many failed attempts: locked until {until} (UTC).",
        "step_password": "Set a new password",
        "new_password": "New password",
        "step_totp": "Verification code",
        "code": "Code from the authenticator app",
        "step_enrol": "Set up two-factor sign-in",
        "secret": "Key",
        "enrol_intro": "Scan the QR code with an authenticator app.",
        "recovery_intro": "Keep these recovery codes safe:",
        "continue": "Continue",
        "pair": "Pair {app}",
        "pair_intro": "Enter this code in the app. It is valid until {expires} (UTC):",
    },
}


def _page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    lang = preferred_language(request)
    html = TEMPLATES.get_template(f"oauth/{template}.html").render(
        lang=lang, t=TEXTS[lang], title=TEXTS[lang]["sign_in"], **values
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "form-action 'self'",
        },
    )


def _origin(request: Request, rt: Runtime) -> Origin:
    return Origin(
        ip_address=client_ip(request, rt), request_id=getattr(request.state, "request_id", None)
    )


def _params(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if k in OAUTH_PARAMS}


async def _form(request: Request) -> dict[str, str]:
    return dict(
        parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    )


def _validate(rt: Runtime, request: Request, params: dict[str, str]) -> Any:
    """The app of a valid authorization request (authlib checks client, redirect URI, response
    type, scope and PKCE), or of a pairing; raises OAuth2Error otherwise."""
    if params.get("flow") == PAIRING:
        return _pairing_app(rt, request, params.get("client_id", ""))
    oauth_request = FormRequest(
        external_url(request, rt), params, dict(request.headers), method="GET"
    )
    return in_transaction(
        rt,
        _origin(request, rt),
        lambda server: server.get_consent_grant(request=oauth_request, end_user=None).client,
    )


@router.get("/oauth2/auth")
async def authorize(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    params = {k: v for k, v in _params(dict(request.query_params)).items() if k != "flow"}
    try:
        client = await run_in_threadpool(_validate, rt, request, params)
    except OAuth2Error as exc:
        return _page(request, "error", 400, error=exc.description or exc.error)
    session = web_sessions.read_session(db=rt.db, token=request.cookies.get(COOKIE), clock=rt.clock)
    name = client.app.name
    if session is None or session.tenant_id != client.app.tenant_id:
        return _page(request, "login", app_name=name, params=params)
    if session.pending is not None:
        return await _step_page(request, rt, session, params)
    allowed = sorted(
        set((params.get("scope") or " ".join(client.app.scopes)).split()) & set(client.app.scopes)
    )
    return _page(
        request,
        "consent",
        app_name=name,
        params=params,
        csrf=session.csrf,
        scopes=allowed,
        username=await run_in_threadpool(_username, rt, session),
    )


def _username(rt: Runtime, session: WebSession) -> str:
    return str(
        get_user(
            db=rt.db, tenant_id=session.tenant_id, user_id=session.user_id, now=rt.clock.now()
        )["username"]
    )


@router.post("/oauth2/login")
async def login(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    form = await _form(request)
    params = _params(form)
    try:
        client = await run_in_threadpool(_validate, rt, request, params)
    except OAuth2Error as exc:
        return _page(request, "error", 400, error=exc.description or exc.error)
    result = await run_in_threadpool(
        lambda: web_sessions.login(
            db=rt.db,
            tenant_id=client.app.tenant_id,
            username=form.get("username", ""),
            password=form.get("password", ""),
            origin=_origin(request, rt),
            clock=rt.clock,
        )
    )
    if result.token is None:
        return _login_refused(request, client.app.name, params, result.locked_until)
    response = RedirectResponse(_continue(params), status_code=303)
    response.set_cookie(
        COOKIE,
        result.token,
        httponly=True,
        samesite="lax",
        path="/oauth2",
        secure=external_url(request, rt).startswith("https"),
        max_age=int(web_sessions.SESSION_TTL.total_seconds()),
    )
    return response


def _login_refused(
    request: Request, app_name: str, params: dict[str, str], locked_until: datetime | None
) -> HTMLResponse:
    """The login page again: the credentials were wrong (401), or a lockout runs (429)."""
    texts = TEXTS[preferred_language(request)]
    if locked_until is None:
        return _page(
            request, "login", 401, app_name=app_name, params=params, error=texts["bad_login"]
        )
    error = texts["locked"].format(until=locked_until.strftime("%Y-%m-%d %H:%M"))
    return _page(request, "login", 429, app_name=app_name, params=params, error=error)


@router.post("/oauth2/consent")
async def consent(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    form = await _form(request)
    params = _params(form)
    session = web_sessions.read_session(db=rt.db, token=request.cookies.get(COOKIE), clock=rt.clock)
    if session is None or form.get("csrf") != session.csrf:
        return _page(request, "error", 403, error="session expired or form not from Beleg")
    user = UserRef(session.tenant_id, session.user_id) if form.get("decision") == "allow" else None
    oauth_request = FormRequest(
        external_url(request, rt), params, dict(request.headers), method="GET"
    )

    def decide(server: Any) -> Response:
        grant = server.get_consent_grant(request=oauth_request, end_user=user)
        if grant.client.app.tenant_id != session.tenant_id:
            raise OAuth2Error(description="the app belongs to another client")
        return server.create_authorization_response(
            request=oauth_request, grant_user=user, grant=grant
        )

    try:
        return await run_in_threadpool(in_transaction, rt, _origin(request, rt), decide)
    except OAuth2Error as exc:
        return _page(request, "error", 400, error=exc.description or exc.error)


async def _step_page(
    request: Request,
    rt: Runtime,
    session: WebSession,
    params: dict[str, str],
    error: str | None = None,
) -> HTMLResponse:
    texts = TEXTS[preferred_language(request)]
    values: dict[str, Any] = {
        "step": session.pending,
        "heading": texts[f"step_{session.pending}"],
        "params": params,
        "csrf": session.csrf,
        "error": error,
    }
    if session.pending is SignInStep.ENROL:
        enrolment = await run_in_threadpool(
            lambda: web_sessions.begin_enrolment(
                db=rt.db, token=request.cookies[COOKIE], clock=rt.clock
            )
        )
        values.update(
            secret=enrolment.secret, qr=enrolment.qr_svg, recovery=enrolment.recovery_codes
        )
    return _page(request, "step", 400 if error else 200, **values)


@router.post("/oauth2/step")
async def step(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    """A new password, or a TOTP code (also confirming an enrolment)."""
    form = await _form(request)
    params = _params(form)
    token = request.cookies.get(COOKIE)
    session = web_sessions.read_session(db=rt.db, token=token, clock=rt.clock)
    if session is None or token is None or form.get("csrf") != session.csrf:
        return _page(request, "error", 403, error="session expired or form not from Beleg")
    try:
        await run_in_threadpool(
            lambda: web_sessions.complete_step(
                db=rt.db,
                token=token,
                code=form.get("code"),
                new_password=form.get("new_password"),
                origin=_origin(request, rt),
                clock=rt.clock,
            )
        )
    except DomainError as exc:
        if session.pending is SignInStep.ENROL:  # keep the secret shown: not confirmed yet
            return _page(request, "error", 400, error=exc.message)
        return await _step_page(request, rt, session, params, error=exc.message)
    return RedirectResponse(_continue(params), status_code=303)


def _continue(params: dict[str, str]) -> str:
    """Where a signed-in browser goes on: the pairing page or the authorization request."""
    if params.get("flow") == PAIRING:
        return f"/oauth2/pair?{urlencode({'client_id': params.get('client_id', '')})}"
    return f"/oauth2/auth?{urlencode(params)}"


def _pairing_app(rt: Runtime, request: Request, client_id: str) -> Any:
    def find(server: Any) -> Any:
        client = server.query_client(client_id)
        if client is None or not client.check_grant_type(GrantType.PAIRING.value):
            raise OAuth2Error(description="unknown app, or the app does not use pairing")
        return client

    return in_transaction(rt, _origin(request, rt), find)


@router.get("/oauth2/pair")
async def pairing(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    """Seed 003 §2.1.2: a signed-in user sees a pairing code for an app (valid 5 minutes)."""
    params = {"client_id": request.query_params.get("client_id", ""), "flow": PAIRING}
    try:
        client = await run_in_threadpool(_pairing_app, rt, request, params["client_id"])
    except OAuth2Error as exc:
        return _page(request, "error", 400, error=exc.description or exc.error)
    session = web_sessions.read_session(db=rt.db, token=request.cookies.get(COOKIE), clock=rt.clock)
    if session is None or session.tenant_id != client.app.tenant_id:
        return _page(request, "login", app_name=client.app.name, params=params)
    if session.pending is not None:
        return await _step_page(request, rt, session, params)
    actor = _session_actor(session, _origin(request, rt))
    pairing = await run_in_threadpool(
        lambda: start_pairing(
            db=rt.db,
            actor=actor,
            tenant_id=session.tenant_id,
            app_id=client.app.id,
            clock=rt.clock,
        )
    )
    texts = TEXTS[preferred_language(request)]
    return _page(
        request,
        "pair",
        app_name=client.app.name,
        code=pairing.code,
        minutes=5,
        heading=texts["pair"].format(app=client.app.name),
        expires=pairing.expires_at.strftime("%H:%M:%S"),
    )


def _session_actor(session: WebSession, origin: Origin) -> Actor:
    """The signed-in user of a browser session, as the actor of what they start."""
    principal = Principal(
        tenant_id=session.tenant_id,
        actor_type=ActorType.USER,
        actor_id=str(session.user_id),
        name="user",
        scopes=frozenset(),
        user_id=session.user_id,
    )
    return Actor(principal=principal, origin=origin)
