"""Shapes of a round comparison and of a programme's outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from service.kit.schemas import Page

PairKind = Literal["kept", "changed", "dropped", "gained"]


class ComparedRound(BaseModel):
    """One of the two rounds compared."""

    id: UUID
    status: Literal["draft", "published"]
    mode: str | None
    created_at: datetime
    finished_at: datetime | None
    published_at: datetime | None


class MetricDelta(BaseModel):
    """One figure in both rounds and how it moved (``after - before``)."""

    name: str = Field(description="the figure's path in the round's metrics, e.g. score.median")
    label: str = Field(description="what it is, in plain words")
    before: float | None = Field(description="in round {id}")
    after: float | None = Field(description="in round `with`")
    delta: float | None = Field(description="after - before; null when either is missing")


class GroupDelta(BaseModel):
    """One group of the fairness table (e.g. country PT) in both rounds."""

    group: str
    mentees_before: int
    mentees_after: int
    coverage_before: float | None
    coverage_after: float | None
    coverage_delta: float | None
    mean_score_before: float | None
    mean_score_after: float | None
    mean_score_delta: float | None


class SettingDelta(BaseModel):
    """A round setting that differs between the two rounds."""

    name: str = Field(description="e.g. weights.tools, min_overlap_hours, mode")
    before: Any
    after: Any


class PairChange(BaseModel):
    """One mentee's pair in both rounds."""

    mentee_id: UUID
    mentee_name: str
    before_mentor_id: UUID | None
    before_mentor_name: str | None
    before_score: float | None
    after_mentor_id: UUID | None
    after_mentor_name: str | None
    after_score: float | None
    code: str | None = Field(
        description="dropped: why the mentee has no mentor in round `with`; gained: why they had"
        " none in round {id} (an unmatched or not-entered code); null otherwise"
    )
    reason: str | None = Field(description="the same in plain words, as the mentee read it")


class PairPage(Page):
    """A page of one kind of change, by mentee name."""

    pairs: list[PairChange]


class PairCounts(BaseModel):
    """How the pairs moved from round {id} to round `with`."""

    kept: int = Field(description="same mentee, same mentor")
    changed: int = Field(description="same mentee, another mentor")
    dropped: int = Field(description="matched in round {id}, not in round `with`: lost a mentor")
    gained: int = Field(description="not matched in round {id}, matched in round `with`")


class RoundComparison(BaseModel):
    """Round {id} ("before") against round `with` ("after"): every figure with its delta, and
    what happened to each mentee's pair. The four lists are paged with the same limit and
    offset."""

    before: ComparedRound
    after: ComparedRound
    metrics: list[MetricDelta]
    alternative: list[MetricDelta] = Field(
        description="the same figures for each round's other mode (stable or optimal)"
    )
    fairness: dict[str, list[GroupDelta]] = Field(
        description="per grouping (country, timezone_band, experience_band), every group of"
        " either round"
    )
    settings: list[SettingDelta] = Field(description="the settings that differ")
    counts: PairCounts
    kept: PairPage
    changed: PairPage
    dropped: PairPage
    gained: PairPage


class FeedbackFigures(BaseModel):
    """Answers to the feedback survey (one per person and introduction)."""

    count: int
    mean_rating: float | None
    ratings: dict[str, int] = Field(description='how many of each rating, "1" to "5"')
    still_meeting: int
    still_meeting_rate: float | None = Field(description="still_meeting / count")


class OutcomeFigures(BaseModel):
    """Where introductions stand and how people answered."""

    introductions: int
    pending: int = Field(description="waiting for an answer")
    accepted: int = Field(description="both accepted and the mentorship is active")
    declined: int
    expired: int = Field(description="closed unanswered")
    ended: int = Field(description="ended because one of them left the programme")
    both_accepted: int = Field(description="accepted by both at some point (active or ended)")
    answers: int = Field(description="answers given, each side counted")
    median_days_to_answer: float | None = Field(
        description="from the introduction to each answer (mentees' and mentors' alike), in days;"
        " each side's answer time is stored, so this is exact"
    )
    median_days_to_answer_mentee: float | None
    median_days_to_answer_mentor: float | None
    feedback: FeedbackFigures


class RoundOutcomes(OutcomeFigures):
    """The introductions of one published round."""

    round_id: UUID
    published_at: datetime | None


class ProgrammeOutcomes(BaseModel):
    """A programme's introductions: per published round (oldest first, to follow them over
    time) and for the whole programme (requests made outside rounds included)."""

    programme_id: UUID
    rounds: list[RoundOutcomes]
    programme: OutcomeFigures
