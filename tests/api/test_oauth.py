"""OAuth2 (seed 003 §2.1) driven by a real client library, authlib's httpx client, against
the app in process: app registration, pairing, refresh-token rotation and replay detection,
JWT access tokens on the API, JWKS, key rotation, logout."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import httpx2
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.integrations.httpx_client.oauth2_client import OAuthError
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from sqlalchemy import select
from starlette.testclient import TestClient

from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import audit_entries
from beleg.domain.identity.principal import Actor, ActorType, Principal
from beleg.services.identity.api_keys import create_api_key
from beleg.services.identity.oauth_tokens import retire_signing_key, rotate_signing_key
from beleg.services.identity.users import create_user
from tests.conftest import TenantFixture, app_at, make_tenant, system_actor

BASE = "https://testserver"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def user_key(db: Database, tenant: TenantFixture) -> str:
    """An API key acting for user 'anna' (an accountant): what the portal would use."""
    actor = system_actor(tenant.id)
    user = create_user(
        db=db,
        actor=actor,
        tenant_id=tenant.id,
        username="anna",
        password=PASSWORD,
        role="ACCOUNTANT",
        clock=SystemClock(),
    )
    anna = Actor(
        principal=Principal(
            tenant_id=tenant.id,
            actor_type=ActorType.USER,
            actor_id=str(user.id),
            name="anna",
            scopes=frozenset({"oauth-apps:read"}),
            user_id=user.id,
        )
    )
    key = create_api_key(
        db=db,
        actor=anna,
        tenant_id=tenant.id,
        name="anna's key",
        scopes=["oauth-apps:read"],
        validity_days=None,
        clock=SystemClock(),
    )
    return key.token


def register(client: TestClient, tenant: TenantFixture, **changes: object) -> dict:  # type: ignore[type-arg]
    body = {
        "name": "Desktop app",
        "confidential": False,
        "redirectUris": [],
        "grantTypes": ["password", "refresh_token"],
        "scopes": ["ledger:read", "customers:read", "users:read", "foundation:read"],
        **changes,
    }
    response = client.post("/v2/oauth-apps", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def pair(client: TestClient, app: dict, key: str) -> str:  # type: ignore[type-arg]
    response = client.post(
        f"/v2/oauth-apps/{app['id']}/pairings", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 201, response.text
    return response.json()["code"]  # type: ignore[no-any-return]


@pytest.fixture
def oauth(app) -> Iterator[callable]:  # type: ignore[no-untyped-def, valid-type]
    clients: list[OAuth2Client] = []

    def make(client_id: str, secret: str | None = None) -> OAuth2Client:
        # Starlette's test transport hands the requests to the app in process.
        session = OAuth2Client(
            client_id,
            secret,
            base_url=BASE,
            transport=TestClient(app, base_url=BASE)._transport,
            token_endpoint_auth_method="client_secret_post" if secret else "none",
        )
        clients.append(session)
        return session

    yield make
    for session in clients:
        session.close()


def test_pairing_refresh_rotation_and_replay(
    client: TestClient, db: Database, tenant: TenantFixture, user_key: str, oauth
) -> None:  # type: ignore[no-untyped-def]
    app = register(client, tenant)
    assert app["confidential"] is False and app["clientSecret"] is None
    session = oauth(app["clientId"])
    token = session.fetch_token(
        f"{BASE}/oauth2/token",
        grant_type="password",
        username="anna",
        password=pair(client, app, user_key),
    )
    assert token["expires_in"] == 3600 and token["token_type"] == "Bearer"
    # the app's scopes cut to the accountant's role: no users:read
    assert set(token["scope"].split()) == {"ledger:read", "customers:read", "foundation:read"}
    claims = jwt.decode(
        token["access_token"], KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    ).claims
    assert claims["tid"] == str(tenant.id) and claims["cid"] == tenant.number
    assert claims["client_id"] == app["clientId"] and claims["exp"] - claims["iat"] == 3600

    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/1.1/accounts/4000", headers=bearer).status_code == 200
    forbidden = client.get("/v2/users", headers=bearer)
    assert forbidden.status_code == 403 and "users:read" in forbidden.json()["detail"]

    rotated = session.refresh_token(f"{BASE}/oauth2/token", refresh_token=token["refresh_token"])
    assert rotated["refresh_token"] != token["refresh_token"]
    with pytest.raises(OAuthError, match="invalid_grant"):  # the old one died on use
        session.refresh_token(f"{BASE}/oauth2/token", refresh_token=token["refresh_token"])
    with pytest.raises(OAuthError, match="invalid_grant"):  # ... and took its family along
        session.refresh_token(f"{BASE}/oauth2/token", refresh_token=rotated["refresh_token"])
    with db.reader() as reader:
        revoked = (
            reader.execute(
                select(audit_entries.c.after).where(
                    audit_entries.c.tenant_id == tenant.id,
                    audit_entries.c.entity_type == "OAuthTokenFamily",
                )
            )
            .scalars()
            .all()
        )
    assert revoked and revoked[0]["reason"] == "refresh token replay"


def test_pairing_code_rules(
    client: TestClient, db: Database, tenant: TenantFixture, user_key: str, oauth
) -> None:  # type: ignore[no-untyped-def]
    app = register(client, tenant)
    session = oauth(app["clientId"])
    with pytest.raises(OAuthError, match="invalid_request"):  # the real password is refused
        session.fetch_token(
            f"{BASE}/oauth2/token", grant_type="password", username="anna", password=PASSWORD
        )
    code = pair(client, app, user_key)
    with pytest.raises(OAuthError):  # a code is for its user only
        session.fetch_token(
            f"{BASE}/oauth2/token", grant_type="password", username="bob", password=code
        )
    assert session.fetch_token(
        f"{BASE}/oauth2/token", grant_type="password", username="anna", password=code
    )["access_token"]
    with pytest.raises(OAuthError):  # and works once
        session.fetch_token(
            f"{BASE}/oauth2/token", grant_type="password", username="anna", password=code
        )
    other = register(client, tenant, name="Other app")
    with pytest.raises(OAuthError):  # and for its app only
        oauth(other["clientId"]).fetch_token(
            f"{BASE}/oauth2/token",
            grant_type="password",
            username="anna",
            password=pair(client, app, user_key),
        )
    plain_key = client.post(f"/v2/oauth-apps/{app['id']}/pairings", headers=tenant.headers)
    assert plain_key.status_code == 403  # a key of nobody cannot pair


def test_confidential_apps_and_wrong_secrets(
    client: TestClient, tenant: TenantFixture, user_key: str, oauth
) -> None:  # type: ignore[no-untyped-def]
    app = register(client, tenant, confidential=True)
    assert app["clientSecret"]
    listed = client.get("/v2/oauth-apps", headers=tenant.headers).json()
    assert [a["clientId"] for a in listed] == [app["clientId"]]
    assert "clientSecret" not in listed[0] and "secretHash" not in listed[0]
    with pytest.raises(OAuthError, match="invalid_client"):
        oauth(app["clientId"], "wrong").fetch_token(
            f"{BASE}/oauth2/token",
            grant_type="password",
            username="anna",
            password=pair(client, app, user_key),
        )
    token = oauth(app["clientId"], app["clientSecret"]).fetch_token(
        f"{BASE}/oauth2/token",
        grant_type="password",
        username="anna",
        password=pair(client, app, user_key),
    )
    assert token["access_token"]


def test_registration_rules(client: TestClient, tenant: TenantFixture) -> None:
    cases = [
        ({"redirectUris": ["http://example.com/cb"]}, "https"),
        ({"redirectUris": ["https://example.com/cb#x"]}, "fragment"),
        ({"grantTypes": ["implicit"]}, "unknown grant type"),
        ({"grantTypes": ["authorization_code"]}, "needs a redirect URI"),
        ({"scopes": ["no:such"]}, "unknown scope"),
    ]
    for change, text in cases:
        body = {
            "name": "x",
            "confidential": False,
            "redirectUris": [],
            "grantTypes": ["password"],
            "scopes": ["ledger:read"],
            **change,
        }
        response = client.post("/v2/oauth-apps", json=body, headers=tenant.headers)
        assert response.status_code == 400 and text in response.json()["detail"], response.text
    loopback = register(
        client, tenant, redirectUris=["http://127.0.0.1:8765/cb"], grantTypes=["authorization_code"]
    )
    assert loopback["redirectUris"] == ["http://127.0.0.1:8765/cb"]
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert metadata["token_endpoint"].endswith("/oauth2/token")


def test_tokens_stay_in_their_tenant_survive_key_rotation_and_logout(
    client: TestClient, db: Database, tenant: TenantFixture, user_key: str, oauth
) -> None:  # type: ignore[no-untyped-def]
    app = register(client, tenant)
    token = oauth(app["clientId"]).fetch_token(
        f"{BASE}/oauth2/token",
        grant_type="password",
        username="anna",
        password=pair(client, app, user_key),
    )
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    other = make_tenant(db)
    invoice = client.post(
        "/api/1.1/outgoing_invoices",
        headers=other.headers,
        json={
            "invoiceDate": "2020-10-31",
            "lines": [{"account": "4000", "amount": 12, "amountType": "N"}],
        },
    ).json()["result"]
    assert (
        client.get(f"/api/1.1/outgoing_invoices/{invoice['id']}", headers=bearer).status_code == 404
    )
    rotate_signing_key(db=db, clock=SystemClock())
    assert len(client.get("/.well-known/jwks.json").json()["keys"]) >= 2
    assert client.get("/api/1.1/accounts/4000", headers=bearer).status_code == 200
    tampered = token["access_token"][:-4] + (
        "AAAA" if not token["access_token"].endswith("AAAA") else "BBBB"
    )
    assert (
        client.get(
            "/api/1.1/accounts/4000", headers={"Authorization": f"Bearer {tampered}"}
        ).status_code
        == 401
    )
    out = client.delete(f"/api/1.1/session?refresh_token={token['refresh_token']}", headers=bearer)
    assert out.status_code == 204
    form = {
        "grant_type": "refresh_token",
        "refresh_token": token["refresh_token"],
        "client_id": app["clientId"],
    }
    refused = client.post(f"{BASE}/oauth2/token", data=form)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    plain_http = client.post("http://testserver/oauth2/token", data=form)
    assert plain_http.status_code == 400 and plain_http.json()["error"] == "insecure_transport"


JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def assertion(key, app: dict, tenant: TenantFixture, **changes: object) -> str:  # type: ignore[no-untyped-def, type-arg]
    now = int(time.time())
    claims = {
        "iss": app["clientId"],
        "sub": "anna",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "cid": tenant.number,
        "scp": "a",
        "req": "partner-portal",
        "jti": uuid.uuid4().hex,
        **changes,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(
        {"alg": "RS256" if key.key_type == "RSA" else "ES256", "kid": key.kid}, claims, key
    )


@pytest.mark.parametrize("kind", ["RSA", "EC"])
def test_jwt_bearer_grant(
    client: TestClient, tenant: TenantFixture, user_key: str, kind: str
) -> None:
    key = (
        RSAKey.generate_key(2048, parameters={"kid": "partner-1"})
        if kind == "RSA"
        else ECKey.generate_key("P-256", parameters={"kid": "partner-1"})
    )
    app = register(client, tenant, confidential=True, grantTypes=[JWT_BEARER])
    keys = client.put(
        f"/v2/oauth-apps/{app['id']}/issuer-keys",
        headers=tenant.headers,
        json={"keys": [key.as_dict(private=False)]},
    )
    assert keys.status_code == 200, keys.text

    def exchange(token: str) -> httpx2.Response:
        return client.post(
            f"{BASE}/oauth2/token", data={"grant_type": JWT_BEARER, "assertion": token}
        )

    refused = exchange(assertion(key, app, tenant))
    assert refused.status_code == 400  # anna has not allowed the app to act for her
    anna = {"Authorization": f"Bearer {user_key}"}
    assert client.put(f"/v2/oauth-apps/{app['id']}/consent", headers=anna).status_code == 204
    fixed = assertion(key, app, tenant)
    granted = exchange(fixed)
    assert granted.status_code == 200, granted.text
    body = granted.json()
    assert body["expires_in"] == 3600 and "refresh_token" not in body
    assert (
        client.get(
            "/api/1.1/accounts/4000", headers={"Authorization": f"Bearer {body['access_token']}"}
        ).status_code
        == 200
    )
    assert exchange(fixed).json()["error"] == "invalid_grant"  # jti replayed
    now = int(time.time())
    for bad in (
        {"exp": now - 120, "iat": now - 600, "nbf": now - 600},  # expired
        {"nbf": now + 600, "exp": now + 900},  # not yet valid
        {"exp": now + 30 * 86400},  # valid for a month
        {"cid": 9999},
        {"scp": "x"},
        {"sub": "nobody"},
    ):
        response = exchange(assertion(key, app, tenant, **bad))
        assert response.status_code in (400, 401), (bad, response.text)
    forged = (
        ECKey.generate_key("P-256", parameters={"kid": "partner-1"})
        if kind == "RSA"
        else RSAKey.generate_key(2048, parameters={"kid": "partner-1"})
    )
    assert exchange(assertion(forged, app, tenant)).json()["error"] == "invalid_grant"
    assert client.delete(f"/v2/oauth-apps/{app['id']}/consent", headers=anna).status_code == 204
    assert exchange(assertion(key, app, tenant)).status_code == 400


def test_issuer_keys_must_be_public_keys_of_a_jwt_bearer_app(
    client: TestClient, tenant: TenantFixture
) -> None:
    key = RSAKey.generate_key(2048)
    trusted = register(client, tenant, confidential=True, grantTypes=[JWT_BEARER])
    private = client.put(
        f"/v2/oauth-apps/{trusted['id']}/issuer-keys",
        headers=tenant.headers,
        json={"keys": [key.as_dict(private=True)]},
    )
    assert private.status_code == 400 and "public keys only" in private.json()["detail"]
    plain = register(client, tenant)
    wrong_app = client.put(
        f"/v2/oauth-apps/{plain['id']}/issuer-keys",
        headers=tenant.headers,
        json={"keys": [key.as_dict(private=False)]},
    )
    assert wrong_app.status_code == 400
    public = client.post(
        "/v2/oauth-apps",
        headers=tenant.headers,
        json={"name": "x", "confidential": False, "grantTypes": [JWT_BEARER], "scopes": []},
    )
    assert public.status_code == 400 and "trusted (confidential)" in public.json()["detail"]


REDIRECT = "https://app.example.com/callback"


def browser_login(
    client: TestClient, url: str, username: str = "anna", password: str = PASSWORD
) -> httpx2.Response:
    """What a user does in the browser: open the URL, sign in, allow; the final redirect."""
    page = client.get(url)
    assert page.status_code == 200 and 'name="password"' in page.text, page.text
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    signed_in = client.post(
        f"{BASE}/oauth2/login",
        data={**hidden, "username": username, "password": password},
        follow_redirects=True,
    )
    assert signed_in.status_code == 200 and "Erlauben" in signed_in.text, signed_in.text
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', signed_in.text))
    return client.post(
        f"{BASE}/oauth2/consent", data={**fields, "decision": "allow"}, follow_redirects=False
    )


@pytest.fixture
def browser(app, user_key: str) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url=BASE) as session:
        yield session


def test_code_flow_with_pkce(
    client: TestClient, tenant: TenantFixture, browser: TestClient, oauth
) -> None:  # type: ignore[no-untyped-def]
    app = register(
        client, tenant, redirectUris=[REDIRECT], grantTypes=["authorization_code", "refresh_token"]
    )
    session = oauth(app["clientId"])
    session.redirect_uri, session.code_challenge_method = REDIRECT, "S256"
    verifier = generate_token(48)
    url, state = session.create_authorization_url(f"{BASE}/oauth2/auth", code_verifier=verifier)
    redirect = browser_login(browser, url)
    assert redirect.status_code == 302
    location = redirect.headers["location"]
    assert location.startswith(REDIRECT) and f"state={state}" in location
    token = session.fetch_token(
        f"{BASE}/oauth2/token", authorization_response=location, code_verifier=verifier
    )
    assert token["refresh_token"] and token["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/1.1/accounts/4000", headers=bearer).status_code == 200
    code = dict(parse_qsl(location.split("?", 1)[1]))["code"]
    replay = client.post(
        f"{BASE}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app["clientId"],
            "code_verifier": verifier,
        },
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_code_flow_refusals(
    client: TestClient, tenant: TenantFixture, browser: TestClient, oauth
) -> None:  # type: ignore[no-untyped-def]
    app = register(client, tenant, redirectUris=[REDIRECT], grantTypes=["authorization_code"])
    base = f"{BASE}/oauth2/auth?response_type=code&client_id={app['clientId']}&state=s1"
    wrong = browser.get(
        f"{base}&redirect_uri=https://evil.example.com/cb"
        "&code_challenge=" + "a" * 43 + "&code_challenge_method=S256"
    )
    assert wrong.status_code == 400 and "location" not in wrong.headers  # no open redirect
    no_pkce = browser.get(f"{base}&redirect_uri={REDIRECT}")
    assert no_pkce.status_code == 400 and "PKCE" in no_pkce.text
    session = oauth(app["clientId"])
    session.redirect_uri, session.code_challenge_method = REDIRECT, "S256"
    verifier = generate_token(48)
    url, _ = session.create_authorization_url(f"{BASE}/oauth2/auth", code_verifier=verifier)
    page = browser.get(url)
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    bad = browser.post(
        f"{BASE}/oauth2/login", data={**hidden, "username": "anna", "password": "wrong password!"}
    )
    assert bad.status_code == 401 and "falsch" in bad.text
    signed_in = browser.post(
        f"{BASE}/oauth2/login",
        data={**hidden, "username": "anna", "password": PASSWORD},
        follow_redirects=True,
    )
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', signed_in.text))
    forged = browser.post(
        f"{BASE}/oauth2/consent", data={**fields, "csrf": "x", "decision": "allow"}
    )
    assert forged.status_code == 403
    denied = browser.post(
        f"{BASE}/oauth2/consent", data={**fields, "decision": "deny"}, follow_redirects=False
    )
    assert denied.status_code == 302 and "error=access_denied" in denied.headers["location"]
    wrong_verifier = client.post(
        f"{BASE}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": app["clientId"],
            "redirect_uri": REDIRECT,
            "code_verifier": generate_token(48),
            "code": dict(
                parse_qsl(
                    browser.post(
                        f"{BASE}/oauth2/consent",
                        data={**fields, "decision": "allow"},
                        follow_redirects=False,
                    )
                    .headers["location"]
                    .split("?", 1)[1]
                )
            )["code"],
        },
    )
    assert wrong_verifier.status_code == 400
    assert wrong_verifier.json()["error"] == "invalid_grant"


def test_expired_pairing_code_and_expired_access_token(
    client: TestClient, db: Database, database_url: str, tenant: TenantFixture, user_key: str
) -> None:
    app = register(client, tenant)
    code = pair(client, app, user_key)
    form = {"grant_type": "password", "username": "anna", "client_id": app["clientId"]}
    with app_at(db, database_url, datetime.now(UTC) + timedelta(minutes=6)) as later:
        late = later.post(f"{BASE}/oauth2/token", data={**form, "password": code})
        assert late.status_code == 400 and late.json()["error"] == "invalid_request"
    token = client.post(
        f"{BASE}/oauth2/token", data={**form, "password": pair(client, app, user_key)}
    ).json()["access_token"]
    with app_at(db, database_url, datetime.now(UTC) + timedelta(minutes=61)) as later:
        english = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        expired = later.get("/api/1.1/accounts/4000", headers=english)
        assert expired.status_code == 401 and "expired" in expired.json()["message"]


def test_access_token_refused_once_its_app_is_deleted(
    client: TestClient, tenant: TenantFixture, user_key: str, oauth
) -> None:  # type: ignore[no-untyped-def]
    """Issue 12, finding 7: the token was accepted until it expired after its app was gone."""
    app = register(client, tenant)
    token = oauth(app["clientId"]).fetch_token(
        f"{BASE}/oauth2/token",
        grant_type="password",
        username="anna",
        password=pair(client, app, user_key),
    )
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/1.1/accounts/4000", headers=bearer).status_code == 200
    other = register(client, tenant, name="Other app")  # another app of the tenant stays
    assert client.delete(f"/v2/oauth-apps/{app['id']}", headers=tenant.headers).status_code == 204
    refused = client.get("/api/1.1/accounts/4000", headers=bearer)
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/v2/oauth-apps", headers=bearer).status_code == 401
    kept = oauth(other["clientId"]).fetch_token(
        f"{BASE}/oauth2/token",
        grant_type="password",
        username="anna",
        password=pair(client, other, user_key),
    )
    other_bearer = {"Authorization": f"Bearer {kept['access_token']}"}
    assert client.get("/api/1.1/accounts/4000", headers=other_bearer).status_code == 200


def test_access_token_refused_once_its_signing_key_is_retired(
    client: TestClient, db: Database, tenant: TenantFixture, user_key: str, oauth
) -> None:  # type: ignore[no-untyped-def]
    """The verification keys are cached per set of unretired keys: retiring one takes effect
    from the next request."""
    app = register(client, tenant)
    session = oauth(app["clientId"])
    token = session.fetch_token(
        f"{BASE}/oauth2/token",
        grant_type="password",
        username="anna",
        password=pair(client, app, user_key),
    )
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/1.1/accounts/4000", headers=bearer).status_code == 200
    kid = jwt.decode(
        token["access_token"], KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    ).header["kid"]
    rotate_signing_key(db=db, clock=SystemClock())  # a new key signs from now on
    retire_signing_key(db=db, kid=kid, clock=SystemClock())
    assert client.get("/api/1.1/accounts/4000", headers=bearer).status_code == 401
    fresh = session.fetch_token(
        f"{BASE}/oauth2/token",
        grant_type="password",
        username="anna",
        password=pair(client, app, user_key),
    )
    renewed = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert client.get("/api/1.1/accounts/4000", headers=renewed).status_code == 200
