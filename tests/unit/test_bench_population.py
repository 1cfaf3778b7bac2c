"""The benchmark population is built as a real round builds its problem."""

from __future__ import annotations

import re

from bench.population import PERSON_COLUMNS, WEEK_OF, built_round, participants, seed_taxonomy
from service.programmes.schemas import ProgrammeSettings
from service.rounds import participants as repository
from service.rounds.participants import ParticipantRow
from service.rounds.problem import build_problem


def test_rows_have_the_columns_the_repository_selects():
    select = re.search(r"SELECT(.*?)\bFROM\b", repository._PERSON, re.S)
    assert select is not None
    columns = [part.strip().split(".")[-1].strip('"') for part in select.group(1).split(",")]
    data = participants(30, 10, seed=4)
    assert tuple(columns) == PERSON_COLUMNS
    assert all(type(row) is ParticipantRow for row in [*data.mentees, *data.mentors])


def test_sizes_capacities_and_self_pairs():
    data = participants(400, 60, seed=5)
    assert len(data.mentees) == 400 and len(data.mentors) == 60
    assert [r.places for r in data.mentors] == [r.mentor_capacity for r in data.mentors]
    # The repository orders each list by joining time.
    for rows in (data.mentees, data.mentors):
        assert [r.joined_at for r in rows] == sorted(r.joined_at for r in rows)
    # Mentors who also want a mentor are on both lists, and never their own mentor.
    both = {r.id for r in data.mentees} & {r.id for r in data.mentors}
    assert both
    built = build_problem(data, ProgrammeSettings(), seed_taxonomy().goal_needs, WEEK_OF)
    own = {(built.mentee_ids.index(p), built.mentor_ids.index(p)) for p in both}
    assert own <= set(built.problem.forbidden)
    assert list(built.problem.capacity) == [r.places for r in data.mentors]


def test_profiles_are_normalised_as_sign_ups_are():
    problem = built_round(200, 60, seed=6).problem
    people = [*problem.mentees, *problem.mentors]
    terms = seed_taxonomy().terms
    # Employers compared case-insensitively; taxonomy tags as slugs (free text as custom slugs).
    assert all(p.employer == " ".join(p.employer.casefold().split()) for p in people)
    tags = {t for p in people for t in (*p.skills, *p.tools, *p.goals)}
    assert all(t in terms or re.fullmatch(r"[a-z0-9+#]+(-[a-z0-9+#]+)*", t) for t in tags)
    assert all(p.availability for p in people)
    assert problem.goal_needs == seed_taxonomy().goal_needs
