"""Chart builders (pure): a round's match scores, mentor load and its two modes side by side,
and a programme's outcomes over time. Each returns a :class:`Chart`: a titled Vega-Lite
specification with labelled axes and Okabe–Ito colours, and the same numbers as table rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import altair as alt

from matching.metrics import MentorLoad, RoundMetrics, ScoreSummary
from service.rounds.charts.base import (
    MAIN,
    OKABE_ITO,
    WIDTH,
    Chart,
    count,
    count_axis,
    inline,
    percent,
    rows,
    score,
    signed,
)

#: Bins of the score histogram: 20 of 0.05 between 0 and 1.
BINS = 20
MODE_NAMES = {"optimal": "Optimal", "stable": "Stable"}


def score_histogram(counts: Sequence[int], summary: ScoreSummary | None = None) -> Chart:
    """Histogram of the proposed pairs' scores: ``counts[i]`` pairs scored in the i-th of
    ``len(counts)`` equal bins of [0, 1]; a dashed line at the median when ``summary`` has one."""
    n = len(counts)
    bins = [(i / n, (i + 1) / n, int(c)) for i, c in enumerate(counts)]
    median = summary.median if summary else None

    def draw() -> alt.TopLevelMixin:
        data = [{"from": lo, "to": hi, "pairs": c} for lo, hi, c in bins]
        pairs_axis, pairs_scale = count_axis(c for _, _, c in bins)
        bars = (
            alt.Chart(inline(data))
            .mark_bar(color=MAIN, stroke="white", strokeWidth=0.5)
            .encode(
                x=alt.X(
                    "from:Q",
                    bin="binned",
                    scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format=".1f", tickCount=10),
                    title="Match score (0 = no fit, 1 = the best fit possible)",
                ),
                x2="to:Q",
                y=alt.Y(
                    "pairs:Q",
                    title="Proposed pairs (count)",
                    axis=pairs_axis,
                    scale=pairs_scale,
                ),
            )
        )
        layers: list[alt.Chart] = [bars]
        if median is not None:
            mark = alt.Chart(inline([{"at": median, "what": f"median {score(median)}"}]))
            layers.append(mark.mark_rule(strokeDash=[5, 3], color="black").encode(x="at:Q"))
            layers.append(
                mark.mark_text(align="left", baseline="top", dx=4, dy=2).encode(
                    x="at:Q", y=alt.value(0), text="what:N"
                )
            )
        return alt.layer(*layers).properties(width=WIDTH, height=240)

    pairs = sum(c for _, _, c in bins)
    caption = (
        f"{count(pairs)} proposed {'pair' if pairs == 1 else 'pairs'}, in bins of {1 / n:.2f}."
    )
    if summary and median is not None:
        caption += (
            f" Mean {score(summary.mean)}, median {score(summary.median)}, 10th percentile"
            f" {score(summary.p10)}, lowest {score(summary.min)}."
        )
    return Chart(
        name="scores",
        title="Match scores of the proposed pairs",
        caption=caption,
        columns=("Score", "Pairs"),
        rows=rows(*((f"{lo:.2f}–{hi:.2f}", count(c)) for lo, hi, c in bins)),
        draw=draw,
    )


def mentor_load(load: MentorLoad) -> Chart:
    """How many mentors took 0, 1, 2… mentees, and the places used against those offered."""
    taken = {int(k): v for k, v in load.histogram.items()}
    # Every count up to the largest, so a missing bar reads as none rather than vanishing.
    hist = [(k, taken.get(k, 0)) for k in range(max(taken, default=0) + 1)] if taken else []
    mentors = sum(v for _, v in hist)
    offered, used = "Places offered", "Places used"

    def draw() -> alt.TopLevelMixin:
        mentors_axis, mentors_scale = count_axis(v for _, v in hist)
        places_axis, places_scale = count_axis([load.capacity_total])
        bars = (
            alt.Chart(inline([{"taken": k, "mentors": v} for k, v in hist]))
            .mark_bar(color=MAIN)
            .encode(
                x=alt.X("taken:O", title="Mentees taken per mentor", axis=alt.Axis(labelAngle=0)),
                y=alt.Y(
                    "mentors:Q",
                    title="Mentors (count)",
                    axis=mentors_axis,
                    scale=mentors_scale,
                ),
            )
            .properties(width=WIDTH, height=200)
        )
        places = (
            alt.Chart(
                inline(
                    [
                        {"what": offered, "places": load.capacity_total},
                        {"what": used, "places": load.capacity_used},
                    ]
                )
            )
            .mark_bar()
            .encode(
                y=alt.Y("what:N", title="Places", sort=[offered, used]),
                x=alt.X(
                    "places:Q",
                    title="Places (mentees the mentors can take)",
                    axis=places_axis,
                    scale=places_scale,
                ),
                color=alt.Color(
                    "what:N",
                    scale=alt.Scale(domain=[offered, used], range=[OKABE_ITO["sky_blue"], MAIN]),
                    legend=None,
                ),
            )
            .properties(width=WIDTH, height=60)
        )
        return alt.vconcat(bars, places, spacing=24)

    share = percent(load.capacity_used / load.capacity_total) if load.capacity_total else "none"
    return Chart(
        name="mentor-load",
        title="Mentor load against capacity",
        caption=(
            f"{count(load.capacity_used)} of {count(load.capacity_total)} places used ({share});"
            f" {count(load.mentors_at_capacity)} of {count(mentors)} mentors are full."
        ),
        columns=("Figure", "Count"),
        rows=rows(
            *(
                (f"Mentors taking {k} {'mentee' if k == 1 else 'mentees'}", count(v))
                for k, v in hist
            ),
            (offered, count(load.capacity_total)),
            (used, count(load.capacity_used)),
            ("Mentors who are full", count(load.mentors_at_capacity)),
        ),
        draw=draw,
    )


@dataclass(frozen=True)
class _Measure:
    """A figure of a round: its name, axis title and format, value, and how it and a change
    of it are written; ``top`` ends the axis of a share (1), and a count's (None) fits it."""

    name: str
    axis: str
    fmt: str
    value: Callable[[RoundMetrics], float | None]
    shown: Callable[[float | None], str]
    change: Callable[[float], str]
    top: float | None = None


def _whole(v: float | None) -> str:
    return count(round(v or 0))


_MATCHED = _Measure(
    "Mentees matched", "", "", lambda m: m.matched, _whole, lambda d: signed(d, digits=0)
)
_MEASURES = (
    _Measure(
        "Coverage",
        "Coverage (% of mentees matched)",
        ".0%",
        lambda m: m.coverage,
        lambda v: percent(v or 0),
        lambda d: signed(d * 100, "points", 1),
        top=1,
    ),
    _Measure(
        "Mean score",
        "Mean score of the pairs (0–1)",
        ".1f",
        lambda m: m.score.mean,
        score,
        signed,
        top=1,
    ),
    _Measure(
        "Blocking pairs",
        "Blocking pairs (count)",
        "d",
        lambda m: m.blocking_pairs,
        _whole,
        lambda d: signed(d, digits=0),
    ),
)
_TOTAL = _Measure("Total score", "", "", lambda m: m.total_score, lambda v: f"{v or 0:.2f}", signed)


def modes(metrics: RoundMetrics, alternative: RoundMetrics) -> Chart:
    """The round's figures beside the other mode's: the price of stability or of optimality."""
    this = f"{MODE_NAMES.get(metrics.mode, metrics.mode)} (this round)"
    other = MODE_NAMES.get(alternative.mode, alternative.mode)

    def draw() -> alt.TopLevelMixin:
        colour = alt.Scale(domain=[this, other], range=[MAIN, OKABE_ITO["orange"]])
        panels = []
        for measure in _MEASURES:
            values = [measure.value(m) for m in (metrics, alternative)]
            data = [
                {"mode": name, "value": v, "label": measure.shown(v)}
                for name, v in zip((this, other), values, strict=True)
            ]
            if measure.top is None:
                axis, scale = count_axis(v or 0 for v in values)
            else:
                axis, scale = alt.Axis(format=measure.fmt), alt.Scale(domain=[0, measure.top])
            bars = (
                alt.Chart(inline(data))
                .mark_bar()
                .encode(
                    # The axis names each bar: colour is never the only way to tell them apart.
                    x=alt.X(
                        "mode:N", title="Mode", sort=[this, other], axis=alt.Axis(labelAngle=0)
                    ),
                    y=alt.Y(
                        "value:Q",
                        title=measure.axis,
                        axis=axis,
                        scale=scale,
                    ),
                    color=alt.Color("mode:N", scale=colour, legend=None),
                )
            )
            labels = bars.mark_text(baseline="bottom", dy=-3).encode(
                text="label:N", color=alt.value("black")
            )
            panels.append(alt.layer(bars, labels).properties(width=150, height=220))
        return alt.hconcat(*panels, spacing=32)

    table = []
    for measure in (_MATCHED, *_MEASURES, _TOTAL):
        ours, theirs = measure.value(metrics), measure.value(alternative)
        diff = "–" if ours is None or theirs is None else measure.change(theirs - ours)
        table.append((measure.name, measure.shown(ours), measure.shown(theirs), diff))
    return Chart(
        name="modes",
        title=f"{this} against {other.lower()}",
        caption=(
            "Optimal matching takes the most mentees, then the highest total score; stable"
            " matching leaves no blocking pair (a mentee and a mentor who would both rather be"
            " together than with whom they were given). The round was run both ways."
        ),
        columns=("Figure", this, other, f"{other} minus this round"),
        rows=rows(*table),
        draw=draw,
    )


@dataclass(frozen=True)
class RoundOutcomes:
    """One published round's introductions, by where they stand."""

    #: Names the round on the axis and in the table, e.g. its publication day "3 Mar 2027".
    label: str
    accepted: int
    declined: int
    expired: int
    pending: int


#: Outcome, its words and colour, in stacking order (bottom first): the settled ones below.
OUTCOMES = (
    ("accepted", "Accepted", OKABE_ITO["blue"]),
    ("declined", "Declined", OKABE_ITO["vermillion"]),
    ("expired", "Closed unanswered", OKABE_ITO["orange"]),
    ("pending", "Waiting for an answer", OKABE_ITO["sky_blue"]),
)


def _unique(labels: Sequence[str]) -> list[str]:
    """Labels made distinct (a second '3 Mar 2027' becomes '3 Mar 2027 (2)'): the axis would
    merge equal ones."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def outcomes(rounds: Sequence[RoundOutcomes]) -> Chart:
    """A programme's introductions per published round (oldest first), stacked by outcome."""
    labels = _unique([r.label for r in rounds])

    def draw() -> alt.TopLevelMixin:
        data = [
            {"round": label, "outcome": words, "order": i, "n": getattr(r, key)}
            for label, r in zip(labels, rounds, strict=True)
            for i, (key, words, _) in enumerate(OUTCOMES)
        ]
        n_axis, n_scale = count_axis(d["n"] for d in data)
        chart: alt.Chart = (
            alt.Chart(inline(data))
            .mark_bar(stroke="white", strokeWidth=1)
            .encode(
                x=alt.X(
                    "round:N", title="Published round", sort=labels, axis=alt.Axis(labelAngle=0)
                ),
                y=alt.Y(
                    "n:Q",
                    title="Introductions (count)",
                    stack="zero",
                    axis=n_axis,
                    scale=n_scale,
                ),
                color=alt.Color(
                    "outcome:N",
                    title="Outcome",
                    sort=[w for _, w, _ in OUTCOMES],
                    scale=alt.Scale(
                        domain=[w for _, w, _ in OUTCOMES], range=[c for _, _, c in OUTCOMES]
                    ),
                ),
                order=alt.Order("order:Q"),
            )
            .properties(width=WIDTH, height=240)
        )
        return chart

    totals = {key: sum(getattr(r, key) for r in rounds) for key, _, _ in OUTCOMES}
    everyone = sum(totals.values())
    if everyone:
        shares = ", ".join(
            f"{percent(totals[key] / everyone)} {words.lower()}" for key, words, _ in OUTCOMES
        )
        caption = (
            f"{count(everyone)} introductions over {count(len(rounds))} published"
            f" {'round' if len(rounds) == 1 else 'rounds'}: {shares}."
        )
    else:
        caption = "No introduction has gone out yet: no round of this programme is published."
    return Chart(
        name="outcomes",
        title="Introductions of each published round, by outcome",
        caption=caption,
        columns=("Round", *(w for _, w, _ in OUTCOMES), "Total"),
        rows=rows(
            *(
                (
                    label,
                    *(count(getattr(r, key)) for key, _, _ in OUTCOMES),
                    count(sum(getattr(r, key) for key, _, _ in OUTCOMES)),
                )
                for label, r in zip(labels, rounds, strict=True)
            )
        ),
        draw=draw,
    )
