"""Small builders for test records, going through the services like the app does."""

from __future__ import annotations

from itertools import count

from caseapp.domain.roles import Role
from caseapp.models import User
from caseapp.services.accounts import create_user

DEMO_TEST_PASSWORD = "correct horse battery staple"
_sequence = count(1)


def make_user(*roles: str, **fields: object) -> User:
    number = next(_sequence)
    email = str(fields.pop("email", f"user{number}@example.org"))
    name = str(fields.pop("name", f"Test User {number}"))
    return create_user(
        email=email,
        name=name,
        password=str(fields.pop("password", DEMO_TEST_PASSWORD)),
        roles={Role(role) for role in roles} or {Role.LEAD_WORKER},
        **fields,  # type: ignore[arg-type]
    )
