"""The dashboard: what needs doing now, each item a double-click (or Enter) from the case.

The lists come from ``services.dashboard`` in one short read off the GUI thread; the page
reloads whenever case data changes (a recorded session can clear a disengagement alert) while
it is on screen, and each time it is shown. Every number shown is the list's true total from
the service; a list that stops short of it says "showing 200 of 1,234". Until the first
figures arrive every card says "Loading…" and shows no number, so a count of 0 or "No risk
review is overdue." is never shown for a list that is not yet read.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.services import Services
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.dashboard import Dashboard, DashboardItem
from veru_desk.ui.pages.tasks import task_cards
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import Progress, run_task
from veru_desk.ui.widgets.dashboard_card import DashboardCard, Section
from veru_desk.ui.widgets.page import page_frame

#: What the dashboard counts: due and overdue sessions, reviews, plans, triage; who works.
DASHBOARD_KINDS = frozenset(Kind) - {Kind.EXPORT, Kind.SETTINGS, Kind.AGENCY}
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


SECTIONS: tuple[Section, ...] = (
    Section(
        "my_tasks", "My tasks: overdue, today and this week", "No task due this week.", True
    ),
    Section("team_overdue_tasks", "Team's overdue tasks", "No one has an overdue task.", True),
    Section("new_referrals", "New referrals awaiting triage", "No referrals waiting.", True),
    Section("reviews_overdue", "Risk reviews overdue", "No risk review is overdue.", True),
    Section("disengagement_alerts", "Disengagement alerts", "No alerts.", True),
    Section("re_referrals", "Re-referrals of open cases", "No open case has been referred again."),
    Section(
        "flags_added",
        "Safeguarding flags added in the last 7 days",
        "No safeguarding flag added this week.",
        True,
    ),
    Section("reviews_due_this_week", "Risk reviews due this week", "None due this week."),
    Section("plan_reviews_due", "Plan reviews due", "No plan review due."),
    Section("actions_overdue", "Actions past due", "No action is past due.", True),
    Section("sessions_today", "Sessions today", "No sessions today."),
    Section("sessions_this_week", "Sessions this week", "No more sessions this week."),
)

_SUMMARY_WORDS: dict[str, tuple[str, str]] = {
    "my_tasks": ("task of yours due this week", "tasks of yours due this week"),
    "new_referrals": ("new referral", "new referrals"),
    "reviews_overdue": ("risk review overdue", "risk reviews overdue"),
    "disengagement_alerts": ("disengagement alert", "disengagement alerts"),
    "re_referrals": ("re-referral of an open case", "re-referrals of open cases"),
    "flags_added": ("safeguarding flag added this week", "safeguarding flags added this week"),
    "actions_overdue": ("action past due", "actions past due"),
    "sessions_today": ("session today", "sessions today"),
}


def long_date(day: dt.date) -> str:
    """``Monday 3 March 2025``: how the unit writes a date in prose."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def summary_line(dashboard: Dashboard) -> str:
    parts = []
    for name, (one, many) in _SUMMARY_WORDS.items():
        count = dashboard.total(name)
        if count:
            parts.append(f"{count:,} {one if count == 1 else many}")
    return " · ".join(parts) if parts else "Nothing is overdue. A calm day."


class DashboardPage(QWidget):
    open_case = Signal(int)
    #: a referral awaiting triage, shown on the Referrals page
    open_referral = Signal(int)
    #: a task (``services.tasks.TaskView``) from "My tasks"; a worker's overdue tasks
    open_task = Signal(object)
    open_worker_tasks = Signal(int)
    loaded = Signal()

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.dashboard: Dashboard | None = None
        self._loading = False
        self._again = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        first_name = services.actor.display_name.split()[0] if services.actor.display_name else ""
        frame = page_frame(
            body,
            f"Good day, {first_name}" if first_name else "Dashboard",
            subtitle=long_date(dt.date.today()),
            margins=(24, 18, 24, 18),  # the cards scroll: room under the last row
            spacing=12,
        )
        assert frame.subtitle is not None
        layout, self.title, self.date_label = frame.layout, frame.title, frame.subtitle
        self.summary = QLabel("Loading what needs doing…")
        self.summary.setObjectName("notice")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary of what needs doing")
        layout.addWidget(self.summary)

        grid = QGridLayout()
        grid.setSpacing(12)
        self.cards: dict[str, DashboardCard] = {}
        columns = 3
        managers_only = ("new_referrals", "team_overdue_tasks")
        shown = [s for s in SECTIONS if s.field not in managers_only or services.actor.is_manager]
        special = task_cards()
        for position, section in enumerate(shown):
            card = special.get(section.field, DashboardCard)(section)
            card.item_chosen.connect(lambda entry, s=section: self._open(s, entry))
            grid.addWidget(card, position // columns, position % columns)
            self.cards[section.field] = card
        for column in range(columns):
            grid.setColumnStretch(column, 1)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.updated_label = QLabel("")
        self.updated_label.setObjectName("hint")
        layout.addWidget(self.updated_label)

        data_events().changed.connect(self._data_changed)

    def _data_changed(self, changes: Changes) -> None:
        if changes.touches(DASHBOARD_KINDS) and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        dashboard_service = self.services.dashboard

        def work(_progress: Progress) -> Dashboard:
            return dashboard_service.load()

        run_task(
            self, "Loading the dashboard", work, self._loaded, self._failed, show_progress=False
        )

    def _loaded(self, dashboard: Dashboard) -> None:
        self._loading = False
        self.dashboard = dashboard
        for name, card in self.cards.items():
            card.set_items(list(getattr(dashboard, name)), dashboard.total(name))
        self.summary.setText(summary_line(dashboard))
        now = dt.datetime.now()
        self.updated_label.setText(f"Updated at {now:%H:%M}, {format_uk_date(now.date())}")
        self.loaded.emit()
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, error: Exception) -> None:
        self._loading = False
        self._again = False
        for card in self.cards.values():
            card.set_failed()
        self.summary.setText(
            f"The dashboard could not be loaded: {error} Come back to this page to try again."
        )

    def _open(self, section: Section, entry: DashboardItem) -> None:
        if section.field == "my_tasks":
            self.open_task.emit(entry)
            return
        if section.field == "team_overdue_tasks":
            self.open_worker_tasks.emit(entry.worker_id)  # type: ignore[attr-defined]  # the team card's items are WorkerOverdue
            return
        if section.field == "new_referrals" and entry.referral_id is not None:
            self.open_referral.emit(entry.referral_id)
        else:
            self.open_case.emit(entry.person_id)
