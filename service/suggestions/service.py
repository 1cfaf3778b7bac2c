"""Suggestions as people and organisers read them."""

from __future__ import annotations

from uuid import UUID

from service.kit.db import Conn
from service.suggestions import repository as repo
from service.suggestions.repository import SuggestionRow
from service.suggestions.schemas import (
    ProgrammeSuggestions,
    SuggestedItem,
    SuggestionList,
    SuggestionOut,
)

#: Items the organisers' view lists.
TOP_ITEMS = 10


def page_of(row: SuggestionRow) -> str:
    """The page of a suggested item."""
    return f"/{'events' if row.kind == 'event' else 'associations'}/{row.id}"


def suggestion_out(row: SuggestionRow) -> SuggestionOut:
    """A suggestion as the API shows it."""
    return SuggestionOut(
        kind=row.kind,  # type: ignore[arg-type]
        id=row.id,
        title=row.title,
        score=round(row.score, 4),
        reasons=row.reasons,
        url=page_of(row),
        event_kind=row.event_kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        timezone=row.timezone,
        online=row.online,
        city=row.city,
        country=row.country,
        places_left=row.places_left,
        association_kind=row.association_kind,
        host=row.host_name,
    )


async def my_suggestions(conn: Conn, person_id: UUID, limit: int, offset: int) -> SuggestionList:
    """A page of the person's suggestions still worth taking up, best first."""
    rows, total = await repo.suggestions(conn, person_id, limit, offset)
    return SuggestionList(
        suggestions=[suggestion_out(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
        computed_at=await repo.computed_at(conn, person_id),
    )


async def programme_suggestions(conn: Conn, programme_id: UUID) -> ProgrammeSuggestions:
    """What the programme's members are being suggested, and what they took up."""
    tally = await repo.programme_tally(conn, programme_id, TOP_ITEMS)
    return ProgrammeSuggestions(
        members=tally.members,
        with_suggestions=tally.with_suggestions,
        suggestions=tally.suggestions,
        rsvps=tally.rsvps,
        joined=tally.joined,
        items=[SuggestedItem(**vars(i)) for i in tally.items],
    )
