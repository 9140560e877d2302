"""The app process the ``startup`` and ``memory`` operations launch, and its floor.

``startup`` launches the real app (``python -m veru_desk``) with
``VERU_DESK_BENCH_EXIT_AFTER_PAINT=1``: ``app.run_app`` then calls ``exit_after_first_paint``,
which waits for the caseload table's first paint and prints one line (``MARKER``, the peak
resident memory, and whether SQLAlchemy had been imported yet). The parent times launch to
that line. Everything before it is the app's own start: checking the database and the
password, building the window and the caseload page, the first page of rows. Then the app
carries on as it always does behind a painted window (the database layer loads and the
sign-in is completed and audited), then posts a key press to the caseload table, behind
whatever the event loop still has queued, and prints ``READY_MARKER`` when the table receives
it: the moment the window answers input, which the parent times too.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from veru_desk.ui.shell.first_paint import when_painted

if TYPE_CHECKING:
    from veru_desk.ui.shell.main_window import MainWindow

MARKER = "VERU_DESK_BENCH_PAINTED"
READY_MARKER = "VERU_DESK_BENCH_READY"
OPEN_CASE_ENV = "VERU_DESK_BENCH_OPEN_CASE"
#: ``launch.BENCH_FLOOR_ENV``: the frozen bundle started as the bare-window floor.
FLOOR_ENV = "VERU_DESK_BENCH_FLOOR"
GIVE_UP_MS = 300_000  # a process that never paints must not hang the benchmark


PROC_STATUS = Path("/proc/self/status")


def peak_rss_mib() -> float | None:
    """The process's peak resident memory in MiB, from each system's own figure (psutil is
    not a dependency): Linux's ``VmHWM``, Windows's peak working set, ``getrusage`` on macOS
    and the BSDs. None where none of them answers: the benchmark then says "not measured"
    rather than report a number it did not take."""
    if sys.platform == "win32":
        return _windows_peak_mib()
    try:
        with PROC_STATUS.open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Kilobytes on Linux and the BSDs, bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _windows_peak_mib() -> float | None:
    """``GetProcessMemoryInfo``'s ``PeakWorkingSetSize``, through ctypes."""
    import ctypes
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [
            ("cb", wintypes.DWORD),
            ("PageFaultCount", wintypes.DWORD),
            ("PeakWorkingSetSize", ctypes.c_size_t),
            ("WorkingSetSize", ctypes.c_size_t),
            ("QuotaPeakPagedPoolUsage", ctypes.c_size_t),
            ("QuotaPagedPoolUsage", ctypes.c_size_t),
            ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t),
            ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
            ("PagefileUsage", ctypes.c_size_t),
            ("PeakPagefileUsage", ctypes.c_size_t),
        ]

    try:
        windll = ctypes.windll  # type: ignore[attr-defined]  # Windows only
        counters = Counters()
        counters.cb = ctypes.sizeof(Counters)
        process = windll.kernel32.GetCurrentProcess()
        if not windll.psapi.GetProcessMemoryInfo(process, ctypes.byref(counters), counters.cb):
            return None
    except (AttributeError, OSError):
        return None
    return float(counters.PeakWorkingSetSize) / (1024 * 1024)


def _report_paint() -> None:
    loaded = int("sqlalchemy" in sys.modules)
    peak = peak_rss_mib()
    memory = f" peak_rss_mib={peak:.1f}" if peak is not None else ""
    print(f"{MARKER}{memory} sqlalchemy={loaded}", flush=True)


def _report_and_quit() -> None:
    _report_paint()
    QApplication.quit()


class _InputProbe(QObject):
    """Takes the one key press it posted when the widget receives it (the app never sees
    it), then reports: the widget's thread got through everything queued before it."""

    def __init__(self, widget: QWidget, answered: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._answered = answered
        widget.installEventFilter(self)

    def post(self) -> None:
        # Posted, not sent: it waits its turn behind what the app has queued, as a keystroke does.
        press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
        QApplication.postEvent(self._widget, press)  # Qt owns it from here

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if watched is self._widget and event.type() == QEvent.Type.KeyPress:
            key = event if isinstance(event, QKeyEvent) else None
            if key is not None and key.key() == Qt.Key.Key_Shift and key.text() == "":
                self._widget.removeEventFilter(self)
                self._answered()
                return True
        return False


def when_answering(widget: QWidget, answered: Callable[[], None]) -> None:
    """Calls ``answered`` once ``widget`` has received a key press posted now."""
    _InputProbe(widget, answered).post()


def exit_after_first_paint(window: MainWindow, carry_on: Callable[[], object]) -> None:
    """Installed by ``app.run_app`` when the benchmark launched it (see the module doc);
    ``carry_on`` is what the app does behind its painted window."""
    if window.current_page_key() != "caseload":
        window.show_page("caseload")
    page = window.page("caseload")
    table = page.table  # type: ignore[attr-defined]  # the caseload page has one
    person = os.environ.get(OPEN_CASE_ENV)

    def answered() -> None:
        print(READY_MARKER, flush=True)
        if person:
            _open_case(window, int(person))
        else:
            QApplication.quit()

    def painted() -> None:
        _report_paint()
        carry_on()  # a refused sign-in closes the window: the app ends without "ready"
        when_answering(table, answered)

    when_painted(table.viewport(), painted)
    QTimer.singleShot(GIVE_UP_MS, QApplication.quit)


def _open_case(window: MainWindow, person_id: int) -> None:
    """Opens the case and shows every tab (each loads in the background), then reports."""
    workspace = window.open_case(person_id)
    pool = QThreadPool.globalInstance()
    tabs: Any = getattr(workspace, "tabs", None)
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
