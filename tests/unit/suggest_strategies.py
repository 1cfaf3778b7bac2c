"""Hypothesis strategies for small recommender worlds: people, events, associations, edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from matching.suggest import Association, Edge, Event, Person
from tests.unit.profile_strategies import CERTS, GOAL_NEEDS, SKILLS, TOOLS, profiles

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
#: name, country, coordinates (Lisbon and Porto are 274 km apart; Sintra 25 km from Lisbon).
PLACES = (
    ("Lisbon", "PT", (38.72, -9.14)),
    ("Porto", "PT", (41.15, -8.61)),
    ("Sintra", "PT", (38.80, -9.38)),
    ("", "", None),
)
ZONES = ("UTC", "Europe/Lisbon", "Asia/Kolkata", "America/New_York")
FIRST_NAMES = ("Ana", "Bo", "Chidi", "Dana", "Eun", "Femi", "Gil", "Hana")
TAGS = (*SKILLS, *TOOLS, *CERTS, *GOAL_NEEDS)
KINDS = ("workshop", "webinar", "networking", "volunteering", "study_group")


@st.composite
def people(draw, n):
    out = []
    for i in range(n):
        city, country, coords = draw(st.sampled_from(PLACES))
        out.append(
            Person(
                key=f"person-{i}",
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                profile=draw(profiles()),
                timezone=draw(st.sampled_from(ZONES)),
                coordinates=coords,
                city=city,
                country=country,
            )
        )
    return out


@st.composite
def associations(draw, n):
    out = []
    for i in range(n):
        city, country, coords = draw(st.sampled_from(PLACES))
        online = draw(st.booleans()) or coords is None
        out.append(
            Association(
                key=f"assoc-{i}",
                name=f"Association {i}",
                online=online,
                coordinates=None if online else coords,
                city="" if online else city,
                country="" if online else country,
                tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))),
                text=draw(st.sampled_from(("", "agile scrum community", "risk and budgets"))),
                languages=tuple(draw(st.lists(st.sampled_from(("en", "pt")), unique=True))),
            )
        )
    return out


@st.composite
def events(draw, n, hosts):
    out = []
    for i in range(n):
        city, country, coords = draw(st.sampled_from(PLACES))
        online = draw(st.booleans())
        start = NOW + timedelta(minutes=30 * draw(st.integers(-96, 24 * 2 * 200)))
        out.append(
            Event(
                key=f"event-{i}",
                title=f"Event {i}",
                kind=draw(st.sampled_from(KINDS)),
                starts_at=start,
                ends_at=start + timedelta(minutes=30 * draw(st.integers(1, 8))),
                timezone=draw(st.sampled_from(ZONES)),
                online=online,
                coordinates=None if online else coords,
                city="" if online else city,
                country="" if online else country,
                tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))),
                text=draw(st.sampled_from(("", "scrum workshop", "pmp exam preparation"))),
                languages=tuple(draw(st.lists(st.sampled_from(("en", "pt", "fr")), unique=True))),
                full=draw(st.booleans()),
                host=draw(st.sampled_from([None, *hosts])),
                series=draw(st.sampled_from((None, None, "series-a", "series-b"))),
            )
        )
    return out


@st.composite
def worlds(draw):
    """(people, items, edges) of a small world."""
    who = draw(people(draw(st.integers(1, 6))))
    groups = draw(associations(draw(st.integers(0, 4))))
    happenings = draw(events(draw(st.integers(0, 14)), [a.key for a in groups]))
    keys = [p.key for p in who]
    edges = []
    for p in who:
        for a in groups:
            if draw(st.integers(0, 3)) == 0:
                edges.append(Edge("member", p.key, a.key))
        for e in happenings:
            if draw(st.integers(0, 4)) == 0:
                edges.append(Edge("rsvp", p.key, e.key))
        if len(keys) > 1 and draw(st.booleans()):
            edges.append(Edge("mentor", p.key, draw(st.sampled_from(keys))))
    return who, [*happenings, *groups], edges
