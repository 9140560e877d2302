"""``Services``: every service for one signed-in user, so a window or a command gets what it
needs from one object built once.

Each service is made (and its module, with SQLAlchemy behind it, imported) the first time it is
asked for. The desktop app builds its window around a ``Services`` before the database layer
has loaded and paints the first screen from a bare connection (``services.quick_start``); the
layer loads when the window first asks a service for something.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cached_property
from typing import TYPE_CHECKING

from veru_desk.services.actor import Actor

if TYPE_CHECKING:
    from veru_desk.db.engine import Database
    from veru_desk.services.attachments import AttachmentService
    from veru_desk.services.audit_log import AuditLogService
    from veru_desk.services.backups import BackupService
    from veru_desk.services.case_analysis import CaseAnalysisService
    from veru_desk.services.caseload import CaseloadService
    from veru_desk.services.chronology import ChronologyService
    from veru_desk.services.contacts import ContactService
    from veru_desk.services.dashboard import DashboardService
    from veru_desk.services.data_quality import DataQualityService
    from veru_desk.services.directory import DirectoryService
    from veru_desk.services.exports import ExportService
    from veru_desk.services.groups import GroupService
    from veru_desk.services.health import HealthService
    from veru_desk.services.imports import ImportService
    from veru_desk.services.incidents import IncidentService
    from veru_desk.services.mentoring import SessionService
    from veru_desk.services.merging import MergingService
    from veru_desk.services.network import NetworkService
    from veru_desk.services.notes import NoteService
    from veru_desk.services.outcome_figures import OutcomeReportService
    from veru_desk.services.outcomes import OutcomeService
    from veru_desk.services.panels import PanelService
    from veru_desk.services.people import PeopleService
    from veru_desk.services.plans import PlanService
    from veru_desk.services.referrals import ReferralService
    from veru_desk.services.retention import RetentionService
    from veru_desk.services.risk import RiskService
    from veru_desk.services.safeguarding import SafeguardingService
    from veru_desk.services.settings import SettingsService
    from veru_desk.services.sharing import SharingService
    from veru_desk.services.subject_access import SubjectAccessService
    from veru_desk.services.summary import CaseSummaryService
    from veru_desk.services.tasks import TaskService
    from veru_desk.services.users import UserService


class Services:
    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor

    def reading_together(self) -> AbstractContextManager[None]:
        """The services' reads in the block share one read transaction and one account
        check (``Database.reading_together``): a screen gathering what several services
        show reads it at one moment, in one round of the database."""
        return self.db.reading_together()

    @cached_property
    def people(self) -> PeopleService:
        from veru_desk.services.people import PeopleService

        return PeopleService(self.db, self.actor)

    @cached_property
    def referrals(self) -> ReferralService:
        from veru_desk.services.referrals import ReferralService

        return ReferralService(self.db, self.actor)

    @cached_property
    def users(self) -> UserService:
        from veru_desk.services.users import UserService

        return UserService(self.db, self.actor)

    @cached_property
    def backups(self) -> BackupService:
        from veru_desk.services.backups import BackupService

        return BackupService(self.db, self.actor)

    @cached_property
    def sessions(self) -> SessionService:
        from veru_desk.services.mentoring import SessionService

        return SessionService(self.db, self.actor)

    @cached_property
    def dashboard(self) -> DashboardService:
        from veru_desk.services.dashboard import DashboardService

        return DashboardService(self.db, self.actor)

    @cached_property
    def caseload(self) -> CaseloadService:
        from veru_desk.services.caseload import CaseloadService

        return CaseloadService(self.db, self.actor)

    @cached_property
    def risk(self) -> RiskService:
        from veru_desk.services.risk import RiskService

        return RiskService(self.db, self.actor)

    @cached_property
    def plans(self) -> PlanService:
        from veru_desk.services.plans import PlanService

        return PlanService(self.db, self.actor)

    @cached_property
    def outcomes(self) -> OutcomeService:
        from veru_desk.services.outcomes import OutcomeService

        return OutcomeService(self.db, self.actor)

    @cached_property
    def notes(self) -> NoteService:
        from veru_desk.services.notes import NoteService

        return NoteService(self.db, self.actor)

    @cached_property
    def chronology(self) -> ChronologyService:
        from veru_desk.services.chronology import ChronologyService

        return ChronologyService(self.db, self.actor)

    @cached_property
    def exports(self) -> ExportService:
        from veru_desk.services.exports import ExportService

        return ExportService(self.db, self.actor)

    @cached_property
    def summary(self) -> CaseSummaryService:
        from veru_desk.services.summary import CaseSummaryService

        return CaseSummaryService(self.db, self.actor)

    @cached_property
    def sharing(self) -> SharingService:
        from veru_desk.services.sharing import SharingService

        return SharingService(self.db, self.actor)

    @cached_property
    def analysis(self) -> CaseAnalysisService:
        from veru_desk.services.case_analysis import CaseAnalysisService

        return CaseAnalysisService(self.db, self.actor)

    @cached_property
    def safeguarding(self) -> SafeguardingService:
        from veru_desk.services.safeguarding import SafeguardingService

        return SafeguardingService(self.db, self.actor)

    @cached_property
    def groups(self) -> GroupService:
        from veru_desk.services.groups import GroupService

        return GroupService(self.db, self.actor)

    @cached_property
    def attachments(self) -> AttachmentService:
        from veru_desk.services.attachments import AttachmentService

        return AttachmentService(self.db, self.actor)

    @cached_property
    def panels(self) -> PanelService:
        from veru_desk.services.panels import PanelService

        return PanelService(self.db, self.actor)

    @cached_property
    def tasks(self) -> TaskService:
        from veru_desk.services.tasks import TaskService

        return TaskService(self.db, self.actor)

    @cached_property
    def network(self) -> NetworkService:
        from veru_desk.services.network import NetworkService

        return NetworkService(self.db, self.actor)

    @cached_property
    def incidents(self) -> IncidentService:
        from veru_desk.services.incidents import IncidentService

        return IncidentService(self.db, self.actor)

    @cached_property
    def contacts(self) -> ContactService:
        from veru_desk.services.contacts import ContactService

        return ContactService(self.db, self.actor)

    @cached_property
    def directory(self) -> DirectoryService:
        from veru_desk.services.directory import DirectoryService

        return DirectoryService(self.db, self.actor)

    @cached_property
    def reports(self) -> OutcomeReportService:
        from veru_desk.services.outcome_figures import OutcomeReportService

        return OutcomeReportService(self.db, self.actor)

    @cached_property
    def settings(self) -> SettingsService:
        from veru_desk.services.settings import SettingsService

        return SettingsService(self.db, self.actor)

    @cached_property
    def retention(self) -> RetentionService:
        from veru_desk.services.retention import RetentionService

        return RetentionService(self.db, self.actor)

    @cached_property
    def subject_access(self) -> SubjectAccessService:
        from veru_desk.services.subject_access import SubjectAccessService

        return SubjectAccessService(self.db, self.actor)

    @cached_property
    def imports(self) -> ImportService:
        from veru_desk.services.imports import ImportService

        return ImportService(self.db, self.actor)

    @cached_property
    def health(self) -> HealthService:
        from veru_desk.services.health import HealthService

        return HealthService(self.db, self.actor)

    @cached_property
    def merging(self) -> MergingService:
        from veru_desk.services.merging import MergingService

        return MergingService(self.db, self.actor)

    @cached_property
    def data_quality(self) -> DataQualityService:
        from veru_desk.services.data_quality import DataQualityService

        return DataQualityService(self.db, self.actor)

    @cached_property
    def audit_log(self) -> AuditLogService:
        from veru_desk.services.audit_log import AuditLogService

        return AuditLogService(self.db, self.actor)
