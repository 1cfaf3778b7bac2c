"""Build a matching problem from loaded rows (pure: no I/O), and turn results into rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from matching.explain import PairReasons
from matching.pipeline import RoundProblem, RoundResult, Unmatched
from matching.profiles import Profile, Weights
from service.people.availability import offset_hours, utc_intervals
from service.people.repository import WindowRow
from service.programmes.schemas import ProgrammeSettings
from service.rounds.participants import ParticipantRow, Participants
from service.rounds.reasons import unmatched_reason
from service.rounds.repository import MatchRow, UnmatchedRow


@dataclass(frozen=True)
class BuiltProblem:
    """The problem and how its indices map back to people."""

    problem: RoundProblem
    mentee_ids: list[UUID]
    mentor_ids: list[UUID]
    names: dict[UUID, str]
    skipped_overrides: list[dict[str, str]]


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
        utc_offset_hours=offset_hours(row.timezone, week_of),
        availability=tuple(utc_intervals(rows, row.timezone, week_of)),
    )


def build_problem(
    data: Participants,
    settings: ProgrammeSettings,
    goal_needs: Mapping[str, Mapping[str, float]],
    week_of: date,
) -> BuiltProblem:
    """A RoundProblem for the entered mentees and mentors (:func:`service.rounds.entry.enter`),
    with earlier pairs forbidden and overrides applied."""
    mentees = data.mentees
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


def unmatched_rows(built: BuiltProblem, unmatched: tuple[Unmatched, ...]) -> list[UnmatchedRow]:
    """Unmatched mentees with their binding reason in words (naming the best mentors who were
    full) and, for organisers, the details behind it: those mentors' scores and who took their
    places."""
    rows = []
    ids_e, ids_o, names = built.mentee_ids, built.mentor_ids, built.names
    for u in unmatched:
        code = u.code if ids_o else "no_mentors"
        details: dict[str, Any] = {}
        if u.best:
            details["best_candidates"] = [
                {
                    "mentor_id": str(ids_o[j]),
                    "mentor_name": names[ids_o[j]],
                    "score": score,
                    "taken_by": [
                        {"mentee_id": str(ids_e[h]), "mentee_name": names[ids_e[h]]}
                        for h in holders
                    ],
                }
                for j, score, holders in u.best
            ]
        if code == "shortlist_mentors_chose_others":
            details["note"] = (
                "stable mode: every mentor on this mentee's shortlist chose mentees they rank"
                " higher, although mentors further down still have room; the optimal mode"
                " would place this mentee"
            )
        if code == "no_availability_overlap":
            details["min_overlap_hours"] = built.problem.min_overlap_hours
        mentors = [names[ids_o[j]] for j, _, _ in u.best]
        reason = unmatched_reason(code, mentors, built.problem.min_overlap_hours)
        rows.append(UnmatchedRow(ids_e[u.mentee], code, reason, details))
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
