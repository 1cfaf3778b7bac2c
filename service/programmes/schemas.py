"""Programme, membership and mentorship API shapes, with the matching settings."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)

from matching.pipeline import DEFAULT_MIN_OVERLAP_HOURS, DEFAULT_MODE, Mode
from matching.profiles import DEFAULT_WEIGHTS as ENGINE_WEIGHTS
from service.kit.schemas import Page, Strict
from service.people.schemas import Role

#: The longest an introduction may stay open unanswered (answer links outlive it).
MAX_EXPIRY_DAYS = 90

# Score component weights used when an organiser sets none (the matching engine's defaults).
DEFAULT_WEIGHTS: dict[str, float] = dict(ENGINE_WEIGHTS)
MAX_WEIGHT = 10.0

Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]


#: Score component weights, each 0-10; components not sent take their default. One field per
#: component of the matching engine, so a component added there is a weight here too.
ScoreWeights: type[Strict] = create_model(
    "ScoreWeights",
    __base__=Strict,
    __doc__="Score component weights, each 0-10; components not sent take their default.",
    **{name: (Weight, default) for name, default in DEFAULT_WEIGHTS.items()},  # type: ignore[call-overload]
)


def _weights(value: Any) -> dict[str, float]:
    """Validate weights against the known components and fill in the defaults."""
    weights: dict[str, float] = ScoreWeights.model_validate(value).model_dump()
    if not any(weights.values()):
        raise ValueError("at least one weight must be above 0")
    return weights


Weights = Annotated[
    dict[str, float],
    BeforeValidator(_weights),
    WithJsonSchema(ScoreWeights.model_json_schema()),
]


#: The matching settings a round may also override (see the rounds' RoundIn).
OverlapHours = Annotated[float, Field(ge=0, le=40, allow_inf_nan=False)]
RoundSize = Annotated[int, Field(ge=1, le=100_000)]


class ProgrammeSettings(Strict):
    """How a programme's rounds match: score weights, minimum overlap, mode, round size."""

    weights: Weights = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    min_overlap_hours: OverlapHours = Field(
        default=DEFAULT_MIN_OVERLAP_HOURS,
        description="minimum weekly availability overlap of a pair, in hours",
    )
    mode: Mode = Field(
        default=DEFAULT_MODE,
        description="optimal: most matches, then highest total score; stable: no blocking pairs",
    )
    round_size: RoundSize | None = Field(
        default=None, description="at most this many mentees per round; null: everyone eligible"
    )
    reminder_days: Annotated[int, Field(ge=1, le=60)] = Field(
        default=5, description="days without an answer before one reminder"
    )
    expiry_days: Annotated[int, Field(ge=1, le=MAX_EXPIRY_DAYS)] = Field(
        default=10, description="days without both answers before the introduction expires"
    )
    survey_days: Annotated[int, Field(ge=1, le=365)] = Field(
        default=30, description="days after both accepted before the feedback survey"
    )

    @field_validator("expiry_days")
    @classmethod
    def _after_the_reminder(cls, value: int, info: ValidationInfo) -> int:
        reminder = info.data.get("reminder_days")
        if reminder is not None and value <= reminder:
            raise ValueError("must be more than reminder_days (the reminder comes first)")
        return value


# Bodies are parsed from JSON into Python first, so UUIDs arrive as strings: parse them laxly.
Id = Annotated[UUID, Field(strict=False)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


#: Who may join: anyone (listed to every logged-in person), or holders of the invitation code.
ProgrammeAccess = Literal["open", "invitation"]
_ACCESS_TEXT = "open: listed and joinable by anyone; invitation: joined with its invitation code"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> Any:
    """A JSON date is a "YYYY-MM-DD" string (strict models take no str for a date otherwise)."""
    if isinstance(value, str):
        try:
            if _ISO_DATE.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass  # e.g. 2027-02-30
        raise ValueError("enter a date like 2027-01-31 (year-month-day)")
    return value


Day = Annotated[date, BeforeValidator(_iso_date)]
_NEXT_ROUND_TEXT = "the day the next matching round is planned (YYYY-MM-DD); null: not set"


class ProgrammeIn(Strict):
    """A new programme (site admins only)."""

    name: Name = Field(examples=["PMI Lisbon spring 2027"])
    description: Description = ""
    settings: ProgrammeSettings = Field(default_factory=ProgrammeSettings)
    access: ProgrammeAccess = Field(default="open", description=_ACCESS_TEXT)
    next_round_on: Day | None = Field(default=None, description=_NEXT_ROUND_TEXT)


class ProgrammePatch(Strict):
    """Partial programme edit: only the fields sent change; settings fields sent replace theirs.

    next_round_on may be sent as null to clear it; the other fields may not be null.
    """

    name: Name | None = None
    description: Description | None = None
    settings: ProgrammeSettings | None = None
    access: ProgrammeAccess | None = Field(default=None, description=_ACCESS_TEXT)
    next_round_on: Day | None = Field(default=None, description=_NEXT_ROUND_TEXT)


#: Invitation codes as made by the database (URL-safe base64); anything else matches none.
INVITATION_CODE = re.compile(r"[A-Za-z0-9_-]{22}")


class JoinIn(Strict):
    """What joining may need: an invitation-only programme's invitation code."""

    code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None,
        description="the programme's invitation code (needed when its access is invitation)",
    )


class OrganiserIn(Strict):
    """Who to appoint: exactly one of person_id or email."""

    person_id: Id | None = None
    email: EmailStr | None = None

    @model_validator(mode="after")
    def _one(self) -> OrganiserIn:
        if (self.person_id is None) == (self.email is None):
            raise ValueError("send exactly one of person_id or email")
        return self


class RequestIn(Strict):
    """A mentee asks a mentor of the programme to mentor them."""

    mentor_id: Id


class PersonRef(BaseModel):
    """Another person as shown next to a programme or mentorship (never contact details)."""

    id: UUID
    display_name: str


class AssociationRef(BaseModel):
    """An association as named next to a programme or a membership."""

    id: UUID
    name: str


class LastRound(BaseModel):
    """A programme's newest round, for its organisers."""

    id: UUID
    status: Literal["queued", "running", "draft", "published", "failed"]
    finished_at: datetime | None


class ProgrammeSummary(BaseModel):
    """A programme in the list, with who runs it and the caller's place in it."""

    id: UUID
    name: str
    description: str
    access: ProgrammeAccess
    next_round_on: date | None
    members: int
    mentees: int
    mentors: int
    open_places: int = Field(
        description="places its mentors have left: the sum over consenting member mentors of"
        " their capacity minus their pending and active mentorships (in any programme)"
    )
    organisers: list[PersonRef]
    association: AssociationRef | None = Field(
        default=None, description="the association it was created for, if any"
    )
    is_member: bool
    is_organiser: bool
    created_at: datetime
    last_round: LastRound | None = Field(
        default=None,
        description="its newest round (any status), for its organisers and site admins; null for"
        " anyone else and before its first round",
    )


class ProgrammeOut(ProgrammeSummary):
    """One programme with its settings and, for its organisers, its invitation code."""

    settings: ProgrammeSettings
    updated_at: datetime
    invitation_code: str | None = Field(
        description="for its organisers and site admins only (null for anyone else); the"
        " invitation link is BASE_URL/join/{code}"
    )


class ProgrammeList(BaseModel):
    """The programmes the caller may see (open ones, and those they belong to or organise;
    site admins see every one), newest first; with ``organised=true``, only those the caller
    is an appointed organiser of (site admins too)."""

    programmes: list[ProgrammeSummary]


class InvitationOut(BaseModel):
    """A programme's new invitation code (the previous one no longer works)."""

    programme_id: UUID
    invitation_code: str


class MembershipOut(BaseModel):
    """The caller's membership of a programme."""

    programme_id: UUID
    person_id: UUID
    joined_at: datetime


class MemberOut(BaseModel):
    """A member as organisers see them (no email)."""

    id: UUID
    display_name: str
    roles: list[Role]
    country: str
    timezone: str
    joined_at: datetime


class MemberList(Page):
    """A page of a programme's members, in joining order."""

    members: list[MemberOut]


class MentorshipPerson(BaseModel):
    """The other person of a mentorship: name and headline only."""

    id: UUID
    display_name: str
    headline: str


class MentorshipOut(BaseModel):
    """A mentorship as one of its two people sees it."""

    id: UUID
    programme_id: UUID
    programme_name: str
    my_role: Role = Field(description="the caller's side of this mentorship")
    other: MentorshipPerson
    source: Literal["request", "round"]
    status: Literal["pending", "active", "declined", "expired", "ended"]
    created_at: datetime
    updated_at: datetime


class MentorshipList(BaseModel):
    """The caller's mentorships, newest first."""

    mentorships: list[MentorshipOut]
