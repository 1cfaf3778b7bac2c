"""Round API shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from matching.metrics import RoundMetrics
from matching.pipeline import Mode
from service.kit.schemas import Page, Strict
from service.people.schemas import Role
from service.programmes.schemas import Id, OverlapHours, RoundSize, Weights
from service.rounds.entry import NotEnteredCode


class RoundIn(Strict):
    """Start a round; fields sent override the programme's settings for this round only."""

    weights: Weights | None = None
    min_overlap_hours: OverlapHours | None = None
    mode: Mode | None = None
    round_size: RoundSize | None = None


@dataclass(frozen=True)
class RoleCount:
    """One role's members of the programme: ``members = entered + sum(not_entered)``."""

    #: Signed-up members of the programme in this role.
    members: int
    #: How many the round took.
    entered: int
    #: How many it did not, per reason code (has_mentor, no_places_left, no_consent,
    #: email_not_verified, no_availability, beyond_round_size).
    not_entered: dict[str, int]


@dataclass(frozen=True)
class Headcount:
    """Every member of the programme, by role: in the round, or not and why."""

    mentees: RoleCount
    mentors: RoleCount


@dataclass(frozen=True)
class RoundReport(RoundMetrics):
    """A round's figures (:class:`matching.metrics.RoundMetrics`) and how the round went."""

    #: Mentors with places left who took part.
    mentors: int = 0
    #: Seconds per stage of the solve.
    timings: dict[str, float] = field(default_factory=dict)
    #: Organiser pins that could not apply, and why.
    skipped_overrides: list[dict[str, str]] = field(default_factory=list)
    #: Why a round had nothing to match, if so.
    note: str | None = None
    #: Entered mentees left without a mentor (``mentees = matched + unmatched``).
    unmatched: int | None = None
    #: Every member of the programme, entered or not (rounds before it was counted: null).
    headcount: Headcount | None = None


class RoundOut(BaseModel):
    """A round's state and, once done, its metrics."""

    id: UUID
    programme_id: UUID
    status: Literal["queued", "running", "draft", "published", "failed"]
    settings: dict[str, Any]
    progress: float
    message: str
    metrics: RoundReport | None
    alternative: RoundMetrics | None = Field(
        description="the same figures for the other mode: the price of stability or optimality"
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    published_at: datetime | None


class RoundList(Page):
    """A page of a programme's rounds, newest first."""

    rounds: list[RoundOut]


class MatchOut(BaseModel):
    """One proposed pair, with why."""

    mentee_id: UUID
    mentee_name: str
    mentor_id: UUID
    mentor_name: str
    score: float
    components: dict[str, float]
    #: As the mentee reads them ("you" is the mentee; times in the mentee's timezone).
    reasons: list[str]
    #: The same reasons as the mentor reads them in the introduction.
    reasons_for_mentor: list[str]
    pinned: bool


class UnmatchedOut(BaseModel):
    """A mentee left without a mentor, and the binding reason."""

    mentee_id: UUID
    mentee_name: str
    code: str
    reason: str = Field(description="in plain words, as the mentee reads it on My matches")
    details: dict[str, Any] = Field(
        description="for organisers: the best mentors who were full, their scores and who took"
        " their places; the minimum overlap"
    )


class MatchPage(Page):
    """A page of matches and the unmatched."""

    matches: list[MatchOut]
    unmatched_total: int
    unmatched: list[UnmatchedOut]


class NotEnteredOut(BaseModel):
    """A programme member the round did not enter (in one role), and why."""

    person_id: UUID
    name: str
    role: Role
    code: NotEnteredCode = Field(description="the binding reason (the first of details.causes)")
    reason: str = Field(description="in plain words, as the member reads it on My matches")
    details: dict[str, Any] = Field(
        description="causes: every reason that applied; capacity (no_places_left); round_size"
        " (beyond_round_size)"
    )


class NotEnteredPage(Page):
    """A page of the members a round did not enter."""

    not_entered: list[NotEnteredOut]


class OverrideIn(Strict):
    """Pin or forbid a pair for this programme's next rounds."""

    mentee_id: Id
    mentor_id: Id
    kind: Literal["pin", "forbid"]


class OverrideOut(BaseModel):
    """A pin or forbid of a programme: its next rounds make this pair, or never make it."""

    mentee_id: UUID
    mentee_name: str
    mentor_id: UUID
    mentor_name: str
    kind: Literal["pin", "forbid"]
    created_at: datetime
    created_by_name: str = Field(description="who set it (empty once their account is gone)")


class OverrideList(BaseModel):
    """A programme's pins and forbids, newest first."""

    overrides: list[OverrideOut]


class PublishOut(BaseModel):
    """What publishing did."""

    published: int
    skipped: list[dict[str, str]]
    emails: int = Field(
        description="introduction emails that will go out, two per published pair (queued by"
        " the worker within seconds)"
    )
