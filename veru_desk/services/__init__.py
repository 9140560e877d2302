"""The use cases: the only layer the UI and the command line call.

``Services`` bundles every service for one signed-in user, so a window or a command gets
what it needs from one object built once.
"""

from __future__ import annotations

from veru_desk.db.engine import Database
from veru_desk.services.actor import Actor
from veru_desk.services.people import PeopleService
from veru_desk.services.referrals import ReferralService
from veru_desk.services.users import UserService


class Services:
    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.people = PeopleService(db, actor)
        self.referrals = ReferralService(db, actor)
        self.users = UserService(db, actor)
