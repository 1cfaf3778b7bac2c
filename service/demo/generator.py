"""A deterministic demo population of mentees and mentors for Kickoff.

Everything comes from one ``random.Random(random_state)``: no clock. The tables (names,
cities, employers, roles, wording, draw weights) are package data read once by
:mod:`service.demo.tables`; the taxonomy slugs come from the seed migration
(:mod:`service.taxonomy.seedfile`), the one place the taxonomy is written down.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from service.demo import tables
from service.demo.paths import certification_path
from service.taxonomy.seedfile import seed_slugs

T = TypeVar("T")

EMAIL_DOMAIN = "demo.kickoff.example"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = DAYS[:5]
WEEKEND = DAYS[5:]

# --- Taxonomy slugs, in seed order (the draws depend on that order) ----------------------

SKILLS = seed_slugs("skill")
TOOLS = seed_slugs("tool")
CERTIFICATIONS = seed_slugs("certification")
GOALS = seed_slugs("goal")
INDUSTRIES = seed_slugs("industry")

# --- Tables (service/demo/data/) ---------------------------------------------------------

NAMES = tables.names()
CITIES = tables.cities()
EMPLOYERS = tables.employers()
MENTEE_ROLES = tables.mentee_roles()
MENTOR_ROLES = tables.mentor_roles()

_WORDING = tables.wording()
_SKILL_WORDS = _WORDING.skill_words
TOOL_LABELS = _WORDING.tool_labels
CERT_LABELS = _WORDING.cert_labels
GOAL_PHRASES = _WORDING.goal_phrases
INDUSTRY_WORDS = _WORDING.industry_words

_PROFILES = tables.profiles()
CUSTOM_SKILLS = _PROFILES.custom_skills
_EXTRA_LANGUAGES = _PROFILES.extra_languages
_BACKGROUND_SKILLS = _PROFILES.background_skills
_BACKGROUND_TOOLS = _PROFILES.background_tools
_SENIOR_SKILLS = _PROFILES.senior_skills
_JUNIOR_SKILLS = tuple(s for s in SKILLS if s not in _SENIOR_SKILLS)
_REGIONAL_CERTS = _PROFILES.regional_certs
_PROGRAMME_LEVEL = _PROFILES.programme_level_roles
_GENERAL_MENTOR_CERTS = _PROFILES.general_mentor_certs
_GENERAL_MENTOR_SKILLS = _PROFILES.general_mentor_skills
_MENTEE_HELD = _PROFILES.mentee_held
_MENTEE_TARGETS = _PROFILES.mentee_targets
_CERT_GOAL = _PROFILES.cert_goal
_MENTEE_GOALS = _PROFILES.mentee_goals
_MENTOR_GOALS = _PROFILES.mentor_goals
_MENTEE_TOOLS = _PROFILES.mentee_tools

# --- Helpers -----------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, int | float]]) -> T:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _sample(
    rng: random.Random, items: Sequence[T], k: int, weights: Sequence[float] | None = None
) -> list[T]:
    """Up to ``k`` distinct items, drawn with ``weights`` and without replacement."""
    pool = list(items)
    w = list(weights) if weights is not None else [1.0] * len(pool)
    out: list[T] = []
    while pool and len(out) < k:
        i = rng.choices(range(len(pool)), weights=w)[0]
        out.append(pool.pop(i))
        w.pop(i)
    return out


def _mix(
    rng: random.Random,
    core: Sequence[str],
    n_core: int,
    everything: Sequence[str],
    k: int,
    favoured: Sequence[str] = (),
) -> list[str]:
    """``k`` distinct slugs: ``n_core`` from ``core`` first, the rest from ``everything``.

    Among the rest, ``favoured`` slugs are four times likelier than the others.
    """
    out = _sample(rng, core, min(n_core, k))
    rest = [s for s in everything if s not in out]
    liked = set(favoured)
    return out + _sample(rng, rest, k - len(out), [4.0 if s in liked else 1.0 for s in rest])


def _ascii(text: str) -> str:
    folded = text.replace("ł", "l").replace("Ł", "L").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", folded)
    return (
        "".join(c for c in decomposed if not unicodedata.combining(c))
        .encode("ascii", "ignore")
        .decode()
    )


def _email_part(name: str) -> str:
    words = "".join(c if c.isalnum() or c == " " else "" for c in _ascii(name).lower()).split()
    return "-".join(words)


def _lower_role(role: str) -> str:
    """'Nurse' -> 'nurse', but 'QA engineer' and 'DevOps engineer' keep their capitals."""
    first = role.split()[0]
    return role if any(c.isupper() for c in first[1:]) else role[0].lower() + role[1:]


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _skill_words(slug: str) -> str:
    return _SKILL_WORDS.get(slug, slug.replace("-", " "))


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


# (days, earliest start, latest start, shortest, longest) in minutes; weight
_MENTEE_SLOTS = (
    ((WEEKDAYS, 18 * 60, 21 * 60, 60, 120), 6),
    ((WEEKDAYS, 21 * 60 + 30, 22 * 60 + 30, 60, 120), 1),
    ((WEEKEND, 9 * 60, 17 * 60, 60, 180), 4),
)
_MENTOR_SLOTS = (
    ((WEEKDAYS, 12 * 60, 13 * 60, 30, 60), 4),
    ((WEEKDAYS, 18 * 60, 20 * 60 + 30, 60, 90), 4),
    ((WEEKDAYS, 7 * 60, 8 * 60, 30, 60), 1),
    ((WEEKEND, 10 * 60, 12 * 60, 60, 120), 2),
)


def _availability(
    rng: random.Random, slots: Sequence[tuple[tuple[tuple[str, ...], int, int, int, int], int]]
) -> list[dict[str, str]]:
    """1-5 non-overlapping (and non-touching) windows on 30-minute boundaries, sorted."""
    wanted = rng.randint(1, 5)
    chosen: list[tuple[int, int, int]] = []
    for _ in range(wanted * 8):
        if len(chosen) == wanted:
            break
        days, first, last, shortest, longest = _weighted(rng, slots)
        day = DAYS.index(rng.choice(days))
        start = rng.randrange(first, last + 1, 30)
        end = min(start + rng.randrange(shortest, longest + 1, 30), 24 * 60)
        if all(d != day or end < s or e < start for d, s, e in chosen):
            chosen.append((day, start, end))
    chosen.sort()
    return [{"day": DAYS[d], "start": _hhmm(s), "end": _hhmm(e)} for d, s, e in chosen]


def _meeting_modes(rng: random.Random) -> list[str]:
    r = rng.random()
    if r < 0.6:
        return ["remote"]
    if r < 0.95:
        return ["remote", "in_person"]
    return ["in_person"]


def _place(rng: random.Random) -> tuple[str, str, str, str, list[str]]:
    """(country, city, timezone, culture, languages)."""
    country, city, tz, _, cultures = _weighted(rng, [(c, c[3]) for c in CITIES])
    culture, _, local, p_english = _weighted(rng, [(c, c[1]) for c in cultures])
    languages: list[str] = []
    for i, code in enumerate(local):
        if i == 0 or rng.random() < 0.6:
            languages.append(code)
    if rng.random() < p_english or not languages:
        languages.append("en")
    if culture == "ie" and rng.random() < 0.15:
        languages.append("ga")
    if rng.random() < 0.1:
        extra = [c for c in _EXTRA_LANGUAGES if c not in languages]
        languages.append(rng.choice(extra))
    return country, city, tz, culture, languages


def _name(rng: random.Random, culture: str) -> tuple[str, str]:
    firsts, lasts = NAMES[culture]
    return rng.choice(firsts), rng.choice(lasts)


def _employer(rng: random.Random, industries: tuple[str, ...] = ()) -> tuple[str, str]:
    pool = [e for e in EMPLOYERS if not industries or e[1] in industries]
    return rng.choice(pool)


def _industries(rng: random.Random, first: str) -> list[str]:
    out = [first]
    if rng.random() < 0.3:
        out.append(rng.choice([i for i in INDUSTRIES if i != first]))
    return out


def _with_custom_skill(rng: random.Random, skills: list[str]) -> list[str]:
    """About 3% of people replace one skill with a free-text one the taxonomy lacks."""
    if len(skills) >= 2 and rng.random() < 0.03:
        return [*skills[:-1], rng.choice(CUSTOM_SKILLS)]
    return skills


# --- People ------------------------------------------------------------------------------


def _base(rng: random.Random, index: int) -> dict[str, object]:
    country, city, tz, culture, languages = _place(rng)
    first, last = _name(rng, culture)
    return {
        "email": f"{_email_part(first)}.{_email_part(last)}.{index}@{EMAIL_DOMAIN}",
        "display_name": f"{first} {last}",
        "city": city,
        "country": country,
        "timezone": tz,
        "languages": languages,
    }


def _mentee(rng: random.Random, index: int) -> dict[str, object]:
    person = _base(rng, index)
    role, background, employer_industries = rng.choice(MENTEE_ROLES)
    employer, industry = _employer(rng, employer_industries)
    years = _weighted(rng, [(0, 25), (1, 25), (2, 22), (3, 16), (4, 12)])

    n_skills = rng.randint(1, 5)
    skills = _mix(
        rng,
        _BACKGROUND_SKILLS[background],
        rng.randint((n_skills + 1) // 2, n_skills),
        _JUNIOR_SKILLS,
        n_skills,
    )
    skills = _with_custom_skill(rng, skills)
    tool_weights = dict(_MENTEE_TOOLS)
    for slug in _BACKGROUND_TOOLS[background]:
        tool_weights[slug] = tool_weights.get(slug, 1) + 4
    tools = _sample(rng, list(tool_weights), rng.randint(1, 4), list(tool_weights.values()))

    held = [_weighted(rng, _MENTEE_HELD)] if rng.random() < 0.3 else []
    targets_pool = [
        (c, w) for c, w in _MENTEE_TARGETS if c not in held and (c != "pmp" or years >= 2)
    ]
    n_targets = _weighted(rng, [(0, 30), (1, 50), (2, 20)])
    targets = _sample(rng, [c for c, _ in targets_pool], n_targets, [w for _, w in targets_pool])

    goals: list[str] = []
    for cert in targets:
        goal = _CERT_GOAL.get(cert)
        if goal and goal not in goals and rng.random() < 0.8:
            goals.append(goal)
    goal_weights = dict(_MENTEE_GOALS)
    if background == "engineering":
        goal_weights["career-change-from-engineering"] = 12
    elif background == "other":
        goal_weights["career-change-other-field"] = 12
    if years <= 1:
        goal_weights["internship"] += 4
    free = [g for g in goal_weights if g not in goals]
    total = max(rng.randint(1, 4), len(goals))
    goals += _sample(rng, free, total - len(goals), [goal_weights[g] for g in free])

    headline = _mentee_headline(rng, role, background, employer, str(person["city"]), targets)
    person.update(
        roles=["mentee"],
        headline=headline,
        bio=_mentee_bio(rng, role, employer, str(person["city"]), years, goals, skills, tools),
        years_experience=years,
        current_role=role,
        employer=employer,
        skills=skills,
        tools=tools,
        certifications_held=held,
        certifications_target=targets,
        goals=goals,
        industries=_industries(rng, industry),
        meeting_modes=_meeting_modes(rng),
        availability=_availability(rng, _MENTEE_SLOTS),
        mentor_capacity=None,
        consent_to_match=rng.random() < 0.97,
    )
    person.update(certification_path(index, years, held, mentor=False))
    return person


def _mentor(rng: random.Random, index: int) -> dict[str, object]:
    person = _base(rng, index)
    also_mentee = rng.random() < 0.08
    years = max(5, min(30, round(rng.triangular(5, 30, 10))))
    eligible = [r for r in MENTOR_ROLES if r[2] <= years]
    role, short, _, core_skills, core_certs, core_tools = rng.choice(eligible)
    employer, industry = _employer(rng)
    country = str(person["country"])

    n_skills = rng.randint(5, 12)
    skills = _mix(
        rng, core_skills, rng.randint(3, 5), SKILLS, n_skills, favoured=_GENERAL_MENTOR_SKILLS
    )
    skills = _with_custom_skill(rng, skills)
    tools = _mix(rng, core_tools, rng.randint(2, 4), TOOLS, rng.randint(3, 7))
    n_certs = _weighted(rng, [(1, 35), (2, 35), (3, 20), (4, 10)])
    regional = _REGIONAL_CERTS.get(country, ())
    held = _mix(
        rng,
        core_certs,
        rng.randint(1, 2),
        tuple(dict.fromkeys((*core_certs, *regional, *_GENERAL_MENTOR_CERTS))),
        n_certs,
        favoured=(*core_certs, *regional),
    )

    goals: list[str] = []
    targets: list[str] = []
    if also_mentee or rng.random() < 0.3:
        options = [
            (g, w)
            for g, w in _MENTOR_GOALS
            if not (g == "become-programme-manager" and role in _PROGRAMME_LEVEL)
            and not (g == "earn-pmp" and "pmp" in held)
        ]
        goal = _weighted(rng, options)
        goals.append(goal)
        if goal == "earn-pmp":
            targets.append("pmp")
        elif goal == "earn-agile-certification":
            agile = [c for c in ("psm-ii", "safe-agilist", "pmi-acp", "cspo") if c not in held]
            targets += [rng.choice(agile)] if agile else []
        elif goal == "become-programme-manager" and "pgmp" not in held and rng.random() < 0.4:
            targets.append("pgmp")

    person.update(
        roles=["mentor", "mentee"] if also_mentee else ["mentor"],
        headline=_mentor_headline(short, str(person["city"]), industry, held),
        bio=_mentor_bio(rng, role, years, industry, held, skills),
        years_experience=years,
        current_role=role,
        employer=employer,
        skills=skills,
        tools=tools,
        certifications_held=held,
        certifications_target=targets,
        goals=goals,
        industries=_industries(rng, industry),
        meeting_modes=_meeting_modes(rng),
        availability=_availability(rng, _MENTOR_SLOTS),
        mentor_capacity=_weighted(rng, [(1, 8), (2, 38), (3, 34), (4, 12), (5, 8)]),
        consent_to_match=rng.random() < 0.97,
    )
    person.update(certification_path(index, years, held, mentor=True))
    return person


def _mentee_headline(
    rng: random.Random, role: str, background: str, employer: str, city: str, targets: list[str]
) -> str:
    options = [
        f"{role} moving into project management",
        f"{role} at {employer}, aspiring IT project manager",
        f"Aspiring project manager | {role} in {city}",
    ]
    if targets:
        options.append(f"{role} preparing for the {CERT_LABELS[targets[0]]}")
    if background == "other":
        options.append(f"{role} changing careers into IT project management")
    return rng.choice(options)[:120]


def _mentor_headline(short: str, city: str, industry: str, held: list[str]) -> str:
    noun = INDUSTRY_WORDS[industry][1]
    certs = " & ".join(CERT_LABELS[c] for c in held[:2])
    headline = f"{short} at {_article(city)} {city} {noun}, {certs}"
    return headline if len(headline) <= 120 else f"{short} at {_article(city)} {city} {noun}"


def _mentee_bio(
    rng: random.Random,
    role: str,
    employer: str,
    city: str,
    years: int,
    goals: list[str],
    skills: list[str],
    tools: list[str],
) -> str:
    if years == 0:
        first = (
            f"I've just started as {_article(role)} {_lower_role(role)} at {employer} in {city}."
        )
    else:
        unit = "year" if years == 1 else "years"
        first = (
            f"I'm {_article(role)} {_lower_role(role)} at {employer} in {city} "
            f"with {years} {unit} of experience."
        )
    sentences = [first, f"I'm working towards {_join([GOAL_PHRASES[g] for g in goals])}."]
    known = [_skill_words(s) for s in skills if s in SKILLS][:3]
    if known and rng.random() < 0.7:
        used = _join([TOOL_LABELS[t] for t in tools[:3]])
        sentences.append(f"I already bring some {_join(known)}, and I use {used} day to day.")
    return " ".join(sentences)[:600]


def _mentor_bio(
    rng: random.Random, role: str, years: int, industry: str, held: list[str], skills: list[str]
) -> str:
    sector = INDUSTRY_WORDS[industry][0]
    offer = _join([_skill_words(s) for s in skills if s in SKILLS][:3])
    closing = rng.choice(
        [
            f"Happy to help with {offer}.",
            f"Ask me about {offer}.",
            f"I enjoy mentoring people on {offer}.",
        ]
    )
    sentences = [
        f"{role} with {years} years of experience delivering projects in {sector}.",
        f"I hold the {_join([CERT_LABELS[c] for c in held])}.",
        closing,
    ]
    return " ".join(sentences)[:600]


def generate_people(
    n_mentees: int = 300, n_mentors: int = 100, *, random_state: int = 2027
) -> list[dict[str, object]]:
    """A deterministic population: ``n_mentees`` mentees, then ``n_mentors`` mentors.

    About 8% of mentors also want mentoring (roles ``["mentor", "mentee"]``); they count
    as mentors. The same ``random_state`` always gives the same people.
    """
    rng = random.Random(random_state)
    people = [_mentee(rng, i + 1) for i in range(n_mentees)]
    people += [_mentor(rng, n_mentees + i + 1) for i in range(n_mentors)]
    return people
