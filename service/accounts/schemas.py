"""Account API shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from service.kit.schemas import Strict
from service.security import MAX_PASSWORD, MIN_PASSWORD

NewPassword = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD,
        max_length=MAX_PASSWORD,
        description=f"{MIN_PASSWORD} to {MAX_PASSWORD} characters, as at sign-up",
    ),
]


class PasswordResetIn(Strict):
    """Ask for a password reset link."""

    email: Annotated[str, Field(min_length=3, max_length=320)]


class PasswordResetOut(BaseModel):
    """The same answer whether or not an account has the address."""

    message: str


class PasswordChangeIn(Strict):
    """A logged-in person's new password, with their current one."""

    current_password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD)]
    new_password: NewPassword


class VerificationOut(BaseModel):
    """A verification link was sent again."""

    email: str = Field(description="the address the link was sent to")
    message: str
