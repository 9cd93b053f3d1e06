"""The `beleg` command against the test database."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from beleg.cli.main import app
from beleg.clock import SystemClock
from beleg.db.database import Database
from beleg.db.tables import audit_entries
from beleg.domain.ledger.journals import JournalDraft, JournalType, Posting
from beleg.money import Currency
from beleg.services.identity.oauth_tokens import read_public_keys
from beleg.services.ledger.journals import book_journal
from beleg.settings import get_settings
from tests.conftest import TenantFixture, system_actor
from tests.tampering import tampering

runner = CliRunner(env={"COLUMNS": "250"})


@pytest.fixture(autouse=True)
def _use_test_database(monkeypatch: pytest.MonkeyPatch, database_url: str, db: Database) -> None:
    monkeypatch.setenv("BELEG_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_migrate_is_idempotent() -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0 and "latest migration" in result.output


def test_tenant_user_and_key_lifecycle(platform: dict) -> None:
    created = runner.invoke(
        app, ["tenant", "create", "--name", "CLI GmbH", "--country", "DE", "--mode", "EA"]
    )
    assert created.exit_code == 0, created.output
    number = created.output.split()[1]
    listing = runner.invoke(app, ["tenant", "list"])
    assert "CLI GmbH" in listing.output
    user = runner.invoke(
        app,
        ["user", "create", "-t", number, "--username", "clara", "--role", "ACCOUNTANT"],
        input="a long enough password\na long enough password\n",
    )
    assert user.exit_code == 0, user.output
    key = runner.invoke(
        app,
        [
            "apikey",
            "create",
            "-t",
            number,
            "--name",
            "export",
            "-s",
            "documents:read",
            "--validity",
            "30",
            "--user",
            "clara",
        ],
    )
    assert key.exit_code == 0, key.output
    assert key.output.strip().splitlines()[-1].startswith("blg_")
    too_much = runner.invoke(
        app,
        ["apikey", "create", "-t", number, "--name", "x", "-s", "users:write", "--user", "clara"],
    )
    assert too_much.exit_code == 2 and "users:write" in too_much.output
    keys = runner.invoke(app, ["apikey", "list", "-t", number])
    assert "export" in keys.output and "clara" in keys.output
    renamed = runner.invoke(app, ["tenant", "update", number, "--name", "CLI AG"])
    assert renamed.exit_code == 0
    deleted = runner.invoke(app, ["user", "delete", "-t", number, "clara"])
    assert deleted.exit_code == 0 and "1 API key(s) kept" in deleted.output


def test_bad_input_is_a_clear_cli_error(platform: dict) -> None:
    result = runner.invoke(app, ["tenant", "create", "--name", "X", "--country", "FR"])
    assert result.exit_code == 2 and "country" in result.output
    user = runner.invoke(
        app,
        ["user", "create", "-t", "1001", "--username", "jörg"],
        input="a long enough password\na long enough password\n",
    )
    assert user.exit_code == 2 and "'ö'" in user.output
    missing = runner.invoke(app, ["user", "list", "-t", "9999"])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_audit_verify_detects_an_edited_row(db: Database, tenant: TenantFixture) -> None:
    ok = runner.invoke(app, ["audit", "verify", "-t", str(tenant.number)])
    assert ok.exit_code == 0 and "chain intact" in ok.output
    with tampering(db) as session:
        session.execute(
            update(audit_entries)
            .where(audit_entries.c.tenant_id == tenant.id, audit_entries.c.seq == 1)
            .values(actor_name="forged")
        )
    broken = runner.invoke(app, ["audit", "verify", "-t", str(tenant.number)])
    assert broken.exit_code == 1 and "entry 1" in broken.output and "altered" in broken.output
    everything = runner.invoke(app, ["audit", "verify"])
    assert everything.exit_code == 1


def test_ledger_reports(db: Database, tenant: TenantFixture) -> None:
    draft = JournalDraft(
        JournalType.INCOME,
        date(2020, 5, 4),
        Currency.of("EUR"),
        (
            Posting("2000", Decimal("14.40")),
            Posting("4000", Decimal("-12.00")),
            Posting("3500", Decimal("-2.40")),
        ),
        description="AR2020 1",
    )
    book_journal(
        db=db, actor=system_actor(tenant.id), tenant_id=tenant.id, draft=draft, clock=SystemClock()
    )
    period = ["-t", str(tenant.number), "--from", "2020-01-01", "--to", "2020-12-31"]
    csv_out = runner.invoke(app, ["ledger", "trial-balance", *period, "--csv"])
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.output.splitlines() == [
        "account,name,type,debit,credit,balance",
        "2000,Lieferforderungen Inland,S,14.40,0.00,14.40",
        "3500,Umsatzsteuer,S,0.00,2.40,-2.40",
        "4000,Einnahmen (Erlöse),E,0.00,12.00,-12.00",
        ",Summe,,14.40,14.40,0.00",
    ]
    table = runner.invoke(app, ["ledger", "journal", *period])
    assert table.exit_code == 0 and "E2020 1" in table.output and "AR2020 1" in table.output
    bad = runner.invoke(app, ["ledger", "journal", "-t", str(tenant.number), "--from", "May"])
    assert bad.exit_code == 2


def test_oauth_signing_key_rotation(db: Database) -> None:
    rotated = runner.invoke(app, ["oauth", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    kid = rotated.output.split()[3].rstrip(";")
    assert kid in {k["kid"] for k in read_public_keys(db=db)["keys"]}
    retired = runner.invoke(app, ["oauth", "retire-key", kid])
    assert retired.exit_code == 0 and kid in retired.output
    assert kid not in {k["kid"] for k in read_public_keys(db=db)["keys"]}
