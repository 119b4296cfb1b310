"""Creating family records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from caseapp.domain.names import format_postcode, name_key, postcode_key
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import Family, FamilyMember
from caseapp.services.audit import audit_by
from caseapp.services.context import Actor
from caseapp.services.timeline import add_timeline_event


@dataclass(frozen=True)
class MemberDetails:
    given_name: str
    family_name: str
    is_child: bool
    date_of_birth: date | None = None
    relationship_to_child: str = ""
    gender: str = ""
    ethnicity: str = ""
    first_language: str = "English"
    needs_interpreter: bool = False
    disability: str = ""
    lives_in_home: bool = True
    parental_responsibility: bool = False


@dataclass(frozen=True)
class FamilyDetails:
    name: str
    address: str = ""
    postcode: str = ""
    locality: str = ""
    members: tuple[MemberDetails, ...] = field(default_factory=tuple)


def new_member(details: MemberDetails) -> FamilyMember:
    return FamilyMember(
        given_name=details.given_name.strip(),
        family_name=details.family_name.strip(),
        name_key=name_key(details.given_name, details.family_name),
        family_name_key=name_key(details.family_name),
        is_child=details.is_child,
        date_of_birth=details.date_of_birth,
        relationship_to_child=details.relationship_to_child,
        gender=details.gender,
        ethnicity=details.ethnicity,
        first_language=details.first_language,
        needs_interpreter=details.needs_interpreter,
        disability=details.disability,
        lives_in_home=details.lives_in_home,
        parental_responsibility=details.parental_responsibility,
    )


def stage_family(actor: Actor, details: FamilyDetails, at: datetime | None = None) -> Family:
    """Add a family and its members to the open transaction, with their timeline events.

    Staged rather than committed so a request for support can create the family and the
    request together, or neither.
    """
    family = Family(
        name=details.name.strip(),
        address=details.address.strip(),
        postcode=format_postcode(details.postcode),
        postcode_key=postcode_key(details.postcode),
        locality=details.locality.strip(),
    )
    if at is not None:
        family.created_at = at
    family.members = [new_member(member) for member in details.members]
    db.session.add(family)
    db.session.flush()
    children = sum(member.is_child for member in details.members)
    add_timeline_event(
        family_id=family.id,
        kind=EventKind.FAMILY_CREATED,
        summary=(
            f"Family record created with {len(details.members)} members "
            f"({children} {'child' if children == 1 else 'children'})"
        ),
        actor_id=actor.user_id,
        occurred_at=at,
    )
    audit_by(actor, "create", "family", object_id=family.id, family_id=family.id)
    return family
