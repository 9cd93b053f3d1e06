"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from beleg import __version__
from beleg.api import oauth, oauth_pages, ops, v2, v11
from beleg.api.errors import install_error_handlers
from beleg.api.limits import install_body_limit
from beleg.api.observability import ObservabilityMiddleware, configure_logging
from beleg.api.openapi import install_openapi
from beleg.api.ratelimit import RateLimits
from beleg.api.route_index import RouteIndex
from beleg.api.routing import route_table
from beleg.api.runtime import Runtime
from beleg.api.server_errors import ServerErrorGuard
from beleg.api.throttle import ClientAddressLimit
from beleg.api.v11.slashes import TrailingSlashes
from beleg.clock import Clock, SystemClock
from beleg.db.database import Database
from beleg.services.identity.api_keys import authenticate_api_key
from beleg.services.identity.oauth_tokens import authenticate_access_token
from beleg.settings import Settings, get_settings

DESCRIPTION = """\
Beleg runs the money side of a subscription business: billing, invoices, payments, receivables
and bookkeeping. `/v2` is the Billing API; `/api/1.1` the accounting API of seed 003.

Authenticate with `Authorization: Bearer <API key or access token>`. Each operation names the
scope it needs. POST requests accept an `Idempotency-Key`. Lists take `search` (RSQL),
`sort`, `page`, `size`, and stream CSV with `format=csv` or `Accept: text/csv`.
"""


def create_app(
    *, settings: Settings | None = None, db: Database | None = None, clock: Clock | None = None
) -> FastAPI:
    """Build the application around one database and one system clock."""
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    database = db or Database(settings.database_url)
    system_clock = clock or SystemClock()
    rt = Runtime(
        settings=settings, db=database, clock=system_clock, rate_limits=RateLimits(settings)
    )
    rt.authenticators.append(
        lambda token: authenticate_api_key(db=database, token=token, clock=system_clock)
    )
    rt.authenticators.append(
        lambda token: authenticate_access_token(db=database, token=token, clock=system_clock)
    )

    app = FastAPI(title="Beleg", version=__version__, description=DESCRIPTION)
    app.state.runtime = rt
    install_error_handlers(app)
    app.include_router(ops.router)
    app.include_router(oauth.router)
    app.include_router(oauth_pages.router)
    app.include_router(v2.router())
    app.include_router(v11.router())
    RouteIndex.install(app.router)
    install_openapi(app)
    app.add_middleware(TrailingSlashes)  # innermost: the seed's URLs as written, no redirect
    app.add_middleware(ServerErrorGuard)  # a 500 keeps the connection
    install_body_limit(app, settings.max_body_bytes)  # before anything reads the body
    app.add_middleware(ClientAddressLimit)
    app.add_middleware(
        ObservabilityMiddleware,
        metrics=rt.metrics,
        templates=lambda: {id(r.route): r.path for r in route_table(app.routes)},
    )
    return app
