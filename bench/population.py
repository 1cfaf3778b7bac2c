"""Synthetic populations for the matching benchmark: realistic tags, goals and timezones."""

from __future__ import annotations

import random
from dataclasses import replace

from matching.availability import weekly_intervals
from matching.profiles import Profile
from service.demo.generator import generate_people

# Offsets (hours) of the demo generator's timezones in January, for UTC conversion.
OFFSETS = {
    "Europe/Lisbon": 0,
    "Europe/London": 0,
    "Europe/Dublin": 0,
    "Europe/Madrid": 1,
    "Europe/Berlin": 1,
    "Europe/Paris": 1,
    "Europe/Amsterdam": 1,
    "Europe/Warsaw": 1,
    "Africa/Lagos": 1,
    "Africa/Nairobi": 3,
    "Asia/Kolkata": 5.5,
    "America/New_York": -5,
    "America/Chicago": -6,
    "America/Toronto": -5,
    "America/Sao_Paulo": -3,
    "America/Los_Angeles": -8,
    "Australia/Sydney": 11,
    "Asia/Singapore": 8,
    "Asia/Manila": 8,
    "Asia/Dubai": 4,
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _profile(raw: dict[str, object]) -> Profile:
    offset = OFFSETS.get(str(raw["timezone"]), 0)
    starts, ends = [], []
    for w in raw["availability"]:  # type: ignore[attr-defined]
        day = DAYS.index(w["day"])
        h, mi = map(int, w["start"].split(":"))
        eh, emi = map(int, w["end"].split(":"))
        base = day * 1440 - round(offset * 60)
        starts.append(base + h * 60 + mi)
        ends.append(base + eh * 60 + emi)
    return Profile(
        skills=tuple(raw["skills"]),  # type: ignore[arg-type]
        goals=tuple(raw["goals"]),  # type: ignore[arg-type]
        certifications_held=tuple(raw["certifications_held"]),  # type: ignore[arg-type]
        certifications_target=tuple(raw["certifications_target"]),  # type: ignore[arg-type]
        tools=tuple(raw["tools"]),  # type: ignore[arg-type]
        industries=tuple(raw["industries"]),  # type: ignore[arg-type]
        languages=tuple(raw["languages"]),  # type: ignore[arg-type]
        years_experience=float(raw["years_experience"]),  # type: ignore[arg-type]
        role=str(raw["current_role"]),
        text=f"{raw['headline']}. {raw['bio']}",
        employer=str(raw["employer"]),
        country=str(raw["country"]),
        utc_offset_hours=float(offset),
        availability=tuple(weekly_intervals(starts, ends)),
    )


def population(
    n_mentees: int, n_mentors: int, seed: int = 0
) -> tuple[list[Profile], list[Profile], list[int]]:
    """Mentees, mentors and capacities drawn from the demo generator's distributions.

    The demo generator makes a few hundred people; larger populations reuse its templates
    with fresh draws (one generator call per 400 people, different seeds).
    """
    mentees: list[Profile] = []
    mentors: list[Profile] = []
    caps: list[int] = []
    batch = 0
    while len(mentees) < n_mentees or len(mentors) < n_mentors:
        people = generate_people(300, 100, random_state=seed * 100_003 + batch)
        batch += 1
        for raw in people:
            if "mentor" in raw["roles"]:  # type: ignore[operator]
                if len(mentors) < n_mentors:
                    mentors.append(_profile(raw))
                    caps.append(int(raw["mentor_capacity"]))  # type: ignore[call-overload]
            elif len(mentees) < n_mentees:
                mentees.append(_profile(raw))
    rng = random.Random(seed)
    rng.shuffle(mentees)
    # Fictional employers repeat across batches; keep conflicts at a realistic rate.
    mentees = [replace(p, employer=f"{p.employer}#{rng.randrange(20)}") for p in mentees]
    mentors = [replace(p, employer=f"{p.employer}#{rng.randrange(20)}") for p in mentors]
    return mentees, mentors, caps


def goal_needs_from_seed() -> dict[str, dict[str, float]]:
    """The goal -> needs map as seeded in sql/0002 (what the service loads from the database)."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "sql" / "0002_taxonomy_seed.sql").read_text()
    section = text[text.index("INSERT INTO goal_needs") :]
    section = section[: section.index(";")]
    out: dict[str, dict[str, float]] = {}
    for goal, need, weight in re.findall(
        r"\('([a-z0-9-]+)',\s*'([a-z0-9-]+)',\s*([0-9.]+)\)", section
    ):
        out.setdefault(goal, {})[need] = float(weight)
    return out
