"""Next-steps API shapes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class SourceOut(BaseModel):
    """Who publishes a rule."""

    title: str = Field(
        examples=["PMI, Project Management Professional (PMP) Certification Handbook"]
    )
    url: str


class StepEventOut(BaseModel):
    """An upcoming event that helps towards a certification (its page: /events/{id})."""

    id: UUID
    title: str
    kind: str
    starts_at: datetime
    online: bool
    city: str
    country: str | None


class NextStepOut(BaseModel):
    """One certification for the caller: whether it fits now, and what is missing."""

    certification: str = Field(description="the taxonomy's code", examples=["pmp"])
    name: str = Field(examples=["PMP"])
    eligible: bool = Field(description="the published prerequisites are met now (or it is held)")
    held: bool
    targeted: bool = Field(description="aimed for, or named by one of the caller's goals")
    missing: list[str] = Field(
        description="what is missing, in sentences; empty when eligible",
        examples=[["PMP: 14 more months leading projects"]],
    )
    why: str = Field(description="the rule, in plain words, with its source")
    source: SourceOut
    events: list[StepEventOut] = Field(
        description="upcoming events that help (not full, online or in my country, near my"
        " weekly availability), soonest first"
    )


class NextStepsOut(BaseModel):
    """The caller's certification path: the one to aim for first at the top."""

    steps: list[NextStepOut]
    unsaid: list[str] = Field(
        description="profile fields the rules need that the caller has not filled in",
        examples=[["education", "pm_education_hours"]],
    )
    rules_as_of: str = Field(description="when the rules were taken from their sources")
