"""Alembic environment: one MetaData, SQLite in batch mode, procrastinate's tables left alone."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

from beleg.db.tables import metadata
from beleg.settings import get_settings

config = context.config


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url:
        return url
    attributes_url = config.attributes.get("url")
    return attributes_url or get_settings().database_url


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    # The task queue owns its tables (procrastinate_*); autogenerate must not drop them.
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
