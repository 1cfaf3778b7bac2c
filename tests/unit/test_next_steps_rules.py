"""The certification rules (service/nextsteps/certifications.json) as the pure evaluator reads
them: each published rule, its boundaries, the order of the steps, and the events that help."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.nextsteps.data import rules
from service.nextsteps.rules import (
    EDUCATION_LEVELS,
    EVENTS_PER_ITEM,
    Event,
    Profile,
    Rules,
    Step,
    evaluate,
)
from service.taxonomy.seedfile import seed_terms

RULES = rules()


def step(person: Profile, code: str, events: tuple[Event, ...] = ()) -> Step:
    (found,) = [s for s in evaluate(RULES, person, events) if s.certification == code]
    return found


def person(**fields: object) -> Profile:
    for name in ("held", "targets", "goals"):
        if name in fields:
            fields[name] = frozenset(fields[name])  # type: ignore[arg-type]
    return Profile(**fields)  # type: ignore[arg-type]


def test_every_rule_names_its_source_and_a_taxonomy_certification():
    certifications = {t.slug for t in seed_terms() if t.kind == "certification"}
    for cert in RULES.certifications:
        assert cert.code in certifications, cert.code
        assert cert.source.title and cert.source.url.startswith("https://")
        assert cert.rule.endswith(".")
        for path in cert.paths:
            assert set(path.held_any) <= certifications
            assert set(path.hours_waived_by) <= certifications
    assert RULES.as_of
    codes = {c.code for c in RULES.certifications}
    assert {"capm", "pmp", "prince2-foundation", "prince2-practitioner", "csm", "psm-i"} <= codes


# CAPM: a secondary degree and 23 hours of project-management education.
def test_capm_needs_a_secondary_degree_and_23_hours():
    assert step(person(education="secondary", pm_education_hours=23), "capm").eligible
    short = step(person(education="secondary", pm_education_hours=22), "capm")
    assert not short.eligible
    assert short.missing == ["CAPM: 1 more hour of project-management education"]
    unsaid = step(person(pm_education_hours=30), "capm")
    assert not unsaid.eligible
    assert unsaid.missing == [
        "CAPM: a secondary school diploma (or the equivalent) (say your highest education in"
        " your profile)"
    ]
    assert "PMI" in short.why and "CAPM" in short.source.title


# PMP: 36 months with a four-year degree, or 60 with a secondary degree; 35 hours or CAPM.
def test_pmp_36_months_with_a_four_year_degree():
    assert not step(
        person(education="bachelor", months_leading_projects=35, pm_education_hours=35), "pmp"
    ).eligible
    at = step(
        person(education="bachelor", months_leading_projects=36, pm_education_hours=35), "pmp"
    )
    assert at.eligible and at.missing == []
    below = step(
        person(education="bachelor", months_leading_projects=35, pm_education_hours=35), "pmp"
    )
    assert below.missing == ["PMP: 1 more month leading projects"]


def test_pmp_60_months_with_a_secondary_degree():
    at59 = step(
        person(education="secondary", months_leading_projects=59, pm_education_hours=40), "pmp"
    )
    assert not at59.eligible and at59.missing == ["PMP: 1 more month leading projects"]
    assert step(
        person(education="secondary", months_leading_projects=60, pm_education_hours=40), "pmp"
    ).eligible
    # 48 months and a secondary degree: 12 more months, or a four-year degree.
    far = step(
        person(education="secondary", months_leading_projects=46, pm_education_hours=35), "pmp"
    )
    assert far.missing == ["PMP: 14 more months leading projects"]


def test_a_masters_or_doctorate_counts_as_a_four_year_degree():
    for level in ("master", "doctorate"):
        assert step(
            person(education=level, months_leading_projects=36, pm_education_hours=35), "pmp"
        ).eligible


def test_pmp_35_hours_or_the_capm_instead():
    hours = step(
        person(education="bachelor", months_leading_projects=40, pm_education_hours=23), "pmp"
    )
    assert hours.missing == [
        "PMP: 12 more hours of project-management education, or the CAPM instead"
    ]
    capm = person(
        education="bachelor", months_leading_projects=40, pm_education_hours=0, held={"capm"}
    )
    assert step(capm, "pmp").eligible
    # The hours are waived, not unknown: no education hours said at all is fine with the CAPM.
    assert step(
        person(education="bachelor", months_leading_projects=40, held={"capm"}), "pmp"
    ).eligible


def test_pmp_with_nothing_said_asks_for_each_field():
    missing = step(person(), "pmp").missing
    assert len(missing) == 3
    assert all("in your profile" in m for m in missing)


def test_prince2_foundation_and_scrum_have_no_prerequisite():
    for code in ("prince2-foundation", "csm", "psm-i", "cspo", "pspo-i"):
        found = step(person(), code)
        assert found.eligible and found.missing == [], code


def test_prince2_practitioner_needs_foundation_or_an_accepted_certification():
    alone = step(person(), "prince2-practitioner")
    assert not alone.eligible
    assert alone.missing == [
        "PRINCE2 Practitioner: first PRINCE2 Foundation, or another accepted certification"
        " (PRINCE2 Agile, PMP, CAPM or IPMA Level D)"
    ]
    for held in ("prince2-foundation", "prince2-agile", "pmp", "capm", "ipma-level-d"):
        assert step(person(held={held}), "prince2-practitioner").eligible, held
    assert not step(person(held={"csm"}), "prince2-practitioner").eligible


def test_held_ones_come_last_and_say_so():
    steps = evaluate(RULES, person(held={"csm", "pmp"}))
    assert [s.certification for s in steps[-2:]] == ["pmp", "csm"]
    assert all(s.held and s.eligible and s.missing == [] for s in steps[-2:])


def test_what_fits_now_and_is_aimed_for_comes_first():
    ready = person(
        education="bachelor", months_leading_projects=40, pm_education_hours=35, targets={"pmp"}
    )
    assert evaluate(RULES, ready)[0].certification == "pmp"
    # The CAPM leads to the PMP only while the PMP's hours are missing.
    short = dict(education="bachelor", months_leading_projects=22, targets={"pmp"})
    assert evaluate(RULES, person(**short, pm_education_hours=23))[0].certification == "capm"
    first = evaluate(RULES, person(**short, pm_education_hours=40))[0]
    assert first.certification == "pmp" and not first.eligible
    # Aiming for Practitioner without Foundation: Foundation (fits now, leads there) first.
    steps = evaluate(RULES, person(goals={"earn-prince2"}, targets={"prince2-practitioner"}))
    assert steps[0].certification == "prince2-foundation"
    # A goal counts as an aim: becoming a product owner puts PSPO I / CSPO first.
    steps = evaluate(RULES, person(goals={"become-product-owner"}))
    assert {steps[0].certification, steps[1].certification} == {"pspo-i", "cspo"}


def _event(title: str, kind: str = "workshop", tags: tuple[str, ...] = (), day: int = 1) -> Event:
    return Event(
        id=uuid.uuid4(),
        title=title,
        kind=kind,
        starts_at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(days=day),
        tags=tags,
    )


def test_events_that_help_each_gap():
    tagged = _event("Evening meetup", kind="networking", tags=("pmp",), day=1)
    course = _event("35-hour PMP course", kind="bootcamp", day=2)
    other_exam = _event(
        "Exam prep circle",
        kind="study_group",
        tags=("exam-preparation", "prince2-foundation"),
        day=3,
    )
    untagged_talk = _event("Why PMP?", kind="seminar", day=4)
    events = (tagged, course, other_exam, untagged_talk)
    pmp = step(person(), "pmp", events)
    assert pmp.events == [tagged, course]
    p2 = step(person(), "prince2-foundation", events)
    assert p2.events == [other_exam]
    # Held: nothing to prepare for.
    assert step(person(held={"pmp"}), "pmp", events).events == []


education = st.one_of(st.none(), st.sampled_from(EDUCATION_LEVELS))
profiles = st.builds(
    Profile,
    education=education,
    months_leading_projects=st.one_of(st.none(), st.integers(0, 600)),
    pm_education_hours=st.one_of(st.none(), st.integers(0, 10000)),
    held=st.frozensets(st.sampled_from([c.code for c in RULES.certifications] + ["ipma-level-d"])),
    targets=st.frozensets(st.sampled_from([c.code for c in RULES.certifications])),
    goals=st.frozensets(
        st.sampled_from(["earn-pmp", "earn-capm", "earn-prince2", "become-product-owner"])
    ),
)


@given(profiles)
def test_one_step_per_certification_and_eligible_exactly_when_nothing_is_missing(p):
    steps = evaluate(RULES, p)
    assert sorted(s.certification for s in steps) == sorted(c.code for c in RULES.certifications)
    for s in steps:
        assert s.eligible == (not s.missing)
        assert s.held == (s.certification in p.held)
        assert all(m.startswith(s.name + ": ") for m in s.missing)
        assert s.source.title in s.why
    # Held last; nothing held before something that is not.
    flags = [s.held for s in steps]
    assert flags == sorted(flags)


@given(profiles, st.integers(0, 600), st.integers(0, 10000))
def test_more_months_or_hours_never_take_eligibility_away(p, months, hours):
    """Monotone: a person with more experience or education is eligible for everything they
    were eligible for before."""
    before = {s.certification for s in evaluate(RULES, p) if s.eligible}
    more = Profile(
        education=p.education,
        months_leading_projects=max(months, p.months_leading_projects or 0),
        pm_education_hours=max(hours, p.pm_education_hours or 0),
        held=p.held,
        targets=p.targets,
        goals=p.goals,
    )
    after = {s.certification for s in evaluate(RULES, more) if s.eligible}
    assert before <= after


@given(profiles)
def test_pmp_matches_the_published_rule_written_out(p):
    months, hours = p.months_leading_projects, p.pm_education_hours
    degree = p.education in ("bachelor", "master", "doctorate")
    secondary = p.education is not None
    hours_ok = "capm" in p.held or (hours is not None and hours >= 35)
    months_ok = months is not None and ((degree and months >= 36) or (secondary and months >= 60))
    expected = "pmp" in p.held or (months_ok and hours_ok)
    assert step(p, "pmp").eligible == expected


@given(
    st.lists(
        st.builds(
            _event,
            st.text(max_size=30),
            st.sampled_from(["workshop", "webinar", "study_group", "bootcamp", "networking"]),
            st.lists(st.sampled_from(["pmp", "capm", "scrum", "exam-preparation"]), max_size=3).map(
                tuple
            ),
            st.integers(0, 90),
        ),
        max_size=15,
    )
)
def test_at_most_a_few_events_per_step_soonest_first(events):
    events = sorted(events, key=lambda e: e.starts_at)
    for s in evaluate(RULES, Profile(), events):
        assert len(s.events) <= EVENTS_PER_ITEM
        assert s.events == sorted(s.events, key=lambda e: e.starts_at)


def test_a_rule_with_an_unknown_education_is_refused():
    data = {
        "sources": {"x": {"title": "X", "url": "https://x"}},
        "certifications": [
            {
                "code": "capm",
                "name": "CAPM",
                "source": "x",
                "rule": "r.",
                "paths": [{"education": "college"}],
            }
        ],
    }
    with pytest.raises(ValueError, match="college"):
        Rules.from_data(data)
