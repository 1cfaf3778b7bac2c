"""Reasons in words: why a pair was made, and why a mentee is unmatched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from matching.availability import WEEK_MINUTES
from matching.profiles import COMPONENTS, Profile


@dataclass(frozen=True)
class PairReasons:
    """Why a pair was made, worded for each side ("you" is the reader)."""

    for_mentee: tuple[str, ...]
    for_mentor: tuple[str, ...]


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _label(labels: Mapping[str, str], slug: str) -> str:
    return labels.get(slug, slug.replace("-", " "))


def _listing(items: Sequence[str], limit: int = 3) -> str:
    items = list(items)[:limit]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _part_of_day(minute: int) -> str:
    hour = minute // 60
    if hour < 6:
        return "nights"
    if hour < 12:
        return "mornings"
    if hour < 14:
        return "lunchtimes"
    if hour < 18:
        return "afternoons"
    return "evenings"


def overlap_phrase(
    a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]], utc_offset_hours: float
) -> tuple[float, str]:
    """Weekly overlap in hours and when it falls in the first person's local time."""
    shift = round(utc_offset_hours * 60)
    total = 0
    when: dict[str, set[str]] = {}
    for s1, e1 in a:
        for s2, e2 in b:
            lo, hi = max(s1, s2), min(e1, e2)
            if hi > lo:
                total += hi - lo
                local = (lo + shift) % WEEK_MINUTES
                day = DAYS[local // 1440]
                when.setdefault(_part_of_day(local % 1440), set()).add(day)
    hours = total / 60
    if not when:
        return 0.0, "no common time"
    parts = [
        f"{_listing(sorted(days, key=DAYS.index), 7)} {part}" for part, days in sorted(when.items())
    ]
    return hours, "; ".join(parts) + " your time"


def _years(n: float) -> str:
    return f"{n:g} year" if n == 1 else f"{n:g} years"


def match_reasons(
    mentee: Profile,
    mentor: Profile,
    components: Mapping[str, float],
    weights: Mapping[str, float],
    labels: Mapping[str, str],
    goal_needs: Mapping[str, Mapping[str, float]],
    limit: int = 3,
    audience: Literal["mentee", "mentor"] = "mentee",
) -> list[str]:
    """The strongest reasons for a pairing, in words, strongest first.

    Parameters
    ----------
    mentee, mentor : Profile
    components : mapping of str to float
        Component values of this pair (from :func:`matching.scoring.pair_components`).
    weights : mapping of str to float
        Normalised weights, so reasons are ranked by what they added to the score.
    labels : mapping of str to str
        Human labels of taxonomy slugs.
    goal_needs : mapping
        What each goal needs (as given to the vectoriser).
    limit : int, default=3
        How many reasons to return.
    audience : {"mentee", "mentor"}, default="mentee"
        Who reads them: "you" is that person, and times are in their timezone. Organisers
        read the mentee's version.
    """
    offers = {*mentor.skills, *mentor.certifications_held, *mentor.tools}
    ranked = sorted(COMPONENTS, key=lambda c: -weights.get(c, 0.0) * components.get(c, 0.0))
    out: list[str] = []
    for comp in ranked:
        if components.get(comp, 0.0) <= 0.05 or weights.get(comp, 0.0) <= 0:
            continue
        text = _reason(comp, mentee, mentor, offers, labels, goal_needs, audience == "mentor")
        if text and text not in out:
            out.append(text)
        if len(out) == limit:
            break
    return out


def _reason(
    comp: str,
    mentee: Profile,
    mentor: Profile,
    offers: set[str],
    labels: Mapping[str, str],
    goal_needs: Mapping[str, Mapping[str, float]],
    to_mentor: bool,
) -> str:
    if comp == "need_offer":
        wanted: dict[str, float] = {}
        for goal in mentee.goals:
            for tag, w in goal_needs.get(goal, {}).items():
                wanted[tag] = max(wanted.get(tag, 0.0), w)
        for tag in mentee.certifications_target:
            wanted[tag] = max(wanted.get(tag, 0.0), 1.0)
        covered = sorted((t for t in wanted if t in offers), key=lambda t: -wanted[t])
        if not covered:
            return ""
        listed = _listing([_label(labels, t) for t in covered])
        if to_mentor:
            return f"you offer what their goals need: {listed}"
        return f"offers what your goals need: {listed}"
    if comp == "certification":
        held = [c for c in mentee.certifications_target if c in mentor.certifications_held]
        if not held:
            return ""
        listed = _listing([_label(labels, c) for c in held])
        if to_mentor:
            return f"you hold {listed}, which they are aiming for"
        return f"holds {listed}, which you are aiming for"
    if comp == "tools":
        shared = [t for t in mentee.tools if t in mentor.tools]
        if not shared:
            return ""
        listed = _listing([_label(labels, t) for t in shared])
        return f"you both work with {listed}" if to_mentor else f"works with {listed}"
    if comp == "industry_role":
        shared = [i for i in mentee.industries if i in mentor.industries]
        if shared:
            return f"both work in {_listing([_label(labels, i) for i in shared])}"
        other_role = mentee.role if to_mentor else mentor.role
        if other_role:
            return f"a related role: {other_role}"
        return ""
    if comp == "text":
        return "similar interests in what you both wrote about yourselves"
    if comp == "experience":
        if to_mentor:
            return (
                f"your {_years(mentor.years_experience)} of project management experience"
                f" to their {mentee.years_experience:g}"
            )
        return (
            f"{_years(mentor.years_experience)} of project management experience"
            f" to your {mentee.years_experience:g}"
        )
    if comp == "availability":
        mine, theirs = (mentor, mentee) if to_mentor else (mentee, mentor)
        hours, when = overlap_phrase(mine.availability, theirs.availability, mine.utc_offset_hours)
        return f"{hours:g} h/week overlap: {when}"
    return ""
