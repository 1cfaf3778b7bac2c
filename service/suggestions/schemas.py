"""Request and response bodies of suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from service.kit.schemas import Page


class SuggestionOut(BaseModel):
    """An event or association suggested to me, and why."""

    kind: Literal["event", "association"]
    id: UUID = Field(description="the event's or the association's id")
    title: str = Field(description="the event's title or the association's name")
    score: float = Field(description="how well it fits, higher is better (for ordering)")
    reasons: list[str] = Field(description="why, in words, the strongest first")
    url: str = Field(description="its page")
    event_kind: str | None = Field(None, description="workshop, webinar, ... (events)")
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = Field(None, description="the event's own timezone")
    online: bool
    city: str
    country: str | None = None
    places_left: int | None = Field(None, description="null: no limit (events)")
    association_kind: str | None = Field(None, description="chapter, local_group, ...")
    host: str | None = Field(None, description="the association hosting the event")


class SuggestionList(Page):
    """A page of my suggestions, best first; ``computed_at``: when they were last worked out
    (null: not yet, they are being prepared)."""

    suggestions: list[SuggestionOut]
    computed_at: datetime | None


class SuggestedItem(BaseModel):
    """An item a programme's members are being suggested."""

    kind: Literal["event", "association"]
    id: UUID
    title: str
    starts_at: datetime | None
    suggested_to: int = Field(description="members it is suggested to")
    taken_up: int = Field(description="of them, who RSVPed (events) or joined (associations)")


class ProgrammeSuggestions(BaseModel):
    """What a programme's members are being suggested (organisers)."""

    members: int
    with_suggestions: int = Field(description="members with at least one suggestion")
    suggestions: int = Field(description="suggestions held for its members")
    rsvps: int = Field(description="suggested events its members RSVPed to")
    joined: int = Field(description="suggested associations its members joined or asked to")
    items: list[SuggestedItem] = Field(description="the items suggested most, most first")
