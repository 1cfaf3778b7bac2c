"""Reasons in words: why a pair was made, and why a mentee is unmatched."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from matching.availability import WEEK_MINUTES
from matching.profiles import COMPONENTS, Profile


@dataclass(frozen=True)
class PairReasons:
    """Why a pair was made, worded for each side ("you" is the reader)."""

    for_mentee: tuple[str, ...]
    for_mentor: tuple[str, ...]


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _label(labels: Mapping[str, str], slug: str) -> str:
    return labels.get(slug, slug.replace("-", " "))


def listing(items: Sequence[str], limit: int = 3) -> str:
    """Up to ``limit`` items in words: "a", "a and b", "a, b and c"."""
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
    """Weekly overlap in hours and when it falls in the first person's local time.

    E.g. ``(3.0, "Monday and Wednesday evenings")``; ``(0.0, "no common time")`` if none.
    """
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
        f"{listing(sorted(days, key=DAYS.index), 7)} {part}" for part, days in sorted(when.items())
    ]
    return hours, "; ".join(parts)


def _years(n: float) -> str:
    return f"{n:g} year" if n == 1 else f"{n:g} years"


def _experience(mentor_years: float, mentee_years: float, to_mentor: bool) -> str:
    """The mentor's experience beside the mentee's, never "to your 0"."""
    led = f"{_years(mentor_years)} leading projects"
    if to_mentor:
        theirs = (
            "they are starting out" if mentee_years <= 0 else f"they have {_years(mentee_years)}"
        )
        return f"you have {led}; {theirs}"
    yours = "you are starting out" if mentee_years <= 0 else f"you have {_years(mentee_years)}"
    return f"{led}; {yours}"


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
    to_mentor = audience == "mentor"
    ranked = sorted(COMPONENTS, key=lambda c: -weights.get(c, 0.0) * components.get(c, 0.0))

    def shown(comp: str) -> bool:
        return components.get(comp, 0.0) > 0.05 and weights.get(comp, 0.0) > 0

    # Each skill, tool or certification is named once across a pair's reasons, by the most
    # specific reason that states it ("holds PMP, which you are aiming for", not PMP again
    # among what the goals need).
    specific: set[str] = set()
    if shown("certification"):
        specific |= set(mentee.certifications_target) & set(mentor.certifications_held)
    if shown("tools"):
        specific |= set(mentee.tools) & set(mentor.tools)
    named: set[str] = set()
    out: list[str] = []
    for comp in ranked:
        if not shown(comp):
            continue
        skip = named | specific if comp == "need_offer" else named
        text, tags = _reason(comp, mentee, mentor, offers, labels, goal_needs, to_mentor, skip)
        named |= tags
        if text and text not in out:
            out.append(text)
        if len(out) == limit:
            break
    # When two people can meet is always among the reasons, however little it weighed.
    when, _ = _reason("availability", mentee, mentor, offers, labels, goal_needs, to_mentor, set())
    if when and when not in out and limit > 0:
        out = [*out[: limit - 1], when]
    return out


def _reason(
    comp: str,
    mentee: Profile,
    mentor: Profile,
    offers: set[str],
    labels: Mapping[str, str],
    goal_needs: Mapping[str, Mapping[str, float]],
    to_mentor: bool,
    skip: set[str],
) -> tuple[str, set[str]]:
    """One component's reason and the tags it names (leaving out those in ``skip``)."""
    named: set[str] = set()

    def tags_listing(tags: Sequence[str]) -> str:
        fresh = [t for t in tags if t not in skip][:3]
        named.update(fresh)
        return listing([_label(labels, t) for t in fresh])

    text = _reason_text(comp, mentee, mentor, offers, goal_needs, to_mentor, tags_listing)
    return text, named


def _reason_text(
    comp: str,
    mentee: Profile,
    mentor: Profile,
    offers: set[str],
    goal_needs: Mapping[str, Mapping[str, float]],
    to_mentor: bool,
    listing: Callable[[Sequence[str]], str],
) -> str:
    if comp == "need_offer":
        wanted: dict[str, float] = {}
        for goal in mentee.goals:
            for tag, w in goal_needs.get(goal, {}).items():
                wanted[tag] = max(wanted.get(tag, 0.0), w)
        for tag in mentee.certifications_target:
            wanted[tag] = max(wanted.get(tag, 0.0), 1.0)
        listed = listing(sorted((t for t in wanted if t in offers), key=lambda t: -wanted[t]))
        if not listed:
            return ""
        if to_mentor:
            return f"you offer what their goals need: {listed}"
        return f"offers what your goals need: {listed}"
    if comp == "certification":
        listed = listing(
            [c for c in mentee.certifications_target if c in mentor.certifications_held]
        )
        if not listed:
            return ""
        if to_mentor:
            return f"you hold {listed}, which they are aiming for"
        return f"holds {listed}, which you are aiming for"
    if comp == "tools":
        listed = listing([t for t in mentee.tools if t in mentor.tools])
        if not listed:
            return ""
        return f"you both work with {listed}" if to_mentor else f"works with {listed}"
    if comp == "industry_role":
        shared = [i for i in mentee.industries if i in mentor.industries]
        if shared:
            return f"both work in {listing(shared)}"
        other_role = mentee.role if to_mentor else mentor.role
        if other_role:
            return f"a related role: {other_role}"
        return ""
    if comp == "text":
        return "similar interests in what you both wrote about yourselves"
    if comp == "experience":
        return _experience(mentor.years_experience, mentee.years_experience, to_mentor)
    if comp == "availability":
        mine, theirs = (mentor, mentee) if to_mentor else (mentee, mentor)
        hours, when = overlap_phrase(mine.availability, theirs.availability, mine.utc_offset_hours)
        if hours <= 0:
            return ""
        return f"you can both meet {when}, your time ({hours:g} h a week)"
    return ""
