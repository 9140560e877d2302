"""Long work off the GUI thread, with a progress dialog that can be cancelled.

The work function runs on a QThreadPool thread and reports through a ``Progress`` object;
results and errors come back to the GUI thread through queued signals, so no widget is
ever touched from the worker (see STYLE.md, Anki's operations and Picard's run_task).
Tests can set ``run_synchronously(True)`` to run tasks at once, deterministically.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")
log = logging.getLogger(__name__)
_SYNCHRONOUS = False


def run_synchronously(value: bool) -> None:
    global _SYNCHRONOUS
    _SYNCHRONOUS = value


class Cancelled(Exception):
    """Raised inside a task when the user pressed Cancel."""


class Progress:
    """Handed to the work function: report progress, and stop when cancelled."""

    def __init__(self, signals: _Signals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    def set(self, done: int, total: int, text: str = "") -> None:
        self._signals.progressed.emit(done, total, text)
        if self._cancel.is_set():
            raise Cancelled

    def keep_going(self, done: int, total: int) -> bool:
        """For services that take a ``progress(done, total) -> bool`` callback."""
        self._signals.progressed.emit(done, total, "")
        return not self._cancel.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class _Signals(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class _Runnable(QRunnable, Generic[T]):
    def __init__(self, fn: Callable[[Progress], T], signals: _Signals, progress: Progress) -> None:
        super().__init__()
        self._fn = fn
        self._signals = signals
        self._progress = progress

    def run(self) -> None:
        try:
            result = self._fn(self._progress)
        except Cancelled:
            self._signals.cancelled.emit()
        except Exception as error:  # delivered to the GUI thread, shown there
            log.debug("background task failed", exc_info=True)
            self._signals.failed.emit(error)
        else:
            if self._progress.cancelled:
                self._signals.cancelled.emit()
            else:
                self._signals.finished.emit(result)


_RUNNING: set[_Signals] = set()


def run_task(
    parent: QWidget | None,
    title: str,
    fn: Callable[[Progress], T],
    on_done: Callable[[T], None],
    on_error: Callable[[Exception], None] | None = None,
    *,
    cancellable: bool = True,
    show_progress: bool = True,
    on_cancelled: Callable[[], None] | None = None,
) -> Progress:
    """Runs ``fn(progress)`` in the background; ``on_done(result)`` runs on the GUI thread.

    Errors go to ``on_error`` (default: the standard error dialog of ui.feedback).
    """
    signals = _Signals()
    progress = Progress(signals)
    dialog: QProgressDialog | None = None
    if show_progress and not _SYNCHRONOUS:
        dialog = QProgressDialog(title, "Cancel" if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle("VERU Desk")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(progress.cancel)

        def _update(done: int, total: int, text: str) -> None:
            assert dialog is not None
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)
            if text:
                dialog.setLabelText(text)

        signals.progressed.connect(_update)

    def _close() -> None:
        _RUNNING.discard(signals)
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()

    def _done(result: Any) -> None:
        _close()
        on_done(result)

    def _failed(error: Exception) -> None:
        _close()
        if on_error is not None:
            on_error(error)
        else:
            from veru_desk.ui.widgets.feedback import show_error

            show_error(parent, error)

    def _cancelled() -> None:
        _close()
        if on_cancelled is not None:
            on_cancelled()

    signals.finished.connect(_done)
    signals.failed.connect(_failed)
    signals.cancelled.connect(_cancelled)
    _RUNNING.add(signals)
    runnable = _Runnable(fn, signals, progress)
    if _SYNCHRONOUS:
        runnable.run()
    else:
        QThreadPool.globalInstance().start(runnable)
    return progress
