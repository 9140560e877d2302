"""The use cases: the only layer the UI and the command line call.

``Services`` (in ``container``) bundles every service for one signed-in user. It is imported
from here on first use, so that importing a light module of this package (the actor, the
password rules, the start-up reader) does not load every service and SQLAlchemy with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from veru_desk.services.container import Services

__all__ = ["Services"]


def __getattr__(name: str) -> Any:
    if name == "Services":
        from veru_desk.services.container import Services

        return Services
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
