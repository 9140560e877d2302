"""The bare drivers the start-up read uses: set up as the engine's own connections are, and
the few things said about a database before SQLAlchemy loads said as SQLAlchemy says them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from veru_desk.config import hide_password, resolve_database
from veru_desk.db.driver import DatabaseKind, connect, kind_of, server_conninfo
from veru_desk.db.engine import Database


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://veru:s3cr%40t@dbserver:5432/veru?sslmode=require",
        "postgresql+psycopg://veru@dbserver/veru",
        "postgresql+psycopg://priya.raghunathan:p:a:ss@10.0.0.5/veru",
        "postgresql+psycopg://a:b@[::1]:5432/veru",
    ],
)
def test_a_server_url_is_shown_without_its_password_as_sqlalchemy_shows_it(url: str) -> None:
    assert hide_password(url) == make_url(url).render_as_string(hide_password=True)
    assert "s3cr" not in hide_password(url)


def test_the_bare_driver_is_given_the_url_libpq_understands() -> None:
    url = "postgresql+psycopg://veru@dbserver:5433/veru?sslmode=require"
    assert server_conninfo(url) == "postgresql://veru@dbserver:5433/veru?sslmode=require"


def _pragmas(run: object) -> tuple[object, ...]:
    return tuple(
        run(f"PRAGMA {name}")  # type: ignore[operator]
        for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous", "cache_size")
    )


def test_a_bare_connection_is_set_up_exactly_as_the_engines_are(db_path: Path) -> None:
    location = resolve_database(str(db_path))
    assert kind_of(location) is DatabaseKind.PLAIN
    bare = connect(location)
    try:
        bare_pragmas = _pragmas(lambda sql: bare.rows(sql)[0][0])
    finally:
        bare.close()
    db = Database.open(location)
    try:
        with db.engine.connect() as connection:
            engine_pragmas = _pragmas(lambda sql: connection.exec_driver_sql(sql).scalar())
    finally:
        db.dispose()
    assert bare_pragmas == engine_pragmas == (1, "wal", 15_000, 1, -32000)


def test_a_database_whose_engine_was_never_needed_closes_without_loading_one(
    db_path: Path,
) -> None:
    db = Database.deferred(resolve_database(str(db_path)))
    db.dispose()
    assert "engine" not in db.__dict__
    with db.read() as session:  # first use makes it
        assert session.connection().exec_driver_sql("SELECT 1").scalar() == 1
    db.dispose()
