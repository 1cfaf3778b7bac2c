"""Certification prerequisites evaluated for one person: pure (no database, clock or files).

The rules are data (``certifications.json``, read by :mod:`service.nextsteps.data`), each with
its source; this module only reads them. For a person's education, months leading projects,
hours of project-management education, certifications held and aimed for, and goals, it says
for each certification whether they may take it now, what is missing in sentences, which rule
and source say so, and which upcoming events help.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

#: Education levels, lowest first: a level meets every requirement at or below it.
EDUCATION_LEVELS = ("secondary", "bachelor", "master", "doctorate")
#: How each level is written when it is what is missing.
EDUCATION_WORDS = {
    "secondary": "a secondary school diploma (or the equivalent)",
    "bachelor": "a four-year degree",
    "master": "a master's degree",
    "doctorate": "a doctorate",
}
#: Event kinds that teach: their related tags and title words count (not only the code).
LEARNING_KINDS = frozenset({"workshop", "bootcamp", "study_group"})
#: Events listed per certification.
EVENTS_PER_ITEM = 3


@dataclass(frozen=True)
class Path:
    """One way to meet a certification's prerequisites (every condition must hold)."""

    education: str | None = None
    months_leading_projects: int | None = None
    pm_education_hours: int | None = None
    #: Certifications that stand in for the hours (the CAPM for the PMP's 35 hours).
    hours_waived_by: tuple[str, ...] = ()
    #: One of these must be held (PRINCE2 Practitioner: Foundation or another accepted one).
    held_any: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """Who publishes a rule."""

    title: str
    url: str


@dataclass(frozen=True)
class Certification:
    """A certification's prerequisites and what relates to it."""

    code: str
    name: str
    rule: str
    source: Source
    paths: tuple[Path, ...]
    leads_to: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    event_tags: tuple[str, ...] = ()
    event_related_tags: tuple[str, ...] = ()
    event_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    """Every certification's rules, in the data file's order."""

    certifications: tuple[Certification, ...]
    as_of: str
    #: How each certification named in the rules is written (PRINCE2 Agile, IPMA Level D).
    names: dict[str, str] = field(default_factory=dict)

    def name(self, code: str) -> str:
        """A certification's name as people write it (its code if unknown)."""
        return self.names.get(code, code)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Rules:
        """Rules from the parsed data file (unknown source names are a KeyError)."""
        sources = {k: Source(v["title"], v["url"]) for k, v in data["sources"].items()}
        certs = []
        for c in data["certifications"]:
            paths = tuple(
                Path(
                    education=p.get("education"),
                    months_leading_projects=p.get("months_leading_projects"),
                    pm_education_hours=p.get("pm_education_hours"),
                    hours_waived_by=tuple(p.get("hours_waived_by", ())),
                    held_any=tuple(p.get("held_any", ())),
                )
                for p in c["paths"]
            )
            for p in paths:
                if p.education is not None and p.education not in EDUCATION_LEVELS:
                    raise ValueError(f"{c['code']}: unknown education {p.education!r}")
            certs.append(
                Certification(
                    code=c["code"],
                    name=c["name"],
                    rule=c["rule"],
                    source=sources[c["source"]],
                    paths=paths,
                    leads_to=tuple(c.get("leads_to", ())),
                    goals=tuple(c.get("goals", ())),
                    event_tags=tuple(c.get("event_tags", ())),
                    event_related_tags=tuple(c.get("event_related_tags", ())),
                    event_words=tuple(w.lower() for w in c.get("event_words", ())),
                )
            )
        names = {**data.get("other_names", {}), **{c.code: c.name for c in certs}}
        return cls(tuple(certs), str(data.get("rules_as_of", "")), names)


@dataclass(frozen=True)
class Profile:
    """What the rules read of a person (None: not said)."""

    education: str | None = None
    months_leading_projects: int | None = None
    pm_education_hours: int | None = None
    held: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()
    goals: frozenset[str] = frozenset()

    @property
    def unsaid(self) -> list[str]:
        """The rule fields the person has not filled in."""
        return [
            name
            for name in ("education", "months_leading_projects", "pm_education_hours")
            if getattr(self, name) is None
        ]


@dataclass(frozen=True)
class Event:
    """An upcoming event that may help (already filtered: scheduled, upcoming, not full)."""

    id: UUID
    title: str
    kind: str
    starts_at: datetime
    tags: tuple[str, ...] = ()
    online: bool = False
    city: str = ""
    country: str | None = None


@dataclass(frozen=True)
class Step:
    """One certification for one person."""

    certification: str
    name: str
    eligible: bool
    held: bool
    targeted: bool
    missing: list[str]
    why: str
    source: Source
    events: list[Event] = field(default_factory=list)
    #: Sort key: lower is shown first.
    rank: tuple[int, float, int] = (0, 0.0, 0)


def _level(education: str) -> int:
    return EDUCATION_LEVELS.index(education)


def _gaps(
    cert: Certification, path: Path, person: Profile, names: Mapping[str, str]
) -> tuple[list[str], float]:
    """What ``person`` lacks for ``path``: sentences, and how far off (0 when nothing)."""
    name = cert.name
    missing: list[str] = []
    distance = 0.0
    if path.education is not None:
        words = EDUCATION_WORDS[path.education]
        if person.education is None:
            missing.append(f"{name}: {words} (say your highest education in your profile)")
            distance += 1.0
        elif _level(person.education) < _level(path.education):
            missing.append(f"{name}: {words}")
            distance += 2.0
    if path.months_leading_projects is not None:
        need = path.months_leading_projects
        if person.months_leading_projects is None:
            missing.append(
                f"{name}: {need} months leading projects"
                " (say how many months you have led projects in your profile)"
            )
            distance += 1.0
        elif person.months_leading_projects < need:
            more = need - person.months_leading_projects
            missing.append(f"{name}: {more} more {_plural(more, 'month')} leading projects")
            distance += more / need
    waived = bool(set(path.hours_waived_by) & person.held)
    if path.pm_education_hours is not None and not waived:
        need = path.pm_education_hours
        instead = _instead([names.get(c, c) for c in path.hours_waived_by])
        if person.pm_education_hours is None:
            missing.append(
                f"{name}: {need} hours of project-management education{instead}"
                " (say how many hours you have in your profile)"
            )
            distance += 1.0
        elif person.pm_education_hours < need:
            more = need - person.pm_education_hours
            missing.append(
                f"{name}: {more} more {_plural(more, 'hour')} of project-management"
                f" education{instead}"
            )
            distance += more / need
    if path.held_any and not set(path.held_any) & person.held:
        first, *others = [names.get(c, c) for c in path.held_any]
        also = f", or another accepted certification ({_one_of(others)})" if others else ""
        missing.append(f"{name}: first {first}{also}")
        distance += 2.0
    return missing, distance


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _instead(names: Sequence[str]) -> str:
    return f", or the {' or the '.join(names)} instead" if names else ""


def _one_of(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def evaluate_one(rules: Rules, cert: Certification, person: Profile) -> Step:
    """One certification for ``person``: held, eligible, or what is missing on the closest path."""
    return _evaluate_one(rules, cert, person)[0]


def _evaluate_one(rules: Rules, cert: Certification, person: Profile) -> tuple[Step, float]:
    held = cert.code in person.held
    targeted = cert.code in person.targets or bool(set(cert.goals) & person.goals)
    why = f"{cert.rule} Source: {cert.source.title}."
    if held:
        return Step(cert.code, cert.name, True, True, targeted, [], why, cert.source), 0.0
    # The closest path: fewest things missing, then the smallest shortfall, then data order.
    missing, distance = min(
        (_gaps(cert, path, person, rules.names) for path in cert.paths),
        key=lambda gap: (len(gap[0]), gap[1]),
    )
    step = Step(cert.code, cert.name, not missing, False, targeted, missing, why, cert.source)
    return step, distance


def _rank(step: Step, step_towards: bool, distance: float, order: int) -> tuple[int, float, int]:
    """Eligible and aimed for first, then eligible steps towards an aim, then aims and steps
    towards them still out of reach (closest first), then the rest that fit now, the rest
    out of reach, and held ones last."""
    if step.held:
        group = 5
    elif step.eligible and step.targeted:
        group = 0
    elif step.eligible and step_towards:
        group = 1
    elif step.targeted or step_towards:
        group = 2
    elif step.eligible:
        group = 3
    else:
        group = 4
    return (group, distance, order)


def _closes_a_gap(rules: Rules, target: Certification, code: str, person: Profile) -> bool:
    """Whether holding ``code`` would leave less missing for ``target`` (the CAPM helps towards
    the PMP only while its 35 hours are missing)."""
    if target.code in person.held or code in person.held:
        return False
    before = _evaluate_one(rules, target, person)[0].missing
    after = _evaluate_one(rules, target, replace(person, held=person.held | {code}))[0].missing
    return len(after) < len(before)


#: Rank groups of steps the person aims for, or that lead to what they aim for.
AIMED_GROUPS = (0, 1, 2)


def aim(steps: Sequence[Step]) -> Step | None:
    """The next step of someone's path: the first step (of :func:`evaluate`'s order) that they
    aim for or that leads there and they do not hold yet; None when they aim for nothing."""
    return next((s for s in steps if s.rank[0] in AIMED_GROUPS), None)


def helps(cert: Certification, event: Event, others: frozenset[str]) -> bool:
    """Whether ``event`` helps towards ``cert``: tagged with its code; or a workshop, bootcamp
    or study group with a related tag or its name in the title that names no other
    certification (``others``: the other certifications' codes)."""
    tags = set(event.tags)
    if tags & set(cert.event_tags):
        return True
    if event.kind not in LEARNING_KINDS or tags & others:
        return False
    title = event.title.lower()
    return bool(tags & set(cert.event_related_tags)) or any(w in title for w in cert.event_words)


def evaluate(rules: Rules, person: Profile, events: Sequence[Event] = ()) -> list[Step]:
    """Every certification of ``rules`` for ``person``, the one to aim for first.

    ``events``: upcoming events soonest first; each step not held and not yet eligible lists
    the first few that help close its gap (an eligible one lists those that prepare for it).
    """
    aimed = person.targets | {c.code for c in rules.certifications if set(c.goals) & person.goals}
    codes = frozenset(c.code for c in rules.certifications)
    by_code = {c.code: c for c in rules.certifications}
    steps = []
    for order, cert in enumerate(rules.certifications):
        step, distance = _evaluate_one(rules, cert, person)
        towards = any(
            _closes_a_gap(rules, by_code[t], cert.code, person)
            for t in cert.leads_to
            if t in aimed and t in by_code
        )
        found: list[Event] = []
        if not step.held:
            others = codes - {cert.code}
            found = [e for e in events if helps(cert, e, others)][:EVENTS_PER_ITEM]
        steps.append(
            Step(
                step.certification,
                step.name,
                step.eligible,
                step.held,
                step.targeted,
                step.missing,
                step.why,
                step.source,
                found,
                _rank(step, towards, distance, order),
            )
        )
    return sorted(steps, key=lambda s: s.rank)
