"""The demo population generator: shape, determinism and consistency with the taxonomy seed."""

from __future__ import annotations

import re
import zoneinfo
from collections import Counter, defaultdict
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from email_validator import validate_email

from service.demo import generator, tables
from service.demo.generator import generate_people
from service.people.schemas import SignupIn
from service.taxonomy.codes import COUNTRIES, LANGUAGES
from service.taxonomy.normalise import FIELD_KINDS

SEED = Path(__file__).resolve().parents[2] / "sql" / "0002_taxonomy_seed.sql"
#: A demo person is a sign-up without a password or a shared contact channel.
KEYS = set(SignupIn.model_fields) - {"password", "shared_contact"}
TAG_KINDS = FIELD_KINDS
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIME = re.compile(r"^(?:[01]\d|2[0-3]):(?:00|30)$|^24:00$")
_STR = r"'((?:[^']|'')*)'"
_NON_WORD = re.compile(r"[^\w+#]+|_")


@lru_cache(maxsize=1)
def _people() -> tuple[dict[str, object], ...]:
    return tuple(generate_people())


def _mentees() -> list[dict[str, object]]:
    return [p for p in _people() if p["roles"] == ["mentee"]]


def _mentors() -> list[dict[str, object]]:
    return [p for p in _people() if "mentor" in _list(p, "roles")]


@lru_cache(maxsize=1)
def _seed_kinds() -> dict[str, str]:
    """slug -> kind, from the taxonomy_terms rows of the seed."""
    sql = SEED.read_text(encoding="utf-8")
    rows = re.findall(rf"\(\s*{_STR}\s*,\s*'(skill|tool|certification|goal|industry)'\s*,", sql)
    assert len(rows) > 100
    return dict(rows)


@lru_cache(maxsize=1)
def _seed_keys() -> frozenset[str]:
    """Every normalised slug, label and synonym of the seed (what the app matches on)."""
    sql = SEED.read_text(encoding="utf-8")
    terms = re.findall(rf"\(\s*{_STR}\s*,\s*'[a-z]+'\s*,\s*{_STR}\s*,", sql)
    synonyms = re.findall(rf"\(\s*{_STR}\s*,\s*'[a-z0-9-]+'\s*\)", sql)
    texts = [t for pair in terms for t in pair] + synonyms
    return frozenset(_key(t.replace("''", "'")) for t in texts)


def _list(person: dict[str, object], field: str) -> list[Any]:
    value = person[field]
    assert isinstance(value, list), (field, value)
    return value


def _int(person: dict[str, object], field: str) -> int:
    value = person[field]
    assert type(value) is int, (field, value)
    return value


def _key(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def _minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def test_counts_and_order() -> None:
    people = _people()
    assert len(people) == 400
    assert all(p["roles"] == ["mentee"] for p in people[:300])
    assert all("mentor" in _list(p, "roles") for p in people[300:])
    small = generate_people(7, 3, random_state=1)
    assert [p["roles"] == ["mentee"] for p in small] == [True] * 7 + [False] * 3
    assert len(generate_people(0, 4)) == 4
    assert len(generate_people(5, 0)) == 5
    assert generate_people(0, 0) == []


def test_every_person_has_exactly_the_expected_keys() -> None:
    for person in _people():
        assert set(person) == KEYS


def test_deterministic_for_a_random_state() -> None:
    assert generate_people(40, 15, random_state=7) == generate_people(40, 15, random_state=7)
    assert generate_people(random_state=2027) == list(_people())
    assert generate_people(40, 15, random_state=7) != generate_people(40, 15, random_state=8)


def test_emails_unique_lower_case_and_valid() -> None:
    emails = [str(p["email"]) for p in _people()]
    assert len(set(emails)) == len(emails)
    for email in emails:
        assert email == email.lower()
        assert email.endswith("@demo.kickoff.example")
        assert re.fullmatch(r"[a-z0-9.-]+@demo\.kickoff\.example", email), email
        validate_email(email, check_deliverability=False)


def test_roles_and_mentor_capacity() -> None:
    mentors = _mentors()
    assert len(mentors) == 100
    both = [p for p in mentors if p["roles"] == ["mentor", "mentee"]]
    assert all(p["roles"] in (["mentor"], ["mentor", "mentee"]) for p in mentors)
    assert 1 <= len(both) <= 20
    for person in _mentees():
        assert person["mentor_capacity"] is None
    capacities = [_int(p, "mentor_capacity") for p in mentors]
    assert all(1 <= c <= 5 for c in capacities)
    assert sum(c in (2, 3) for c in capacities) >= len(capacities) // 2


def test_experience_ranges() -> None:
    for person in _mentees():
        assert 0 <= _int(person, "years_experience") <= 4
    for person in _mentors():
        assert 5 <= _int(person, "years_experience") <= 30


@pytest.mark.parametrize(
    ("field", "mentee_range", "mentor_range"),
    [
        ("skills", (1, 5), (5, 12)),
        ("tools", (1, 4), (3, 7)),
        ("certifications_held", (0, 1), (1, 4)),
        ("certifications_target", (0, 2), (0, 2)),
        ("goals", (1, 4), (0, 1)),
        ("industries", (1, 2), (1, 2)),
    ],
)
def test_list_sizes(
    field: str, mentee_range: tuple[int, int], mentor_range: tuple[int, int]
) -> None:
    for group, (low, high) in ((_mentees(), mentee_range), (_mentors(), mentor_range)):
        for person in group:
            values = person[field]
            assert isinstance(values, list)
            assert low <= len(values) <= high, (field, person["email"], values)
            assert len(set(values)) == len(values), (field, values)


def test_every_slug_is_in_the_seed_with_the_right_kind() -> None:
    kinds = _seed_kinds()
    custom = set(generator.CUSTOM_SKILLS)
    for person in _people():
        for field, kind in TAG_KINDS.items():
            for value in _list(person, field):
                if field == "skills" and value in custom:
                    continue
                assert kinds.get(value) == kind, (field, value)


def _data_file_slugs() -> dict[str, list[str]]:
    """kind -> every slug that service/demo/data/ names (read through service.demo.tables)."""
    roles = tables.mentor_roles()
    profiles = tables.profiles()
    wording = tables.wording()
    # Slugs that generator.py itself names (mentor targets, mentee goal tweaks).
    certs_in_code = ("pmp", "pgmp", "psm-ii", "safe-agilist", "pmi-acp", "cspo")
    goals_in_code = (
        "internship",
        "career-change-from-engineering",
        "career-change-other-field",
        "become-programme-manager",
        "earn-pmp",
        "earn-agile-certification",
    )
    return {
        "skill": [
            *(s for r in roles for s in r.skills),
            *(s for v in profiles.background_skills.values() for s in v),
            *profiles.senior_skills,
            *profiles.general_mentor_skills,
            *wording.skill_words,
        ],
        "tool": [
            *(t for r in roles for t in r.tools),
            *(t for v in profiles.background_tools.values() for t in v),
            *(t for t, _ in profiles.mentee_tools),
            *wording.tool_labels,
        ],
        "certification": [
            *(c for r in roles for c in r.certifications),
            *(c for v in profiles.regional_certs.values() for c in v),
            *profiles.general_mentor_certs,
            *(c for c, _ in (*profiles.mentee_held, *profiles.mentee_targets)),
            *profiles.cert_goal,
            *wording.cert_labels,
            *certs_in_code,
        ],
        "goal": [
            *profiles.cert_goal.values(),
            *(g for g, _ in (*profiles.mentee_goals, *profiles.mentor_goals)),
            *wording.goal_phrases,
            *goals_in_code,
        ],
        "industry": [
            *(e.industry for e in tables.employers()),
            *(i for r in tables.mentee_roles() for i in r.industries),
            *wording.industry_words,
        ],
    }


def test_every_slug_in_the_data_files_is_in_the_seed_with_the_right_kind() -> None:
    """The data files name taxonomy slugs; each must exist in the seed with that kind."""
    kinds = _seed_kinds()
    for kind, slugs in _data_file_slugs().items():
        assert slugs, kind
        for slug in slugs:
            assert kinds.get(slug) == kind, (kind, slug)


def test_taxonomy_slugs_are_the_seeds_in_seed_order() -> None:
    """The generator draws from the seed's own lists (order matters for determinism)."""
    in_order: dict[str, list[str]] = defaultdict(list)
    for slug, kind in _seed_kinds().items():
        in_order[kind].append(slug)
    assert list(generator.SKILLS) == in_order["skill"]
    assert list(generator.TOOLS) == in_order["tool"]
    assert list(generator.CERTIFICATIONS) == in_order["certification"]
    assert list(generator.GOALS) == in_order["goal"]
    assert list(generator.INDUSTRIES) == in_order["industry"]


def test_wording_covers_every_slug_a_person_can_get() -> None:
    """Bios and headlines look labels up by slug: a missing one would raise KeyError."""
    wording = tables.wording()
    slugs = _data_file_slugs()
    assert set(wording.tool_labels) == set(generator.TOOLS)
    assert set(wording.goal_phrases) == set(generator.GOALS)
    assert set(wording.industry_words) == set(generator.INDUSTRIES)
    assert set(slugs["certification"]) <= set(wording.cert_labels)
    for table in (wording.tool_labels, wording.cert_labels, wording.goal_phrases):
        assert all(text and text == text.strip() for text in table.values())


def test_data_tables_are_consistent() -> None:
    roles = tables.mentor_roles()
    titles = {r.title for r in roles}
    assert len(titles) == len(roles)
    assert tables.profiles().programme_level_roles <= titles
    assert all(5 <= r.min_years <= 30 and r.skills and r.certifications and r.tools for r in roles)
    backgrounds = {r.background for r in tables.mentee_roles()}
    assert backgrounds == set(tables.profiles().background_skills)
    assert backgrounds == set(tables.profiles().background_tools)
    cultures = {u.culture for c in tables.cities() for u in c.cultures}
    assert cultures == set(tables.names())
    for first, last in tables.names().values():
        assert first and last
    assert all(0 < u.p_english <= 1 for c in tables.cities() for u in c.cultures)
    assert set(tables.profiles().extra_languages) <= set(LANGUAGES)


def test_custom_skills_are_rare_and_not_in_the_taxonomy() -> None:
    keys = _seed_keys()
    for text in generator.CUSTOM_SKILLS:
        assert _key(text) not in keys, text
        assert _key(text).replace(" ", "-") not in _seed_kinds(), text
    custom = set(generator.CUSTOM_SKILLS)
    with_custom = [p for p in _people() if custom & set(_list(p, "skills"))]
    assert 1 <= len(with_custom) <= len(_people()) * 0.08
    assert all(len(custom & set(_list(p, "skills"))) == 1 for p in with_custom)


def test_certifications_held_and_targeted_do_not_overlap() -> None:
    for person in _people():
        held = set(_list(person, "certifications_held"))
        assert not held & set(_list(person, "certifications_target"))


def test_countries_languages_and_timezones_are_valid() -> None:
    zones = zoneinfo.available_timezones()
    for person in _people():
        assert person["country"] in COUNTRIES
        assert person["timezone"] in zones
        languages = person["languages"]
        assert isinstance(languages, list)
        assert languages
        assert len(set(languages)) == len(languages)
        for code in languages:
            assert code in LANGUAGES, code


def test_most_but_not_all_speak_english() -> None:
    without = [p for p in _people() if "en" not in _list(p, "languages")]
    assert 1 <= len(without) <= len(_people()) * 0.1


def test_timezone_matches_city_and_country() -> None:
    zone_tab = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    zones_of: dict[str, set[str]] = defaultdict(set)
    for line in zone_tab.splitlines():
        if line and not line.startswith("#"):
            country, _, zone, *_ = line.split("\t")
            zones_of[country].add(zone)
    city_zone: dict[tuple[object, object], object] = {}
    for person in _people():
        assert person["timezone"] in zones_of[str(person["country"])], person["city"]
        where = (person["country"], person["city"])
        assert city_zone.setdefault(where, person["timezone"]) == person["timezone"]


def test_spread_over_countries_and_utc_offsets() -> None:
    people = _people()
    assert len({p["country"] for p in people}) >= 10
    moment = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
    offsets = {moment.astimezone(zoneinfo.ZoneInfo(str(p["timezone"]))).utcoffset() for p in people}
    assert len(offsets) >= 5


def test_availability_windows_are_valid_and_do_not_overlap() -> None:
    for person in _people():
        windows = person["availability"]
        assert isinstance(windows, list)
        assert 1 <= len(windows) <= 5
        by_day: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for window in windows:
            assert set(window) == {"day", "start", "end"}
            assert window["day"] in DAYS
            assert TIME.match(window["start"]), window
            assert TIME.match(window["end"]), window
            start, end = _minutes(window["start"]), _minutes(window["end"])
            assert start < end <= 24 * 60, window
            by_day[window["day"]].append((start, end))
        for spans in by_day.values():
            spans.sort()
            for (_, first_end), (second_start, _) in pairwise(spans):
                assert first_end <= second_start, (person["email"], spans)


def test_mentees_are_available_evenings_and_weekends() -> None:
    for person in _mentees():
        for window in _list(person, "availability"):
            assert window["day"] in ("sat", "sun") or _minutes(window["start"]) >= 17 * 60


def test_meeting_modes_and_consent() -> None:
    for person in _people():
        modes = person["meeting_modes"]
        assert isinstance(modes, list)
        assert modes
        assert set(modes) <= {"remote", "in_person"}
        assert len(set(modes)) == len(modes)
        assert type(person["consent_to_match"]) is bool
    consenting = sum(bool(p["consent_to_match"]) for p in _people())
    assert 0.9 * len(_people()) <= consenting < len(_people())
    remote_only = sum(p["meeting_modes"] == ["remote"] for p in _people())
    assert remote_only > len(_people()) / 3


def test_text_fields() -> None:
    for person in _people():
        for field in ("display_name", "headline", "bio", "current_role", "employer", "city"):
            value = person[field]
            assert isinstance(value, str)
            assert value
            assert value == value.strip()
        assert len(str(person["headline"])) <= 120
        bio = str(person["bio"])
        assert len(bio) <= 600
        assert 1 <= len(re.findall(r"[.!?](?=\s|$)", bio)) <= 3, bio
        assert len(str(person["display_name"])) <= 80


def test_employers_are_shared_between_mentees_and_mentors() -> None:
    employers = {name for name, _ in generator.EMPLOYERS}
    assert 30 <= len(employers) <= 50
    assert all(p["employer"] in employers for p in _people())
    shared = {p["employer"] for p in _mentees()} & {p["employer"] for p in _mentors()}
    assert len(shared) >= 10
    assert Counter(p["employer"] for p in _people()).most_common(1)[0][1] >= 5


def test_certification_paths_are_plausible() -> None:
    """Most people say their education, months and hours (some mentees do not, so the Next
    steps page's prompt shows); mentors led projects longer than mentees; PMP holders have
    their 35 hours; some want the digest."""
    people = _people()
    said = [p for p in people if p["education"] is not None]
    assert 0.7 * len(people) < len(said) < len(people)
    assert all(p["roles"] != ["mentor"] for p in people if p["education"] is None)
    for p in said:
        assert 0 <= int(p["months_leading_projects"]) <= 12 * (int(p["years_experience"]) + 1)  # type: ignore[call-overload]
        if "pmp" in p["certifications_held"]:  # type: ignore[operator]
            assert int(p["pm_education_hours"]) >= 35  # type: ignore[call-overload]
    mentors = [int(p["months_leading_projects"]) for p in _mentors()]  # type: ignore[call-overload]
    assert min(mentors) >= 36
    assert 0.15 < sum(bool(p["digest"]) for p in people) / len(people) < 0.45
