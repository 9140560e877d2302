"""One young person's case: a header that says who they are and what needs attention, and
a tab for each part of the work.

Opening the workspace is the audited "case opened" event, and reads only the header and the
tab on show: each other tab reads its records when first shown. After that, every save
anywhere in the app is announced (``ui.events``); the workspace re-reads its header, and
each tab showing a kind of record that changed is marked stale: read again at once if it is
on show, else when next shown, and never when the change was not of its kinds. A workspace
behind another open case reads nothing until it is shown again.

Each tab other than the overview is built when first shown (or first asked for), and its
module imported then: the first case opened in a session built all thirteen and imported
some sixty modules before it painted. Until then the tab bar holds an empty page in its place.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import age_on, format_uk_date
from veru_desk.domain.enums import OutcomePoint, ReferralStatus, RiskLevel
from veru_desk.domain.workflow import DISENGAGEMENT_THRESHOLD
from veru_desk.services import Services
from veru_desk.services.changes import Changes
from veru_desk.services.people import PersonView
from veru_desk.ui.case.overview import OverviewTab
from veru_desk.ui.case.safeguarding import FlagBanner
from veru_desk.ui.case.tab import CASE_KINDS, CaseTab
from veru_desk.ui.shell.events import data_events
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.page import page_subtitle, page_title

if TYPE_CHECKING:
    from veru_desk.ui.case.attachments import AttachmentsTab
    from veru_desk.ui.case.chronology import ChronologyTab
    from veru_desk.ui.case.contacts import ContactsTab
    from veru_desk.ui.case.exports import ExportsTab
    from veru_desk.ui.case.incidents import IncidentsTab
    from veru_desk.ui.case.mentoring import SessionsTab
    from veru_desk.ui.case.network import NetworkTab
    from veru_desk.ui.case.outcomes import OutcomesTab
    from veru_desk.ui.case.plan import PlanTab
    from veru_desk.ui.case.referrals import ReferralsTab
    from veru_desk.ui.case.risk import RiskTab
    from veru_desk.ui.case.safeguarding import SafeguardingTab

T = TypeVar("T", bound=CaseTab)

RISK_STYLES: dict[RiskLevel | None, str] = {
    None: "background: #eef2f5; color: #3f4e58;",
    RiskLevel.LOW: "background: #e3f1e6; color: #1e5b2c;",
    RiskLevel.MEDIUM: "background: #fff4dc; color: #5c4100;",
    RiskLevel.HIGH: "background: #fde3d3; color: #7a2e00;",
    RiskLevel.VERY_HIGH: "background: #b3261e; color: #ffffff;",
}
_BADGE = "border-radius: 4px; padding: 0.15em 0.6em; font-weight: 600;"


def risk_badge_text(person: PersonView, today: dt.date | None = None) -> str:
    if person.risk_level is None:
        return "Risk not assessed"
    text = f"{person.risk_level.label} risk"
    if person.next_review_on is not None and person.next_review_on < (today or dt.date.today()):
        text += " · review overdue"
    return text


class _Tab(Generic[T]):
    """A tab of the workspace, in the order of the tab bar: built by ``_built`` when first
    shown or first asked for (``workspace.sessions_tab``), from ``module``'s ``class_name``."""

    def __init__(self, label: str, module: str, class_name: str) -> None:
        self.label, self.module, self.class_name = label, module, class_name
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        owner._tab_order = (*getattr(owner, "_tab_order", ()), self)  # type: ignore[attr-defined]  # set here

    def build(self, services: Services, person_id: int) -> CaseTab:
        cls = getattr(importlib.import_module(self.module), self.class_name)
        tab: CaseTab = cls(services, person_id)
        return tab

    @overload
    def __get__(self, workspace: None, owner: type) -> _Tab[T]: ...
    @overload
    def __get__(self, workspace: CaseWorkspace, owner: type) -> T: ...
    def __get__(self, workspace: CaseWorkspace | None, owner: type) -> Any:
        if workspace is None:
            return self
        return workspace._built(workspace._tab_order.index(self))


class CaseWorkspace(QWidget):
    closed = Signal()
    open_case = Signal(int)

    _tab_order: tuple[_Tab[Any], ...] = ()
    overview_tab: _Tab[OverviewTab] = _Tab("&Overview", "veru_desk.ui.case.overview", "OverviewTab")
    referrals_tab: _Tab[ReferralsTab] = _Tab(
        "Re&ferral", "veru_desk.ui.case.referrals", "ReferralsTab"
    )
    risk_tab: _Tab[RiskTab] = _Tab("&Risk", "veru_desk.ui.case.risk", "RiskTab")
    plan_tab: _Tab[PlanTab] = _Tab("&Plan", "veru_desk.ui.case.plan", "PlanTab")
    sessions_tab: _Tab[SessionsTab] = _Tab(
        "&Sessions", "veru_desk.ui.case.mentoring", "SessionsTab"
    )
    outcomes_tab: _Tab[OutcomesTab] = _Tab("O&utcomes", "veru_desk.ui.case.outcomes", "OutcomesTab")
    chronology_tab: _Tab[ChronologyTab] = _Tab(
        "&Chronology", "veru_desk.ui.case.chronology", "ChronologyTab"
    )
    exports_tab: _Tab[ExportsTab] = _Tab("E&xports", "veru_desk.ui.case.exports", "ExportsTab")
    contacts_tab: _Tab[ContactsTab] = _Tab("Co&ntacts", "veru_desk.ui.case.contacts", "ContactsTab")
    safeguarding_tab: _Tab[SafeguardingTab] = _Tab(
        "Safe&guarding", "veru_desk.ui.case.safeguarding", "SafeguardingTab"
    )
    network_tab: _Tab[NetworkTab] = _Tab("Net&work", "veru_desk.ui.case.network", "NetworkTab")
    incidents_tab: _Tab[IncidentsTab] = _Tab(
        "&Incidents", "veru_desk.ui.case.incidents", "IncidentsTab"
    )
    attachments_tab: _Tab[AttachmentsTab] = _Tab(
        "&Documents", "veru_desk.ui.case.attachments", "AttachmentsTab"
    )

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.person_id = person_id
        # Read here, on purpose, before anything is shown: it is the audited opening, and a
        # refusal (not this worker's case) must stop the workspace being built at all.
        self.person: PersonView = services.people.open_case(person_id)
        self._stale: set[int] = set()
        self._header_stale = False

        self._build_header()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Case sections")
        self._tabs: dict[int, CaseTab] = {}  # those built, by their place in the tab bar
        for tab in self._tab_order:
            self.tabs.addTab(QWidget(), tab.label)  # an empty page until the tab is built
        self._built(0)  # the overview, shown first
        self._stale = set(range(self.tabs.count()))
        self.tabs.currentChanged.connect(self._tab_shown)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.alert)
        layout.addWidget(self.flag_banner)
        layout.addWidget(self.tabs, 1)

        QShortcut(  # type: ignore[call-overload]  # PySide6 takes signal keywords; its stubs do not
            QKeySequence(QKeySequence.StandardKey.Save),
            self,
            activated=self.save,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        QShortcut(  # type: ignore[call-overload]  # PySide6 takes signal keywords; its stubs do not
            QKeySequence(QKeySequence.StandardKey.Close),
            self,
            activated=self.closed.emit,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        data_events().changed.connect(self._data_changed)
        self._show_person(self.person)
        if self.tabs.currentIndex() != 0:
            self.flag_banner.refresh()  # else the overview's read brings the flags
        self._tab_shown(self.tabs.currentIndex())

    # --- the header ------------------------------------------------------------------------

    def _build_header(self) -> None:
        self.header = QFrame()
        self.header.setObjectName("caseHeader")
        self.name_label = page_title()
        self.name_label.setAccessibleName("Young person")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts_label = page_subtitle()
        self.facts_label.setAccessibleName("Case details")
        self.facts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_badge = QLabel()
        self.status_badge.setAccessibleName("Case status")
        self.risk_badge = QLabel()
        self.risk_badge.setAccessibleName("Risk level")

        self.close_button = QPushButton("Close case…")
        self.close_button.clicked.connect(self.close_case)
        self.reopen_button = QPushButton("Reopen…")
        self.reopen_button.setToolTip("Managers reopen a closed case as a new episode of work")
        self.reopen_button.clicked.connect(self.reopen_case)
        self.export_button = QPushButton("Export summary…")
        self.export_button.clicked.connect(self.export_summary)
        self.subject_access_button = QPushButton("Subject access export…")
        self.subject_access_button.setToolTip("Everything held about the young person (managers)")
        self.subject_access_button.setVisible(self.services.actor.is_manager)
        self.subject_access_button.clicked.connect(self.subject_access_export)

        text = QVBoxLayout()
        title_row = QHBoxLayout()
        title_row.addWidget(self.name_label)
        title_row.addWidget(self.status_badge)
        title_row.addWidget(self.risk_badge)
        title_row.addStretch(1)
        text.addLayout(title_row)
        text.addWidget(self.facts_label)
        row = QHBoxLayout(self.header)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(text, 1)
        row.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.subject_access_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.reopen_button, 0, Qt.AlignmentFlag.AlignTop)

        self.alert = QLabel()
        self.alert.setObjectName("banner")
        self.alert.setWordWrap(True)
        self.alert.setAccessibleName("Disengagement alert")
        self.alert.setVisible(False)
        # Active safeguarding flags (missing now, CCE, NRM...): read with the header.
        self.flag_banner = FlagBanner(self.services, self.person_id)

    @property
    def title(self) -> str:
        details = self.person.details
        return f"{self.person.case_ref} · {details.first_name} {details.last_name}"

    def _show_person(self, person: PersonView) -> None:
        self.person = person
        details = person.details
        name = f"{details.first_name} {details.last_name}"
        if details.preferred_name and details.preferred_name != details.first_name:
            name += f" (prefers {details.preferred_name})"
        self.name_label.setText(name)
        today = dt.date.today()
        age = age_on(details.date_of_birth, max(today, details.date_of_birth))
        facts = [
            person.case_ref,
            f"Age {age} (born {format_uk_date(details.date_of_birth)})",
            f"Caseworker: {person.worker or 'not allocated'}",
        ]
        if person.last_contact_on:
            facts.append(f"Last contact {format_uk_date(person.last_contact_on)}")
        # Each fact keeps its words together (no-break spaces): a narrow header wraps between
        # facts, never inside "Caseworker: Dariusz Wójcik".
        self.facts_label.setText("  ·  ".join(fact.replace(" ", "\u00a0") for fact in facts))

        status = person.status.label if person.status else "No referral"
        self.status_badge.setText(status)
        self.status_badge.setStyleSheet(_BADGE + "background: #e6f2f6; color: #134b5f;")
        self.risk_badge.setText(risk_badge_text(person, today))
        self.risk_badge.setStyleSheet(_BADGE + RISK_STYLES[person.risk_level])

        self.alert.setText(
            f"Disengagement alert: {DISENGAGEMENT_THRESHOLD} sessions missed in a row. "
            "Contact the young person and their family, and review the plan."
        )
        self.alert.setVisible(person.disengaged)

        is_open = person.status is not None and person.status.is_open_case
        closed = person.status is ReferralStatus.CLOSED
        self.close_button.setVisible(is_open)
        self.close_button.setEnabled(is_open and person.current_referral_id is not None)
        self.reopen_button.setVisible(closed and self.services.actor.is_manager)
        self.export_button.setEnabled(not person.anonymised)

    # --- refreshing ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-reads the header and the tab on show; the others when next shown."""
        self._stale = set(range(self.tabs.count()))
        self._header_stale = False
        self._read_header()
        self._tab_shown(self.tabs.currentIndex())

    def _read_header(self) -> None:
        self.flag_banner.refresh()
        people, person_id = self.services.people, self.person_id

        def shown(person: PersonView) -> None:
            if shiboken6.isValid(self):
                self._show_person(person)

        def failed(error: Exception) -> None:
            if shiboken6.isValid(self):
                show_error(self, error)

        run_task(
            self,
            "Loading the case",
            lambda _progress: people.get(person_id),
            shown,
            failed,
            cancellable=False,
            show_progress=False,
        )

    def _data_changed(self, changes: Changes) -> None:
        if not shiboken6.isValid(self) or not changes.touches(CASE_KINDS, self.person_id):
            return
        for index, tab in self._tabs.items():  # one not built yet reads when it is
            if changes.touches(tab.kinds, self.person_id):
                self._stale.add(index)
        if not self.isVisible():
            # Another open case is in front: this one reads when it is shown again, not
            # after every save made meanwhile.
            self._header_stale = True
            return
        self._read_header()
        self._tab_shown(self.tabs.currentIndex())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._header_stale:
            self._header_stale = False
            self._read_header()
        self._tab_shown(self.tabs.currentIndex())

    def stale_tabs(self) -> list[QWidget]:
        """The tabs built so far that will read their records again when next shown (a tab
        not built yet reads when it is)."""
        return [self._tabs[i] for i in sorted(self._stale) if i in self._tabs]

    def _built(self, index: int) -> CaseTab:
        """The tab at ``index``, built now in place of its empty page if it was not yet."""
        found = self._tabs.get(index)
        if found is not None:
            return found
        spec = self._tab_order[index]
        tab = spec.build(self.services, self.person_id)
        self._tabs[index] = tab
        if spec is CaseWorkspace.overview_tab:
            cast(OverviewTab, tab).flags_read.connect(self.flag_banner.show_flags)
        elif spec is CaseWorkspace.network_tab:
            cast("NetworkTab", tab).open_case.connect(self.open_case)
        # The swap must not look like a change of tab to ``_tab_shown``: the bar's own page
        # switching still runs, only the widget's signal waits.
        current = self.tabs.currentIndex()
        blocked = self.tabs.blockSignals(True)
        try:
            placeholder = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, tab, spec.label)
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(blocked)
        if placeholder is not None:
            placeholder.deleteLater()
        return tab

    def _tab_shown(self, index: int) -> None:
        if index < 0:
            return
        tab = self._built(index)
        if index in self._stale:
            self._stale.discard(index)
            tab.refresh()

    def has_unsaved_changes(self) -> bool:
        return any(tab.has_unsaved_changes() for tab in self._tabs.values())

    def save(self) -> None:
        """Ctrl+S: the only form typed straight into the workspace is the quick case note."""
        chronology = self._existing(CaseWorkspace.chronology_tab)
        if chronology is not None and chronology.has_unsaved_changes():
            chronology.save_quick_note()

    def _existing(self, spec: _Tab[T]) -> T | None:
        """The tab if it has been built, without building it."""
        return cast("T | None", self._tabs.get(self._tab_order.index(spec)))

    # --- closing and reopening -------------------------------------------------------------

    def close_case(self) -> None:
        from veru_desk.ui.dialogs.close_case import CloseCaseDialog

        referral_id = self.person.current_referral_id
        if referral_id is None:
            return
        outcomes, person_id = self.services.outcomes, self.person_id

        def ask(has_closing: bool) -> None:
            if shiboken6.isValid(self):
                CloseCaseDialog(
                    self.services,
                    person_id,
                    referral_id,
                    has_closing_outcome=has_closing,
                    parent=self,
                ).exec()

        def read() -> bool:
            return any(o.point is OutcomePoint.CLOSURE for o in outcomes.for_person(person_id))

        run_task(
            self,
            "Checking outcomes",
            lambda _progress: read(),
            ask,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def reopen_case(self) -> None:
        from veru_desk.ui.dialogs.close_case import ReopenCaseDialog

        referral_id = self.person.current_referral_id
        if referral_id is not None:
            ReopenCaseDialog(self.services, self.person_id, referral_id, parent=self).exec()

    def export_summary(self) -> None:
        from veru_desk.ui.case.exports import open_export_dialog

        open_export_dialog(self.services, self.person_id, self)

    def subject_access_export(self) -> QWidget:
        from veru_desk.ui.dialogs.subject_access import SubjectAccessDialog

        dialog = SubjectAccessDialog(self.services, self.person_id, self)
        dialog.open()
        return dialog
