"""Who a round enters, and why every other member of the programme is not in it (pure)."""

from __future__ import annotations

from typing import Any, Literal, get_args

from service.people.schemas import Role
from service.programmes.schemas import ProgrammeSettings
from service.rounds.participants import MemberRow, Members, ParticipantRow, Participants
from service.rounds.reasons import not_entered_reason
from service.rounds.repository import NotEnteredRow

#: Why a member is not in a round, in the order their first (binding) reason is chosen: being
#: busy mentoring or mentored comes first (nothing to fix), then what the member can change,
#: then the round size, which leaves out only members who could otherwise have entered.
NotEnteredCode = Literal[
    "has_mentor",
    "no_places_left",
    "no_consent",
    "email_not_verified",
    "no_availability",
    "beyond_round_size",
]
NOT_ENTERED: tuple[NotEnteredCode, ...] = get_args(NotEnteredCode)
ROLES: tuple[Role, ...] = get_args(Role)


def causes(
    member: MemberRow, role: Role, needs_availability: bool, available: bool
) -> list[NotEnteredCode]:
    """Why ``member`` cannot enter a round as ``role`` (empty when they can)."""
    if role == "mentee" and member.has_mentor:
        return ["has_mentor"]
    if role == "mentor" and member.person.places <= 0:
        return ["no_places_left"]
    found: list[NotEnteredCode] = []
    if not member.consents:
        found.append("no_consent")
    if not member.verified:
        found.append("email_not_verified")
    if needs_availability and not available:
        found.append("no_availability")
    return found


def _row(
    person: ParticipantRow, role: Role, why: list[NotEnteredCode], settings: ProgrammeSettings
) -> NotEnteredRow:
    details: dict[str, Any] = {"causes": why}
    if why[0] == "no_places_left":
        details["capacity"] = person.mentor_capacity
    if why[0] == "beyond_round_size":
        details["round_size"] = settings.round_size
    reason = not_entered_reason(why, role, settings.round_size)
    return NotEnteredRow(person.id, role, why[0], reason, details)


def enter(members: Members, settings: ProgrammeSettings) -> Participants:
    """The mentees and mentors a round takes (in joining order) and the members it does not.

    A member needs to have agreed to be matched and verified their address; a mentee, no mentor
    yet in the programme; a mentor, a place left; with a minimum weekly overlap, some weekly
    availability. The round size takes the mentees who joined first.
    """
    needs_availability = settings.min_overlap_hours > 0
    taken: dict[Role, list[ParticipantRow]] = {role: [] for role in ROLES}
    left: list[NotEnteredRow] = []
    for member in members.members:
        for role, is_role in zip(ROLES, (member.is_mentee, member.is_mentor), strict=True):
            if not is_role:
                continue
            why = causes(member, role, needs_availability, member.person.id in members.windows)
            if why:
                left.append(_row(member.person, role, why, settings))
            else:
                taken[role].append(member.person)
    mentees = taken["mentee"]
    if settings.round_size is not None:
        for person in mentees[settings.round_size :]:
            left.append(_row(person, "mentee", ["beyond_round_size"], settings))
        mentees = mentees[: settings.round_size]
    return Participants(
        mentees,
        taken["mentor"],
        {p.id: members.windows.get(p.id, []) for p in [*mentees, *taken["mentor"]]},
        members.previous_pairs,
        members.overrides,
        left,
    )
