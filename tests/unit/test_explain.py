"""`matching.explain` reasons and `matching.metrics.round_metrics` on hand-made examples."""

from __future__ import annotations

import numpy as np
import pytest

from matching.availability import weekly_intervals
from matching.explain import match_reasons, overlap_phrase
from matching.features import ProfileVectorizer
from matching.metrics import round_metrics, score_summary
from matching.profiles import COMPONENTS, Profile, Weights
from matching.scoring import pair_components
from matching.stable import blocking_pairs

GOAL_NEEDS = {"get-certified": {"pmp": 1.0, "risk-management": 0.6}}
LABELS = {"pmp": "PMP", "risk-management": "Risk management", "jira": "Jira"}
MON, TUE, WED = 0, 1440, 2 * 1440


def utc(day_minute: int, start_h: float, end_h: float) -> tuple[tuple[int, int], ...]:
    return tuple(
        weekly_intervals([day_minute + round(start_h * 60)], [day_minute + round(end_h * 60)])
    )


MENTEE = Profile(
    goals=("get-certified",),
    certifications_target=("pmp",),
    tools=("jira",),
    industries=("fintech",),
    languages=("en",),
    years_experience=1,
    role="business analyst",
    utc_offset_hours=1.0,
    availability=utc(TUE, 17, 19),  # Tue 18:00-20:00 in the mentee's UTC+1
)
MENTOR = Profile(
    skills=("risk-management",),
    certifications_held=("pmp",),
    tools=("jira",),
    industries=("fintech", "retail"),
    languages=("en",),
    years_experience=9,
    role="senior project manager",
    availability=utc(TUE, 16, 21),
)
#: What each reason's wording says it is about.
PREFIXES = {
    "goals need": "need_offer",
    "hold ": "certification",
    "holds ": "certification",
    "works with ": "tools",
    "work with ": "tools",
    "both work in ": "industry_role",
    "a related role": "industry_role",
    "similar interests": "text",
    "years leading projects": "experience",
    "can both meet": "availability",
}


def component_of(reason: str) -> str:
    found = {c for p, c in PREFIXES.items() if p in reason}
    assert len(found) == 1, reason
    return found.pop()


def components(mentee: Profile, mentor: Profile) -> dict[str, float]:
    vec = ProfileVectorizer(GOAL_NEEDS).fit([mentee], [mentor])
    fe, fo = vec.transform([mentee], "mentee"), vec.transform([mentor], "mentor")
    comps = pair_components(fe, fo, np.array([0]), np.array([0]))
    return {k: float(v[0]) for k, v in comps.items()}


def test_reasons_in_words():
    comps = components(MENTEE, MENTOR)
    weights = Weights().normalised()
    reasons = match_reasons(MENTEE, MENTOR, comps, weights, LABELS, GOAL_NEEDS, limit=7)
    assert reasons == [
        # PMP is told once, by the reason that says most about it.
        "offers what your goals need: Risk management",
        "holds PMP, which you are aiming for",
        "works with Jira",
        "9 years leading projects; you have 1 year",
        "you can both meet Tuesday evenings, your time (2 h a week)",
        "both work in fintech",
    ]
    # Strongest first, by what each component added to the score.
    added = [weights[component_of(r)] * comps[component_of(r)] for r in reasons]
    assert added == sorted(added, reverse=True)


def test_the_mentor_reads_the_same_reasons_addressed_to_them():
    comps = components(MENTEE, MENTOR)
    weights = Weights().normalised()
    args = (MENTEE, MENTOR, comps, weights, LABELS, GOAL_NEEDS)
    for_mentee = match_reasons(*args, limit=7)
    for_mentor = match_reasons(*args, limit=7, audience="mentor")
    assert set(for_mentor) == {
        "you offer what their goals need: Risk management",
        "you hold PMP, which they are aiming for",
        "you have 9 years leading projects; they have 1 year",
        "you can both meet Tuesday afternoons, your time (2 h a week)",
        "both work in fintech",
        "you both work with Jira",
    }
    # Same reasons, same order: only the wording and the reader's timezone change.
    assert [component_of(r) for r in for_mentor] == [component_of(r) for r in for_mentee]
    # Tue 18:00-20:00 in the mentee's UTC+1 starts at 17:00 for the mentor (UTC).
    assert "you can both meet Tuesday evenings, your time (2 h a week)" in for_mentee
    assert not any("your goals" in r or "you are aiming" in r for r in for_mentor)


def test_overlap_is_told_in_each_readers_own_time():
    mentee = Profile(utc_offset_hours=9.0, availability=utc(MON, 11, 13))  # 20:00-22:00 local
    mentor = Profile(utc_offset_hours=-5.0, availability=utc(MON, 0, 24))  # 06:00-08:00 local
    comps = dict.fromkeys(COMPONENTS, 0.0)
    comps["availability"] = 1.0
    weights = Weights().normalised()
    assert match_reasons(mentee, mentor, comps, weights, {}, {}) == [
        "you can both meet Monday evenings, your time (2 h a week)"
    ]
    assert match_reasons(mentee, mentor, comps, weights, {}, {}, audience="mentor") == [
        "you can both meet Monday mornings, your time (2 h a week)"
    ]


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_at_most_limit_reasons_and_the_strongest(limit):
    comps = components(MENTEE, MENTOR)
    weights = Weights().normalised()
    every = match_reasons(MENTEE, MENTOR, comps, weights, LABELS, GOAL_NEEDS, limit=7)
    some = match_reasons(MENTEE, MENTOR, comps, weights, LABELS, GOAL_NEEDS, limit=limit)
    assert len(some) == limit
    # The strongest, and when they can meet always among them.
    when = "you can both meet Tuesday evenings, your time (2 h a week)"
    assert some == [*every[: limit - 1], when]
    assert len(match_reasons(MENTEE, MENTOR, comps, weights, LABELS, GOAL_NEEDS)) <= 3


def test_ranked_by_weighted_component_not_raw_value():
    comps = dict.fromkeys(COMPONENTS, 0.0)
    comps.update(certification=0.3, industry_role=1.0, availability=0.6)
    even = dict.fromkeys(COMPONENTS, 1 / len(COMPONENTS))
    reasons = match_reasons(MENTEE, MENTOR, comps, even, LABELS, GOAL_NEEDS, limit=5)
    assert [component_of(r) for r in reasons] == ["industry_role", "availability", "certification"]
    skewed = {**even, "certification": 0.7, "industry_role": 0.1, "availability": 0.1}
    reasons = match_reasons(MENTEE, MENTOR, comps, skewed, LABELS, GOAL_NEEDS, limit=5)
    assert [component_of(r) for r in reasons] == ["certification", "industry_role", "availability"]
    # A component with zero weight or a negligible value gives no reason.
    muted = {**even, "industry_role": 0.0}
    reasons = match_reasons(MENTEE, MENTOR, comps, muted, LABELS, GOAL_NEEDS, limit=5)
    assert "industry_role" not in [component_of(r) for r in reasons]


def test_unlabelled_slugs_and_related_role():
    mentee = Profile(certifications_target=("prince2-practitioner",), industries=("health",))
    mentor = Profile(certifications_held=("prince2-practitioner",), role="delivery lead")
    comps = dict.fromkeys(COMPONENTS, 0.0)
    comps.update(certification=1.0, industry_role=0.5)
    reasons = match_reasons(mentee, mentor, comps, Weights().normalised(), {}, {})
    assert reasons == [
        "holds prince2 practitioner, which you are aiming for",
        "a related role: delivery lead",
    ]


def test_a_newcomer_is_starting_out_and_no_fact_is_told_twice():
    newcomer = Profile(
        goals=("get-certified",),
        certifications_target=("pmp",),
        tools=("jira",),
        years_experience=0,
        availability=utc(TUE, 17, 19),
    )
    comps = components(newcomer, MENTOR)
    weights = Weights().normalised()
    args = (newcomer, MENTOR, comps, weights, LABELS, GOAL_NEEDS)
    for_mentee = match_reasons(*args, limit=7)
    for_mentor = match_reasons(*args, limit=7, audience="mentor")
    assert "9 years leading projects; you are starting out" in for_mentee
    assert "you have 9 years leading projects; they are starting out" in for_mentor
    for reasons in (for_mentee, for_mentor):
        assert not any(" 0" in r for r in reasons)
        for label in ("PMP", "Jira", "Risk management"):
            assert sum(label in r for r in reasons) <= 1, (label, reasons)


def test_overlap_phrase_local_days_and_parts():
    hours, when = overlap_phrase(utc(TUE, 17, 19), utc(MON, 0, 7 * 24), 1.0)
    assert (hours, when) == (2.0, "Tuesday evenings")
    # Monday 02:00 UTC is Sunday 21:00 in UTC-5: the phrase wraps back across the week.
    hours, when = overlap_phrase(utc(MON, 2, 3), utc(MON, 0, 24), -5.0)
    assert (hours, when) == (1.0, "Sunday evenings")
    a = (*utc(MON, 8, 9), *utc(WED, 8, 9), *utc(WED, 13, 14))
    hours, when = overlap_phrase(a, utc(MON, 0, 7 * 24), 0.0)
    assert hours == 3.0
    assert when == "Wednesday lunchtimes; Monday and Wednesday mornings"
    assert overlap_phrase(utc(MON, 8, 9), utc(TUE, 8, 9), 0.0) == (0.0, "no common time")
    assert overlap_phrase((), utc(TUE, 8, 9), 0.0) == (0.0, "no common time")


def test_round_metrics_on_a_hand_made_round():
    assignment = [0, 0, 1, -1, -1]
    scores = [0.8, 0.4, 0.6, 0.0, 0.0]
    capacity = [2, 2, 1]
    mentee_prefs = [[0], [0, 1], [0, 1], [2], [1]]
    mentor_prefs = [[0, 1, 2], [1, 2], [3]]
    groups = {
        "country": ["PT", "PT", "BR", "BR", "US"],
        "experience_band": ["0-1 years"] * 5,
    }
    blocking = len(blocking_pairs(assignment, mentee_prefs, mentor_prefs, capacity))
    metrics = round_metrics(assignment, scores, capacity, blocking, groups).as_dict()
    assert metrics["mentees"] == 5
    assert metrics["matched"] == 3
    assert metrics["coverage"] == 0.6
    assert metrics["score"] == {"mean": 0.6, "median": 0.6, "p10": 0.44, "min": 0.4}
    assert metrics["mentor_load"] == {
        "histogram": {"0": 1, "1": 1, "2": 1},  # mentors with 0, 1 and 2 mentees
        "capacity_used": 3,
        "capacity_total": 5,
        "mentors_at_capacity": 1,
    }
    # Mentee 3 and mentor 2 (a free seat) want each other. Mentee 2 would rather have mentor
    # 0, but mentor 0 is full with mentees it ranks higher; mentor 1 does not list mentee 4.
    assert metrics["blocking_pairs"] == 1
    assert metrics["fairness"]["country"] == [
        {"group": "BR", "mentees": 2, "coverage": 0.5, "mean_score": 0.6},
        {"group": "PT", "mentees": 2, "coverage": 1.0, "mean_score": 0.6},
        {"group": "US", "mentees": 1, "coverage": 0.0, "mean_score": None},
    ]
    assert metrics["fairness"]["experience_band"] == [
        {"group": "0-1 years", "mentees": 5, "coverage": 0.6, "mean_score": 0.6},
    ]


def test_round_metrics_when_nothing_is_matched():
    typed = round_metrics([-1, -1], [0.0, 0.0], [0], 0, {"country": ["PT", "PT"]})
    assert typed.score == score_summary([]) and typed.score.mean is None
    metrics = typed.as_dict()
    assert metrics["coverage"] == 0.0
    assert metrics["mentor_load"]["histogram"] == {"0": 1}
    assert metrics["mentor_load"]["mentors_at_capacity"] == 0  # a closed mentor is not "full"
    assert metrics["fairness"]["country"] == [
        {"group": "PT", "mentees": 2, "coverage": 0.0, "mean_score": None}
    ]
    empty = round_metrics([], [], [], 0).as_dict()
    assert empty["coverage"] == 0.0
    assert empty["mentor_load"]["histogram"] == {}
