"""Invitation API shapes."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field


class InvitationSentOut(BaseModel):
    """A new invitation is on its way."""

    person_id: UUID
    message: str = Field(description="what happened, in plain words")
