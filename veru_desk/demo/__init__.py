"""Realistic synthetic cases for demonstrations, training and load tests.

Three rooms: ``vocabulary`` (the word lists, the demo team and its password), ``story`` (who
each young person is and what happened to them, the same for the same seed) and ``bulk`` (the
raw writer). ``database`` puts them together. The demo sits above the services: it may use
them, and no service may import it.

The password and team are imported here at once, because ``vocabulary`` loads no SQLAlchemy;
the rest loads on first use, so the sign-in dialog can name the demo password cheaply.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from veru_desk.demo.vocabulary import DEMO_PASSWORD, DEMO_TEAM

if TYPE_CHECKING:
    from veru_desk.demo.database import (
        DemoSummary,
        Stopped,
        add_demo_team,
        build_demo_database,
        create_demo_database,
        demo_team_users,
        generate_demo_data,
    )

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_TEAM",
    "DemoSummary",
    "Stopped",
    "add_demo_team",
    "build_demo_database",
    "create_demo_database",
    "demo_team_users",
    "generate_demo_data",
]

_FROM_DATABASE = frozenset(__all__) - {"DEMO_PASSWORD", "DEMO_TEAM"}


def __getattr__(name: str) -> Any:
    if name in _FROM_DATABASE:
        return getattr(importlib.import_module("veru_desk.demo.database"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
