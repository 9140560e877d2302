"""The last guard before text is written: no NUL byte and no lone surrogate reaches a table.

Every service cleans or refuses text itself (``domain.text``), with a message beside the
field. This guard is for a path that forgot: PostgreSQL refuses a NUL outright, and SQLite
stores it, which breaks ``migrate-to`` and every later copy to a server months afterwards. So
on both engines an INSERT or UPDATE carrying one is stopped before it runs, with a message
naming the column (never "restore the latest backup"), and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Engine, event

from veru_desk.db.failures import Cause, DatabaseFailure

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_WRITES = ("INSERT", "UPDATE")


def refuse_unstorable_text(engine: Engine) -> None:
    """Installs the guard on ``engine`` (``db.engine.make_engine`` does, for every engine)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _check(
        _conn: Any,
        _cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if not statement.lstrip()[:6].upper().startswith(_WRITES):
            return
        rows = parameters if executemany else [parameters]
        for row in rows:
            items = list(_items(row, context))
            for key, value in items:
                if isinstance(value, str) and _UNSTORABLE.search(value):
                    raise DatabaseFailure(
                        Cause.BAD_INPUT,
                        f"A value{_where(key, context, dict(items))} contains an invisible "
                        "character that cannot be stored (a NUL byte, 0x00, often pasted from "
                        "a PDF): nothing was saved. Retype that text in VERU Desk rather than "
                        "pasting it.",
                    )


def _items(row: Any, context: Any) -> Iterable[tuple[object, object]]:
    if isinstance(row, Mapping):
        return row.items()
    if not isinstance(row, list | tuple):
        return ()
    names = getattr(getattr(context, "compiled", None), "positiontup", None) or []
    return ((names[i] if i < len(names) else None, value) for i, value in enumerate(row))


def _where(key: object, context: Any, row: Mapping[object, object]) -> str:
    """" in narrative (referral 42)": the column, and the table and row when known, so the
    record can be found (``migrate-to`` copies whole tables)."""
    if not isinstance(key, str):
        return ""
    where = " in " + re.sub(r"(_m)?\d+$", "", key).replace("_", " ")
    table = getattr(getattr(getattr(context, "compiled", None), "statement", None), "table", None)
    name = getattr(table, "name", None)
    if name:
        ident = row.get("id")
        where += f" ({name.replace('_', ' ')}" + (f" {ident})" if ident is not None else ")")
    return where
