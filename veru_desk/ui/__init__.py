"""Qt widgets. They call services and show what comes back; they never query the database.

Loading this package also spares PySide6's source scan of every module imported after it
(``_no_feature_scan``).
"""

from __future__ import annotations

import atexit
import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  # loads shibokensupport.feature, patched below


def _uses_pyside(module: ModuleType) -> bool:
    """PySide6's own test, "PySide6" in the module's source, answered from its namespace:
    whether it holds a PySide6 module or anything defined in one."""
    for value in list(vars(module).values()):
        try:  # a lazy object may answer any attribute with any error
            name = value.__name__ if isinstance(value, ModuleType) else value.__module__
        except Exception:  # no answer is no PySide6
            continue
        if isinstance(name, str) and name.startswith(("PySide6", "shiboken6")):
            return True
    return False


def _no_feature_scan() -> None:
    """PySide6 offers per-module "features" (``from __feature__ import snake_case``) and, to
    know which modules might switch them, reads the source of every module imported after it
    (``inspect.getsource``) looking for the word "PySide6", keeping every line in
    ``linecache``. The app uses no feature, so that scan found nothing and cost the most:
    the database layer loads after the window paints, and its 300 modules' source held
    22.7 MiB (tracemalloc, caseload and a 500-session case open) and took about a quarter of
    their import time. The same question is now answered from the module's namespace
    (``_uses_pyside``); ``from __feature__ import`` still works as before (``feature_import``
    sets its module's selection itself)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and hasattr(feature, "_mod_uses_pyside"):
        original = feature._mod_uses_pyside
        feature._mod_uses_pyside = _uses_pyside  # type: ignore[attr-defined]  # PySide6's own module
        # PySide6's own answer again before the interpreter tears the modules down: holding
        # this module's function there changed the order of that teardown, and the benchmark
        # (Qt widgets of four operations still alive at exit) then ended in "Fatal Python
        # error: bool_dealloc" inside the final garbage collection, a reference counting
        # error in a C extension that the usual order does not reach: seven runs of seven
        # without this restore, whatever the replacement answered; none of five with it, as
        # none of three with PySide6's scan left alone.
        atexit.register(setattr, feature, "_mod_uses_pyside", original)


_no_feature_scan()
