"""Next steps for a person: the certification rules (pure) applied to their profile, with the
upcoming events that help. Shared by the API, the page and the weekly digest."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from service.errors import NotFound
from service.kit.db import Conn
from service.nextsteps import repository as repo
from service.nextsteps.data import rules
from service.nextsteps.rules import LEARNING_KINDS, Profile, Step, evaluate
from service.nextsteps.schemas import NextStepOut, NextStepsOut, SourceOut, StepEventOut
from service.people import repository as people_repo
from service.people.repository import Person


def profile_of(person: Person) -> Profile:
    """What the rules read of a stored person."""
    return Profile(
        education=person.education,
        months_leading_projects=person.months_leading_projects,
        pm_education_hours=person.pm_education_hours,
        held=frozenset(person.certifications_held),
        targets=frozenset(person.certifications_target),
        goals=frozenset(person.goals),
    )


async def steps_for(conn: Conn, person: Person) -> list[Step]:
    """``person``'s certifications, the one to aim for first at the top, with helpful events."""
    return await steps_of(conn, person.id, person.languages, person.country, profile_of(person))


async def steps_of(
    conn: Conn, person_id: UUID, languages: Sequence[str], country: str, profile: Profile
) -> list[Step]:
    """The steps of someone who speaks ``languages`` and lives in ``country`` (events online
    or there), read without their whole profile (the weekly digest reads many people)."""
    found = rules()
    tags = sorted({t for c in found.certifications for t in (*c.event_tags, *c.event_related_tags)})
    events = await repo.helpful_events(
        conn, person_id, languages, country, tags, sorted(LEARNING_KINDS)
    )
    return evaluate(found, profile, events)


def out(steps: list[Step], profile: Profile) -> NextStepsOut:
    """Steps as the API returns them."""
    return NextStepsOut(
        steps=[
            NextStepOut(
                certification=s.certification,
                name=s.name,
                eligible=s.eligible,
                held=s.held,
                targeted=s.targeted,
                missing=s.missing,
                why=s.why,
                source=SourceOut(title=s.source.title, url=s.source.url),
                events=[
                    StepEventOut(
                        id=e.id,
                        title=e.title,
                        kind=e.kind,
                        starts_at=e.starts_at,
                        online=e.online,
                        city=e.city,
                        country=e.country,
                    )
                    for e in s.events
                ],
            )
            for s in steps
        ],
        unsaid=profile.unsaid,
        rules_as_of=rules().as_of,
    )


async def next_steps(conn: Conn, person_id: UUID) -> NextStepsOut:
    """The caller's next steps (404 for someone erased meanwhile)."""
    person = await people_repo.get_person(conn, person_id)
    if person is None:
        raise NotFound("no such person")
    return out(await steps_for(conn, person), profile_of(person))
