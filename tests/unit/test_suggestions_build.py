"""build_world: loaded rows to the recommender's people, items and edges (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from matching.suggest import Association, Edge, Event
from service.suggestions.load import (
    AssociationRow,
    EventRow,
    PersonRow,
    WorldRows,
    build_event,
    build_world,
)

WINTER = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)  # a Tuesday; Lisbon is UTC+0
SUMMER = datetime(2027, 7, 13, 9, 0, tzinfo=UTC)  # Lisbon is UTC+1
PERSON = uuid.UUID(int=1)
MENTOR = uuid.UUID(int=2)
CHAPTER = uuid.UUID(int=10)
EVENT = uuid.UUID(int=20)


def person(pid: uuid.UUID = PERSON, **values: object) -> PersonRow:
    fields: dict[str, object] = {
        "id": pid,
        "display_name": "Ana Maria Silva",
        "skills": ["risk-management"],
        "goals": ["earn-pmp"],
        "certifications_held": [],
        "certifications_target": ["pmp"],
        "tools": ["jira"],
        "industries": ["fintech"],
        "languages": ["pt", "en"],
        "years_experience": 2,
        "current_role": "QA engineer",
        "headline": "Moving into PM",
        "bio": "Testing banking software.",
        "employer": "  Banco  Exemplo ",
        "city": "Lisbon",
        "country": "PT",
        "timezone": "Europe/Lisbon",
        **values,
    }
    return PersonRow(**fields)  # type: ignore[arg-type]


def event(**values: object) -> EventRow:
    start = WINTER + timedelta(days=3)
    fields: dict[str, object] = {
        "id": EVENT,
        "association_id": CHAPTER,
        "title": "PMP exam prep",
        "kind": "workshop",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "timezone": "Europe/Lisbon",
        "online": False,
        "city": "Porto",
        "country": "PT",
        "latitude": 41.15,
        "longitude": -8.61,
        "tags": ["pmp"],
        "description": "Three hours of practice questions",
        "languages": ["pt"],
        "capacity": None,
        "rsvp_count": 0,
        "ical_uid": None,
        **values,
    }
    return EventRow(**fields)  # type: ignore[arg-type]


CHAPTER_ROW = AssociationRow(
    CHAPTER, "PMI Portugal", "chapter", False, "Lisbon", "PT", ["pmp"], "The chapter", ["pt"]
)


def rows(now: datetime = WINTER, **values: object) -> WorldRows:
    fields: dict[str, object] = {
        "now": now,
        "people": [person(), person(MENTOR, display_name="Rui", city="Atlantis")],
        "windows": {PERSON: [(1, 18 * 60, 20 * 60)]},
        "edges": [("member", PERSON, CHAPTER), ("rsvp", PERSON, EVENT), ("mentor", PERSON, MENTOR)],
        "events": [event()],
        "associations": [CHAPTER_ROW],
        **values,
    }
    return WorldRows(**fields)  # type: ignore[arg-type]


def test_people_with_their_profile_place_and_weekly_windows_in_utc():
    world = build_world(rows())
    ana, rui = world.people
    assert ana.key == str(PERSON) and ana.first_name == "Ana"
    assert ana.profile.goals == ("earn-pmp",) and ana.profile.languages == ("pt", "en")
    assert ana.profile.employer == "banco exemplo"
    assert "Moving into PM" in ana.profile.text
    # Tuesday 18:00-20:00 in Lisbon is 18:00-20:00 UTC in January...
    tuesday = 1 * 1440
    assert ana.profile.availability == ((tuesday + 18 * 60, tuesday + 20 * 60),)
    assert ana.coordinates is not None
    assert abs(ana.coordinates[0] - 38.72) < 0.1 and abs(ana.coordinates[1] + 9.13) < 0.1
    # ... and 17:00-19:00 UTC in July.
    summer = build_world(rows(SUMMER)).people[0]
    assert summer.profile.availability == ((tuesday + 17 * 60, tuesday + 19 * 60),)
    # A city the gazetteer does not know: no coordinates (only same-city or online then).
    assert rui.first_name == "Rui" and rui.coordinates is None and rui.profile.availability == ()


def test_items_and_edges():
    world = build_world(rows())
    assert [type(i) for i in world.items] == [Event, Association]
    ev, chapter = world.items
    assert isinstance(ev, Event) and isinstance(chapter, Association)
    assert ev.key == str(EVENT) and ev.host == str(CHAPTER) and ev.coordinates == (41.15, -8.61)
    assert ev.tags == ("pmp",) and ev.text and not ev.full and ev.series is None
    assert chapter.coordinates is not None and abs(chapter.coordinates[0] - 38.72) < 0.1
    assert world.edges == [
        Edge("member", str(PERSON), str(CHAPTER)),
        Edge("rsvp", str(PERSON), str(EVENT)),
        Edge("mentor", str(PERSON), str(MENTOR)),
    ]


def test_events_online_gazetteer_and_series():
    online = build_event(event(online=True, city="", country=None, latitude=None, longitude=None))
    assert online.online and online.coordinates is None and online.country == ""
    looked_up = build_event(event(latitude=None, longitude=None))
    assert looked_up.coordinates is not None and abs(looked_up.coordinates[0] - 41.15) < 0.1
    first = build_event(event(ical_uid="abc@pmi/2027-01-15T18:00:00+00:00"))
    second = build_event(event(ical_uid="abc@pmi/2027-01-22T18:00:00+00:00"))
    single = build_event(event(ical_uid="xyz@pmi"))
    assert first.series is not None and first.series == second.series
    assert single.series is None


@given(st.one_of(st.none(), st.integers(0, 5)), st.integers(0, 5))
def test_full_when_no_place_is_left(capacity, taken):
    if capacity is not None:
        taken = min(taken, capacity)
    built = build_event(event(capacity=capacity, rsvp_count=taken))
    assert built.full == (capacity is not None and taken >= capacity)


def test_people_only_rows_build_people_and_edges_without_catalogue():
    world = build_world(rows(events=[], associations=[]))
    assert len(world.people) == 2 and world.items == [] and len(world.edges) == 3
