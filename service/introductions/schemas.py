"""Introduction answers on the wire."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel


class AnswerOut(BaseModel):
    """Where an introduction stands after an answer."""

    mentorship_id: UUID
    status: str
    your_answer: str
    other_answer: str | None
