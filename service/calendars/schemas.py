"""The report of a calendar import, as the API, the page and the command show it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field


class RejectedEvent(BaseModel):
    """A VEVENT (or one occurrence of a recurring one) left out, and why."""

    uid: str = Field(description="the VEVENT's UID (with the occurrence's UTC start)")
    summary: str = Field(description="its SUMMARY, as the file has it")
    reason: str = Field(description="why it was left out, in plain words")


class ImportedEvent(BaseModel):
    """An event of the file as stored."""

    id: UUID
    ical_uid: str
    title: str
    starts_at: datetime
    timezone: str
    status: Literal["scheduled", "cancelled"]
    outcome: Literal["new", "updated", "unchanged", "removed"] = Field(
        description="removed: imported before, no longer in the file, so cancelled (full_sync)"
    )


class CalendarReport(BaseModel):
    """What an import did: counts, the events stored and the ones refused with why."""

    file_name: str
    imported: int = Field(description="events new to Kickoff")
    updated: int = Field(description="events already imported that the file changed")
    unchanged: int = Field(description="events already imported exactly as the file has them")
    rejected: int = Field(description="VEVENTs (or occurrences) left out; see rejected_events")
    cancelled: int = Field(
        default=0,
        description="full_sync only: upcoming events imported before that the file no longer"
        " has, now cancelled (see cancelled_events)",
    )
    events: list[ImportedEvent]
    rejected_events: list[RejectedEvent]
    cancelled_events: list[ImportedEvent] = Field(default_factory=list)
    full_sync: bool = False


class CalendarForm(BaseModel):
    """Form fields sent beside the calendar file."""

    full_sync: bool = Field(
        default=False,
        description="the file is the association's whole calendar: cancel its upcoming events"
        " imported before (from any file) that this one no longer has; events created in"
        " Kickoff are left alone",
    )
