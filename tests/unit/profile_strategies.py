"""Hypothesis strategies for small random populations over a fixed tag vocabulary."""

from __future__ import annotations

from hypothesis import strategies as st

from matching.availability import weekly_intervals
from matching.profiles import COMPONENTS, Profile, Weights

SKILLS = ("risk", "scrum", "stakeholders", "budgeting")
TOOLS = ("jira", "ms-project", "trello")
CERTS = ("pmp", "psm", "prince2")
INDUSTRIES = ("fintech", "health", "retail")
GOAL_NEEDS = {
    "get-certified": {"pmp": 1.0, "risk": 0.5},
    "go-agile": {"scrum": 1.0, "jira": 0.5, "psm": 0.8},
    "lead-teams": {"stakeholders": 0.8, "budgeting": 0.6},
}
TEXTS = (
    "",
    "I love agile delivery and scrum teams",
    "Risk management for banking projects",
    "Budgeting and stakeholder management in retail projects",
    "agile scrum coaching for banking teams",
)
ROLES = ("", "project manager", "scrum master", "business analyst")


def subset(items, max_size=2):
    return st.lists(st.sampled_from(items), max_size=max_size, unique=True).map(tuple)


@st.composite
def availability(draw):
    """0-3 UTC intervals on 30-minute boundaries (some wrap around the end of the week)."""
    starts, ends = [], []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(-6, 30)) * 30
        starts.append(start)
        ends.append(start + draw(st.integers(1, 8)) * 30)
    return tuple(weekly_intervals(starts, ends))


@st.composite
def profiles(draw):
    return Profile(
        skills=draw(subset(SKILLS)),
        goals=draw(subset(tuple(GOAL_NEEDS))),
        certifications_held=draw(subset(CERTS)),
        certifications_target=draw(subset(CERTS)),
        tools=draw(subset(TOOLS)),
        industries=draw(subset(INDUSTRIES)),
        languages=draw(subset(("en", "pt", "fr"))),
        years_experience=float(draw(st.integers(0, 30))),
        role=draw(st.sampled_from(ROLES)),
        text=draw(st.sampled_from(TEXTS)),
        employer=draw(st.sampled_from(("", "A", "B"))),
        country=draw(st.sampled_from(("PT", "BR", "US", ""))),
        utc_offset_hours=draw(st.sampled_from((-5.0, 0.0, 1.0, 5.5))),
        availability=draw(availability()),
    )


#: Random integer weights 0-3 per component, not all zero.
weights = (
    st.lists(st.integers(0, 3), min_size=len(COMPONENTS), max_size=len(COMPONENTS))
    .filter(lambda w: sum(w) > 0)
    .map(lambda w: Weights(**{c: float(x) for c, x in zip(COMPONENTS, w, strict=True)}))
)
