"""The arithmetic of one page of a longer list, shared by the paged lists' dataclasses."""

from __future__ import annotations

from math import ceil
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, bindparam

Query = TypeVar("Query", bound=Select[Any])


def paged(query: Query) -> Query:
    """`query` taking its page as parameters, so a statement built once serves every page:
    run it with page_parameters()."""
    return query.limit(bindparam("page_size", type_=Integer)).offset(
        bindparam("skipped", type_=Integer)
    )


def page_parameters(page: int, page_size: int) -> dict[str, int]:
    return {"page_size": page_size, "skipped": (page - 1) * page_size}


class PageArithmetic:
    """Mixed into a frozen dataclass with `total`, `page` and `page_size`, which says how
    many rows this page shows (`shown`)."""

    total: int
    page: int
    page_size: int

    @property
    def shown(self) -> int:
        raise NotImplementedError

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.page_size))

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_number(self) -> int:
        return (self.page - 1) * self.page_size + self.shown
