"""Fairness (pure): each group's coverage and mean score against the whole round's, the groups
far below it marked for the page to highlight, and a chart per grouping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt

from matching.metrics import GroupFigures, RoundMetrics
from service.rounds.charts.base import (
    MAIN,
    MARKED,
    WIDTH,
    Chart,
    Row,
    count,
    inline,
    percent,
    score,
    signed,
)
from service.taxonomy.codes import COUNTRIES

#: A group at least this far below the round is marked: coverage 0.10 is 10 percentage
#: points, a mean score 0.10 on its 0–1 scale.
GAP = 0.10
#: Smaller groups are shown but never marked: one or two mentees left out tell little.
MIN_MENTEES = 5
#: The groupings of RoundMetrics.fairness, as the page names them.
DIMENSIONS = {
    "country": "Country",
    "timezone_band": "Timezone band",
    "experience_band": "Experience in projects",
}
FAR_BELOW, NEAR = "Far below the round (marked)", "Near the round, or above"


@dataclass(frozen=True)
class GroupGap:
    """A group of mentees against the whole round: its figures, the differences (group minus
    round) and whether each is far enough below to mark."""

    #: As stored ("PT") and as shown ("Portugal").
    group: str
    label: str
    mentees: int
    coverage: float
    mean_score: float | None
    coverage_gap: float
    score_gap: float | None
    coverage_marked: bool
    score_marked: bool

    @property
    def marked(self) -> bool:
        """Either figure is far below the round's."""
        return self.coverage_marked or self.score_marked


def group_label(dimension: str, group: str) -> str:
    """How a group is shown: countries by name, a missing value as 'Not given'."""
    if group == "unknown":
        return "Not given"
    return COUNTRIES.get(group, group) if dimension == "country" else group


def _gap(
    dimension: str, group: GroupFigures, metrics: RoundMetrics, gap: float, min_mentees: int
) -> GroupGap:
    coverage_gap = round(group.coverage - metrics.coverage, 4)
    overall = metrics.score.mean
    score_gap = (
        None
        if group.mean_score is None or overall is None
        else round(group.mean_score - overall, 4)
    )
    big = group.mentees >= min_mentees
    return GroupGap(
        group=group.group,
        label=group_label(dimension, group.group),
        mentees=group.mentees,
        coverage=group.coverage,
        mean_score=group.mean_score,
        coverage_gap=coverage_gap,
        score_gap=score_gap,
        # A hair of tolerance: 0.7 - 0.8 is -0.09999… in floating point.
        coverage_marked=big and coverage_gap <= -gap + 1e-9,
        score_marked=big and score_gap is not None and score_gap <= -gap + 1e-9,
    )


def fairness_gaps(
    metrics: RoundMetrics, *, gap: float = GAP, min_mentees: int = MIN_MENTEES
) -> dict[str, list[GroupGap]]:
    """Per grouping (country, timezone band, experience band, then any other by name), its
    groups ordered as shown, each marked where its coverage or mean score is ``gap`` or more
    below the round's own (groups of fewer than ``min_mentees`` mentees are never marked)."""
    out: dict[str, list[GroupGap]] = {}
    # Stored as jsonb, the groupings come back in an order of its own: use the page's.
    rank = {d: i for i, d in enumerate(DIMENSIONS)}
    for dimension in sorted(metrics.fairness, key=lambda d: (rank.get(d, len(rank)), d)):
        groups = metrics.fairness[dimension]
        gaps = [_gap(dimension, g, metrics, gap, min_mentees) for g in groups]
        out[dimension] = sorted(gaps, key=lambda g: (g.label.casefold(), g.group))
    return out


def _row(g: GroupGap, min_mentees: int) -> Row:
    notes = []
    if g.coverage_marked:
        notes.append(f"coverage {-g.coverage_gap * 100:.1f} points below the round")
    if g.score_marked and g.score_gap is not None:
        notes.append(f"mean score {-g.score_gap:.2f} below the round")
    if g.mentees < min_mentees:
        notes.append(f"fewer than {min_mentees} mentees: too few to compare")
    return Row(
        (
            g.label,
            count(g.mentees),
            percent(g.coverage),
            signed(g.coverage_gap * 100, "points", 1),
            score(g.mean_score),
            "–" if g.score_gap is None else signed(g.score_gap),
        ),
        flagged=g.marked,
        note="; ".join(notes),
    )


def fairness_chart(
    dimension: str,
    gaps: Sequence[GroupGap],
    metrics: RoundMetrics,
    *,
    gap: float = GAP,
    min_mentees: int = MIN_MENTEES,
) -> Chart:
    """Coverage and mean score of each group of one grouping beside the round's own (a dashed
    line), the groups far below it in another colour; ``gaps`` from :func:`fairness_gaps`
    called with the same ``gap`` and ``min_mentees`` (the caption states them)."""
    name = DIMENSIONS.get(dimension, dimension.replace("_", " ").capitalize())

    def draw() -> alt.TopLevelMixin:
        order = [g.label for g in gaps]
        data = [
            {
                "group": g.label,
                "coverage": g.coverage,
                "score": g.mean_score,
                "coverage_mark": FAR_BELOW if g.coverage_marked else NEAR,
                "score_mark": FAR_BELOW if g.score_marked else NEAR,
            }
            for g in gaps
        ]
        y = alt.Y("group:N", title=name, sort=order)
        colour = alt.Scale(domain=[FAR_BELOW, NEAR], range=[MARKED, MAIN])
        panels = []
        for field, overall, axis, fmt in (
            ("coverage", metrics.coverage, "Coverage (% of the group matched)", ".0%"),
            ("score", metrics.score.mean, "Mean score of its pairs (0–1)", ".1f"),
        ):
            bars = (
                alt.Chart(inline(data))
                .mark_bar()
                .encode(
                    y=y,
                    x=alt.X(
                        f"{field}:Q",
                        title=axis,
                        scale=alt.Scale(domain=[0, 1]),
                        axis=alt.Axis(format=fmt),
                    ),
                    color=alt.Color(
                        f"{field}_mark:N", scale=colour, title="Against the whole round"
                    ),
                )
            )
            layers = [bars]
            if overall is not None:
                rule = alt.Chart(inline([{"at": overall}])).mark_rule(
                    strokeDash=[5, 3], color="black"
                )
                layers.append(rule.encode(x="at:Q"))
            panels.append(alt.layer(*layers).properties(width=WIDTH // 2 - 20, height=alt.Step(18)))
        return alt.hconcat(*panels, spacing=16)

    marked = [g.label for g in gaps if g.marked]
    caption = (
        f"The dashed lines are the whole round's figures: coverage {percent(metrics.coverage)},"
        f" mean score {score(metrics.score.mean)}. Marked: coverage {round(gap * 100):g} points"
        f" or more below the round's, or a mean score {gap:.2f} or more below (groups of"
        f" {min_mentees} mentees or more). "
        + (f"Marked here: {', '.join(marked)}." if marked else "No group is marked here.")
    )
    return Chart(
        name=f"fairness-{dimension.replace('_', '-')}",
        title=f"Coverage and mean score by {name.lower()}",
        caption=caption,
        columns=(
            name,
            "Mentees",
            "Coverage",
            "Coverage against the round",
            "Mean score",
            "Score against the round",
        ),
        rows=tuple(_row(g, min_mentees) for g in gaps),
        draw=draw,
    )
