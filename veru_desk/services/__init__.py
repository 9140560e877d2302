"""The use cases: the only layer the UI and the command line call.

``Services`` bundles every service for one signed-in user, so a window or a command gets
what it needs from one object built once.
"""

from __future__ import annotations

from veru_desk.db.engine import Database
from veru_desk.services.actor import Actor
from veru_desk.services.audit_log import AuditLogService
from veru_desk.services.backups import BackupService
from veru_desk.services.caseload import CaseloadService
from veru_desk.services.chronology import ChronologyService
from veru_desk.services.dashboard import DashboardService
from veru_desk.services.exports import ExportService
from veru_desk.services.health import HealthService
from veru_desk.services.imports import ImportService
from veru_desk.services.notes import NoteService
from veru_desk.services.outcomes import OutcomeService
from veru_desk.services.people import PeopleService
from veru_desk.services.plans import PlanService
from veru_desk.services.referrals import ReferralService
from veru_desk.services.reports import OutcomeReportService
from veru_desk.services.retention import RetentionService
from veru_desk.services.risk import RiskService
from veru_desk.services.sessions import SessionService
from veru_desk.services.settings import SettingsService
from veru_desk.services.subject_access import SubjectAccessService
from veru_desk.services.summary import CaseSummaryService
from veru_desk.services.users import UserService


class Services:
    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.people = PeopleService(db, actor)
        self.referrals = ReferralService(db, actor)
        self.users = UserService(db, actor)
        self.backups = BackupService(db, actor)
        self.sessions = SessionService(db, actor)
        self.dashboard = DashboardService(db, actor)
        self.caseload = CaseloadService(db, actor)
        self.risk = RiskService(db, actor)
        self.plans = PlanService(db, actor)
        self.outcomes = OutcomeService(db, actor)
        self.notes = NoteService(db, actor)
        self.chronology = ChronologyService(db, actor)
        self.exports = ExportService(db, actor)
        self.summary = CaseSummaryService(db, actor)
        self.reports = OutcomeReportService(db, actor)
        self.settings = SettingsService(db, actor)
        self.retention = RetentionService(db, actor)
        self.subject_access = SubjectAccessService(db, actor)
        self.imports = ImportService(db, actor)
        self.health = HealthService(db, actor)
        self.audit_log = AuditLogService(db, actor)
