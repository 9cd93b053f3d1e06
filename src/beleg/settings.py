"""Process settings, read from ``BELEG_*`` environment variables (see the README's table)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./beleg.db"


class Settings(BaseSettings):
    """Every setting has a safe default for the embedded single-machine mode."""

    model_config = SettingsConfigDict(env_prefix="BELEG_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; unset means the embedded SQLite file ./beleg.db.",
    )
    host: str = Field(default="127.0.0.1", description="Address `beleg serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `beleg serve` binds to.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO")
    log_format: Literal["json", "console"] = Field(
        default="json", description="Structured JSON lines, or human-readable console lines."
    )
    metrics_enabled: bool = Field(default=True, description="Serve Prometheus `/metrics`.")
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated proxy addresses whose X-Forwarded-For is believed.",
    )
    idempotency_ttl_hours: int = Field(
        default=24, ge=1, description="How long a stored Idempotency-Key response is replayed."
    )
    page_size_max: int = Field(default=500, ge=1, description="Largest `size` a list accepts.")
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1,
        description=(
            "Largest request body in bytes (10 MiB); a larger one is a 413 before it is read."
            " A route that needs larger uploads declares its own `max_body_size`."
        ),
    )
    rate_limit_per_ip: str = Field(
        default="6000/minute", description="Requests one client address may make (moving window)."
    )
    rate_limit_per_credential: str = Field(
        default="3000/minute", description="Requests one API key or token may make."
    )
    redis_url: str | None = Field(
        default=None, description="Redis for shared rate-limit counters; unset: process memory."
    )
    embedded_worker: Literal["auto"] | bool = Field(
        default="auto",
        description=(
            "Whether `beleg serve` starts one worker loop (PDFs, due recurring invoices) in a"
            " child process beside the server: `auto` on the embedded SQLite database only,"
            " `true` always, `false` never. Elsewhere workers run as their own `beleg worker`"
            " processes; requests never render (a PDF not rendered yet is rendered when asked"
            " for)."
        ),
    )
    worker_concurrency: int = Field(
        default=4,
        ge=1,
        description=(
            "Jobs one `beleg worker` runs at once on PostgreSQL (threads; each renders a PDF or"
            " works one outbox event). `--concurrency` overrides it."
        ),
    )
    billing_chunk_size: int = Field(
        default=500,
        ge=1,
        description=(
            "Contracts per chunk of a billing run, whether started by `beleg billing run`,"
            " `POST /v2/billing-runs` or the tenant's schedule (one transaction and one block"
            " of numbers each; a customer's contracts are never split)."
        ),
    )
    worker_heartbeat_seconds: float = Field(
        default=10.0, gt=0, description="How often a PostgreSQL worker tells it is alive."
    )
    worker_keep_jobs_hours: int = Field(
        default=168,
        ge=1,
        description=(
            "Succeeded task-queue jobs are deleted this many hours after they finished (the"
            " outbox keeps every event and its outcome; failed jobs stay)."
        ),
    )
    worker_stalled_seconds: float = Field(
        default=30.0,
        gt=0,
        description=(
            "A PostgreSQL worker silent this long counts as dead: its running jobs are started"
            " again by another worker. Keep it well above the heartbeat."
        ),
    )

    smtp_url: str | None = Field(
        default=None,
        description=(
            "Where mails go: `smtp://[user:password@]host[:port]` (STARTTLS when the server "
            "offers it), `smtps://...` (TLS from the start). Unset: the file transport writes "
            "each mail as an `.eml` file into `BELEG_MAIL_DIR` (development)."
        ),
    )
    mail_dir: str = Field(
        default="./beleg-mail", description="The file transport's directory of `.eml` files."
    )
    mail_from: str = Field(
        default="beleg@localhost",
        description="Sender address of tenants that have not set their own.",
    )
    webhooks_allow_loopback: bool = Field(
        default=False,
        description=(
            "Test hook, never for production: tenants in test mode may register `http://` "
            "webhook endpoints on a literal loopback address (127.0.0.1, [::1]). Off, every "
            "endpoint must be https on a public address (no server-side request forgery)."
        ),
    )

    fault_kill_after_commit: int = Field(
        default=0,
        ge=0,
        description=(
            "Test hook, never for production: kill the process with SIGKILL right after the "
            "N-th POST with an Idempotency-Key has committed, before it answers (0: never). "
            "Only the crash tests set it."
        ),
    )
    fault_kill_in_job: int = Field(
        default=0,
        ge=0,
        description=(
            "Test hook, never for production: a PostgreSQL worker kills itself with SIGKILL"
            " when it starts its N-th job, before working it (0: never). Only the crash tests"
            " set it."
        ),
    )

    @property
    def runs_embedded_worker(self) -> bool:
        """`BELEG_EMBEDDED_WORKER` resolved: `auto` means on for SQLite, off otherwise."""
        if self.embedded_worker == "auto":
            return self.database_url.startswith("sqlite")
        return self.embedded_worker


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
