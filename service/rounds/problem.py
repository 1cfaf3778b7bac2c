"""Build a matching problem from loaded rows (pure: no I/O), and turn results into rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from matching.explain import PairReasons
from matching.pipeline import RoundProblem, RoundResult, Unmatched
from matching.profiles import Profile, Weights
from service.people.availability import utc_intervals
from service.people.repository import WindowRow
from service.programmes.schemas import ProgrammeSettings
from service.rounds.repository import MatchRow, ParticipantRow, Participants, UnmatchedRow


@dataclass(frozen=True)
class BuiltProblem:
    """The problem and how its indices map back to people."""

    problem: RoundProblem
    mentee_ids: list[UUID]
    mentor_ids: list[UUID]
    names: dict[UUID, str]
    skipped_overrides: list[dict[str, str]]


def next_monday(today: date) -> date:
    """The week a round plans for: the coming one (DST as it will be then)."""
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _offset_hours(tz: str, week_of: date) -> float:
    moment = datetime(week_of.year, week_of.month, week_of.day, 12, tzinfo=ZoneInfo(tz))
    offset = moment.utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def _profile(row: ParticipantRow, windows: list[tuple[int, int, int]], week_of: date) -> Profile:
    rows = [WindowRow(d, s, e) for d, s, e in windows]
    return Profile(
        skills=tuple(row.skills),
        goals=tuple(row.goals),
        certifications_held=tuple(row.certifications_held),
        certifications_target=tuple(row.certifications_target),
        tools=tuple(row.tools),
        industries=tuple(row.industries),
        languages=tuple(row.languages),
        years_experience=float(row.years_experience),
        role=row.current_role,
        text=f"{row.headline}. {row.bio}",
        # Compared case- and space-insensitively: "Acme Ltd" and "acme ltd" are one employer.
        employer=" ".join(row.employer.casefold().split()),
        country=row.country,
        utc_offset_hours=_offset_hours(row.timezone, week_of),
        availability=tuple(utc_intervals(rows, row.timezone, week_of)),
    )


def build_problem(
    data: Participants,
    settings: ProgrammeSettings,
    goal_needs: Mapping[str, Mapping[str, float]],
    week_of: date,
) -> BuiltProblem:
    """A RoundProblem for the waitlist, with earlier pairs forbidden and overrides applied."""
    mentees = data.mentees
    if settings.round_size:
        mentees = mentees[: settings.round_size]
    e_index = {r.id: i for i, r in enumerate(mentees)}
    o_index = {r.id: j for j, r in enumerate(data.mentors)}
    forbidden: set[tuple[int, int]] = set()
    for e, o in data.previous_pairs:
        if e in e_index and o in o_index:
            forbidden.add((e_index[e], o_index[o]))
    for person, i in e_index.items():
        if person in o_index:  # someone who is both mentee and mentor is never their own mentor
            forbidden.add((i, o_index[person]))
    pinned: list[tuple[int, int]] = []
    skipped: list[dict[str, str]] = []
    capacity = [r.places for r in data.mentors]
    used = [0] * len(capacity)
    pinned_mentees: set[int] = set()
    for e, o, kind in sorted(data.overrides, key=lambda x: (x[2], str(x[0]), str(x[1]))):
        if e not in e_index or o not in o_index:
            skipped.append(
                {
                    "mentee_id": str(e),
                    "mentor_id": str(o),
                    "kind": kind,
                    "why": "not both waiting in this round",
                }
            )
            continue
        i, j = e_index[e], o_index[o]
        if kind == "forbid":
            forbidden.add((i, j))
        elif (i, j) in forbidden or i in pinned_mentees or used[j] >= capacity[j]:
            skipped.append(
                {
                    "mentee_id": str(e),
                    "mentor_id": str(o),
                    "kind": kind,
                    "why": "conflicts with an earlier pair, another pin or capacity",
                }
            )
        else:
            pinned.append((i, j))
            pinned_mentees.add(i)
            used[j] += 1
    problem = RoundProblem(
        mentees=tuple(_profile(r, data.windows.get(r.id, []), week_of) for r in mentees),
        mentors=tuple(_profile(r, data.windows.get(r.id, []), week_of) for r in data.mentors),
        capacity=tuple(capacity),
        weights=Weights(**settings.weights),
        min_overlap_hours=settings.min_overlap_hours,
        mode=settings.mode,
        pinned=tuple(pinned),
        forbidden=tuple(sorted(forbidden)),
        goal_needs={g: dict(n) for g, n in goal_needs.items()},
    )
    names = {r.id: r.display_name for r in [*mentees, *data.mentors]}
    return BuiltProblem(
        problem, [r.id for r in mentees], [r.id for r in data.mentors], names, skipped
    )


UNMATCHED_TEXT = {
    "no_shared_language": "No mentor in the programme speaks any of this mentee's languages.",
    "no_availability_overlap": "No mentor who shares a language is free at the same time"
    " for the programme's minimum weekly overlap.",
    "conflict_of_interest": "The only mentors who fit work for the same employer.",
    "no_eligible_mentor": "Every mentor who fits was excluded (forbidden by an organiser or"
    " already paired with this mentee in an earlier round).",
    "no_mentors": "There are no mentors with places left in this programme.",
}


def unmatched_rows(built: BuiltProblem, unmatched: tuple[Unmatched, ...]) -> list[UnmatchedRow]:
    """Unmatched mentees with their binding reason in words and the details behind it."""
    rows = []
    ids_e, ids_o, names = built.mentee_ids, built.mentor_ids, built.names
    for u in unmatched:
        code = u.code if ids_o else "no_mentors"
        if code in ("all_suitable_mentors_full", "shortlist_mentors_chose_others"):
            parts = []
            details = []
            for j, score, holders in u.best:
                took = [names[ids_e[h]] for h in holders[:3]]
                parts.append(
                    f"{names[ids_o[j]]} ({score:.2f}; places taken by {', '.join(took) or 'pins'})"
                )
                details.append(
                    {
                        "mentor_id": str(ids_o[j]),
                        "mentor_name": names[ids_o[j]],
                        "score": score,
                        "taken_by": [
                            {"mentee_id": str(ids_e[h]), "mentee_name": names[ids_e[h]]}
                            for h in holders
                        ],
                    }
                )
            if code == "all_suitable_mentors_full":
                text = (
                    "All suitable mentors are full; giving this mentee one would leave another"
                    " mentee without a mentor or lower the round's total. Best candidates: "
                )
            else:
                text = (
                    "Stable mode: the mentors on this mentee's shortlist all chose mentees they"
                    " rank higher, although mentors further down still have room (optimal mode"
                    " would place this mentee). Shortlisted mentors: "
                )
            text += "; ".join(parts) + "."
            rows.append(UnmatchedRow(ids_e[u.mentee], code, text, {"best_candidates": details}))
        else:
            rows.append(UnmatchedRow(ids_e[u.mentee], code, UNMATCHED_TEXT[code], {}))
    return rows


def match_rows(
    built: BuiltProblem, result: RoundResult, reasons: list[PairReasons]
) -> list[MatchRow]:
    """Matches as rows to store."""
    return [
        MatchRow(
            mentee_id=built.mentee_ids[m.mentee],
            mentor_id=built.mentor_ids[m.mentor],
            score=m.score,
            components=dict(m.components),
            reasons=list(reasons[k].for_mentee),
            reasons_for_mentor=list(reasons[k].for_mentor),
            pinned=m.pinned,
        )
        for k, m in enumerate(result.matches)
    ]


def now_week() -> date:
    """The Monday of the coming week, by the real clock (the service's, not matching's)."""
    return next_monday(datetime.now(UTC).date())
