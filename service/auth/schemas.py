"""Auth API shapes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from service.kit.schemas import Strict
from service.security import MAX_PASSWORD


class LoginIn(Strict):
    """Credentials."""

    email: Annotated[str, Field(min_length=3, max_length=320)]
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD)]


class LoginOut(BaseModel):
    """A new session; the token also arrives as an HttpOnly cookie."""

    person_id: UUID
    token: str = Field(
        description="send as 'Authorization: Bearer <token>' if not using the cookie"
    )
