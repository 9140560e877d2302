"""The screenshot suite of issue #15: every page, case tab and dialog on a demo database.

Each screen is built as the role that uses it, shown at 1440x900 and 1280x720 and at 150% text
(and a few under Qt's own 150% scaling in a separate process: see ``screens``), saved as an
image (``$VERU_SCREENS_DIR`` if set, else the test's tmp folder; ``faults.txt`` beside the
images lists everything found), and walked: no label's text is cut, no widget lies outside its
window, no button's text is wider than the button, no heading, field hint or drop-down is cut,
no dialog is larger than a 1280x720 screen.

``ALLOWED`` is the short list of known faults left for later, each with its reason; a fault
matches an entry when its screen and its text contain the entry's two strings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)
from screens import (
    SCALED,
    SIZES,
    TEXT_SCALE,
    Fault,
    World,
    catalogue,
    dispose,
    file_name,
    layout_faults,
    make_world,
    no_modal_waits,
    screens_folder,
    settle,
    shoot_with_qt_scaling,
    show_at,
    text_scaled,
)

from veru_desk.ui.shell import tasks
from veru_desk.ui.widgets.kit import app_stylesheet

# Every screen built and walked in one module fixture: minutes, so scheduled first.
pytestmark = pytest.mark.slow

# (screen contains, fault text contains) -> why it is left for now
ALLOWED: dict[tuple[str, str], str] = {
    ("page audit", "drop-down text cut"): "at 150% text the audit filter row needs about "
    "1,330 px and the page has 1,120, so Qt squeezes every filter below its minimum "
    "('Everyone', 'All actions' cut by a few pixels); it needs a filter bar that wraps "
    "onto a second line (ui/pages/audit.py), not a wider drop-down",
}

SMALLEST = SIZES["1280x720"]


@dataclass
class Run:
    folder: Path
    images: list[Path] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    modals: list[str] = field(default_factory=list)  # opened by a screen, answered at once
    seconds: float = 0.0

    def of_kind(self, *kinds: str) -> list[Fault]:
        return [f for f in self.faults if f.kind in kinds and not allowed(f)]


def allowed(fault: Fault) -> bool:
    return any(s in fault.screen and t in str(fault) for s, t in ALLOWED)


def _shoot(world: World, app: QApplication, run: Run) -> None:
    sizes: list[tuple[str, tuple[int, int], float]] = [
        (name, size, 1.0) for name, size in SIZES.items()
    ]
    sizes.append((SCALED, SIZES["1440x900"], TEXT_SCALE))
    for size_name, size, factor in sizes:
        with text_scaled(app, factor):
            for screen in catalogue():
                if screen.kind == "dialog" and size_name == "1440x900":
                    continue  # a dialog sizes itself: 1280x720 is the harder screen
                try:
                    widget = screen.build(world)
                except Exception as error:
                    run.errors.append(f"{screen.name}: could not be built: {error!r}")
                    continue
                try:
                    show_at(widget, size, app)
                    if isinstance(widget, QDialog):
                        need = widget.minimumSizeHint()
                        if need.width() > SMALLEST[0] or need.height() > SMALLEST[1]:
                            run.faults.append(
                                Fault(
                                    screen.name,
                                    size_name,
                                    "dialog larger than a 1280x720 screen",
                                    type(widget).__name__,
                                    f"needs at least {need.width()}x{need.height()}",
                                )
                            )
                    run.faults += layout_faults(screen.name, size_name, widget)
                    image = run.folder / file_name(screen, size_name)
                    widget.grab().save(str(image))
                    run.images.append(image)
                finally:
                    dispose(widget, app)


@pytest.fixture(scope="module")
def world_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screens-db")


@pytest.fixture(scope="module")
def shots(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory, world_folder: Path) -> Run:
    started = time.monotonic()
    world = make_world(world_folder)
    run = Run(screens_folder(tmp_path_factory.mktemp("screens")))
    style_before = qapp.styleSheet()
    qapp.setStyleSheet(app_stylesheet())
    tasks.run_synchronously(True)
    try:
        with no_modal_waits(run.modals):
            _shoot(world, qapp, run)
    finally:
        tasks.run_synchronously(False)
        qapp.setStyleSheet(style_before)
        settle(qapp)
        world.db.dispose()
    run.seconds = time.monotonic() - started
    report = [f"{len(run.images)} images in {run.seconds:.0f}s", *run.errors]
    report += [f"(modal opened) {m}" for m in run.modals]
    report += [("(allowed) " if allowed(f) else "") + str(f) for f in run.faults]
    (run.folder / "faults.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    return run


def _listed(faults: list[Fault]) -> str:
    return "\n".join(str(f) for f in faults[:60]) + (
        f"\n... and {len(faults) - 60} more" if len(faults) > 60 else ""
    )


def test_every_screen_is_built_shown_and_saved(shots: Run) -> None:
    assert shots.errors == []
    names = {s.name for s in catalogue()}
    assert {"page reports (priya)", "case tab Chronology", "import wizard"} <= names
    pages = sum(1 for s in catalogue() if s.kind != "dialog")
    dialogs = len(catalogue()) - pages
    assert len(shots.images) == pages * 3 + dialogs * 2
    assert all(p.stat().st_size > 5_000 for p in shots.images)  # a picture, not a blank


def test_no_label_text_is_cut(shots: Run) -> None:
    faults = shots.of_kind("label text cut", "check box text cut", "list row cut")
    assert faults == [], _listed(faults)


def test_no_column_heading_field_hint_or_drop_down_text_is_cut(shots: Run) -> None:
    faults = shots.of_kind("column heading cut", "field hint cut", "drop-down text cut")
    assert faults == [], _listed(faults)


def test_no_widget_lies_outside_its_window(shots: Run) -> None:
    faults = shots.of_kind("outside its window")
    assert faults == [], _listed(faults)


def test_no_button_text_is_wider_than_its_button(shots: Run) -> None:
    faults = shots.of_kind("button text cut")
    assert faults == [], _listed(faults)


def test_every_dialog_fits_a_1280x720_screen(shots: Run) -> None:
    faults = shots.of_kind("dialog larger than a 1280x720 screen")
    assert faults == [], _listed(faults)


def test_qt_scaling_at_150_percent_draws_sharp_and_whole(shots: Run, world_folder: Path) -> None:
    """The literal 150% case: Qt's QT_SCALE_FACTOR=1.5 in its own process, on the same
    database; images at 1.5 device pixels per pixel, and nothing cut at 1280x720 logical."""
    found = shoot_with_qt_scaling(world_folder, shots.folder)
    ratios = {line for line in found if line.startswith("ratio")}
    faults = [line for line in found if not line.startswith("ratio")]
    assert ratios == {"ratio 1.5"}
    assert faults == []


def test_the_allow_list_has_nothing_stale(shots: Run) -> None:
    """Every allowed fault still happens: a fixed one leaves the list."""
    stale = [key for key in ALLOWED if not any(allowed_by(key, f) for f in shots.faults)]
    assert stale == []


def allowed_by(key: tuple[str, str], fault: Fault) -> bool:
    return key[0] in fault.screen and key[1] in str(fault)


# --- the walker itself finds what it must (so a clean run means something) ----------------


def test_the_walker_finds_a_cut_label_a_stray_widget_and_a_squeezed_button(
    qapp: QApplication,
) -> None:
    window = QWidget()
    window.resize(300, 200)
    QVBoxLayout(window)
    cut = QLabel("Next risk review overdue since 01/02/2026 for Łukasz Wiśniewski", window)
    cut.setGeometry(10, 10, 80, 20)
    wrapped = QLabel("Aoife Ní Bhriain missed three sessions in a row. " * 4, window)
    wrapped.setWordWrap(True)
    wrapped.setGeometry(10, 40, 120, 20)
    stray = QPushButton("OK", window)
    stray.setGeometry(280, 180, 60, 30)
    squeezed = QPushButton("Export case summary…", window)
    squeezed.setGeometry(10, 100, 40, 30)
    table = QTableWidget(1, 2, window)
    table.setHorizontalHeaderLabels(["Case reference", "Name"])
    table.setGeometry(150, 10, 140, 80)
    table.setColumnWidth(0, 40)
    hint = QLineEdit(window)
    hint.setPlaceholderText("Filter by name, case reference or date of birth")
    hint.setGeometry(150, 100, 90, 24)
    combo = QComboBox(window)
    combo.addItem("Any caseworker")
    combo.setGeometry(150, 130, 70, 24)
    window.show()
    settle(qapp)
    faults = layout_faults("test", "-", window)
    found = {(f.kind, f.widget.split('"')[1][:10]) for f in faults if '"' in f.widget}
    details = " ".join(f.detail for f in faults)
    window.close()
    assert 'heading "Case reference"' in details
    assert ("field hint cut", "Filter by ") in found
    assert any(f.kind == "drop-down text cut" and "Any caseworker" in f.detail for f in faults)
    assert ("label text cut", "Next risk ") in found
    assert ("label text cut", "Aoife Ní B") in found
    assert ("outside its window", "OK") in found
    assert ("button text cut", "Export cas") in found
