"""Programmes, organisers, membership and mentee requests, inside the caller's transaction.

Who may call is checked before these run (the API's declared access); what is checked here is
what the data says (the programme exists, the mentor has places).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import ValidationError

from service.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_errors
from service.kit.db import Conn
from service.people import repository as people_repo
from service.people.schemas import SignupIn
from service.programmes import repository as repo
from service.programmes import roles
from service.programmes.last_round import last_rounds
from service.programmes.repository import Programme
from service.programmes.schemas import (
    AssociationRef,
    InvitationOut,
    LastRound,
    MentorshipList,
    MentorshipOut,
    MentorshipPerson,
    OrganiserIn,
    PersonRef,
    ProgrammeIn,
    ProgrammeList,
    ProgrammeOut,
    ProgrammePatch,
    ProgrammeSettings,
    ProgrammeSummary,
)

_FULL = "this mentor is full"
_ALREADY = "you already have a mentor or a pending request in this programme"


class Changed(Conflict):
    """An edit based on a version of the programme that someone else has edited since."""

    def __init__(self, saved_at: datetime, read: int, now: int) -> None:
        super().__init__(
            f"someone else changed this programme at {saved_at:%H:%M} UTC on"
            f" {saved_at:%d %B %Y}, after you read it (you read version {read}; it is now"
            f" version {now}). Nothing was changed: read it again and make your change again"
        )
        self.saved_at = saved_at


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        "some fields are invalid", fields=[{"field": field, "message": message}]
    )


def settings_of(programme: Programme) -> ProgrammeSettings:
    """The programme's stored settings as a validated model (defaults for anything unset)."""
    return ProgrammeSettings.model_validate(programme.settings)


def summary_of(
    p: Programme, organisers: list[dict[str, Any]], last: dict[str, Any] | None = None
) -> ProgrammeSummary:
    """A programme as listed, as the person it was read for sees it (``last``: its newest
    round, for those who may organise it)."""
    return ProgrammeSummary(
        id=p.id,
        name=p.name,
        description=p.description,
        access=p.access,
        next_round_on=p.next_round_on,
        members=p.members,
        mentees=p.mentees,
        mentors=p.mentors,
        open_places=p.open_places,
        organisers=[PersonRef(**o) for o in organisers],
        association=None
        if p.association_id is None or p.association_name is None
        else AssociationRef(id=p.association_id, name=p.association_name),
        is_member=p.is_member,
        is_organiser=p.is_organiser,
        created_at=p.created_at,
        last_round=None if last is None else LastRound(**last),
    )


async def programme_out(conn: Conn, programme: Programme, caller: UUID) -> ProgrammeOut:
    """``programme`` read for ``caller``: its invitation code only if they may organise it."""
    organisers = await repo.organisers(conn, programme.id)
    organises = programme.is_organiser or await repo.is_admin(conn, caller)
    last = (await last_rounds(conn, [programme.id])).get(programme.id) if organises else None
    return ProgrammeOut(
        **summary_of(programme, organisers, last).model_dump(),
        settings=settings_of(programme),
        updated_at=programme.updated_at,
        version=programme.version,
        invitation_code=programme.invitation_code if organises else None,
    )


async def _read(conn: Conn, caller: UUID, programme_id: UUID) -> ProgrammeOut:
    programme = await repo.get_programme(conn, programme_id, reader=caller)
    assert programme is not None
    return await programme_out(conn, programme, caller)


async def create_programme(conn: Conn, caller: UUID, body: ProgrammeIn) -> ProgrammeOut:
    """Create a programme (for site admins)."""
    programme_id = await repo.insert_programme(
        conn,
        body.name,
        body.description,
        body.settings.model_dump(mode="json"),
        caller,
        access=body.access,
        next_round_on=body.next_round_on,
    )
    return await _read(conn, caller, programme_id)


async def list_programmes(conn: Conn, caller: UUID, *, organised: bool = False) -> ProgrammeList:
    """The open programmes and those the caller belongs to or organises (site admins: all);
    ``organised``: only those the caller is appointed to organise (site admins too). Each
    programme the caller may organise comes with its last round."""
    admin = await repo.is_admin(conn, caller)
    found = await repo.visible_programmes(conn, caller, everyone=admin)
    if organised:
        found = [p for p in found if p.is_organiser]
    organisers = await repo.organisers_of(conn, [p.id for p in found])
    last = await last_rounds(conn, [p.id for p in found if admin or p.is_organiser])
    return ProgrammeList(
        programmes=[summary_of(p, organisers.get(p.id, []), last.get(p.id)) for p in found]
    )


async def _visible(conn: Conn, programme: Programme | None, caller: UUID) -> Programme:
    """The programme if the caller may see it: open, or they belong to or organise it."""
    if programme is None:
        raise NotFound("no such programme")
    if programme.access == "open" or programme.is_member or programme.is_organiser:
        return programme
    if not await repo.is_admin(conn, caller):
        raise NotFound("no such programme")
    return programme


async def get_programme(conn: Conn, caller: UUID, programme_id: UUID) -> ProgrammeOut:
    """One programme with its settings and organisers (404 for an invitation-only programme
    the caller neither belongs to nor organises)."""
    programme = await _visible(
        conn, await repo.get_programme(conn, programme_id, reader=caller), caller
    )
    return await programme_out(conn, programme, caller)


async def update_programme(
    conn: Conn, caller: UUID, programme_id: UUID, patch: ProgrammePatch
) -> ProgrammeOut:
    """Apply a partial edit (for the programme's organisers and site admins)."""
    sent = patch.model_fields_set
    nulls = sorted(f for f in sent if getattr(patch, f) is None and f != "next_round_on")
    if nulls:
        raise ValidationFailed(
            "some fields are invalid",
            fields=[{"field": f, "message": "may not be null"} for f in nulls],
        )
    current = await repo.get_programme(conn, programme_id, for_update=True)
    if current is None:
        raise NotFound("no such programme")
    if patch.version is not None and patch.version != current.version:
        raise Changed(current.updated_at, patch.version, current.version)
    changes: dict[str, Any] = {
        f: getattr(patch, f) for f in sent if f not in ("settings", "version")
    }
    if patch.settings is not None:
        # Settings fields sent replace theirs; the others keep their current values.
        new = patch.settings
        merged = settings_of(current).model_copy(
            update={f: getattr(new, f) for f in new.model_fields_set}
        )
        changes["settings"] = merged.model_dump(mode="json")
    if changes:
        await repo.update_programme(conn, programme_id, changes)
    return await _read(conn, caller, programme_id)


async def new_invitation(conn: Conn, programme_id: UUID) -> InvitationOut:
    """Replace the programme's invitation code (for its organisers); the old one stops working."""
    code = await repo.new_invitation_code(conn, programme_id)
    if code is None:
        raise NotFound("no such programme")
    return InvitationOut(programme_id=programme_id, invitation_code=code)


async def appoint_organiser(
    conn: Conn, programme_id: UUID, body: OrganiserIn
) -> tuple[PersonRef, bool]:
    """Make a person an organiser of the programme (for site admins); True if newly appointed."""
    await roles.require_programme(conn, programme_id)
    if body.email is not None:
        person_id = await repo.find_person_id(conn, str(body.email))
        if person_id is None:
            raise invalid("email", "no one has signed up with this email")
    else:
        assert body.person_id is not None
        person_id = body.person_id
        if not await repo.person_exists(conn, person_id):
            raise invalid("person_id", "no such person")
    added = await repo.add_organiser(conn, programme_id, person_id)
    organisers = await repo.organisers(conn, programme_id)
    ref = next(PersonRef(**o) for o in organisers if o["id"] == person_id)
    return ref, added


async def remove_organiser(conn: Conn, programme_id: UUID, person_id: UUID) -> bool:
    """Withdraw a person's organiser role in the programme (for site admins); False if they
    did not have it. Their membership, if any, stays."""
    await roles.require_programme(conn, programme_id)
    return await repo.remove_organiser(conn, programme_id, person_id)


def mentorship_out(row: dict[str, Any]) -> MentorshipOut:
    """A mentorship row (from repository.mentorships_of) as its caller sees it."""
    return MentorshipOut(
        id=row["id"],
        programme_id=row["programme_id"],
        programme_name=row["programme_name"],
        my_role=row["my_role"],
        other=MentorshipPerson(
            id=row["other_id"],
            display_name=row["other_display_name"],
            headline=row["other_headline"],
        ),
        source=row["source"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def request_mentor(
    conn: Conn, caller: UUID, programme_id: UUID, mentor_id: UUID
) -> MentorshipOut:
    """A mentee asks a mentor; reserves one of the mentor's places atomically or fails with 409.

    Every request for a mentor takes a lock on the mentor's row first, so counting their
    pending and active mentorships and inserting the new one cannot interleave with another
    request for the same mentor: at most ``mentor_capacity`` requests can ever succeed.
    """
    if mentor_id == caller:
        raise invalid("mentor_id", "you cannot ask yourself")
    await roles.require_programme(conn, programme_id)
    if not await repo.lock_mentor(conn, mentor_id):
        raise invalid("mentor_id", "no such mentor in this programme")
    parties = await repo.request_parties(conn, programme_id, caller, mentor_id)
    if not parties.mentee_is_member:
        raise Forbidden("join the programme before asking for a mentor")
    if not parties.mentee_is_mentee:
        raise Forbidden("only mentees can ask for a mentor")
    capacity = parties.mentor_capacity
    if not (parties.mentor_is_member and parties.mentor_is_mentor and capacity):
        raise invalid("mentor_id", "no such mentor in this programme")
    if not parties.mentor_consents:
        raise invalid("mentor_id", "this mentor is not taking requests")
    if await repo.open_mentorship_of_mentee(conn, programme_id, caller):
        raise Conflict(_ALREADY)
    if await repo.mentor_load(conn, mentor_id) >= capacity:
        raise Conflict(_FULL)
    try:
        async with conn.transaction():  # a savepoint: the conflict leaves nothing behind
            mentorship_id = await repo.insert_mentorship(
                conn, programme_id, caller, mentor_id, source="request"
            )
    except asyncpg.UniqueViolationError:
        # The same mentee asked another mentor at the same moment and got there first.
        raise Conflict(_ALREADY) from None
    row = await repo.get_mentorship_for(conn, caller, mentorship_id)
    assert row is not None
    return mentorship_out(row)


async def my_mentorships(conn: Conn, caller: UUID) -> MentorshipList:
    """The caller's mentorships, as mentee and as mentor."""
    rows = await repo.mentorships_of(conn, caller)
    return MentorshipList(mentorships=[mentorship_out(r) for r in rows])


def admin_account(email: str, name: str | None, password: str | None) -> SignupIn:
    """The sign-up of a new site admin's account, validated like any sign-up.

    A mentee in UTC speaking English who has not consented to matching; they complete their
    profile after logging in. The email of a person created by someone else and not yet
    claimed gets that person's row ("created").
    """
    if password is None:
        raise invalid("password", "a new account needs a password")
    try:
        return SignupIn.model_validate(
            {
                "email": email,
                "password": password,
                "display_name": name or email.split("@")[0],
                "roles": ["mentee"],
                "timezone": "UTC",
                "languages": ["en"],
            }
        )
    except ValidationError as exc:
        raise ValidationFailed("some fields are invalid", fields=field_errors(exc)) from None


async def create_admin(
    conn: Conn, email: str, account: tuple[SignupIn, str] | None
) -> tuple[UUID, str]:
    """Make the person with ``email`` a site admin, creating ``account`` (body, hash) if needed.

    Returns their id and what happened: "created", "promoted" or "already".
    """
    person_id = await repo.find_person_id(conn, email)
    if person_id is not None:
        if await repo.is_admin(conn, person_id):
            return person_id, "already"
        await repo.set_admin(conn, person_id)
        return person_id, "promoted"
    if account is None:
        raise invalid("password", "a new account needs a password")
    body, password_hash = account
    values = {
        "email": str(body.email),
        "display_name": body.display_name,
        "is_mentee": True,
        "is_mentor": False,
        "timezone": body.timezone,
        "languages": body.languages,
        "consent_to_match": False,
    }
    try:
        async with conn.transaction():
            person_id = await people_repo.claim_or_insert_person(conn, values, password_hash)
    except asyncpg.UniqueViolationError:
        raise Conflict("an account with this email was created meanwhile; run again") from None
    await repo.set_admin(conn, person_id)
    return person_id, "created"
