"""``pip install .`` gives a working app: the wheel carries the shipped files and finds them.

A source checkout finds ``resources/`` beside the package, so only an installed wheel shows
whether the files travel with it. The wheel is built from a copy of the work tree (a build in
place would leave ``build/`` and ``*.egg-info`` behind), installed with ``--no-deps`` into a
fresh virtual environment, and run with the test environment's packages behind it on
``PYTHONPATH`` for its dependencies: nothing is downloaded but the build backend.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from veru_desk.selftest import SHIPPED_FILES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "veru_desk"
SOURCES = ("veru_desk", "resources", "pyproject.toml", "README.md")


def test_every_package_in_the_tree_is_listed_for_the_wheel() -> None:
    """pyproject.toml lists packages by hand (see its comment): a new one must be added."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    in_tree = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in PACKAGE.rglob("__init__.py")
    }
    missing = sorted(in_tree - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"
    assert config["tool"]["setuptools"]["package-dir"]["veru_desk.resources"] == "resources"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    python: Path
    command: Path
    site_packages: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("veru_desk-*.whl")

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    scripts = venv / ("Scripts" if sys.platform == "win32" else "bin")
    python = scripts / ("python.exe" if sys.platform == "win32" else "python")
    put = subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert put.returncode == 0, put.stdout + put.stderr
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The fresh environment's own packages first, then this environment's for the
    # dependencies. A .pth file is not read from PYTHONPATH, so the editable install of the
    # work tree in this environment stays out of sight.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VERU_DESK_", "PYTHON")) and key != "QT_QPA_PLATFORM"
    }
    env["PYTHONPATH"] = os.pathsep.join([str(site_packages), sysconfig.get_path("purelib")])
    env["VERU_DESK_DATA_DIR"] = str(work / "userdata")
    command = scripts / ("veru-desk.exe" if sys.platform == "win32" else "veru-desk")
    yield Installed(wheel, python, command, site_packages, env)


def test_the_wheel_carries_the_shipped_files_inside_the_package(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    files = (ROOT / "resources").rglob("*")
    shipped = {path.relative_to(ROOT).as_posix() for path in files if path.is_file()}
    assert shipped, "the work tree has no resources/ folder"
    assert {f"veru_desk/{name}" for name in shipped} <= names
    assert "veru_desk/db/migrations/versions/0001_initial_schema.py" in names
    assert not any(name.startswith("resources/") for name in names), "a top-level resources/"


def test_the_installed_app_finds_its_files_in_its_own_package(installed: Installed) -> None:
    probe = (
        "import veru_desk.resources as r\n"
        "print(r.resources_dir())\n"
        "print(r.resource_path('fonts', 'DejaVuSans.ttf'))\n"
        "print(r.resource_path('icons', 'veru-desk.svg'))\n"
        "print(r.resource_path('help', 'triage.md'))\n"
        "from veru_desk.ui.shell.help import load_topic, topic_keys\n"
        "print(len([load_topic(key) for key in topic_keys()]), load_topic('triage').title)\n"
    )
    result = subprocess.run(
        [str(installed.python), "-c", probe],
        capture_output=True,
        text=True,
        env=installed.env,
        cwd=installed.site_packages.parent,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    *paths, guide = result.stdout.splitlines()
    folder, font, icon, help_page = (Path(line) for line in paths)
    assert folder == installed.site_packages / "veru_desk" / "resources"
    assert font.is_file() and icon.is_file()
    # the user guide travels with the app, and its window reads every page from there
    assert help_page == folder / "help" / "triage.md" and help_page.is_file()
    pages = len(list((ROOT / "resources" / "help").glob("*.md")))
    assert guide == f"{pages} Referrals: triage and allocation"


def test_the_installed_command_passes_its_self_test(installed: Installed) -> None:
    result = subprocess.run(
        [str(installed.command), "self-test", "--no-window"],
        capture_output=True,
        text=True,
        env=installed.env,
        cwd=installed.site_packages.parent,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " self-test passed in " in result.stdout
    assert f"shipped files: {len(SHIPPED_FILES)} found" in result.stdout
