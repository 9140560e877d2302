"""The one way to find shipped files (fonts, icons, stylesheet, templates).

From a source checkout or an editable install they are in the repository's ``resources/``;
in the PyInstaller bundle, ``build.spec`` copies that folder next to the executable's data.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"VERU Desk is missing a shipped file: {path}")
    return path
