"""The use cases: the only layer the UI and the command line call.

``Services`` bundles every service for one signed-in user, so a window or a command gets
what it needs from one object built once.
"""

from __future__ import annotations

from veru_desk.db.engine import Database
from veru_desk.services.actor import Actor
from veru_desk.services.backups import BackupService
from veru_desk.services.caseload import CaseloadService
from veru_desk.services.chronology import ChronologyService
from veru_desk.services.dashboard import DashboardService
from veru_desk.services.notes import NoteService
from veru_desk.services.outcomes import OutcomeService
from veru_desk.services.people import PeopleService
from veru_desk.services.plans import PlanService
from veru_desk.services.referrals import ReferralService
from veru_desk.services.risk import RiskService
from veru_desk.services.sessions import SessionService
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
