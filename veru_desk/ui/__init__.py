"""Qt widgets. They call services and show what comes back; they never query the database.

Loading this package also turns off PySide6's source scan of every module imported after it
(``_no_feature_scan``).
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  # loads shibokensupport.feature, patched below


def _uses_no_feature(_module: ModuleType) -> bool:
    return False


def _no_feature_scan() -> None:
    """PySide6 offers per-module "features" (``from __feature__ import snake_case``) and, to
    know which modules might switch them, reads the source of every module imported after it
    (``inspect.getsource``) looking for the word "PySide6", keeping every line in
    ``linecache``. The app uses no feature, so that scan found nothing and cost the most:
    the database layer loads after the window paints, and its 300 modules' source held
    22.7 MiB (tracemalloc, caseload and a 500-session case open) and took about a quarter of
    their import time. Every module is now taken as not switching features, which is what
    a module without ``from __feature__ import`` is; such an import still works as before
    (``feature_import`` sets its module's selection itself)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and hasattr(feature, "_mod_uses_pyside"):
        feature._mod_uses_pyside = _uses_no_feature  # type: ignore[attr-defined]  # PySide6's own module


_no_feature_scan()
