"""The one engine factory: a plain SQLite file, an encrypted SQLite file, or a server.

Nothing else in the code knows which engine it got. SQLite is set up on every connection:
foreign keys on, WAL, a busy timeout, and transactions we begin ourselves so a writer takes
the write lock up front (``BEGIN IMMEDIATE``) instead of failing half-way on a lock upgrade.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veru_desk.config import DatabaseLocation
from veru_desk.db.driver import (
    BUSY_TIMEOUT_MS,
    CACHE_KIB,
    WIDE_CACHE_KIB,
    set_up_sqlite,
    sqlite_module,
)

if TYPE_CHECKING:
    from sqlalchemy import URL, Engine
    from sqlalchemy.orm import Session, sessionmaker

_BEGIN_OPTION = "veru_begin"
# A transaction-level advisory lock, released by COMMIT or ROLLBACK (the key spells VERU),
# waited for no longer than SQLite's busy timeout.
_SERVER_LOCK_TIMEOUT = f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}"
_SERVER_WRITE_LOCK = "SELECT pg_advisory_xact_lock(1447383637)"
#: A server's snapshot id as ``pg_export_snapshot`` gives it (hex words and dashes): it is
#: written into ``SET TRANSACTION SNAPSHOT``, which takes no parameters.
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")
#: A read of the file's first page: an SQLite read transaction takes its moment there.
_BEGIN_READING = "SELECT count(*) FROM sqlite_schema"
#: How long ``snapshot_pair`` waits for SQLite's write lock before reading on one connection.
_HOLD_WAIT_MS = 100
#: The read transaction ``Database.reading_together`` holds on this thread, and its database.
_SHARED_READ: ContextVar[tuple[Database, Session] | None] = ContextVar(
    "veru_shared_read", default=None
)


def make_engine(
    location: DatabaseLocation, *, key: bytes | None = None, echo: bool = False
) -> Engine:
    """Builds the engine for a location; ``key`` (32 bytes) opens an SQLCipher file."""
    from sqlalchemy import create_engine, event

    from veru_desk.db.stored_text import refuse_unstorable_text

    if location.url.startswith("sqlite"):
        kwargs: dict[str, Any] = {}
        if key is not None:
            kwargs["module"] = sqlite_module(key)
        if location.path is not None:
            location.path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(engine_url(location), echo=echo, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            set_up_sqlite(dbapi_connection, key)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

    else:
        # Statements go to the server as compiled, with its own ``$1`` placeholders, through
        # psycopg's raw cursors. Its standard cursors rewrite ``%(name)s`` into ``$1`` on every
        # execution, and cache that only for statements under 4 kB and 50 parameters: an
        # import's multi-row INSERTs (thousands of parameters each) were parsed anew every
        # time, a third of importing 10,000 referrals (19.4-20.6 s -> 12.3-12.7 s, measured
        # in turn on one machine).
        engine = create_engine(
            engine_url(location),
            echo=echo,
            pool_pre_ping=True,
            pool_size=5,
            paramstyle="numeric_dollar",
        )

        @event.listens_for(engine, "connect")
        def _raw_cursors(dbapi_connection: Any, _record: Any) -> None:
            from psycopg import RawCursor, RawServerCursor

            dbapi_connection.cursor_factory = RawCursor
            dbapi_connection.server_cursor_factory = RawServerCursor

        @event.listens_for(engine, "do_connect")
        def _current_password(_dialect: Any, _record: Any, _args: Any, params: Any) -> None:
            # Read at each new connection, so a password changed while signed in
            # (``Database.use_server_password``) is the one the next connection uses.
            if engine.url.password is not None:
                params["password"] = engine.url.password

    refuse_unstorable_text(engine)  # no NUL reaches a table, on either engine
    return engine


def engine_url(location: DatabaseLocation) -> URL:
    """The URL SQLAlchemy is given: for a file, made from its path with ``URL.create``.

    Never ``f"sqlite:///{path}"`` parsed back: SQLAlchemy decodes ``%41`` in a URL to "A" and
    ends the path at a "?", so a folder named ``100%41 Club`` opened ``100A Club``'s file and
    ``Who? What?`` opened a file called ``Who``. A server's URL is the one the user gave,
    already written as a URL (its password percent-encoded, as ``driver`` keeps it).
    """
    from sqlalchemy.engine import URL, make_url

    if location.path is not None:
        return URL.create("sqlite", database=str(location.path))
    return make_url(location.url)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """An open database: the engine and the two kinds of session the services use.

    ``read()`` and ``write()`` are short, one per operation (see STYLE.md, TagStudio). A write
    session takes SQLite's write lock at BEGIN so two processes queue instead of deadlocking.
    """

    def __init__(
        self,
        location: DatabaseLocation,
        engine: Engine | None = None,
        key: bytes | None = None,
    ) -> None:
        self.location = location
        self.key = key  # the SQLCipher key, kept so backups are encrypted the same way
        if engine is not None:
            self.engine = engine

    @classmethod
    def open(cls, location: DatabaseLocation, *, key: bytes | None = None) -> Database:
        return cls(location, make_engine(location, key=key), key)

    @classmethod
    def deferred(cls, location: DatabaseLocation, *, key: bytes | None = None) -> Database:
        """A database whose engine (and SQLAlchemy) loads on first use. Only for a database
        already checked to be current (``services.quick_start`` does that on a bare
        connection), so the window can be shown before SQLAlchemy has been imported."""
        return cls(location, None, key)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.location, key=self.key)

    @cached_property
    def _reader(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False, autoflush=True)

    @cached_property
    def _writer(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        writer_engine = (
            self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            if self.is_sqlite
            else self.engine
        )
        return sessionmaker(writer_engine, expire_on_commit=False, autoflush=True)

    @property
    def key_file(self) -> Path | None:
        """The key file that belongs with an encrypted database file (backed up with it)."""
        if self.key is None or self.location.path is None:
            return None
        from veru_desk.db.keyfile import key_file_path

        return key_file_path(self.location.path)

    @property
    def is_sqlite(self) -> bool:
        return self.location.url.startswith("sqlite")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read transaction; within ``reading_together``, that one."""
        shared = _SHARED_READ.get()
        if shared is not None and shared[0] is self:
            yield shared[1]
            return
        with self._reader() as session:
            yield session

    @contextmanager
    def reading_together(self) -> Iterator[None]:
        """Every ``read()`` in the block, on this thread, is one read transaction.

        A screen that shows what several services read (a case's overview asks seven) then
        opens one transaction, not seven: on a server each costs a BEGIN, the account check
        and a ROLLBACK, round trips that were most of opening a case there. Writes in the
        block keep their own transactions. One failed read fails the block, as the screen
        shows all of it or an error. Nested, the outer transaction is used.
        """
        shared = _SHARED_READ.get()
        if shared is not None and shared[0] is self:
            yield
            return
        with self._reader() as session:
            token = _SHARED_READ.set((self, session))
            try:
                yield
            finally:
                _SHARED_READ.reset(token)

    @contextmanager
    def snapshot(self, *, wide: bool = False, wide_kib: int = WIDE_CACHE_KIB) -> Iterator[Session]:
        """One read transaction that sees one moment, for a document gathered by many queries
        (a case summary, a subject access copy): a save another PC commits half-way through is
        wholly in it or wholly out, never in one section and missing from the next.

        SQLite gives that to any read transaction (``BEGIN`` on first use, WAL). PostgreSQL's
        default, READ COMMITTED, lets each statement see a newer moment, so on a server the
        transaction is REPEATABLE READ and read-only; the connection goes back to the pool
        with its usual settings.

        ``wide``: the document reads across the whole database (the outcome report). SQLite's
        page cache is then widened for it (to ``wide_kib``) and given back after, so the
        memory is held only while the report runs.
        """
        with self._reader() as session:
            if not self.is_sqlite:
                session.connection(
                    execution_options={
                        "isolation_level": "REPEATABLE READ",
                        "postgresql_readonly": True,
                    }
                )
                yield session
                return
            if not wide:
                yield session
                return
            connection = session.connection()
            connection.exec_driver_sql(f"PRAGMA cache_size = -{wide_kib}")
            try:
                yield session
            finally:
                try:
                    connection.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")
                    connection.exec_driver_sql("PRAGMA shrink_memory")
                except Exception:  # never pool a connection with the wide cache
                    connection.invalidate()

    @contextmanager
    def snapshot_pair(self, *, wide: bool = False) -> Iterator[tuple[Session, Session | None]]:
        """Two ``snapshot`` transactions, on two connections, that see the same moment: a
        document's queries can then be read on two threads at once (the outcome report reads
        a year of index pages, which on SQLite a second core does in parallel, the driver
        letting go of Python's lock while SQLite works).

        On SQLite a third connection holds the write lock (``BEGIN IMMEDIATE``) while both
        begin reading, so no other program's commit can fall between them; it lets go at
        once. If the lock cannot be had within a moment (a save in progress, a read-only
        file) the second is None and the caller reads everything through the first: the
        document waits for no one. On PostgreSQL the first exports its snapshot and the
        second takes it up (``SET TRANSACTION SNAPSHOT``).
        """
        from sqlalchemy import text

        with ExitStack() as stack:
            if not self.is_sqlite:
                first = stack.enter_context(self.snapshot(wide=wide))
                moment = first.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                if not _SNAPSHOT_ID.fullmatch(moment):
                    raise ValueError(f"unexpected snapshot id from the server: {moment!r}")
                taken_up = stack.enter_context(self.snapshot(wide=wide))
                taken_up.execute(text(f"SET TRANSACTION SNAPSHOT '{moment}'"))
                yield first, taken_up
                return
            with self._writes_held() as held:
                # Two wide caches of half the size: the memory one wide read may hold, shared.
                kib = WIDE_CACHE_KIB // 2 if held else WIDE_CACHE_KIB
                first = stack.enter_context(self.snapshot(wide=wide, wide_kib=kib))
                first.execute(text(_BEGIN_READING))
                second: Session | None = None
                if held:
                    second = stack.enter_context(self.snapshot(wide=wide, wide_kib=kib))
                    second.execute(text(_BEGIN_READING))
            yield first, second

    @contextmanager
    def _writes_held(self) -> Iterator[bool]:
        """SQLite's write lock, held on a connection of its own for the block if it can be
        had within ``_HOLD_WAIT_MS``; whether it was."""
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            dbapi = self.engine.dialect.dbapi
            assert dbapi is not None
            driver.execute(f"PRAGMA busy_timeout = {_HOLD_WAIT_MS}")
            try:
                driver.execute("BEGIN IMMEDIATE")
            except dbapi.Error:
                held = False  # a save under way, or a read-only file
            else:
                held = True
            try:
                yield held
            finally:
                try:
                    if held:
                        driver.execute("ROLLBACK")
                    driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                except Exception:
                    # Never pooled holding the lock, or giving up on it after 100 ms.
                    raw.invalidate()
                    raise
        finally:
            raw.close()

    def interrupter(self, session: Session) -> Callable[[], None]:
        """Stops the statement ``session`` is running, from another thread: SQLite's
        ``interrupt``, a server's cancel request. The statement then fails in its thread."""
        driver = session.connection().connection.driver_connection
        assert driver is not None
        if self.is_sqlite:
            return driver.interrupt
        return driver.cancel_safe

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        On a server it first takes the office-wide write lock, held until commit: writes
        queue as they do on SQLite, so each reads what the one before it committed. Without
        it, two PCs saving at once could both read version 3 of a record and the second be
        refused as a conflict although nobody had overwritten anything it had seen. Saves
        are a few milliseconds each, so queuing costs an office nothing.
        """
        with self._writer() as session, session.begin():
            if not self.is_sqlite:
                session.connection().exec_driver_sql(_SERVER_LOCK_TIMEOUT)
                session.connection().exec_driver_sql(_SERVER_WRITE_LOCK)
            yield session

    def use_server_password(self, password: str) -> None:
        """After the signed-in user changed their password on a server that checks it: new
        connections sign in with the new one (open ones stay signed in)."""
        from veru_desk.db.driver import with_server_password

        self.location = replace(
            self.location, url=with_server_password(self.location.url, password)
        )
        if "engine" in self.__dict__:
            self.engine.url = self.engine.url.set(password=password)

    def dispose(self) -> None:
        if "engine" in self.__dict__:  # an engine never made has nothing to close
            self.engine.dispose()
