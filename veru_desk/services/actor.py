"""Who is doing something: the signed-in user as the services see them."""

from __future__ import annotations

from dataclasses import dataclass

from veru_desk.domain.enums import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    roles: frozenset[Role]

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_manager(self) -> bool:
        return Role.MANAGER in self.roles

    @property
    def has_case_role(self) -> bool:
        return bool(self.roles & {Role.CASEWORKER, Role.MANAGER})


# The installer and the demo-data generator act before any user exists; nothing else may.
SYSTEM = Actor(user_id=None, username="system", display_name="VERU Desk", roles=frozenset(Role))
