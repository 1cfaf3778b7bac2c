"""People API shapes and their field-level validation."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from service.kit.messages import CHOOSE_COUNTRY, CHOOSE_LANGUAGE, CHOOSE_TIMEZONE
from service.kit.schemas import Strict
from service.security import MAX_PASSWORD, MIN_PASSWORD
from service.taxonomy.codes import COUNTRIES, LANGUAGES
from service.taxonomy.normalise import MAX_TAG, Taxonomy

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Role = Literal["mentee", "mentor"]
MeetingMode = Literal["remote", "in_person"]
_TIME = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$")
_WINDOW_TEXT = re.compile(
    r"^\s*(?P<day>[A-Za-z]{3})[a-z]*\.?\s+(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})\s*$"
)

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TAG)]


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def minutes(hhmm: str) -> int:
    """'18:30' -> 1110; '24:00' -> 1440."""
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def hhmm(total: int) -> str:
    """1110 -> '18:30'."""
    return f"{total // 60:02d}:{total % 60:02d}"


class Window(Strict):
    """A weekly availability window in the person's own timezone, e.g. Tue 18:00–20:00."""

    day: Day
    start: str = Field(examples=["18:00"])
    end: str = Field(examples=["20:00"])

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        # Forms and imports write windows as "Tue 18:00-20:00".
        if isinstance(value, str):
            match = _WINDOW_TEXT.match(value)
            if not match:
                raise ValueError("write a window as 'Tue 18:00-20:00'")
            return {
                "day": match["day"].lower(),
                "start": match["start"].zfill(5),
                "end": match["end"].zfill(5),
            }
        return value

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _TIME.match(value):
            raise ValueError("use 24-hour HH:MM, from 00:00 to 24:00")
        return value

    @model_validator(mode="after")
    def _order(self) -> Window:
        if minutes(self.start) >= minutes(self.end):
            raise ValueError(
                "a window must end after it starts (split windows that cross midnight)"
            )
        if self.start == "24:00":
            raise ValueError("a window cannot start at 24:00")
        return self


def merge_windows(windows: list[Window]) -> list[Window]:
    """Sort windows and merge overlapping or touching ones on the same day."""
    spans: dict[str, list[list[int]]] = {}
    for w in sorted(windows, key=lambda w: (DAYS.index(w.day), minutes(w.start))):
        day = spans.setdefault(w.day, [])
        s, e = minutes(w.start), minutes(w.end)
        if day and s <= day[-1][1]:
            day[-1][1] = max(day[-1][1], e)
        else:
            day.append([s, e])
    return [
        Window.model_construct(day=d, start=hhmm(s), end=hhmm(e))
        for d in DAYS
        for s, e in spans.get(d, [])
    ]


def _country(value: str) -> str:
    value = value.upper()
    if value and value not in COUNTRIES:
        raise ValueError(f"{CHOOSE_COUNTRY} (a two-letter ISO 3166-1 code, like PT)")
    return value


def _timezone(value: str) -> str:
    if not value.strip():
        raise ValueError(CHOOSE_TIMEZONE)
    if value not in _zones():
        raise ValueError(f"{CHOOSE_TIMEZONE} (an IANA name, like Europe/Lisbon)")
    return value


def _languages(value: list[str]) -> list[str]:
    out: list[str] = []
    for code in value:
        code = code.strip().lower()
        if code not in LANGUAGES:
            raise ValueError(f"{CHOOSE_LANGUAGE} (two-letter ISO 639-1 codes, like en, pt)")
        if code not in out:
            out.append(code)
    return out


def _unique(value: list[Any]) -> list[Any]:
    return list(dict.fromkeys(value))


def _sorted_unique(value: list[str]) -> list[str]:
    return sorted(set(value))


DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Headline = Annotated[Text, Field(max_length=120)]
Bio = Annotated[Text, Field(max_length=2000)]
Years = Annotated[int, Field(ge=0, le=60)]
Short = Annotated[Text, Field(max_length=120)]
SharedContact = Annotated[
    Text,
    Field(
        max_length=200,
        description="a contact channel to share with a match once both accept (e.g. LinkedIn)",
    ),
]
City = Annotated[Text, Field(max_length=100)]
Country = Annotated[
    Text, Field(max_length=2, description="ISO 3166-1 alpha-2"), AfterValidator(_country)
]
Timezone = Annotated[
    str,
    Field(examples=["Europe/Lisbon"], description="IANA timezone"),
    AfterValidator(_timezone),
]
Languages = Annotated[
    list[str],
    Field(min_length=1, max_length=20, description="ISO 639-1 codes", examples=[["en", "pt"]]),
    AfterValidator(_languages),
]
Skills = Annotated[list[Tag], Field(max_length=50)]
Goals = Annotated[list[Tag], Field(max_length=20)]
Certifications = Annotated[list[Tag], Field(max_length=30)]
Tools = Annotated[list[Tag], Field(max_length=50)]
Industries = Annotated[list[Tag], Field(max_length=10)]
MeetingModes = Annotated[
    list[MeetingMode], Field(min_length=1, max_length=2), AfterValidator(_unique)
]
Availability = Annotated[list[Window], Field(max_length=28), AfterValidator(merge_windows)]
Capacity = Annotated[int, Field(ge=1, le=10, description="mentors only: mentees at once")]
Roles = Annotated[list[Role], Field(min_length=1, max_length=2), AfterValidator(_sorted_unique)]
#: Highest education, as the certification rules read it: "bachelor" is a four-year degree.
Education = Literal["secondary", "bachelor", "master", "doctorate"]
MonthsLeading = Annotated[
    int,
    Field(ge=0, le=600, description="months spent leading projects (0-600)"),
]
EducationHours = Annotated[
    int,
    Field(
        ge=0,
        le=10000,
        description="hours of project-management education: courses, training (0-10000)",
    ),
]
Digest = Annotated[
    bool,
    Field(description="email me a weekly digest of suggestions and my next step (opt in)"),
]


class ProfileFields(Strict):
    """Profile fields shared by sign-up and edit."""

    display_name: DisplayName
    headline: Headline = ""
    bio: Bio = ""
    years_experience: Years = 0
    current_role: Short = ""
    employer: Short = ""
    city: City = ""
    country: Country = ""
    timezone: Timezone
    languages: Languages
    skills: Skills = []
    goals: Goals = []
    certifications_held: Certifications = []
    certifications_target: Certifications = []
    tools: Tools = []
    industries: Industries = []
    meeting_modes: MeetingModes = ["remote"]
    availability: Availability = []
    mentor_capacity: Capacity | None = None
    consent_to_match: bool = False
    shared_contact: SharedContact = ""
    education: Education | None = None
    months_leading_projects: MonthsLeading | None = None
    pm_education_hours: EducationHours | None = None
    digest: Digest = False


def check_capacity(roles: Sequence[str], capacity: int | None) -> None:
    """Only mentors have a capacity, and every mentor has one."""
    if "mentor" in roles and capacity is None:
        raise ValueError("mentors say how many mentees they can take at once (1-10)")
    if "mentor" not in roles and capacity is not None:
        raise ValueError("only mentors have a capacity")


class SignupIn(ProfileFields):
    """Sign up as a mentee, a mentor, or both."""

    email: EmailStr
    password: Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]
    roles: Roles


class ProfilePatch(Strict):
    """Partial profile edit: only the fields sent change."""

    display_name: DisplayName | None = None
    email: EmailStr | None = None
    roles: Roles | None = None
    headline: Headline | None = None
    bio: Bio | None = None
    years_experience: Years | None = None
    current_role: Short | None = None
    employer: Short | None = None
    city: City | None = None
    country: Country | None = None
    timezone: Timezone | None = None
    languages: Languages | None = None
    skills: Skills | None = None
    goals: Goals | None = None
    certifications_held: Certifications | None = None
    certifications_target: Certifications | None = None
    tools: Tools | None = None
    industries: Industries | None = None
    meeting_modes: MeetingModes | None = None
    availability: Availability | None = None
    mentor_capacity: Capacity | None = None
    consent_to_match: bool | None = None
    shared_contact: SharedContact | None = None
    #: null clears these three (not said).
    education: Education | None = None
    months_leading_projects: MonthsLeading | None = None
    pm_education_hours: EducationHours | None = None
    digest: Digest | None = None


#: Fields a PATCH may set to null: "not said" (the others may not be null).
NULLABLE = frozenset(
    {"mentor_capacity", "education", "months_leading_projects", "pm_education_hours"}
)


class ProfileOut(BaseModel):
    """A person's own profile as they see it."""

    id: UUID
    email: str
    email_verified: bool = Field(
        description="whether the link emailed to this address was followed; until it is, "
        "you are in no matching round and introduced to no one"
    )
    display_name: str
    roles: list[Role]
    headline: str
    bio: str
    years_experience: int
    current_role: str
    employer: str
    city: str
    country: str
    timezone: str
    languages: list[str]
    skills: list[str]
    goals: list[str]
    certifications_held: list[str]
    certifications_target: list[str]
    tools: list[str]
    industries: list[str]
    custom_tags: list[str] = Field(
        description="tags that are not in the taxonomy (kept as custom tags, by their slug)"
    )
    custom_tag_texts: dict[str, str] = Field(
        description="each custom tag as the person typed it, by its slug",
        examples=[{"kanban-coaching-for-ngos": "Kanban Coaching for NGOs"}],
    )
    meeting_modes: list[MeetingMode]
    availability: list[Window]
    mentor_capacity: int | None
    consent_to_match: bool
    shared_contact: str
    education: Education | None = Field(
        description="highest education: secondary, bachelor (a four-year degree), master or"
        " doctorate; null when not said"
    )
    months_leading_projects: int | None
    pm_education_hours: int | None
    digest: bool
    created_at: datetime
    updated_at: datetime

    def tag_label(self, slug: str, taxonomy: Taxonomy) -> str:
        """A tag as its person sees it: a term by its label, a custom tag as they typed it."""
        return self.custom_tag_texts.get(slug) or taxonomy.label(slug)


class SessionOut(BaseModel):
    """A session as listed in the export (never its token)."""

    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    ip: str


class ExportOut(BaseModel):
    """Everything Kickoff stores about the caller."""

    exported_at: datetime
    profile: ProfileOut
    is_admin: bool
    sessions: list[SessionOut]
    login_failures: list[datetime]
    programmes: list[dict[str, Any]] = Field(description="memberships and organiser roles")
    associations: list[dict[str, Any]] = Field(
        default_factory=list,
        description="memberships of associations (reference, source, status) and admin roles",
    )
    mentorships: list[dict[str, Any]] = Field(description="the other person by name only")
    round_proposals: list[dict[str, Any]] = Field(
        description="pairs proposed to organisers, with score and reasons"
    )
    round_unmatched: list[dict[str, Any]]
    round_not_entered: list[dict[str, Any]] = Field(
        description="rounds of my programmes that did not take me in, and why"
    )
    email_links: list[dict[str, Any]] = Field(
        description="links emailed to me: to verify my address, reset my password or accept an"
        " invitation (not the links themselves)"
    )
    overrides: list[dict[str, Any]] = Field(description="organiser pins and forbids naming me")
    event_rsvps: list[dict[str, Any]] = Field(
        default_factory=list, description="events I said I am going to"
    )
