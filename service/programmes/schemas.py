"""Programme, membership and mentorship API shapes, with the matching settings."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)

from matching.metrics import TIMEZONE_BANDS, Band
from matching.pipeline import DEFAULT_MIN_OVERLAP_HOURS, DEFAULT_MODE, Mode
from matching.profiles import DEFAULT_WEIGHTS as ENGINE_WEIGHTS
from service.kit.schemas import Page, Strict
from service.people.schemas import Role
from service.taxonomy.codes import COUNTRIES

#: The longest an introduction may stay open unanswered (answer links outlive it).
MAX_EXPIRY_DAYS = 90

# Score component weights used when an organiser sets none (the matching engine's defaults).
DEFAULT_WEIGHTS: dict[str, float] = dict(ENGINE_WEIGHTS)
MAX_WEIGHT = 10.0

Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]

#: Each score component's name, as settings and reviews show it.
WEIGHT_LABELS: dict[str, str] = {
    "need_offer": "Needs and offers",
    "certification": "Certifications",
    "tools": "Tools",
    "industry_role": "Industry and role",
    "text": "Profile text",
    "experience": "Experience gap",
    "availability": "Time together",
}
#: What each score component measures, in one line: the API's documentation of each weight and
#: the settings page's words (matching.scoring computes them).
WEIGHT_MEANINGS: dict[str, str] = {
    "need_offer": "how much of what the mentee wants to learn the mentor can teach",
    "certification": "the mentor holds the certifications the mentee is aiming for",
    "tools": "tools both of them use (Jira, MS Project and the like)",
    "industry_role": "the mentor works in the mentee's industries, in a similar role",
    "text": "how alike their headlines and bios read",
    "experience": "the mentor is a suitable number of years ahead (best 5 to 15)",
    "availability": "hours free at the same time each week (full at 3 hours)",
}
#: What each matching mode does, in one line (the mode's description and the settings page).
MODE_MEANINGS: dict[str, str] = {
    "optimal": "as many matches as possible, then the highest total score",
    "stable": "no mentee and mentor who would both rather have each other than their"
    " matches (no blocking pairs), which may match fewer people or score lower",
}


#: Score component weights, each 0-10; components not sent take their default. One field per
#: component of the matching engine, so a component added there is a weight here too.
ScoreWeights: type[Strict] = create_model(
    "ScoreWeights",
    __base__=Strict,
    __doc__="Score component weights, each 0-10; components not sent take their default.",
    **{  # type: ignore[call-overload]
        name: (Weight, Field(default=default, description=WEIGHT_MEANINGS[name]))
        for name, default in DEFAULT_WEIGHTS.items()
    },
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
        description="; ".join(f"{mode}: {text}" for mode, text in MODE_MEANINGS.items()),
    )
    round_size: RoundSize | None = Field(
        default=None,
        description="at most this many mentees per round, those who joined first; none (left"
        " empty): every eligible mentee",
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
    version: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="the programme's version as read (ProgrammeOut.version): if someone has"
        " edited the programme since, the edit is refused with 409 and nothing changes; left"
        " out, the edit applies whatever the version",
    )


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
    version: int = Field(
        description="counts the programme's edits; send it back with PATCH so that an edit"
        " made meanwhile by someone else is not overwritten"
    )
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


#: The members list's status filter: what a person must do before rounds take them.
MemberStatus = Literal["email_verified", "email_unverified", "consents", "no_consent"]
MEMBER_STATUSES: dict[str, str] = {
    "email_verified": "has verified their email address",
    "email_unverified": "has not verified their email address yet (rounds leave them out)",
    "consents": "has agreed to be matched",
    "no_consent": "has not agreed to be matched (rounds leave them out)",
}
#: The fairness table's timezone bands (matching.metrics), by key.
TimezoneBand = Band


def _filter_country(value: str) -> str:
    value = value.upper()
    if value not in COUNTRIES:
        raise ValueError("choose a country from the list (a two-letter code, like PT)")
    return value


class MemberFilter(BaseModel):
    """Which members to list (query parameters; each one left out or empty: no filter)."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = Field(default=None, description="mentee or mentor")
    matched: bool | None = Field(
        default=None,
        description="true: has a pending or active mentorship in this programme; false: has none",
    )
    country: (
        Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_filter_country)]
        | None
    ) = Field(default=None, description="ISO 3166-1 alpha-2 code, like PT")
    band: TimezoneBand | None = Field(
        default=None,
        description="timezone band, as in a round's fairness table: "
        + "; ".join(f"{k}: {v}" for k, v in TIMEZONE_BANDS.items()),
    )
    status: MemberStatus | None = Field(
        default=None, description="; ".join(f"{k}: {v}" for k, v in MEMBER_STATUSES.items())
    )
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None, description="part of the name, in any case"
    )

    @model_validator(mode="before")
    @classmethod
    def _empty_is_none(cls, data: Any) -> Any:
        # A form's empty select or search box means "any".
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    def active(self) -> dict[str, Any]:
        """The filters that are set (for links to the next page)."""
        return self.model_dump(mode="json", exclude_none=True)


class MemberOut(BaseModel):
    """A member as organisers see them (no email)."""

    id: UUID
    display_name: str
    roles: list[Role]
    country: str
    timezone: str
    timezone_band: TimezoneBand = Field(description="this week's band of their timezone")
    joined_at: datetime
    matched: bool = Field(description="has a pending or active mentorship in this programme")
    email_verified: bool
    consents: bool = Field(description="has agreed to be matched")


class MemberList(Page):
    """A page of a programme's members (those the filters keep), in joining order."""

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
