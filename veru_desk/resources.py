"""The one way to find shipped files (fonts, icons, stylesheet, templates, password list).

Three homes, one answer. An installed wheel carries them inside the package
(``veru_desk/resources/``, mapped there by pyproject.toml), found through
``importlib.resources`` so nothing assumes where site-packages is. A source checkout or an
editable install has them in the repository's top-level ``resources/``, beside the package.
The PyInstaller bundle has them where ``build.spec`` puts them, ``resources/`` in its data
folder.
"""

from __future__ import annotations

import sys
from importlib import resources as package_files
from pathlib import Path

_PACKAGE = "veru_desk"
_FOLDER = "resources"


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / _FOLDER
    # Installed from a wheel the folder sits inside the package. Callers hand these paths to
    # Qt and reportlab, which need real files, so only a folder on disk counts (a wheel is
    # always unpacked by pip; a zipped import would need extracting first).
    installed = package_files.files(_PACKAGE) / _FOLDER
    if isinstance(installed, Path) and installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / _FOLDER


def resource_path(*parts: str) -> Path:
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"VERU Desk is missing a shipped file: {path}")
    return path
