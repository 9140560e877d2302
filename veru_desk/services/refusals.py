"""An account disabled while its session is open: the typed refusal, and who is told of it.

Kept apart from ``services.base`` (and so from SQLAlchemy) because the desktop window listens
from the moment it is built, before the database layer has loaded.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from veru_desk.domain.errors import PermissionDenied

log = logging.getLogger(__name__)


class AccountRefused(PermissionDenied):
    """The signed-in account was disabled (or removed) after it signed in: every service
    call is refused from then on, not only the next sign-in. The UI ends the session.

    ``db`` and ``user_id`` say whose session it was, so a window knows the refusal is its own.
    """

    def __init__(self, message: str, *, db: Any, user_id: int) -> None:
        super().__init__(message, attempted="act after the account was disabled")
        self.db = db
        self.user_id = user_id


# Told of every AccountRefused, from whichever thread made the call: the desktop window
# listens, so whatever was being done (a search, a save, a page refresh), the session ends
# and the lock screen says why. Weak, so a closed window is simply forgotten.
_listeners: list[weakref.WeakMethod[Callable[[AccountRefused], None]]] = []


def listen_for_refused_accounts(listener: Callable[[AccountRefused], None]) -> None:
    """Registers a bound method to be called with each ``AccountRefused`` as it is raised
    (on the thread that made the service call: a Qt listener should emit a signal)."""
    _listeners.append(weakref.WeakMethod(listener))


def tell_listeners(refusal: AccountRefused) -> None:
    for ref in list(_listeners):
        listener = ref()
        if listener is None:
            if ref in _listeners:
                _listeners.remove(ref)
            continue
        try:
            listener(refusal)
        except Exception:  # a listener's fault must not hide the refusal itself
            log.exception("a listener for refused accounts failed")
