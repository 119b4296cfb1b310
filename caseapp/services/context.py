"""Who is acting, passed into services so they never reach into the request."""

from __future__ import annotations

from dataclasses import dataclass

from caseapp.models import User


@dataclass(frozen=True)
class Actor:
    user: User
    remote_addr: str = ""

    @property
    def user_id(self) -> int:
        return self.user.id
