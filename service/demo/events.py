"""The demo's events and RSVPs: each demo association hosts a few events over the next 90
days (at its venue in its own timezone, or online in a language it speaks), drawn from the
templates in ``data/events.json`` and validated by the API's schema; demo people who are its
members or speak its language say they are going, some events filling up. Everything but the
dates comes from one ``random.Random``; dates are relative to ``now``."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from service.demo.associations import Resident
from service.events.schemas import EventIn
from service.taxonomy.normalise import Taxonomy

#: Events per association (drawn in this range), and the days ahead they fall in.
PER_ASSOCIATION = (3, 5)
DAYS_AHEAD = 90
#: Chance that an association with a venue holds an event online instead.
P_ONLINE = 0.25
#: Local start hours by kind (evenings for talks, mornings for long days).
HOURS = {"bootcamp": (9,), "volunteering": (9, 10, 14), "webinar": (12, 18, 19)}
EVENING = (18, 18, 19)


@cache
def _data() -> dict[str, Any]:
    text = resources.files("service.demo").joinpath("data/events.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _title(template: dict[str, Any], rng: random.Random) -> str:
    topics = template["topics"]
    return str(template["title"]).format(topic=rng.choice(topics) if topics else "")


def _event(
    association: dict[str, Any], rng: random.Random, today: datetime, taxonomy: Taxonomy
) -> dict[str, Any]:
    """Column values of one event of ``association``, validated as the API would."""
    data = _data()
    template = rng.choice(data["templates"])
    venue = data["venues"].get(f"{association['country']}/{association['city']}")
    online = venue is None or template["kind"] == "webinar" or rng.random() < P_ONLINE
    languages = list(association["languages"]) or ["en"]
    language = languages[0] if rng.random() < 0.7 else rng.choice(languages)
    zone = venue["timezone"] if venue else data["online_timezones"].get(language, "UTC")
    day = (today + timedelta(days=rng.randint(1, DAYS_AHEAD))).date()
    hour = rng.choice(HOURS.get(template["kind"], EVENING))
    starts = datetime.combine(day, time(hour, rng.choice((0, 0, 30))), ZoneInfo(zone))
    ends = starts + timedelta(hours=template["hours"])
    capacity = rng.choice(template["capacity"])
    body = EventIn.model_validate(
        {
            "association_id": association["id"],
            "title": _title(template, rng),
            "kind": template["kind"],
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
            "timezone": zone,
            "online": online,
            "city": "" if online else association["city"],
            "country": "" if online else association["country"],
            "tags": template["tags"],
            "languages": [language] if rng.random() < 0.8 else languages[:2],
            "capacity": capacity,
            "description": f"Hosted by {association['name']}.",
        }
    ).model_dump()
    typed = body["tags"]
    body.update(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        tags=taxonomy.normalise(typed),
        tag_texts=taxonomy.custom_texts(typed),
        latitude=None if online or venue is None else venue["at"][0],
        longitude=None if online or venue is None else venue["at"][1],
    )
    return body


def demo_events(
    associations: list[dict[str, Any]],
    taxonomy: Taxonomy,
    rng: random.Random,
    now: datetime,
) -> list[dict[str, Any]]:
    """Every demo association's upcoming events, soonest first."""
    events = [
        _event(a, rng, now, taxonomy)
        for a in associations
        for _ in range(rng.randint(*PER_ASSOCIATION))
    ]
    return sorted(events, key=lambda e: (e["starts_at"], e["id"]))


def more_events(
    wanted: list[tuple[dict[str, Any], int]],
    taxonomy: Taxonomy,
    rng: random.Random,
    now: datetime,
) -> list[dict[str, Any]]:
    """``n`` new upcoming events of each (association, n) in ``wanted``, soonest first."""
    events = [_event(a, rng, now, taxonomy) for a, n in wanted for _ in range(n)]
    return sorted(events, key=lambda e: (e["starts_at"], e["id"]))


def demo_rsvps(
    events: list[dict[str, Any]],
    members: dict[uuid.UUID, list[uuid.UUID]],
    residents: list[Resident],
    rng: random.Random,
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(event, person) RSVPs: the host's members first, then people speaking its language
    (in the event's country, or anywhere when online); about one event in six fills up.
    Sets each event's ``rsvp_count``."""
    rows: list[tuple[uuid.UUID, uuid.UUID]] = []
    for event in events:
        speaking = [
            r.person_id
            for r in residents
            if set(r.languages) & set(event["languages"])
            and (event["online"] or r.country == event["country"])
        ]
        pool = list(dict.fromkeys([*members.get(event["association_id"], []), *speaking]))
        capacity = event["capacity"]
        room = len(pool) if capacity is None else min(capacity, len(pool))
        fill = 1.0 if rng.random() < 1 / 6 else rng.uniform(0.1, 0.8)
        wanted = min(room, round(room * fill) if capacity is not None else round(room * 0.1))
        going = rng.sample(pool, wanted)
        event["rsvp_count"] = len(going)
        rows.extend((event["id"], person) for person in going)
    return rows
