"""The OAuth pages in a real browser (issue 4): Debian's Chromium, driven by Playwright,
signs in, enrols TOTP as the tenant requires, consents and completes a code flow with PKCE
(the app exchanges the code with authlib's client), then opens the pairing page, whose code
a desktop app exchanges for a token."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx2
import pyotp
import pytest
import uvicorn
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from playwright.sync_api import sync_playwright

from beleg.api.app import create_app
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.services.identity.security import update_policy
from beleg.services.identity.users import create_user
from beleg.settings import Settings
from tests.conftest import TenantFixture, system_actor

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(db: Database, database_url: str) -> Iterator[str]:
    port = _free_port()
    app = create_app(settings=Settings(database_url=database_url, log_level="WARNING"), db=db)
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{base}/healthz").status_code == 200:
                break
        except httpx2.TransportError:
            time.sleep(0.1)
    yield base
    instance.should_exit = True
    thread.join(timeout=10)


def test_login_totp_enrolment_and_code_flow_in_chromium(
    server: str, db: Database, tenant: TenantFixture
) -> None:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    actor = system_actor(tenant.id)
    create_user(
        db=db,
        actor=actor,
        tenant_id=tenant.id,
        username="anna",
        password=PASSWORD,
        role="ACCOUNTANT",
        clock=SystemClock(),
    )
    update_policy(
        db=db, actor=actor, tenant_id=tenant.id, changes={"require_2fa": True}, clock=SystemClock()
    )
    redirect = f"{server}/callback"
    app = httpx2.post(
        f"{server}/v2/oauth-apps",
        headers=tenant.headers,
        json={
            "name": "Browser app",
            "confidential": False,
            "redirectUris": [redirect],
            "grantTypes": ["authorization_code", "refresh_token"],
            "scopes": ["ledger:read"],
        },
    ).json()
    desktop = httpx2.post(
        f"{server}/v2/oauth-apps",
        headers=tenant.headers,
        json={
            "name": "Desktop app",
            "confidential": False,
            "grantTypes": ["password"],
            "scopes": ["ledger:read"],
        },
    ).json()
    client = OAuth2Client(app["clientId"], redirect_uri=redirect, code_challenge_method="S256")
    verifier = generate_token(48)
    url, state = client.create_authorization_url(f"{server}/oauth2/auth", code_verifier=verifier)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.goto(url)
        page.fill("#username", "anna")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#totp-secret")
        assert page.locator("svg").count() >= 1  # the QR code
        secret = page.inner_text("#totp-secret")
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("button[type=submit]")
        page.wait_for_selector("button[value=allow]")
        with page.expect_navigation(url=re.compile(re.escape(redirect))):
            page.click("button[value=allow]")
        landed = page.url
        page.goto(f"{server}/oauth2/pair?client_id={desktop['clientId']}")
        pairing_code = page.inner_text("#pairing-code")
        browser.close()

    query = dict(parse_qsl(urlsplit(landed).query))
    assert query["state"] == state and query["code"]
    token = client.fetch_token(f"{server}/oauth2/token", code=query["code"], code_verifier=verifier)
    assert token["expires_in"] == 3600 and token["refresh_token"]
    accounts = httpx2.get(
        f"{server}/api/1.1/accounts/4000",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert accounts.status_code == 200

    paired = OAuth2Client(desktop["clientId"]).fetch_token(
        f"{server}/oauth2/token", grant_type="password", username="anna", password=pairing_code
    )
    assert paired["access_token"] and "refresh_token" not in paired
