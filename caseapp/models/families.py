"""Families, the people in them and the professionals around them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from caseapp.models.episodes import Episode


def family_reference(family_id: int) -> str:
    """The reference staff quote for a family: F and its number, e.g. F000123."""
    return f"F{family_id:06d}"


class Family(db.Model):
    """A household: the unit early help works with."""

    __tablename__ = "families"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    # Postcodes are typed with and without the space; search compares this form.
    postcode_key: Mapped[str] = mapped_column(String(10), default="", index=True)
    locality: Mapped[str] = mapped_column(String(120), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    members: Mapped[list[FamilyMember]] = relationship(
        back_populates="family",
        lazy="raise",
        order_by="(FamilyMember.is_child.desc(), FamilyMember.date_of_birth, FamilyMember.id)",
    )
    professionals: Mapped[list[Professional]] = relationship(lazy="raise")
    episodes: Mapped[list[Episode]] = relationship(back_populates="family", lazy="raise")

    # Optimistic locking: a stale write raises StaleDataError instead of overwriting.
    __mapper_args__: ClassVar[dict[str, object]] = {"version_id_col": version}

    @property
    def reference(self) -> str:
        return family_reference(self.id)


class FamilyMember(db.Model):
    """A child or adult in the family, or a significant adult outside the home."""

    __tablename__ = "family_members"
    __table_args__ = (
        CheckConstraint("is_child = false OR date_of_birth IS NOT NULL", name="child_has_dob"),
        # Name search is a prefix match (LIKE 'key%'); on PostgreSQL only a pattern-ops
        # index serves that under a locale collation such as en_GB.
        Index(
            "ix_family_members_name_key",
            "name_key",
            postgresql_ops={"name_key": "varchar_pattern_ops"},
        ),
        Index(
            "ix_family_members_family_name_key",
            "family_name_key",
            postgresql_ops={"family_name_key": "varchar_pattern_ops"},
        ),
        # A family's children with what lists filter them by (age, level of need), so the
        # Hub queue tests each of its families from this index, not the members' rows.
        Index(
            "ix_family_members_children",
            "family_id",
            "is_child",
            "date_of_birth",
            "current_level_code",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    is_child: Mapped[bool]
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # Lower-case letters only, so searches and duplicate checks ignore case and spacing.
    name_key: Mapped[str] = mapped_column(String(200))
    family_name_key: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(index=True)
    relationship_to_child: Mapped[str] = mapped_column(String(100), default="")
    gender: Mapped[str] = mapped_column(String(40), default="")
    ethnicity: Mapped[str] = mapped_column(String(100), default="")
    first_language: Mapped[str] = mapped_column(String(60), default="English")
    needs_interpreter: Mapped[bool] = mapped_column(default=False)
    disability: Mapped[str] = mapped_column(String(300), default="")
    lives_in_home: Mapped[bool] = mapped_column(default=True)
    parental_responsibility: Mapped[bool] = mapped_column(default=False)
    # The latest decision in level_decisions, kept here so lists can filter and sort by it.
    current_level_code: Mapped[str | None] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    family: Mapped[Family] = relationship(back_populates="members", lazy="raise")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Professional(db.Model):
    """A professional involved with the family who is not necessarily a user of the app."""

    __tablename__ = "professionals"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
