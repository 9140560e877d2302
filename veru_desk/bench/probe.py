"""The app process the ``startup`` and ``memory`` operations launch, and its floor.

``startup`` launches the real app (``python -m veru_desk``) with
``VERU_DESK_BENCH_EXIT_AFTER_PAINT=1``: ``app.run_app`` then calls ``exit_after_first_paint``,
which waits for the caseload table's first paint and prints one line (``MARKER``, the peak
resident memory, and whether SQLAlchemy had been imported yet). The parent times launch to
that line. Everything before it is the app's own start: checking the database and the
password, building the window and the caseload page, the first page of rows. Then the app
carries on as it always does behind a painted window (the database layer loads and the
sign-in is completed and audited) and prints ``READY_MARKER``: the parent reports that time
too, as the moment the window answers input.

``memory`` launches the same with ``VERU_DESK_BENCH_OPEN_CASE=ID``: after the first paint the
case is opened as a caseworker would, every tab of it shown and loaded, and then the peak
resident memory (``VmHWM``) of the process is read.

``python -m veru_desk.bench.probe`` is the floor: a bare PySide6 ``QMainWindow`` of the same
size, quitting after its first paint in the same way.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from veru_desk.ui.shell.first_paint import when_painted

if TYPE_CHECKING:
    from veru_desk.ui.shell.main_window import MainWindow

MARKER = "VERU_DESK_BENCH_PAINTED"
READY_MARKER = "VERU_DESK_BENCH_READY"
OPEN_CASE_ENV = "VERU_DESK_BENCH_OPEN_CASE"
GIVE_UP_MS = 300_000  # a process that never paints must not hang the benchmark


def peak_rss_mib() -> float:
    """The process's peak resident set (``VmHWM``), in MiB; Linux's own figure, no psutil."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report_paint() -> None:
    loaded = int("sqlalchemy" in sys.modules)
    print(f"{MARKER} peak_rss_mib={peak_rss_mib():.1f} sqlalchemy={loaded}", flush=True)


def _report_and_quit() -> None:
    _report_paint()
    QApplication.quit()


def exit_after_first_paint(window: MainWindow, carry_on: Callable[[], object]) -> None:
    """Installed by ``app.run_app`` when the benchmark launched it (see the module doc);
    ``carry_on`` is what the app does behind its painted window."""
    if window.current_page_key() != "caseload":
        window.show_page("caseload")
    page = window.page("caseload")
    table = page.table  # type: ignore[attr-defined]
    person = os.environ.get(OPEN_CASE_ENV)

    def painted() -> None:
        _report_paint()
        carry_on()
        print(READY_MARKER, flush=True)
        if person:
            _open_case(window, int(person))
        else:
            QApplication.quit()

    when_painted(table.viewport(), painted)
    QTimer.singleShot(GIVE_UP_MS, QApplication.quit)


def _open_case(window: MainWindow, person_id: int) -> None:
    """Opens the case and shows every tab (each loads in the background), then reports."""
    workspace = window.open_case(person_id)
    pool = QThreadPool.globalInstance()
    tabs = getattr(workspace, "tabs", None)
    for index in range(tabs.count() if tabs is not None else 0):
        tabs.setCurrentIndex(index)
        pool.waitForDone(GIVE_UP_MS)
        QApplication.processEvents()
    pool.waitForDone(GIVE_UP_MS)
    QApplication.processEvents()
    _report_and_quit()


def bare_window() -> int:
    """The startup floor: the plainest PySide6 window process there is."""
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("Floor")
    window.resize(1280, 800)
    when_painted(window, _report_and_quit)
    window.show()
    QTimer.singleShot(GIVE_UP_MS, QApplication.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(bare_window())
