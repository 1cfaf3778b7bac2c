"""Base models every domain's request and response shapes build on."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, JSON types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Page(BaseModel):
    """The paging fields of every paginated list."""

    total: int
    limit: int
    offset: int


#: Query parameters of every paginated list.
LIMIT = TypeAdapter(Annotated[int, Field(ge=1, le=1000)])
#: Offsets beyond any list's length are refused (a huge one would overflow the database's integer).
OFFSET = TypeAdapter(Annotated[int, Field(ge=0, le=2**31 - 1)])
PAGE_QUERY = (("limit", "integer", "1-1000, default 100"), ("offset", "integer", "default 0"))
