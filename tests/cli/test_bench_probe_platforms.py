"""The benchmark's memory figure on systems without Linux's ``/proc`` or POSIX's ``resource``
(Windows has neither): measured through the system's own call where there is one, and said to
be not measured where there is none, never a crash of the launched app."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from veru_desk.bench import probe
from veru_desk.bench.operations import launch

# The app's paint report in a child where neither /proc nor ``resource`` can be had.
NEITHER = (
    "import sys\n"
    "from pathlib import Path\n"
    "sys.modules['resource'] = None  # import resource: ImportError, as on Windows\n"
    "from veru_desk.bench import probe\n"
    "probe.PROC_STATUS = Path('/no/such/proc/self/status')\n"
    "probe._report_paint()\n"
)
# As on Windows: the platform says win32; this machine has no windll, so no figure either.
WINDOWS = (
    "import sys\n"
    "from veru_desk.bench import probe\n"
    "sys.platform = 'win32'\n"
    "probe._report_paint()\n"
)


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("VERU_DESK_")}


def test_without_proc_or_resource_the_launch_reports_memory_not_measured() -> None:
    launched = launch([sys.executable, "-c", NEITHER], _environment())
    assert launched.peak_rss_mib is None
    assert launched.painted_s > 0


def test_on_windows_the_probe_asks_windows_and_never_falls_back_to_resource() -> None:
    launched = launch([sys.executable, "-c", WINDOWS], _environment())
    assert launched.peak_rss_mib is None  # no windll here: not measured, not a crash


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="Linux's /proc")
def test_on_linux_the_peak_is_measured() -> None:
    peak = probe.peak_rss_mib()
    assert peak is not None and 5 < peak < 100_000
    child = subprocess.run(
        [sys.executable, "-c", "from veru_desk.bench import probe; probe._report_paint()"],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=60,
        check=True,
    )
    assert " peak_rss_mib=" in child.stdout
