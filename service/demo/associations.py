"""The demo's associations and their members: each entered as a site admin would (validated
by the API's schema, focus tags normalised), and memberships drawn for the demo people from
one ``random.Random``: mostly their own city's or country's association, some online
communities in a language they speak; most active (imported), some waiting for the association
to confirm, a few ended."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.associations.schemas import AssociationIn
from service.demo import tables
from service.taxonomy.normalise import Taxonomy

#: Chances that a demo person belongs to a local association, and to an online one.
P_LOCAL = 0.55
P_ONLINE = 0.2


@dataclass(frozen=True)
class Resident:
    """What the memberships are drawn from: a demo person and where they live."""

    person_id: uuid.UUID
    country: str
    city: str
    languages: tuple[str, ...]


def demo_associations(taxonomy: Taxonomy, rng: random.Random) -> list[dict[str, Any]]:
    """Column values of every demo association (with its new id), validated and normalised
    as the API would."""
    rows = []
    for raw in tables.associations():
        body = AssociationIn.model_validate(dict(raw)).model_dump()
        typed = body["focus"]
        body.update(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            focus=taxonomy.normalise(typed),
            focus_texts=taxonomy.custom_texts(typed),
        )
        rows.append(body)
    return rows


def _reference(association: dict[str, Any], rng: random.Random) -> str:
    """A member number in the style of a membership system: initials and digits."""
    initials = "".join(w[0] for w in association["name"].split() if w[0].isupper())[:4]
    return f"{initials}-{rng.randrange(10_000, 999_999):06d}"


def _membership(
    association: dict[str, Any], resident: Resident, rng: random.Random, now: datetime
) -> tuple[object, ...]:
    """(association, person, member_ref, source, status, ended_at) of one membership."""
    draw = rng.random()
    if draw < 0.65:
        source, status = "import", "active"
    elif draw < 0.8:
        source, status = "self_declared", "active"
    elif draw < 0.93:
        source, status = "self_declared", "requested"
    else:
        source, status = "import", "ended"
    reference = _reference(association, rng) if source == "import" or rng.random() < 0.5 else ""
    ended = now if status == "ended" else None
    return (association["id"], resident.person_id, reference, source, status, ended)


def demo_memberships(
    associations: list[dict[str, Any]],
    residents: list[Resident],
    rng: random.Random,
    now: datetime,
) -> list[tuple[object, ...]]:
    """The demo people's memberships, as rows for COPY."""
    online = [a for a in associations if a["online"] and not a["country"]]
    rows = []
    for person in residents:
        local = [a for a in associations if a["country"] == person.country]
        nearby = [a for a in local if a["city"] == person.city] or local
        if nearby and rng.random() < P_LOCAL:
            rows.append(_membership(rng.choice(nearby), person, rng, now))
        spoken = [a for a in online if set(a["languages"]) & set(person.languages)]
        if spoken and rng.random() < P_ONLINE:
            rows.append(_membership(rng.choice(spoken), person, rng, now))
    return rows
