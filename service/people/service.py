"""People operations shared by the JSON API, the HTML pages, the seeder and jobs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from service.auth import repository as auth_repo
from service.errors import Conflict, NotFound, ValidationFailed
from service.kit.db import Conn
from service.people import repository as repo
from service.people.repository import Person, WindowRow
from service.people.schemas import (
    DAYS,
    NULLABLE,
    ExportOut,
    ProfileOut,
    ProfilePatch,
    SessionOut,
    SignupIn,
    Window,
    check_capacity,
    hhmm,
    minutes,
)
from service.security import Passwords
from service.taxonomy.normalise import Taxonomy

TAG_FIELDS = repo.TAG_COLUMNS
_TAKEN = "an account with this email already exists"


def window_rows(windows: list[Window]) -> list[WindowRow]:
    """API windows to stored rows."""
    return [WindowRow(DAYS.index(w.day), minutes(w.start), minutes(w.end)) for w in windows]


def profile_values(data: dict[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """Validated fields to column values: tags normalised (custom ones' words kept in
    ``tag_texts``, for the tag fields given), roles to flags."""
    values = {k: v for k, v in data.items() if k not in ("availability", "roles", "password")}
    typed = [text for name in TAG_FIELDS for text in values.get(name, ())]
    if any(name in values for name in TAG_FIELDS):
        values["tag_texts"] = taxonomy.custom_texts(typed)
    for name in TAG_FIELDS:
        if name in values:
            values[name] = taxonomy.normalise(values[name])
    if "roles" in data:
        values["is_mentee"] = "mentee" in data["roles"]
        values["is_mentor"] = "mentor" in data["roles"]
    if "email" in values:
        values["email"] = str(values["email"])
    return values


def roles_of(person: Person) -> list[str]:
    """['mentee'], ['mentor'] or both."""
    return [r for r, on in (("mentee", person.is_mentee), ("mentor", person.is_mentor)) if on]


def _custom_tags(tag_lists: Iterable[Iterable[str]], taxonomy: Taxonomy) -> set[str]:
    """The custom tags among some tag lists (a person's, or those about to be stored)."""
    return {t for tags in tag_lists for t in tags if taxonomy.is_custom(t)}


def profile_out(person: Person, taxonomy: Taxonomy) -> ProfileOut:
    """What a person sees of their own profile."""
    custom = sorted(_custom_tags((getattr(person, f) for f in TAG_FIELDS), taxonomy))
    return ProfileOut(
        id=person.id,
        email=person.email,
        email_verified=person.email_verified,
        display_name=person.display_name,
        roles=roles_of(person),  # type: ignore[arg-type]
        headline=person.headline,
        bio=person.bio,
        years_experience=person.years_experience,
        current_role=person.current_role,
        employer=person.employer,
        city=person.city,
        country=person.country,
        timezone=person.timezone,
        languages=person.languages,
        skills=person.skills,
        goals=person.goals,
        certifications_held=person.certifications_held,
        certifications_target=person.certifications_target,
        tools=person.tools,
        industries=person.industries,
        custom_tags=custom,
        custom_tag_texts={
            slug: person.tag_texts.get(slug) or taxonomy.label(slug) for slug in custom
        },
        meeting_modes=person.meeting_modes,  # type: ignore[arg-type]
        availability=[
            Window.model_construct(
                day=DAYS[w.weekday], start=hhmm(w.start_minute), end=hhmm(w.end_minute)
            )
            for w in person.availability
        ],
        mentor_capacity=person.mentor_capacity,
        consent_to_match=person.consent_to_match,
        shared_contact=person.shared_contact,
        education=person.education,  # type: ignore[arg-type]
        months_leading_projects=person.months_leading_projects,
        pm_education_hours=person.pm_education_hours,
        digest=person.digest,
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


def _capacity_error(roles: Sequence[str], capacity: int | None) -> None:
    try:
        check_capacity(roles, capacity)
    except ValueError as exc:
        raise ValidationFailed(
            "some fields are invalid", fields=[{"field": "mentor_capacity", "message": str(exc)}]
        ) from None


async def hash_password(passwords: Passwords, body: SignupIn) -> str:
    """The argon2id hash of a sign-up's password, after the checks that need no database.

    Called before the transaction opens: argon2 takes ~0.1 s of CPU, off the event loop and
    without holding a connection.
    """
    _capacity_error(body.roles, body.mentor_capacity)
    return await asyncio.to_thread(passwords.hash, body.password)


async def sign_up(conn: Conn, taxonomy: Taxonomy, body: SignupIn, password_hash: str) -> Person:
    """Create a person with their profile and availability.

    With the email of a person created by someone else and not yet claimed, this claims that
    person (same id, memberships kept): whoever could sign up with the address could already
    join the same programmes, and the sign-up replaces everything the creator wrote. Either
    way the address starts unverified (in no round until its owner follows the emailed link:
    :func:`service.accounts.service.sign_up` queues that email).
    """
    _capacity_error(body.roles, body.mentor_capacity)
    values = profile_values(body.model_dump(), taxonomy)
    try:
        # A savepoint, so a taken email leaves the caller's transaction usable. Someone created
        # before signing up (an import, an invitation) claims their row; a signed-up person's
        # email is taken.
        async with conn.transaction():
            person_id = await repo.claim_or_insert_person(conn, values, password_hash)
    except asyncpg.UniqueViolationError:
        raise Conflict(_TAKEN, fields=[{"field": "email", "message": _TAKEN}]) from None
    await repo.replace_availability(conn, person_id, window_rows(body.availability))
    person = await repo.get_person(conn, person_id)
    assert person is not None
    return person


async def update_profile(
    conn: Conn, taxonomy: Taxonomy, person_id: UUID, patch: ProfilePatch
) -> Person:
    """Apply a partial edit; roles and capacity are checked on the merged result."""
    sent = patch.model_fields_set
    nulls = [f for f in sent if getattr(patch, f) is None and f not in NULLABLE]
    if nulls:
        raise ValidationFailed(
            "some fields are invalid",
            fields=[{"field": f, "message": "may not be null"} for f in sorted(nulls)],
        )
    data = patch.model_dump(include=sent)
    current = await repo.get_person(conn, person_id, for_update=True)
    if current is None:
        raise NotFound("no such person")
    roles = data.get("roles", roles_of(current))
    if "mentor_capacity" in sent:
        capacity = data["mentor_capacity"]
    elif "mentor" in roles:
        capacity = current.mentor_capacity
    else:
        capacity = None  # no longer a mentor: the capacity goes with the role
    _capacity_error(roles, capacity)
    values = profile_values(data, taxonomy)
    values["mentor_capacity"] = capacity
    if "tag_texts" in values:
        # Tags not sent keep their words; words of tags no longer held go.
        merged = (values.get(f, getattr(current, f)) for f in TAG_FIELDS)
        texts = {**current.tag_texts, **values["tag_texts"]}
        values["tag_texts"] = {
            s: texts[s] for s in sorted(_custom_tags(merged, taxonomy) & set(texts))
        }
    try:
        async with conn.transaction():  # a savepoint: a taken email changes nothing
            await repo.update_person(conn, person_id, values)
    except asyncpg.UniqueViolationError:
        raise Conflict(_TAKEN, fields=[{"field": "email", "message": _TAKEN}]) from None
    if "availability" in data:
        await repo.replace_availability(conn, person_id, window_rows(patch.availability or []))
    person = await repo.get_person(conn, person_id)
    assert person is not None
    return person


async def export(conn: Conn, taxonomy: Taxonomy, person_id: UUID) -> ExportOut:
    """Everything stored about a person, as they are entitled to see it (read in one snapshot)."""
    person = await repo.get_person(conn, person_id)
    if person is None:
        raise NotFound("no such person")
    sessions = await auth_repo.sessions_of(conn, person_id)
    failures = await auth_repo.failures_of(conn, person.email)
    related = await repo.related_records(conn, person_id)
    return ExportOut(
        exported_at=datetime.now(UTC),
        profile=profile_out(person, taxonomy),
        **related,
        sessions=[
            SessionOut(
                created_at=s.created_at,
                last_seen_at=s.last_seen_at,
                expires_at=s.expires_at,
                user_agent=s.user_agent,
                ip=s.ip,
            )
            for s in sessions
        ],
        login_failures=failures,
    )


async def erase(conn: Conn, person_id: UUID) -> None:
    """Delete the person, their profile, availability, sessions, emailed links and association
    memberships, the rows of member files holding their address (staged or refused), and their
    login failures and the requests rate limits counted for them; the event places their RSVPs
    held are freed."""
    await repo.free_event_places(conn, person_id)
    email = await repo.delete_person(conn, person_id)
    if email is None:
        raise NotFound("no such person")
    await repo.delete_import_rows(conn, email)
    await auth_repo.clear_failures(conn, email)
    await auth_repo.clear_hits(conn, [email.lower(), str(person_id)])
