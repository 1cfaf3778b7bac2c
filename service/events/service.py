"""Events and RSVPs, inside the caller's transaction.

Hosts are the admins of the event's association (and its API keys) or the organisers of its
programme, and site admins; the API's declared access checks them for an event in the path
(:func:`require_host`), and :func:`create_event` checks the host the body names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from service.associations import repository as associations_repo
from service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.events import repository as repo
from service.events.places import coordinates
from service.events.repository import Filters
from service.events.schemas import (
    CAPACITY_BELOW,
    ENDS_BEFORE,
    IN_THE_PAST,
    NEEDS_PLACE,
    EventIn,
    EventList,
    EventOut,
    EventPatch,
    ProgrammeRef,
    RsvpOut,
)
from service.kit.db import Conn
from service.programmes import repository as programmes_repo
from service.programmes import roles
from service.programmes.schemas import AssociationRef, PersonRef
from service.taxonomy.normalise import Taxonomy

#: Stored columns shown as they are.
SHOWN = (
    *("title", "kind", "starts_at", "ends_at", "timezone", "online", "city", "country"),
    *("latitude", "longitude", "tags", "languages", "capacity", "rsvp_count", "url"),
    *("description", "status", "going", "created_at", "updated_at", "cancelled_at"),
)
#: The fields of one host, for "which host" messages.
HOST_FIELDS = ("association_id", "programme_id")


def invalid(field: str, message: str) -> ValidationFailed:
    """A 422 about one field."""
    return ValidationFailed(
        "some fields are invalid", fields=[{"field": field, "message": message}]
    )


async def can_host(
    conn: Conn, association_id: UUID | None, programme_id: UUID | None, person_id: UUID
) -> bool:
    """True for an admin of the association, an organiser of the programme, or a site admin."""
    if association_id is not None and await associations_repo.is_admin(
        conn, association_id, person_id
    ):
        return True
    if programme_id is not None and await roles.can_organise(conn, programme_id, person_id):
        return True
    return await roles.is_admin(conn, person_id)


async def event_association(conn: Conn, event_id: UUID) -> UUID | None:
    """The association hosting the event (NotFound when there is no event)."""
    host = await repo.host_of(conn, event_id)
    if host is None:
        raise NotFound("no such event")
    return host[0]


async def require_host(conn: Conn, event_id: UUID, person_id: UUID) -> None:
    """NotFound for an unknown event; Forbidden unless one of its hosts or a site admin."""
    host = await repo.host_of(conn, event_id)
    if host is None:
        raise NotFound("no such event")
    if not await can_host(conn, *host, person_id):
        raise Forbidden(
            "only the event's hosts (its association's admins or its programme's"
            " organisers) may do this"
        )


def _tags(values: dict[str, Any], taxonomy: Taxonomy) -> None:
    """Tags to slugs (custom ones' words kept in ``tag_texts``), in place."""
    if "tags" in values:
        typed = values["tags"]
        values["tags"] = taxonomy.normalise(typed)
        values["tag_texts"] = taxonomy.custom_texts(typed)


def _place(values: dict[str, Any]) -> None:
    """A venue's coordinates from its city and country (none online or when unknown)."""
    found = coordinates(values.get("city") or "", values.get("country") or "")
    values["latitude"], values["longitude"] = found if found else (None, None)


def out(
    row: dict[str, Any], taxonomy: Taxonomy, *, is_host: bool, attendees: list[PersonRef] | None
) -> EventOut:
    """A stored event (from the repository) as the API shows it."""
    texts: dict[str, str] = row["tag_texts"]
    capacity = row["capacity"]
    return EventOut(
        id=row["id"],
        association=(
            AssociationRef(id=row["association_id"], name=row["association_name"])
            if row["association_id"]
            else None
        ),
        programme=(
            ProgrammeRef(id=row["programme_id"], name=row["programme_name"])
            if row["programme_id"]
            else None
        ),
        tag_labels=[texts.get(slug) or taxonomy.label(slug) for slug in row["tags"]],
        places_left=None if capacity is None else max(capacity - row["rsvp_count"], 0),
        is_host=is_host,
        attendees=attendees,
        **{k: row[k] for k in SHOWN},
    )


async def get_event(
    conn: Conn, taxonomy: Taxonomy, reader: UUID | None, event_id: UUID, *, host: bool | None = None
) -> EventOut:
    """One event (404 if there is none); its hosts (``reader`` one, or ``host``) also get who
    is going."""
    row = await repo.get_event(conn, event_id, reader)
    if row is None:
        raise NotFound("no such event")
    if host is None:
        host = reader is not None and await can_host(
            conn, row["association_id"], row["programme_id"], reader
        )
    going = [PersonRef(**a) for a in await repo.attendees(conn, event_id)] if host else None
    return out(row, taxonomy, is_host=host, attendees=going)


async def list_events(
    conn: Conn, taxonomy: Taxonomy, reader: UUID, filters: Filters, limit: int, offset: int
) -> EventList:
    """A page of events, soonest first (the tag filter is normalised like the tags)."""
    if filters.tag is not None:
        slugs = taxonomy.normalise([filters.tag])
        filters = Filters(**{**filters.__dict__, "tag": slugs[0] if slugs else filters.tag})
    rows, total = await repo.list_events(conn, reader, filters, limit, offset)
    site_admin = await roles.is_admin(conn, reader)
    mine = await repo.host_choices(conn, reader, everyone=False)
    hosted = {h["id"] for h in mine["associations"] + mine["programmes"]}
    events = [
        out(
            r,
            taxonomy,
            is_host=site_admin or bool({r["association_id"], r["programme_id"]} & hosted),
            attendees=None,
        )
        for r in rows
    ]
    return EventList(events=events, total=total, limit=limit, offset=offset)


async def _require_host_of_body(
    conn: Conn, body: EventIn, person: UUID | None, key_association: UUID | None
) -> None:
    """The body names one host, which exists and which the caller may host for."""
    if (body.association_id is None) == (body.programme_id is None):
        message = "Name the host: an association_id or a programme_id (one of them)"
        raise ValidationFailed(
            "some fields are invalid",
            fields=[{"field": f, "message": message} for f in HOST_FIELDS],
        )
    if body.association_id is not None and not await associations_repo.association_exists(
        conn, body.association_id
    ):
        raise invalid("association_id", "No such association")
    if body.programme_id is not None and not await programmes_repo.programme_exists(
        conn, body.programme_id
    ):
        raise invalid("programme_id", "No such programme")
    if key_association is not None:
        if body.association_id != key_association:
            raise Forbidden("this API key can only create events of its own association")
        return
    assert person is not None
    if not await can_host(conn, body.association_id, body.programme_id, person):
        raise Forbidden(
            "only the association's admins or the programme's organisers may create its events"
        )


async def _check_times(conn: Conn, values: dict[str, Any], *, new_start: bool) -> None:
    """Ends after it starts; a new or moved start is still to come."""
    if values["ends_at"] <= values["starts_at"]:
        raise invalid("ends_at", ENDS_BEFORE)
    if new_start and not await repo.starts_after(conn, values["starts_at"]):
        raise invalid("starts_at", IN_THE_PAST)


def _check_place(values: dict[str, Any]) -> None:
    if not values["online"] and not values["country"]:
        raise ValidationFailed(
            "some fields are invalid",
            fields=[{"field": f, "message": NEEDS_PLACE} for f in ("country", "online")],
        )


async def create_event(
    conn: Conn,
    taxonomy: Taxonomy,
    body: EventIn,
    *,
    person: UUID | None,
    key_association: UUID | None = None,
) -> EventOut:
    """Create an event for the host the body names (its admins, its API key, its programme's
    organisers, site admins)."""
    await _require_host_of_body(conn, body, person, key_association)
    values = body.model_dump()
    await _check_times(conn, values, new_start=True)
    _check_place(values)
    _tags(values, taxonomy)
    _place(values)
    event_id = await repo.insert_event(conn, values, person)
    return await get_event(conn, taxonomy, person, event_id, host=True)


async def update_event(
    conn: Conn, taxonomy: Taxonomy, reader: UUID | None, event_id: UUID, patch: EventPatch
) -> EventOut:
    """Apply a partial edit (its hosts); only the fields sent. Capacity may not fall below
    the people already going; a cancelled event cannot change."""
    sent = patch.model_fields_set
    nulls = sorted(f for f in sent if getattr(patch, f) is None and f != "capacity")
    if nulls:
        raise ValidationFailed(
            "some fields are invalid",
            fields=[{"field": f, "message": "May not be null"} for f in nulls],
        )
    current = await repo.lock_event(conn, event_id)
    if current is None:
        raise NotFound("no such event")
    if current["status"] == "cancelled":
        raise Conflict(f"“{current['title']}” was cancelled and can no longer change")
    changes = {f: getattr(patch, f) for f in sent}
    merged = {**current, **changes}
    await _check_times(conn, merged, new_start="starts_at" in changes)
    if merged["city"] and not merged["country"]:
        raise invalid("country", "Choose the country this city is in")
    _check_place(merged)
    capacity = merged["capacity"]
    if capacity is not None and capacity < current["rsvp_count"]:
        raise invalid("capacity", CAPACITY_BELOW.format(n=current["rsvp_count"]))
    _tags(changes, taxonomy)
    if {"city", "country", "online"} & sent:
        _place(merged)
        changes["latitude"], changes["longitude"] = merged["latitude"], merged["longitude"]
    await repo.update_event(conn, event_id, changes)
    return await get_event(conn, taxonomy, reader, event_id, host=True)


async def cancel_event(
    conn: Conn, taxonomy: Taxonomy, reader: UUID | None, event_id: UUID
) -> EventOut:
    """Cancel the event: kept, with its RSVPs, but no one can RSVP any more (twice: no-op)."""
    if await repo.lock_event(conn, event_id) is None:
        raise NotFound("no such event")
    await repo.cancel_event(conn, event_id)
    return await get_event(conn, taxonomy, reader, event_id, host=True)


def _rsvp_out(event_id: UUID, going: bool, state: dict[str, Any]) -> RsvpOut:
    capacity = state["capacity"]
    return RsvpOut(
        event_id=event_id,
        going=going,
        rsvp_count=state["rsvp_count"],
        places_left=None if capacity is None else max(capacity - state["rsvp_count"], 0),
    )


async def rsvp(conn: Conn, event_id: UUID, person_id: UUID) -> tuple[RsvpOut, bool]:
    """I am going: a place taken atomically (the insert and one conditional UPDATE of the
    count, in the caller's transaction); True if new. Going already: nothing changes.
    A cancelled, started or full event: 409 naming it."""
    if await repo.rsvp_state(conn, event_id) is None:
        raise NotFound("no such event")
    if await repo.add_rsvp(conn, event_id, person_id):
        if await repo.take_place(conn, event_id) is None:
            # The caller's transaction rolls back, with the RSVP just inserted.
            raise _refusal(await repo.rsvp_state(conn, event_id))
        new = True
    else:
        new = False
    state = await repo.rsvp_state(conn, event_id)
    if state is None:
        raise NotFound("no such event")
    return _rsvp_out(event_id, True, state), new


def _refusal(state: dict[str, Any] | None) -> Exception:
    """Why an RSVP was refused, naming the event."""
    if state is None:
        return NotFound("no such event")
    title = state["title"]
    if state["status"] == "cancelled":
        return Conflict(f"“{title}” was cancelled: no one can say they are going any more")
    if state["started"]:
        return Conflict(f"“{title}” has already started or taken place")
    capacity = state["capacity"]
    taken = {0: "it has no places", 1: "its one place is taken"}.get(
        capacity, f"all {capacity} places are taken"
    )
    return Conflict(f"“{title}” is full: {taken}")


async def unrsvp(conn: Conn, event_id: UUID, person_id: UUID) -> RsvpOut:
    """I am not going after all: my place is freed (not going already: nothing changes)."""
    if await repo.rsvp_state(conn, event_id) is None:
        raise NotFound("no such event")
    await repo.remove_rsvp(conn, event_id, person_id)
    state = await repo.rsvp_state(conn, event_id)
    assert state is not None
    return _rsvp_out(event_id, False, state)


async def upcoming_of_association(
    conn: Conn, association_id: UUID, limit: int = 10
) -> list[dict[str, Any]]:
    """The association's next scheduled events, soonest first (for its page)."""
    return await repo.upcoming_of_association(conn, association_id, limit)


async def host_choices(conn: Conn, person_id: UUID) -> dict[str, list[Any]]:
    """The associations and programmes the person may host events for (every one for a site
    admin), each (id, name) by name."""
    everyone = await roles.is_admin(conn, person_id)
    return await repo.host_choices(conn, person_id, everyone=everyone)


async def still_to_come(conn: Conn, when: datetime) -> bool:
    """Whether ``when`` is in the future by the database's clock (the one RSVPs use)."""
    return await repo.starts_after(conn, when)
