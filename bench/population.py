"""Synthetic rounds for the benchmarks and tests, built by the code path of a real round.

People come from the demo generator's distributions (:func:`generate_people`), become the
column values a sign-up stores (:func:`service.demo.seed.demo_person`: validated and
normalised as a sign-up is), are laid out as the rows that
:func:`service.rounds.service.participants` returns (:class:`Participants`), and are
turned into a :class:`RoundProblem` by :func:`service.rounds.problem.build_problem`, the
function every round calls, with a programme's default settings and the seeded taxonomy.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from matching.pipeline import RoundProblem
from matching.profiles import Profile
from service.demo.generator import generate_people
from service.demo.seed import demo_person
from service.programmes.schemas import ProgrammeSettings
from service.rounds.participants import ParticipantRow, Participants
from service.rounds.problem import BuiltProblem, build_problem
from service.taxonomy.normalise import Taxonomy
from service.taxonomy.seedfile import SEED_FILE, seed_terms

#: The week the benchmark rounds plan for: a January Monday (northern winter time).
WEEK_OF = date(2027, 1, 11)
#: What load_members reads of a person (a mentor's ``places`` is computed, not stored).
PERSON_COLUMNS = tuple(f.name for f in fields(ParticipantRow) if f.name != "places")
#: People per generate_people call (its own defaults: 300 mentees, 100 mentors).
BATCH = (300, 100)
#: The generator draws from 40 fictional employers; a large population would have many more,
#: so each person's employer gets one of this many branches (conflicts stay at a real rate).
BRANCHES = 20

_STR = r"'((?:[^']|'')*)'"


def _rows(table: str, pattern: str) -> list[tuple[str, ...]]:
    """The value tuples of the seed's ``INSERT INTO table`` (comment lines dropped)."""
    text = SEED_FILE.read_text(encoding="utf-8")
    body = text[text.index(f"INSERT INTO {table}") :]
    body = body[body.index("VALUES") : body.index(";\n")]
    body = "\n".join(line for line in body.splitlines() if not line.strip().startswith("--"))
    return [tuple(g.replace("''", "'") for g in m) for m in re.findall(pattern, body)]


@cache
def seed_taxonomy() -> Taxonomy:
    """The taxonomy as sql/0002 seeds it (what the service loads from the database)."""
    synonyms = _rows("taxonomy_synonyms", rf"\(\s*{_STR},\s*{_STR}\s*\)")
    needs = _rows("goal_needs", rf"\(\s*{_STR},\s*{_STR},\s*([0-9.]+)\s*\)")
    return Taxonomy.build(
        seed_terms(),
        ((a, b) for a, b in synonyms),
        ((g, n, float(w)) for g, n, w in needs),
    )


def goal_needs_from_seed() -> dict[str, dict[str, float]]:
    """The goal -> needs map as seeded in sql/0002 (what the service loads from the database)."""
    return {goal: dict(needs) for goal, needs in seed_taxonomy().goal_needs.items()}


def participants(n_mentees: int, n_mentors: int, seed: int = 0) -> Participants:
    """A programme's waiting mentees and mentors with places, as the repository loads them.

    Only people who consent to matching take part, as in the repository's query; someone who
    is both mentee and mentor is on both lists (the round forbids pairing them with
    themselves), until one list is full. Nobody has a mentorship, override or earlier pair
    yet, so every mentor's places are their capacity.
    """
    taxonomy = seed_taxonomy()
    rng = random.Random(seed)
    members: list[tuple[dict[str, Any], list[tuple[int, int, int]]]] = []
    mentees = mentors = batch = 0
    while mentees < n_mentees or mentors < n_mentors:
        people = generate_people(*BATCH, random_state=seed * 100_003 + batch)
        batch += 1
        for raw in people:
            if not raw["consent_to_match"]:
                continue
            roles = [
                role
                for role, wanted in (
                    ("mentee", mentees < n_mentees),
                    ("mentor", mentors < n_mentors),
                )
                if wanted and role in raw["roles"]  # type: ignore[operator]
            ]
            if not roles:
                continue
            mentees += "mentee" in roles
            mentors += "mentor" in roles
            changed = {
                "roles": roles,
                "employer": f"{raw['employer']} {rng.randrange(BRANCHES)}",
                "mentor_capacity": raw["mentor_capacity"] if "mentor" in roles else None,
            }
            values, rows = demo_person({**raw, **changed}, taxonomy)
            members.append((values, [(w.weekday, w.start_minute, w.end_minute) for w in rows]))
    # Sign-ups from every batch interleave: join the programme in a shuffled order.
    rng.shuffle(members)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    mentee_rows: list[ParticipantRow] = []
    mentor_rows: list[ParticipantRow] = []
    windows_by_id: dict[uuid.UUID, list[tuple[int, int, int]]] = {}
    for k, (values, windows) in enumerate(members):
        person_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        stored = {**values, "id": person_id, "joined_at": start + timedelta(minutes=k)}
        row = {column: stored[column] for column in PERSON_COLUMNS}
        if values["is_mentee"]:
            mentee_rows.append(ParticipantRow(**row))
        if values["is_mentor"]:
            mentor_rows.append(ParticipantRow(**row, places=row["mentor_capacity"]))
        windows_by_id[person_id] = windows
    return Participants(mentee_rows, mentor_rows, windows_by_id, [], [])


def built_round(
    n_mentees: int, n_mentors: int, seed: int = 0, settings: ProgrammeSettings | None = None
) -> BuiltProblem:
    """:func:`participants` through :func:`build_problem`, as a round on ``WEEK_OF`` builds them.

    ``settings`` default to a new programme's (:class:`ProgrammeSettings`).
    """
    chosen = ProgrammeSettings() if settings is None else settings
    return build_problem(
        participants(n_mentees, n_mentors, seed), chosen, seed_taxonomy().goal_needs, WEEK_OF
    )


def round_problem(n_mentees: int, n_mentors: int, seed: int = 0) -> RoundProblem:
    """The :class:`RoundProblem` of :func:`built_round`."""
    return built_round(n_mentees, n_mentors, seed).problem


def population(
    n_mentees: int, n_mentors: int, seed: int = 0
) -> tuple[list[Profile], list[Profile], list[int]]:
    """Mentees, mentors and capacities of :func:`round_problem` (without its forbidden pairs)."""
    problem = round_problem(n_mentees, n_mentors, seed)
    return list(problem.mentees), list(problem.mentors), list(problem.capacity)
