"""The demo generator's tables, read once from the package data in ``service/demo/data/``.

Names, places, employers, roles, wording and draw weights live in JSON and CSV files so that
the generator keeps only its logic. The taxonomy itself is not here: the generator reads it
from the seed migration (:mod:`service.taxonomy.seedfile`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, NamedTuple


class Culture(NamedTuple):
    """Who lives in a city: a name culture, its weight, local languages and P(speaks English)."""

    culture: str
    weight: int
    languages: tuple[str, ...]
    p_english: float


class City(NamedTuple):
    country: str
    city: str
    timezone: str
    weight: int
    cultures: tuple[Culture, ...]


class Employer(NamedTuple):
    name: str
    industry: str


class MenteeRole(NamedTuple):
    """A mentee's current job; ``industries`` limits the employer, () for any."""

    title: str
    background: str
    industries: tuple[str, ...]


class MentorRole(NamedTuple):
    """A mentor's job: headline short title, minimum years and core skills, certs and tools."""

    title: str
    short: str
    min_years: int
    skills: tuple[str, ...]
    certifications: tuple[str, ...]
    tools: tuple[str, ...]


class Wording(NamedTuple):
    """Human wording for bios and headlines, keyed by taxonomy slug."""

    skill_words: Mapping[str, str]
    tool_labels: Mapping[str, str]
    cert_labels: Mapping[str, str]
    goal_phrases: Mapping[str, str]
    # industry -> (in "the ... sector" form for bios, noun for "at a Lisbon ..." headlines)
    industry_words: Mapping[str, tuple[str, str]]


class Profiles(NamedTuple):
    """What people of each kind tend to have, and how likely each choice is."""

    custom_skills: tuple[str, ...]  # free text some people type; deliberately not in the taxonomy
    extra_languages: tuple[str, ...]
    background_skills: Mapping[str, tuple[str, ...]]
    background_tools: Mapping[str, tuple[str, ...]]
    senior_skills: frozenset[str]  # a newcomer is unlikely to claim these
    regional_certs: Mapping[str, tuple[str, ...]]  # country -> certs that suit the local market
    programme_level_roles: frozenset[str]  # "become a programme manager" makes no sense
    general_mentor_certs: tuple[str, ...]
    general_mentor_skills: tuple[str, ...]
    mentee_held: tuple[tuple[str, int], ...]
    mentee_targets: tuple[tuple[str, int], ...]
    cert_goal: Mapping[str, str]
    mentee_goals: tuple[tuple[str, int], ...]  # the earn-* goals follow from cert targets
    mentor_goals: tuple[tuple[str, int], ...]
    mentee_tools: tuple[tuple[str, int], ...]


def _text(name: str) -> str:
    return resources.files("service.demo").joinpath("data", name).read_text(encoding="utf-8")


def _json(name: str) -> Any:
    return json.loads(_text(name))


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_text(name))))


def _weights(table: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(table.items())


def _tuples(table: dict[str, list[str]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({key: tuple(values) for key, values in table.items()})


@cache
def names() -> Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """culture -> (first names, last names)."""
    return MappingProxyType(
        {
            culture: (tuple(both["first"]), tuple(both["last"]))
            for culture, both in _json("names.json").items()
        }
    )


@cache
def cities() -> tuple[City, ...]:
    return tuple(
        City(
            c["country"],
            c["city"],
            c["timezone"],
            c["weight"],
            tuple(
                Culture(u["culture"], u["weight"], tuple(u["languages"]), u["p_english"])
                for u in c["cultures"]
            ),
        )
        for c in _json("cities.json")
    )


@cache
def employers() -> tuple[Employer, ...]:
    """Fictional employers and their industry."""
    return tuple(Employer(row["name"], row["industry"]) for row in _csv("employers.csv"))


@cache
def mentee_roles() -> tuple[MenteeRole, ...]:
    return tuple(
        MenteeRole(row["title"], row["background"], tuple(row["employer_industries"].split()))
        for row in _csv("mentee_roles.csv")
    )


@cache
def mentor_roles() -> tuple[MentorRole, ...]:
    return tuple(
        MentorRole(
            r["title"],
            r["short"],
            r["min_years"],
            tuple(r["skills"]),
            tuple(r["certifications"]),
            tuple(r["tools"]),
        )
        for r in _json("mentor_roles.json")
    )


@cache
def wording() -> Wording:
    w = _json("wording.json")
    return Wording(
        skill_words=MappingProxyType(w["skill_words"]),
        tool_labels=MappingProxyType(w["tool_labels"]),
        cert_labels=MappingProxyType(w["cert_labels"]),
        goal_phrases=MappingProxyType(w["goal_phrases"]),
        industry_words=MappingProxyType(
            {k: (v["sector"], v["noun"]) for k, v in w["industry_words"].items()}
        ),
    )


@cache
def profiles() -> Profiles:
    p = _json("profiles.json")
    return Profiles(
        custom_skills=tuple(p["custom_skills"]),
        extra_languages=tuple(p["extra_languages"]),
        background_skills=_tuples(p["background_skills"]),
        background_tools=_tuples(p["background_tools"]),
        senior_skills=frozenset(p["senior_skills"]),
        regional_certs=_tuples(p["regional_certs"]),
        programme_level_roles=frozenset(p["programme_level_roles"]),
        general_mentor_certs=tuple(p["general_mentor_certs"]),
        general_mentor_skills=tuple(p["general_mentor_skills"]),
        mentee_held=_weights(p["mentee_held"]),
        mentee_targets=_weights(p["mentee_targets"]),
        cert_goal=MappingProxyType(p["cert_goal"]),
        mentee_goals=_weights(p["mentee_goals"]),
        mentor_goals=_weights(p["mentor_goals"]),
        mentee_tools=_weights(p["mentee_tools"]),
    )


@cache
def associations() -> tuple[Mapping[str, Any], ...]:
    """The demo's associations as an association admin would enter them (the API's fields)."""
    return tuple(MappingProxyType(a) for a in _json("associations.json"))
