"""Association, membership, API key and programme request shapes, with their validation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from service.kit.messages import CHOOSE_LANGUAGE
from service.kit.schemas import Page, Strict
from service.programmes.schemas import AssociationRef, Description, Id, Name, PersonRef
from service.taxonomy.codes import COUNTRIES, LANGUAGES
from service.taxonomy.normalise import MAX_TAG

Kind = Literal["chapter", "local_group", "university", "online_community", "nonprofit"]
KINDS: tuple[str, ...] = get_args(Kind)
#: How pages name each kind.
KIND_NAMES = {
    "chapter": "Chapter of a professional body",
    "local_group": "Local group",
    "university": "University",
    "online_community": "Online community",
    "nonprofit": "Non-profit",
}
Status = Literal["requested", "invited", "active", "ended"]
STATUSES: tuple[str, ...] = get_args(Status)
Source = Literal["import", "self_declared", "invitation"]
SOURCES: tuple[str, ...] = get_args(Source)
RequestStatus = Literal["pending", "created", "declined"]

CHOOSE_COUNTRY = "Choose the country from the list"
NEEDS_COUNTRY = "Choose the country this city is in"
WEBSITE = "Enter a web address starting with http:// or https://, like https://pmi.org"


def _country(value: str) -> str:
    value = value.upper()
    if value and value not in COUNTRIES:
        raise ValueError(f"{CHOOSE_COUNTRY} (a two-letter ISO 3166-1 code, like PT)")
    return value


def _languages(value: list[str]) -> list[str]:
    out: list[str] = []
    for code in (c.strip().lower() for c in value):
        if code not in LANGUAGES:
            raise ValueError(f"{CHOOSE_LANGUAGE} (two-letter ISO 639-1 codes, like en, pt)")
        if code not in out:
            out.append(code)
    return out


def _language(value: str) -> str:
    return _languages([value])[0]


def _website(value: str) -> str:
    if not value:
        return value
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        host = None
    if not host or parts.scheme.lower() not in ("http", "https") or " " in value:
        raise ValueError(WEBSITE)
    return value


AssociationName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
City = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Country = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2),
    AfterValidator(_country),
    Field(description="ISO 3166-1 alpha-2, as profiles use; empty: none"),
]
Website = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=300),
    AfterValidator(_website),
    Field(description="an http or https address; empty: none"),
]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TAG)]
Focus = Annotated[
    list[Tag],
    Field(
        max_length=20,
        description="what it is about: taxonomy terms or free text, normalised like profile tags",
        examples=[["Agile", "PMP", "Risk management"]],
    ),
]
Languages = Annotated[
    list[str],
    Field(max_length=20, description="ISO 639-1 codes", examples=[["pt", "en"]]),
    AfterValidator(_languages),
]
#: One language, as a listing's filter takes it.
Language = Annotated[str, StringConstraints(max_length=20), AfterValidator(_language)]
MemberRef = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class _Place(Strict):
    """A city needs its country (checked where both are known)."""

    @field_validator("country", check_fields=False)
    @classmethod
    def _city_needs_country(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value and info.data.get("city"):
            raise ValueError(NEEDS_COUNTRY)
        return value


class AssociationIn(_Place):
    """A new association (site admins): at least its name and kind."""

    name: AssociationName = Field(examples=["PMI Portugal Chapter"])
    kind: Kind
    online: bool = Field(default=False, description="meets online (may also have a city)")
    city: City = ""
    country: Country = Field(default="", validate_default=True)
    website: Website = ""
    description: LongText = ""
    focus: Focus = []
    languages: Languages = []


class AssociationPatch(_Place):
    """Partial edit (its admins and site admins): only the fields sent change; none may be
    null (send "" to clear a text)."""

    name: AssociationName | None = None
    kind: Kind | None = None
    online: bool | None = None
    city: City | None = None
    country: Country | None = None
    website: Website | None = None
    description: LongText | None = None
    focus: Focus | None = None
    languages: Languages | None = None


class AssociationOut(BaseModel):
    """An association as anyone logged in sees it (``is_admin``: the caller is one of its
    admins)."""

    id: UUID
    name: str
    kind: Kind
    online: bool
    city: str
    country: str = Field(description="ISO 3166-1 alpha-2; empty: none")
    website: str
    description: str
    focus: list[str] = Field(description="taxonomy slugs (custom tags by their slug)")
    focus_labels: list[str] = Field(description="the same tags as shown to people")
    languages: list[str]
    admins: list[PersonRef]
    members: int = Field(description="its active members")
    is_admin: bool
    created_at: datetime
    updated_at: datetime


class AssociationList(Page):
    """A page of associations, by name."""

    associations: list[AssociationOut]


class AssociationMemberOut(BaseModel):
    """A member as the association sees them."""

    person_id: UUID
    display_name: str | None = Field(
        description="their name; for someone imported who has not signed up yet, the name the"
        " import gave (null if none)"
    )
    member_ref: str = Field(description="the association's own member reference")
    source: Source
    status: Status
    email: str | None = Field(
        description="only for the association's own admins and keys, and only for members it"
        " imported (it gave Kickoff those addresses); null otherwise"
    )
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None


class AssociationMemberList(Page):
    """A page of the association's members, by name."""

    members: list[AssociationMemberOut]


class MembershipIn(Strict):
    """I belong to this association (it confirms the request)."""

    association_id: Id
    member_ref: MemberRef = Field(default="", description="my member number there, if any")


class MyMembershipOut(BaseModel):
    """One of my memberships."""

    association: AssociationRef
    member_ref: str
    source: Source
    status: Status
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None


class MyMembershipList(BaseModel):
    """My memberships, by association name."""

    memberships: list[MyMembershipOut]


class ApiKeyIn(Strict):
    """A new API key of the association."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = (
        Field(examples=["Membership system sync"])
    )


class ApiKeyOut(BaseModel):
    """A key as listed: never the key itself."""

    id: UUID
    name: str
    prefix: str = Field(description="its first characters, to tell keys apart")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """A new key: ``key`` is shown this once and never again (only its SHA-256 is kept)."""

    key: str = Field(
        description="send it as `Authorization: Bearer <key>` or `X-Api-Key: <key>`",
        examples=["kk_3q8Vb1..."],
    )


class ApiKeyList(BaseModel):
    """The association's keys, newest first (revoked ones too)."""

    keys: list[ApiKeyOut]


class ProgrammeRequestIn(Strict):
    """Ask the site admins for a programme for the association."""

    name: Name = Field(examples=["PMI Portugal mentoring 2027"])
    description: Description = ""


class ProgrammeRequestOut(BaseModel):
    """A programme asked for by an association admin, and what became of it."""

    id: UUID
    association: AssociationRef
    name: str
    description: str
    status: RequestStatus
    requested_by: PersonRef | None
    programme_id: UUID | None = Field(description="the programme created for it, once created")
    created_at: datetime
    decided_at: datetime | None


class ProgrammeRequestList(BaseModel):
    """Programme requests, oldest first."""

    requests: list[ProgrammeRequestOut]
