"""`beleg tenant`, `beleg user`, `beleg apikey`: administration from the server's shell."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from beleg.cli.context import (
    OUTSIDE_ANY_TENANT,
    as_text,
    clock,
    console,
    database,
    operator,
    run,
)
from beleg.domain.identity.scopes import Role, scopes_for_role
from beleg.queries.identity.lists import (
    api_key_list,
    find_tenant,
    find_user,
    tenant_list,
    user_list,
)
from beleg.queries.listing import ListRequest, ListSpec, prepare_stream, stream_rows
from beleg.services.identity import api_keys, oauth_tokens, users
from beleg.services.onboarding import tenants as onboarding
from beleg.services.tenancy import tenants

tenant_app = typer.Typer(help="Create, list and change tenants.", no_args_is_help=True)
user_app = typer.Typer(help="Create, list and delete users of a tenant.", no_args_is_help=True)
key_app = typer.Typer(help="Create and list API keys.", no_args_is_help=True)

TenantRef = Annotated[str, typer.Option("--tenant", "-t", help="Tenant number or UUID")]


def _print_table(spec: ListSpec, columns: list[str], title: str) -> None:
    db = database()
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    statement = prepare_stream(spec=spec, request=ListRequest())
    for row in stream_rows(db=db, spec=spec, statement=statement):
        table.add_row(*(as_text(row[c]) for c in columns))
    console.print(table)


@tenant_app.command("create")
def tenant_create(
    name: Annotated[str, typer.Option(help="Display name")],
    country: Annotated[str, typer.Option(help="AT or DE")] = "AT",
    mode: Annotated[str, typer.Option(help="EA (single-entry) or DE (double-entry)")] = "DE",
    currency: Annotated[str, typer.Option(help="Main currency, ISO 4217")] = "EUR",
    timezone: Annotated[str | None, typer.Option(help="IANA zone (default by country)")] = None,
    locale: Annotated[str | None, typer.Option(help="e.g. de_AT")] = None,
    test_mode: Annotated[bool, typer.Option("--test-mode", help="A test tenant")] = False,
    chart: Annotated[
        str | None, typer.Option(help="Chart of accounts: AT-EKR; DE: SKR03 (default) or SKR04")
    ] = None,
) -> None:
    """Create a tenant."""
    db = database()
    spec = onboarding.TenantInput(
        name=name,
        country=country,
        accounting_mode=mode,
        currency=currency,
        timezone=timezone,
        locale=locale,
        test_mode=test_mode,
        chart_of_accounts=chart,
    )
    created = run(
        lambda: onboarding.create_tenant(
            db=db, actor=operator(OUTSIDE_ANY_TENANT), spec=spec, clock=clock
        )
    )
    console.print(f"tenant {created.number} created: {created.id}")


@tenant_app.command("list")
def tenant_ls() -> None:
    """List tenants."""
    _print_table(
        tenant_list(),
        [
            "number",
            "id",
            "name",
            "country",
            "accountingMode",
            "currency",
            "timezone",
            "locale",
            "testMode",
            "platform",
        ],
        "Tenants",
    )


@tenant_app.command("update")
def tenant_update(
    tenant: Annotated[str, typer.Argument(help="Tenant number or UUID")],
    name: Annotated[str | None, typer.Option()] = None,
    timezone: Annotated[str | None, typer.Option()] = None,
    locale: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Change a tenant's name, time zone or locale."""
    db = database()
    row = run(lambda: find_tenant(db=db, reference=tenant))
    changes = {"name": name, "timezone": timezone, "locale": locale}
    run(
        lambda: tenants.update_tenant(
            db=db, actor=operator(row["id"]), tenant_id=row["id"], changes=changes, clock=clock
        )
    )
    console.print(f"tenant {row['number']} updated")


@user_app.command("create")
def user_create(
    tenant: TenantRef,
    username: Annotated[str, typer.Option(help="a-z, 0-9 and . _ - @")],
    role: Annotated[Role, typer.Option(help="User role")] = Role.VIEWER,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
    display_name: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a user (the password is asked for and stored as an argon2id hash)."""
    db = database()
    row = run(lambda: find_tenant(db=db, reference=tenant))
    user = run(
        lambda: users.create_user(
            db=db,
            actor=operator(row["id"]),
            tenant_id=row["id"],
            username=username,
            password=password,
            role=role.value,
            display_name=display_name,
            email=email,
            clock=clock,
        )
    )
    console.print(f"user {user.username} created: {user.id}")


@user_app.command("list")
def user_ls(tenant: TenantRef) -> None:
    """List the users of a tenant."""
    row = run(lambda: find_tenant(db=database(), reference=tenant))
    _print_table(
        user_list(row["id"]),
        ["username", "id", "displayName", "role", "email", "createdAt"],
        f"Users of tenant {row['number']}",
    )


@user_app.command("delete")
def user_delete(tenant: TenantRef, username: Annotated[str, typer.Argument()]) -> None:
    """Delete a user; the API keys they created are kept and keep working."""
    db = database()
    row = run(lambda: find_tenant(db=db, reference=tenant))
    user = run(lambda: find_user(db=db, tenant_id=row["id"], username=username))
    result = run(
        lambda: users.delete_user(
            db=db, actor=operator(row["id"]), tenant_id=row["id"], user_id=user["id"], clock=clock
        )
    )
    console.print(f"user {username} deleted; {len(result.kept_api_key_ids)} API key(s) kept")


@key_app.command("create")
def key_create(
    tenant: TenantRef,
    name: Annotated[str, typer.Option(help="What the key is for")],
    scope: Annotated[list[str], typer.Option("--scope", "-s", help="Repeat per scope")],
    validity: Annotated[str, typer.Option(help="7, 30, 60, 90 or unlimited")] = "90",
    user: Annotated[str | None, typer.Option(help="Create on behalf of this user")] = None,
) -> None:
    """Create an API key; the token is printed once."""
    db = database()
    row = run(lambda: find_tenant(db=db, reference=tenant))
    actor, granter = operator(row["id"]), None
    if user is not None:
        owner = run(lambda: find_user(db=db, tenant_id=row["id"], username=user))
        granter = scopes_for_role(Role(owner["role"]), platform_tenant=row["platform"])
        actor = operator(row["id"], scopes=granter, user_id=owner["id"], name=owner["username"])
    days = None if validity == "unlimited" else _days(validity)
    created = run(
        lambda: api_keys.create_api_key(
            db=db,
            actor=actor,
            tenant_id=row["id"],
            name=name,
            scopes=scope,
            validity_days=days,
            clock=clock,
            granter_scopes=granter,
        )
    )
    console.print(
        f"API key {created.key.id} created, expires "
        f"{as_text(created.key.expires_at)}. The token is shown only now:"
    )
    console.print(created.token, markup=False, highlight=False)


def _days(text: str) -> int:
    if not text.isdigit():
        raise typer.BadParameter(
            "validity must be 7, 30, 60, 90 or unlimited", param_hint="--validity"
        )
    return int(text)


@key_app.command("list")
def key_ls(tenant: TenantRef) -> None:
    """List a tenant's API keys."""
    row = run(lambda: find_tenant(db=database(), reference=tenant))
    _print_table(
        api_key_list(row["id"], clock.now()),
        ["name", "prefix", "status", "expiresAt", "scopes", "createdBy"],
        f"API keys of tenant {row['number']}",
    )


oauth_app = typer.Typer(help="OAuth2 signing keys.", no_args_is_help=True)


@oauth_app.command("rotate-key")
def rotate_key() -> None:
    """Sign new access tokens with a new key; tokens of older keys stay valid."""
    kid = run(lambda: oauth_tokens.rotate_signing_key(db=database(), clock=clock))
    console.print(
        f"new signing key {kid}; retire the old one after an hour with `beleg oauth retire-key KID`"
    )


@oauth_app.command("retire-key")
def retire_key(
    kid: Annotated[str, typer.Argument(help="Key id from /.well-known/jwks.json")],
) -> None:
    """Stop accepting access tokens signed with ``kid``."""
    run(lambda: oauth_tokens.retire_signing_key(db=database(), kid=kid, clock=clock))
    console.print(f"signing key {kid} retired")
