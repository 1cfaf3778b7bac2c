"""Why a person has no match from a round, in words they can read: no scores, no solver terms,
no codes; who was full, what happens next and what they can do."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings

from matching.pipeline import solve_round
from service.programmes.schemas import ProgrammeSettings
from service.rounds.entry import NOT_ENTERED, enter
from service.rounds.participants import MemberRow, Members, ParticipantRow
from service.rounds.problem import BuiltProblem, unmatched_rows
from service.rounds.reasons import duration, not_entered_reason, unmatched_reason
from tests.unit.test_pipeline import CODES, problems

#: What a person must never read in a reason: a decimal figure, the solver's words, a code.
UNREADABLE = re.compile(
    r"\d[.,]\d|score|total|objective|optimal|blocking|shortlist|stable|\b[a-z]+_[a-z_]+\b", re.I
)


def assert_plain(text: str) -> None:
    assert not UNREADABLE.search(text), text
    assert text[0].isupper() and text.endswith("."), text
    assert "  " not in text and "..." not in text, text
    assert "next round" in text, text  # what happens next


@settings(max_examples=80, deadline=None)
@given(problems())
def test_every_unmatched_reason_is_plain_and_names_who_was_full(problem):
    result = solve_round(problem)
    mentee_ids = [uuid.uuid4() for _ in problem.mentees]
    mentor_ids = [uuid.uuid4() for _ in problem.mentors]
    names = {p: f"Mentee {i}" for i, p in enumerate(mentee_ids)}
    names |= {p: f"Mentor {chr(65 + j)}" for j, p in enumerate(mentor_ids)}
    built = BuiltProblem(problem, mentee_ids, mentor_ids, names, [])
    rows = unmatched_rows(built, result.unmatched)
    assert [r.mentee_id for r in rows] == [mentee_ids[u.mentee] for u in result.unmatched]
    for row, u in zip(rows, result.unmatched, strict=True):
        assert_plain(row.reason)
        assert row.code == u.code
        best = [names[mentor_ids[j]] for j, _, _ in u.best]
        # The best mentors who were full are named; the mentees who took their places are not.
        assert all(name in row.reason for name in best)
        assert "Mentee" not in row.reason
        # Organisers keep the figures behind it.
        listed = row.details.get("best_candidates", [])
        assert [c["mentor_name"] for c in listed] == best
        assert all(0 <= c["score"] <= 1 for c in listed)


OVERLAPS = (0.5, 1.0, 1.5, 2.25, 40.0)


@pytest.mark.parametrize("code", sorted(CODES | {"no_mentors"}))
@pytest.mark.parametrize("mentors", [[], ["Markus Weber"], ["Markus Weber", "Ana Silva", "Li"]])
@pytest.mark.parametrize("overlap", OVERLAPS)
def test_each_unmatched_code_reads_plainly(code, mentors, overlap):
    text = unmatched_reason(code, mentors, overlap)
    assert_plain(text)
    assert "waitlist" in text
    if code in ("all_suitable_mentors_full", "shortlist_mentors_chose_others"):
        assert all(m in text for m in mentors)


def test_the_issues_example_word_for_word():
    text = unmatched_reason("all_suitable_mentors_full", ["Markus Weber", "Ana Silva"], 1.0)
    assert text == (
        "The mentors who fit you best were full this round: Markus Weber and Ana Silva."
        " You stay on the waitlist for the next round."
    )
    one = unmatched_reason("all_suitable_mentors_full", ["Markus Weber"], 1.0)
    assert one.startswith("The mentor who fits you best was full this round: Markus Weber.")
    chose = unmatched_reason("shortlist_mentors_chose_others", ["Ana Silva"], 1.0)
    assert chose.startswith("The mentor who fits you best chose another mentee this round")
    overlap = unmatched_reason("no_availability_overlap", [], 1.5)
    assert "at least 1 hour 30 minutes a week" in overlap
    assert "more times you are free" in overlap
    assert "adding it to your profile" in unmatched_reason("no_shared_language", [], 1.0)
    with pytest.raises(ValueError, match="no words"):
        unmatched_reason("something_new", [], 1.0)


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (0.5, "30 minutes"),
        (1, "1 hour"),
        (1.5, "1 hour 30 minutes"),
        (2, "2 hours"),
        (0, "0 minutes"),
    ],
)
def test_durations_in_words(hours, words):
    assert duration(hours) == words


FIXABLE = ("no_consent", "email_not_verified", "no_availability")


def _not_entered_cases():
    for role in ("mentee", "mentor"):
        for n in range(1, 4):
            for causes in itertools.combinations(FIXABLE, n):
                yield list(causes), role, None
    yield ["has_mentor"], "mentee", None
    yield ["no_places_left"], "mentor", None
    for size in (1, 2, 50):
        yield ["beyond_round_size"], "mentee", size


@pytest.mark.parametrize(("causes", "role", "size"), list(_not_entered_cases()))
def test_each_not_entered_reason_reads_plainly_with_what_to_do(causes, role, size):
    text = not_entered_reason(causes, role, size)
    assert_plain(text)
    assert text.startswith("You were not in this round because ")
    if causes[0] in FIXABLE:
        assert "To be in the next round, " in text
        assert ("agree to be matched" in text) == ("no_consent" in causes)
        assert ("link we emailed you" in text) == ("email_not_verified" in causes)
        assert ("free each week" in text) == ("no_availability" in causes)


def test_round_size_in_words():
    assert "only the 50 mentees who joined the programme first" in not_entered_reason(
        ["beyond_round_size"], "mentee", 50
    )
    assert "only the mentee who joined" in not_entered_reason(["beyond_round_size"], "mentee", 1)


def _member(name: str, *, mentee=True, mentor=False, places=0, **flags) -> MemberRow:
    person = ParticipantRow(
        id=uuid.uuid4(),
        display_name=name,
        skills=[],
        goals=[],
        certifications_held=[],
        certifications_target=[],
        tools=[],
        industries=[],
        languages=["en"],
        years_experience=3,
        current_role="",
        headline="",
        bio="",
        employer="",
        country="PT",
        timezone="Europe/Lisbon",
        mentor_capacity=2 if mentor else None,
        joined_at=datetime(2027, 1, 1, tzinfo=UTC),
        places=places,
    )
    standing = {"consents": True, "verified": True, "has_mentor": False} | flags
    return MemberRow(person, is_mentee=mentee, is_mentor=mentor, **standing)


def test_who_enters_a_round_and_why_the_others_do_not():
    people = [
        _member("Ann"),
        _member("Ben", consents=False, verified=False),
        _member("Cy", has_mentor=True, consents=False),
        _member("Di"),
        _member("Eve"),  # no weekly availability
        _member("Flo"),
        _member("Max", mentee=False, mentor=True, places=2),
        _member("Mo", mentee=False, mentor=True, places=0),
        _member("Both", mentor=True, places=1, verified=False),
    ]
    windows = {m.person.id: [(1, 600, 720)] for m in people if m.person.display_name != "Eve"}
    members = Members(people, windows, [], [])

    def outcome(settings):
        data = enter(members, settings)
        assert all(x.code == x.details["causes"][0] for x in data.not_entered)
        names = {m.person.id: m.person.display_name for m in people}
        got = (
            [p.display_name for p in data.mentees],
            [p.display_name for p in data.mentors],
            sorted((names[x.person_id], x.role, x.code) for x in data.not_entered),
        )
        assert all(x.code in NOT_ENTERED for x in data.not_entered)
        # Everyone is accounted for, once per role they have.
        roles = sum(m.is_mentee + m.is_mentor for m in people)
        assert len(data.mentees) + len(data.mentors) + len(data.not_entered) == roles
        return got, data

    (mentees, mentors, left), data = outcome(ProgrammeSettings(round_size=2))
    assert mentees == ["Ann", "Di"]  # who joined first, in order
    assert mentors == ["Max"]
    assert left == [
        ("Ben", "mentee", "no_consent"),
        ("Both", "mentee", "email_not_verified"),
        ("Both", "mentor", "email_not_verified"),
        ("Cy", "mentee", "has_mentor"),
        ("Eve", "mentee", "no_availability"),
        ("Flo", "mentee", "beyond_round_size"),
        ("Mo", "mentor", "no_places_left"),
    ]
    ben = next(x for x in data.not_entered if x.code == "no_consent")
    assert ben.details == {"causes": ["no_consent", "email_not_verified"]}
    assert set(data.windows) == {p.id for p in [*data.mentees, *data.mentors]}
    flo = next(x for x in data.not_entered if x.code == "beyond_round_size")
    assert flo.details == {"causes": ["beyond_round_size"], "round_size": 2}

    # Without a minimum overlap, no availability keeps nobody out; without a size, all enter.
    (mentees, _, left), _ = outcome(ProgrammeSettings(min_overlap_hours=0))
    assert mentees == ["Ann", "Di", "Eve", "Flo"]
    assert [name for name, *_ in left] == ["Ben", "Both", "Both", "Cy", "Mo"]
