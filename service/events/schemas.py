"""Event and RSVP shapes, with their validation (times with an offset, IANA timezones, the
profiles' countries and languages, tags normalised like an association's focus)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from service.associations.schemas import (
    NEEDS_COUNTRY,
    City,
    Country,
    Focus,
    Languages,
    Website,
)
from service.kit.schemas import Page, Strict
from service.people.schemas import Timezone
from service.programmes.schemas import AssociationRef, Id, PersonRef

Kind = Literal[
    "workshop", "seminar", "webinar", "networking", "bootcamp", "volunteering", "study_group"
]
KINDS: tuple[str, ...] = get_args(Kind)
#: How pages name each kind.
KIND_NAMES = {
    "workshop": "Workshop",
    "seminar": "Seminar",
    "webinar": "Webinar",
    "networking": "Networking",
    "bootcamp": "Bootcamp",
    "volunteering": "Volunteering",
    "study_group": "Study group",
}
Status = Literal["scheduled", "cancelled"]
STATUS_FILTERS = ("scheduled", "cancelled", "any")

NAIVE = "Give the time with its offset, like 2027-03-02T18:30:00+01:00"
ENDS_BEFORE = "The event must end after it starts"
IN_THE_PAST = "The event must start in the future"
NEEDS_PLACE = "Say where it is (a city and country), or that it is online"
CAPACITY_BELOW = "{n} people are already going: the capacity cannot be fewer"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _aware(value: Any) -> Any:
    """ISO 8601 text with an offset (strict models take no text for a datetime otherwise);
    a time without an offset is refused: which 18:00 would it be?"""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                "enter a date and time like 2027-03-02T18:30:00+01:00 (ISO 8601)"
            ) from None
        value = parsed
    if isinstance(value, datetime) and value.utcoffset() is None:
        raise ValueError(NAIVE)
    return value


def _day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            if _DATE.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        raise ValueError("enter a date like 2027-01-31 (year-month-day)")
    return value


When = Annotated[
    datetime,
    BeforeValidator(_aware),
    Field(description="ISO 8601 with an offset", examples=["2027-03-02T18:30:00+00:00"]),
]
#: A day of a listing's from/to filter.
Day = Annotated[date, BeforeValidator(_day)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=8000)]
Capacity = Annotated[
    int | None, Field(ge=0, le=1_000_000, description="places; null: no limit", examples=[30])
]
Tags = Annotated[
    Focus,
    Field(
        description="what it is about: taxonomy terms or free text, normalised like profile tags",
        examples=[["PMP", "Risk management", "Agile"]],
    ),
]


class _Event(Strict):
    """Checks on fields known together (the rest are checked where both are known)."""

    @field_validator("ends_at", check_fields=False)
    @classmethod
    def _ends_after(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        starts = info.data.get("starts_at")
        if value is not None and starts is not None and value <= starts:
            raise ValueError(ENDS_BEFORE)
        return value

    @field_validator("country", check_fields=False)
    @classmethod
    def _city_needs_country(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value and info.data.get("city"):
            raise ValueError(NEEDS_COUNTRY)
        return value


class EventIn(_Event):
    """A new event, hosted by an association (its admins or API key) or a programme (its
    organisers); online, or at a venue in a city and country."""

    association_id: Id | None = Field(default=None, description="the hosting association")
    programme_id: Id | None = Field(
        default=None, description="or the hosting programme (its organisers)"
    )
    title: Title = Field(examples=["PMP exam preparation: risk management"])
    kind: Kind
    starts_at: When
    ends_at: When
    timezone: Timezone
    online: bool = False
    city: City = ""
    country: Country = Field(default="", validate_default=True)
    tags: Tags = []
    languages: Languages = []
    capacity: Capacity = None
    url: Website = ""
    description: Description = ""


class EventPatch(_Event):
    """Partial edit: only the fields sent change; none may be null but ``capacity`` (no
    limit)."""

    title: Title | None = None
    kind: Kind | None = None
    starts_at: When | None = None
    ends_at: When | None = None
    timezone: Timezone | None = None
    online: bool | None = None
    city: City | None = None
    country: Country | None = None
    tags: Tags | None = None
    languages: Languages | None = None
    capacity: Capacity = None
    url: Website | None = None
    description: Description | None = None


class ProgrammeRef(BaseModel):
    """A programme as named next to its event."""

    id: UUID
    name: str


class EventOut(BaseModel):
    """An event as anyone logged in sees it; its hosts also see who is going."""

    id: UUID
    association: AssociationRef | None
    programme: ProgrammeRef | None
    title: str
    kind: Kind
    starts_at: datetime
    ends_at: datetime
    timezone: str
    online: bool
    city: str
    country: str = Field(description="ISO 3166-1 alpha-2; empty for an online event")
    latitude: float | None = Field(description="the venue city's, from the offline gazetteer")
    longitude: float | None
    tags: list[str] = Field(description="taxonomy slugs (custom tags by their slug)")
    tag_labels: list[str] = Field(description="the same tags as shown to people")
    languages: list[str]
    capacity: int | None
    rsvp_count: int = Field(description="people going")
    places_left: int | None = Field(description="null: no limit")
    url: str
    description: str
    status: Status
    going: bool = Field(description="the caller is going")
    is_host: bool = Field(description="the caller may edit it and see who is going")
    attendees: list[PersonRef] | None = Field(
        description="who is going, by name (no contact details): for its hosts only"
    )
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None


class EventList(Page):
    """A page of events, soonest first."""

    events: list[EventOut]


class RsvpOut(BaseModel):
    """Where my RSVP stands."""

    event_id: UUID
    going: bool
    rsvp_count: int
    places_left: int | None
