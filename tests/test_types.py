"""The type checker runs with the tests, so `.ci/run` and every developer's run check types.

mypy reads its settings from pyproject.toml ([tool.mypy]: the package, strictness, the few
untyped native drivers). Its cache goes to a temporary folder so no run leaves ``.mypy_cache``
in the work tree; a cold run of the whole package takes about 10 s on the CI machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mypy(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache"), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def mypy_available() -> None:
    try:
        import mypy  # noqa: F401
    except ImportError:
        pytest.fail(
            'mypy is not installed: .venv/bin/pip install -e ".[test,build]" (the README\'s '
            "test command) installs it."
        )


def test_the_package_type_checks(mypy_available: None, tmp_path: Path) -> None:
    result = _mypy(tmp_path)
    assert result.returncode == 0, (
        "mypy found type errors (fix them, or give a `# type: ignore[code]` a reason on the "
        "same line):\n" + result.stdout + result.stderr
    )
    assert "Success: no issues found" in result.stdout


def test_the_checker_is_strict_enough_to_catch_a_wrong_type(
    mypy_available: None, tmp_path: Path
) -> None:
    """The settings really apply: a body that is not annotated is still checked, and an
    ignore that hides nothing is reported."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def untyped(x):\n"
        "    count: int = 'Zoë Ó Briain'\n"
        "    return x\n"
        "\n"
        "value: int = 3  # type: ignore[assignment]\n",
        encoding="utf-8",
    )
    result = _mypy(tmp_path, "--config-file", str(ROOT / "pyproject.toml"), str(probe))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[assignment]" in result.stdout  # check_untyped_defs
    assert "[unused-ignore]" in result.stdout  # warn_unused_ignores


def test_every_type_ignore_gives_its_reason() -> None:
    """An ignore silences the checker on that line for good: the next reader needs to know
    why it is safe there (``# type: ignore[code]  # reason``)."""
    bare = []
    for path in sorted((ROOT / "veru_desk").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "# type: ignore" not in line:
                continue
            after = line.split("# type: ignore", 1)[1]
            code, _, rest = after.partition("]")
            if not code.startswith("[") or not rest.strip().startswith("#"):
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bare, "a `# type: ignore` without a code or a reason:\n" + "\n".join(bare)
