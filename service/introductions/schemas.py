"""Introduction answers on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.introductions.standing import Answer, State


class AnswerOut(BaseModel):
    """Where an introduction stands after an answer."""

    mentorship_id: UUID
    status: str
    your_answer: str
    other_answer: str | None
    #: Where it stands for you: open, waiting (for the other), both_accepted, you_declined,
    #: they_declined, expired or ended.
    state: State
    #: The answers you may still give ("decline" while you accepted and they have not answered).
    can_answer: list[Answer]


class MyMatchOut(BaseModel):
    """One of my introductions. ``other.email`` appears only once both have accepted."""

    id: UUID
    programme: str
    role: str
    status: str
    my_answer: str | None
    other_answer: str | None
    other_first_name: str
    other_headline: str
    other_email: str | None
    #: The contact channel they chose to share (e.g. LinkedIn), once both accepted.
    other_contact: str | None
    reasons: list[str]
    #: While it waits for answers: the day it closes if either side has not answered.
    answer_by: date | None
    #: Where it stands for you (as in AnswerOut) and the answers you may still give.
    state: State
    can_answer: list[Answer]
    #: The day it closed unanswered (state "expired").
    closed_on: date | None


class MyMatchList(BaseModel):
    """My introductions, newest first."""

    matches: list[MyMatchOut]


class FeedbackIn(BaseModel):
    """The survey: how it is going with the person you were introduced to."""

    model_config = ConfigDict(extra="forbid", strict=True)

    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    still_meeting: bool


class IntroductionReview(BaseModel):
    """One introduction as organisers review it: names only, never contact details."""

    id: UUID
    status: str
    mentee: str
    mentor: str
    mentee_answer: str | None
    mentor_answer: str | None
    introduced_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None
    #: Emails about it: kind, to ("mentee"/"mentor"), status, attempts, error.
    emails: list[dict[str, Any]]
    #: Survey answers: from, rating, comment, still_meeting.
    feedback: list[dict[str, Any]]


class IntroductionReviewList(BaseModel):
    """A programme's introductions with a count per status and of failed emails."""

    counts: dict[str, int]
    failed_emails: int
    introductions: list[IntroductionReview]
