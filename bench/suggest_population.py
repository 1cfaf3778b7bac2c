"""A generated world for the recommender's benchmarks: people, associations, events, and the
memberships, RSVPs and mentorships that follow HIDDEN preferences.

Each person has a latent taste over ``TOPICS`` themes (a sparse Dirichlet draw) that the
recommender never sees. It shows only partly in what they tell the service: each goal comes
from their main theme half of the time and is random otherwise, and a few skills are random.
Associations and events each have one theme (events mostly their host's) that shows in their
tags, also partly (one tag in four is random). Choices then follow the taste, the item's
hidden appeal (popularity), and social influence: mentees lean towards what their mentor
joined and goes to, members towards their associations' events and towards the events their
fellow members RSVP to. People choose only among what they could attend (online or in their
city, in a language they speak, at a time they are free): the same rules as the service's
filters, since those are real constraints, so every method ranks within them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from bench.population import goal_needs_from_seed
from matching.availability import weekly_intervals
from matching.profiles import Profile
from matching.suggest import Association, Edge, Event, Person
from service.demo import tables
from service.demo.generator import CERTIFICATIONS, SKILLS, TOOLS

#: Monday morning the benchmarks suggest at.
NOW = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
TOPICS = 16
#: Hidden-preference strength, appeal and social weights of the choice model (log-utility).
TASTE, APPEAL, MENTOR_PULL, HOST_PULL, PEER_PULL = 4.0, 0.8, 1.5, 1.0, 0.4
COORDS = {
    "Lisbon": (38.72, -9.14),
    "Porto": (41.15, -8.61),
    "Madrid": (40.42, -3.70),
    "Barcelona": (41.39, 2.17),
    "London": (51.51, -0.13),
    "Manchester": (53.48, -2.24),
    "Edinburgh": (55.95, -3.19),
    "Dublin": (53.35, -6.26),
    "Berlin": (52.52, 13.40),
    "Munich": (48.14, 11.58),
    "Paris": (48.86, 2.35),
    "Amsterdam": (52.37, 4.90),
    "Warsaw": (52.23, 21.01),
    "Kraków": (50.06, 19.94),
    "Lagos": (6.52, 3.38),
    "Nairobi": (-1.29, 36.82),
    "Bengaluru": (12.97, 77.59),
    "Pune": (18.52, 73.86),
    "New York": (40.71, -74.01),
    "Chicago": (41.88, -87.63),
    "Austin": (30.27, -97.74),
    "San Francisco": (37.77, -122.42),
    "Toronto": (43.65, -79.38),
    "São Paulo": (-23.55, -46.63),
    "Sydney": (-33.87, 151.21),
    "Singapore": (1.35, 103.82),
    "Manila": (14.60, 120.98),
    "Dubai": (25.20, 55.27),
}
EVENT_KINDS = ("workshop", "seminar", "webinar", "networking", "bootcamp", "study_group")
ASSOCIATION_KINDS = ("chapter", "local_group", "university", "online_community", "nonprofit")


@dataclass
class World:
    """Everything the service would load, plus the hidden taste (for nobody but the generator)."""

    people: list[Person]
    items: list[Event | Association]
    edges: list[Edge]
    goal_needs: dict[str, dict[str, float]]
    now: datetime


def _local_slots(rng: np.random.Generator) -> list[tuple[int, int]]:
    """2-4 local weekly windows (minute of week from Monday 00:00 local)."""
    windows = []
    for _ in range(int(rng.integers(2, 5))):
        pick = rng.random()
        if pick < 0.6:  # a weekday evening
            day, start, length = int(rng.integers(0, 5)), int(rng.integers(36, 41)) * 30, 150
        elif pick < 0.85:  # a weekend morning
            day, start, length = int(rng.integers(5, 7)), 9 * 60 + 30, 210
        else:  # a weekday lunchtime
            day, start, length = int(rng.integers(0, 5)), 12 * 60, 90
        windows.append((day * 1440 + start, day * 1440 + start + length))
    return windows


def _offset(zone: str, moment: datetime) -> int:
    off = moment.astimezone(ZoneInfo(zone)).utcoffset()
    return 0 if off is None else int(off.total_seconds() // 60)


def world(n_people: int, n_associations: int, n_events: int, seed: int = 0) -> World:
    """Generate a world of that size (deterministic in ``seed``)."""
    rng = np.random.default_rng(seed)
    needs = goal_needs_from_seed()
    goals = sorted(needs)
    cities = tables.cities()
    city_p = np.array([c.weight for c in cities], dtype=float)
    city_p /= city_p.sum()
    all_tags = np.array(sorted({*SKILLS, *TOOLS, *CERTIFICATIONS}))
    # Themes: two goals each, and the tags those goals need plus a few more.
    topic_goals = [list(rng.choice(goals, 2, replace=False)) for _ in range(TOPICS)]
    topic_tags = [
        sorted({t for g in gs for t in needs[g]} | set(rng.choice(all_tags, 3, replace=False)))
        for gs in topic_goals
    ]

    def tags_of(topic: int) -> tuple[str, ...]:
        chosen = list(rng.choice(topic_tags[topic], min(3, len(topic_tags[topic])), False))
        return tuple(sorted({*chosen, str(rng.choice(all_tags))}))

    def theme_text(topic: int) -> str:
        return " ".join(t.replace("-", " ") for t in topic_goals[topic] + topic_tags[topic][:3])

    # People.
    taste = rng.dirichlet(np.full(TOPICS, 0.25), size=n_people)
    main = taste.argmax(axis=1)
    city_of = rng.choice(len(cities), n_people, p=city_p)
    people: list[Person] = []
    slots = np.zeros((n_people, 336), dtype=bool)
    for i in range(n_people):
        city = cities[int(city_of[i])]
        culture = city.cultures[int(rng.integers(len(city.cultures)))]
        langs = list(culture.languages)
        if not langs or rng.random() < culture.p_english:
            langs.append("en")
        my_goals = {
            str(rng.choice(topic_goals[main[i]])) if rng.random() < 0.5 else str(rng.choice(goals))
            for _ in range(int(rng.integers(1, 3)))
        }
        skills = set(rng.choice(SKILLS, 3, replace=False).tolist())
        if rng.random() < 0.4:
            skills.add(str(rng.choice(topic_tags[main[i]])))
        targets = tuple(
            g.removeprefix("earn-") for g in my_goals if g.removeprefix("earn-") in CERTIFICATIONS
        )
        offset = _offset(city.timezone, NOW)
        local = _local_slots(rng)
        utc = weekly_intervals([s - offset for s, _ in local], [e - offset for _, e in local])
        for s, e in utc:
            slots[i, s // 30 : -(-e // 30)] = True
        lat, lon = COORDS[city.city]
        people.append(
            Person(
                key=f"p{i}",
                first_name=f"Name{i}",
                profile=Profile(
                    skills=tuple(sorted(skills)),
                    goals=tuple(sorted(my_goals)),
                    certifications_target=targets,
                    tools=tuple(rng.choice(TOOLS, 2, replace=False).tolist()),
                    languages=tuple(langs),
                    text=f"Working towards {theme_text(int(rng.choice(TOPICS, p=taste[i])))}",
                    availability=tuple(utc),
                ),
                timezone=city.timezone,
                coordinates=(lat + rng.normal(0, 0.05), lon + rng.normal(0, 0.05)),
                city=city.city,
                country=city.country,
            )
        )
    # Associations: one theme each, hidden appeal, online or in a city.
    a_topic = rng.integers(0, TOPICS, n_associations)
    a_appeal = rng.lognormal(0, 1, n_associations)
    associations: list[Association] = []
    a_city = rng.choice(len(cities), n_associations, p=city_p)
    for k in range(n_associations):
        online = rng.random() < 0.3
        city = cities[int(a_city[k])]
        primary = city.cultures[0].languages[:1] or ("en",)
        associations.append(
            Association(
                key=f"a{k}",
                name=f"Association {k}",
                kind="online_community" if online else str(rng.choice(ASSOCIATION_KINDS[:3])),
                online=online,
                coordinates=None if online else COORDS[city.city],
                city="" if online else city.city,
                country="" if online else city.country,
                tags=tags_of(int(a_topic[k])),
                text=f"A community for {theme_text(int(a_topic[k]))}",
                languages=("en",) if online else tuple(primary),
            )
        )
    # Events: mostly their host's theme; a quarter are sessions of a weekly series.
    events: list[Event] = []
    e_topic: list[int] = []
    e_appeal: list[float] = []
    e_host: list[int] = []
    while len(events) < n_events:
        host = int(rng.integers(n_associations))
        topic = int(a_topic[host]) if rng.random() < 0.7 else int(rng.integers(TOPICS))
        sessions = int(rng.integers(3, 7)) if rng.random() < 0.25 else 1
        kind = "volunteering" if rng.random() < 0.1 else str(rng.choice(EVENT_KINDS))
        assoc = associations[host]
        online = assoc.online or rng.random() < 0.35
        city = cities[int(a_city[host])]
        pick = rng.random()
        day = int(rng.integers(1, 90))
        if pick < 0.6:
            minutes = int(rng.choice([18 * 60, 18 * 60 + 30, 19 * 60]))
        elif pick < 0.85:
            minutes, day = 10 * 60, day - (NOW + timedelta(days=day)).weekday() + 5
        else:
            minutes = 12 * 60 + 30
        first = NOW.replace(hour=0, minute=0) + timedelta(days=max(day, 1), minutes=minutes)
        appeal = float(rng.lognormal(0, 1))
        tags, title = tags_of(topic), f"{kind.replace('_', ' ').title()} {len(events)}"
        for s in range(min(sessions, n_events - len(events))):
            start = first + timedelta(weeks=s) - timedelta(minutes=_offset(city.timezone, first))
            e_topic.append(topic)
            e_appeal.append(appeal)
            e_host.append(host)
            events.append(
                Event(
                    key=f"e{len(events)}",
                    title=title,
                    kind=kind,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=int(rng.choice([60, 90, 120]))),
                    timezone=city.timezone,
                    online=bool(online),
                    coordinates=None if online else COORDS[city.city],
                    city="" if online else city.city,
                    country="" if online else city.country,
                    tags=tags,
                    text=f"{title}: {theme_text(topic)}",
                    languages=assoc.languages,
                    full=bool(rng.random() < 0.03),
                    host=assoc.key,
                    series=f"s{len(events) - s}" if sessions > 1 else None,
                )
            )
    edges = _choices(
        rng,
        people,
        associations,
        events,
        taste,
        slots,
        a_topic,
        a_appeal,
        np.array(e_topic),
        np.array(e_appeal),
        np.array(e_host),
    )
    return World(people, [*associations, *events], edges, needs, NOW)


def _reachable(
    people: list[Person], items: Sequence[Event | Association]
) -> tuple[np.ndarray, np.ndarray]:
    """(people x items) same-city and language masks, by city and language codes."""
    city_codes = {c: k for k, c in enumerate(COORDS)}
    pc = np.array([city_codes[p.city] for p in people])
    ic = np.array([city_codes.get(it.city, -1) for it in items])
    online = np.array([it.online for it in items])
    place = online[None, :] | (pc[:, None] == ic[None, :])
    langs = sorted({x for p in people for x in p.profile.languages} | {"en"})
    code = {x: k for k, x in enumerate(langs)}
    pl = np.zeros((len(people), len(langs)), dtype=bool)
    for i, p in enumerate(people):
        pl[i, [code[x] for x in p.profile.languages]] = True
    il = np.zeros((len(items), len(langs)), dtype=bool)
    for j, it in enumerate(items):
        il[j, [code[x] for x in it.languages]] = True
    speaks = (pl.astype(np.int32) @ il.T.astype(np.int32)) > 0
    anything = np.asarray(~il.any(axis=1), dtype=bool)
    return place, speaks | anything[None, :]


def _choices(
    rng: np.random.Generator,
    people: list[Person],
    associations: list[Association],
    events: list[Event],
    taste: np.ndarray,
    slots: np.ndarray,
    a_topic: np.ndarray,
    a_appeal: np.ndarray,
    e_topic: np.ndarray,
    e_appeal: np.ndarray,
    e_host: np.ndarray,
) -> list[Edge]:
    """Mentorships by homophily, then memberships and RSVPs by the hidden choice model."""
    n = len(people)
    edges: list[Edge] = []
    is_mentor = rng.random(n) < 0.2
    mentors = np.flatnonzero(is_mentor)
    mentor_of = np.full(n, -1)
    for i in np.flatnonzero(~is_mentor):
        if rng.random() < 0.4 and len(mentors):
            pool = rng.choice(mentors, min(30, len(mentors)), replace=False)
            mentor_of[i] = pool[np.argmax(taste[pool] @ taste[i] + rng.normal(0, 0.1, len(pool)))]
            edges.append(Edge("mentor", people[i].key, people[int(mentor_of[i])].key))
    a_place, a_lang = _reachable(people, associations)
    e_place, e_lang = _reachable(people, events)
    minute = np.array([int((e.starts_at.timestamp() - 4 * 86400) // 60) % 10080 for e in events])
    grown = slots | np.roll(slots, 2, axis=1) | np.roll(slots, -2, axis=1)
    e_time = grown[:, minute // 30]
    e_full = np.array([e.full for e in events])
    joined: list[np.ndarray] = [np.zeros(0, np.int64)] * n
    going: list[np.ndarray] = [np.zeros(0, np.int64)] * n
    a_events = np.zeros((len(associations), len(events)), dtype=np.float32)
    for i in [*mentors, *np.flatnonzero(~is_mentor)]:  # mentors choose first: they lead
        u = TASTE * taste[i, a_topic] + APPEAL * np.log(a_appeal)
        if mentor_of[i] >= 0:
            u[joined[mentor_of[i]]] += MENTOR_PULL
        ok = a_place[i] & a_lang[i]
        joined[i] = _draw(rng, u, ok, 1 + int(rng.poisson(1.0)))
        u = TASTE * taste[i, e_topic] + APPEAL * np.log(e_appeal)
        u += HOST_PULL * np.isin(e_host, joined[i])
        u += PEER_PULL * np.log1p(a_events[joined[i]].sum(axis=0))
        if mentor_of[i] >= 0:
            u[going[mentor_of[i]]] += MENTOR_PULL
        ok = e_place[i] & e_lang[i] & e_time[i] & ~e_full
        going[i] = _draw(rng, u, ok, 1 + int(rng.poisson(2.5)))
        if len(joined[i]):
            a_events[np.ix_(joined[i], going[i])] += 1
        edges += [Edge("member", people[i].key, associations[j].key) for j in joined[i]]
        edges += [Edge("rsvp", people[i].key, events[j].key) for j in going[i]]
    return edges


def _draw(rng: np.random.Generator, utility: np.ndarray, ok: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct indices among ``ok``, each next with probability proportional to
    exp(utility) (Gumbel top-k)."""
    idx = np.flatnonzero(ok)
    if not len(idx):
        return idx
    keys = utility[idx] + rng.gumbel(size=len(idx))
    return np.sort(idx[np.argsort(-keys)[: min(k, len(idx))]])
