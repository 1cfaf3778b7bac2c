"""Compare two finished rounds of a programme: every figure with its delta, and each mentee's
pair before and after (kept, changed, dropped, gained). Reads only.

The pair diff is one FULL OUTER JOIN on the mentee in SQL (review_repository), so two rounds of
10,000 mentees compare without loading either into Python.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from service.errors import Conflict, NotFound, ValidationFailed
from service.kit.db import Conn
from service.programmes import roles
from service.rounds import repository as repo
from service.rounds import review_repository as review
from service.rounds.review_schemas import (
    ComparedRound,
    GroupDelta,
    MetricDelta,
    PairChange,
    PairCounts,
    PairPage,
    RoundComparison,
    SettingDelta,
)

#: Statuses of a finished round: the only ones with pairs and figures to compare.
DONE = ("draft", "published")
#: The figures compared, by their path in a round's metrics, with what they are.
METRICS: tuple[tuple[str, str], ...] = (
    ("mentees", "Mentees in the round"),
    ("matched", "Mentees matched"),
    ("unmatched", "Mentees left without a mentor"),
    ("coverage", "Coverage (share of mentees matched)"),
    ("total_score", "Total score"),
    ("score.mean", "Mean score"),
    ("score.median", "Median score"),
    ("score.p10", "Score of the lowest tenth (10th percentile)"),
    ("score.min", "Lowest score"),
    ("blocking_pairs", "Blocking pairs (pairs who would both rather be together)"),
    ("mentors", "Mentors with places who took part"),
    ("mentor_load.capacity_used", "Mentor places used"),
    ("mentor_load.capacity_total", "Mentor places offered"),
    ("mentor_load.share_used", "Share of mentor places used"),
    ("mentor_load.mentors_at_capacity", "Mentors with every place used"),
)
#: The field the other round's id comes in.
WITH = "with"


def _figure(metrics: dict[str, Any] | None, path: str) -> float | None:
    """A figure of a round's metrics by its dotted path (None when absent)."""
    if metrics is None:
        return None
    if path == "mentor_load.share_used":
        used = _figure(metrics, "mentor_load.capacity_used")
        offered = _figure(metrics, "mentor_load.capacity_total")
        return round(used / offered, 4) if used is not None and offered else None
    value: Any = metrics
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 6)


def metric_deltas(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[MetricDelta]:
    """Every compared figure of two rounds' metrics, with its delta."""
    out = []
    for path, label in METRICS:
        b, a = _figure(before, path), _figure(after, path)
        out.append(MetricDelta(name=path, label=label, before=b, after=a, delta=_delta(b, a)))
    return out


def fairness_deltas(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, list[GroupDelta]]:
    """The fairness tables of two rounds side by side: every group of either, per grouping."""

    def table(metrics: dict[str, Any] | None) -> dict[str, dict[str, dict[str, Any]]]:
        found = (metrics or {}).get("fairness") or {}
        return {name: {row["group"]: row for row in rows} for name, rows in found.items()}

    b_table, a_table = table(before), table(after)
    out: dict[str, list[GroupDelta]] = {}
    for name in sorted(b_table.keys() | a_table.keys()):
        b_rows, a_rows = b_table.get(name, {}), a_table.get(name, {})
        rows = []
        for group in sorted(b_rows.keys() | a_rows.keys()):
            b, a = b_rows.get(group, {}), a_rows.get(group, {})
            rows.append(
                GroupDelta(
                    group=group,
                    mentees_before=b.get("mentees", 0),
                    mentees_after=a.get("mentees", 0),
                    coverage_before=b.get("coverage"),
                    coverage_after=a.get("coverage"),
                    coverage_delta=_delta(b.get("coverage"), a.get("coverage")),
                    mean_score_before=b.get("mean_score"),
                    mean_score_after=a.get("mean_score"),
                    mean_score_delta=_delta(b.get("mean_score"), a.get("mean_score")),
                )
            )
        out[name] = rows
    return out


def _flat(settings: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            out |= _flat(value, f"{prefix}{key}.")
        else:
            out[prefix + key] = value
    return out


def setting_deltas(before: dict[str, Any], after: dict[str, Any]) -> list[SettingDelta]:
    """The round settings that differ (weights one by one)."""
    b, a = _flat(before), _flat(after)
    return [
        SettingDelta(name=name, before=b.get(name), after=a.get(name))
        for name in sorted(b.keys() | a.keys())
        if b.get(name) != a.get(name)
    ]


def _compared(row: repo.RoundRow) -> ComparedRound:
    return ComparedRound.model_validate(
        {**row.__dict__, "mode": (row.metrics or {}).get("mode") or row.settings.get("mode")}
    )


async def rounds_to_compare(
    conn: Conn, round_id: UUID, other_id: UUID, caller: UUID
) -> tuple[repo.RoundRow, repo.RoundRow]:
    """Both rounds, checked: 404 for an unknown one (or one of a programme the caller does not
    organise), 422 for rounds of two programmes, 409 for a round not finished."""
    before = await repo.get_round(conn, round_id)
    if before is None:
        raise NotFound("no such round")
    unknown = NotFound(
        "no such round to compare with",
        fields=[{"field": WITH, "message": "No round of yours has this id"}],
    )
    after = await repo.get_round(conn, other_id)
    if after is None:
        raise unknown
    if after.programme_id != before.programme_id:
        # Whether that round exists is the business of its own programme's organisers only.
        if not await roles.can_organise(conn, after.programme_id, caller):
            raise unknown
        raise ValidationFailed(
            "the two rounds belong to different programmes",
            fields=[{"field": WITH, "message": "Choose a round of the same programme"}],
        )
    for row in (before, after):
        if row.status not in DONE:
            raise Conflict(
                f"round {row.id} is {row.status}: only finished rounds (draft or published)"
                " can be compared"
            )
    return before, after


async def compare_rounds(
    conn: Conn, round_id: UUID, other_id: UUID, caller: UUID, limit: int = 100, offset: int = 0
) -> RoundComparison:
    """Round ``round_id`` (before) against ``other_id`` (after), as ``caller`` may see them."""
    before, after = await rounds_to_compare(conn, round_id, other_id, caller)
    counts = await review.pair_counts(conn, before.id, after.id)
    changes = await review.pair_changes(conn, before.id, after.id, limit, offset)
    pages = {}
    for kind in ("kept", "changed", "dropped", "gained"):
        pages[kind] = PairPage(
            total=counts.get(kind, 0),
            limit=limit,
            offset=offset,
            pairs=[PairChange.model_validate(c) for c in changes if c["kind"] == kind],
        )
    return RoundComparison(
        before=_compared(before),
        after=_compared(after),
        metrics=metric_deltas(before.metrics, after.metrics),
        alternative=metric_deltas(before.alternative, after.alternative),
        fairness=fairness_deltas(before.metrics, after.metrics),
        settings=setting_deltas(before.settings, after.settings),
        counts=PairCounts(**{kind: page.total for kind, page in pages.items()}),
        **pages,
    )
