"""What the demo people say for the certification rules, and whether they want the digest."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
#: The profile fields the certification rules read.
PATH_FIELDS = ("education", "months_leading_projects", "pm_education_hours")


def weighted(rng: random.Random, pairs: Sequence[tuple[T, int | float]]) -> T:
    """One value of ``pairs`` (value, weight), drawn by weight."""
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def certification_path(index: int, years: int, held: list[str], mentor: bool) -> dict[str, object]:
    """Education, months leading projects, hours of PM education and the digest setting.

    Drawn from a generator of their own (seeded by the person's index), so adding them left
    every other demo value as it was. Some mentees leave them unsaid, as people do, so the
    Next steps page's prompt to fill them in shows too.
    """
    rng = random.Random(index * 7919 + 2027)
    digest = rng.random() < 0.3
    if not mentor and rng.random() < 0.15:
        unsaid: dict[str, object] = dict.fromkeys(PATH_FIELDS)
        return {**unsaid, "digest": digest}
    levels = [("secondary", 10), ("bachelor", 55), ("master", 30), ("doctorate", 5)]
    if not mentor:
        levels = [("secondary", 25), ("bachelor", 55), ("master", 18), ("doctorate", 2)]
    share = rng.uniform(0.6, 1.0) if mentor else rng.uniform(0.3, 1.0)
    months = min(600, round(years * 12 * share) + rng.randint(0, 11))
    if mentor:
        hours = rng.randint(35, 200)
    else:
        hours = weighted(
            rng, [(rng.randint(0, 10), 30), (rng.randint(10, 34), 40), (rng.randint(35, 60), 30)]
        )
    if {"capm", "pmp"} & set(held):
        hours = max(hours, 35 if "pmp" in held else 23)
    return {
        "education": weighted(rng, levels),
        "months_leading_projects": months,
        "pm_education_hours": hours,
        "digest": digest,
    }
