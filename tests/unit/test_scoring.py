"""`matching.scoring`: score range, components, weights, experience fit and hard constraints."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.population import goal_needs_from_seed, population
from matching.availability import weekly_intervals
from matching.features import ProfileVectorizer, SideFeatures
from matching.profiles import COMPONENTS, Profile, Weights
from matching.scoring import experience_fit, pair_components, score_block
from tests.unit.profile_strategies import GOAL_NEEDS, profiles, weights

TOL = 1e-5
#: The feature arrays (on both sides) each component is computed from.
COMPONENT_FEATURES = {
    "need_offer": ("tags",),
    "certification": ("certs",),
    "tools": ("tools",),
    "industry_role": ("industries", "role"),
    "text": ("text",),
    "experience": ("years",),
    "availability": ("slots",),
}


def features(mentees, mentors, goal_needs=GOAL_NEEDS) -> tuple[SideFeatures, SideFeatures]:
    vec = ProfileVectorizer(goal_needs).fit(mentees, mentors)
    return vec.transform(mentees, "mentee"), vec.transform(mentors, "mentor")


def everything(fe: SideFeatures, fo: SideFeatures, w: Weights, min_overlap: float = 1.0):
    return score_block(fe, fo, np.arange(len(fe.years), dtype=np.int64), w, min_overlap)


def check_consistent(fe, fo, w, mentee_idx, mentor_idx) -> None:
    """Scores in [0, 1], components in [0, 1], and the score is their weighted sum."""
    block = everything(fe, fo, w)
    assert np.all((block.scores >= 0) & (block.scores <= 1))
    comps = pair_components(fe, fo, mentee_idx, mentor_idx)
    assert set(comps) == {*COMPONENTS, "overlap_hours"}
    for name in COMPONENTS:
        assert np.all(comps[name] >= -TOL), name
        assert np.all(comps[name] <= 1 + TOL), name
    norm = w.normalised()
    weighted = sum(norm[c] * comps[c].astype(np.float64) for c in COMPONENTS)
    np.testing.assert_allclose(
        block.scores[mentee_idx, mentor_idx], np.minimum(weighted, 1.0), atol=TOL
    )
    np.testing.assert_allclose(
        block.overlap_hours[mentee_idx, mentor_idx], comps["overlap_hours"], atol=TOL
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(profiles(), min_size=1, max_size=8),
    st.lists(profiles(), min_size=1, max_size=6),
    weights,
)
def test_scores_are_the_weighted_sum_of_components(mentees, mentors, w):
    fe, fo = features(mentees, mentors)
    e, o = np.meshgrid(np.arange(len(mentees)), np.arange(len(mentors)), indexing="ij")
    check_consistent(fe, fo, w, e.ravel(), o.ravel())


@pytest.fixture(scope="module")
def realistic() -> tuple[SideFeatures, SideFeatures]:
    mentees, mentors, _ = population(150, 50, seed=1)
    return features(mentees, mentors, goal_needs_from_seed())


@pytest.mark.parametrize("w", [Weights(), Weights(need_offer=0, text=5, availability=0)])
def test_realistic_random_pairs(realistic, w):
    fe, fo = realistic
    rng = np.random.default_rng(7)
    e = rng.integers(0, len(fe.years), 500)
    o = rng.integers(0, len(fo.years), 500)
    check_consistent(fe, fo, w, e, o)
    # The realistic population exercises every component somewhere.
    comps = pair_components(fe, fo, e, o)
    for name in COMPONENTS:
        assert comps[name].max() > 0, name


def _perturbed(side: SideFeatures, names: tuple[str, ...], rng) -> SideFeatures:
    changes = {}
    for name in names:
        value = getattr(side, name)
        changes[name] = (rng.random(value.shape) * (30 if name == "years" else 1)).astype(
            value.dtype
        )
    return replace(side, **changes)


@pytest.mark.parametrize("component", COMPONENTS)
def test_zero_weight_component_does_not_affect_scores(realistic, component):
    fe, fo = realistic
    rng = np.random.default_rng(0)
    names = COMPONENT_FEATURES[component]
    fe2, fo2 = _perturbed(fe, names, rng), _perturbed(fo, names, rng)
    zero = Weights(**{component: 0.0})
    np.testing.assert_allclose(
        everything(fe, fo, zero).scores, everything(fe2, fo2, zero).scores, atol=1e-6
    )
    # With its weight back, the same change does move the scores (the check above has teeth).
    assert not np.allclose(
        everything(fe, fo, Weights()).scores, everything(fe2, fo2, Weights()).scores, atol=1e-4
    )


def test_zero_weight_profile_fields_do_not_affect_scores():
    mentees, mentors, _ = population(40, 15, seed=2)
    w = Weights(experience=0, availability=0)
    before = everything(*features(mentees, mentors), w)
    moved = [
        replace(p, years_experience=(p.years_experience + 7) % 31, availability=((0, 60),))
        for p in mentees
    ]
    after = everything(*features(moved, mentors), w)
    np.testing.assert_allclose(before.scores, after.scores, atol=1e-6)
    assert not np.array_equal(before.allowed, after.allowed)  # availability is still a constraint


@pytest.mark.parametrize(
    "kwargs",
    [
        {"need_offer": -1.0},
        {"availability": -0.01},
        dict.fromkeys(COMPONENTS, 0.0),
    ],
)
def test_weights_reject_negative_and_all_zero(kwargs):
    with pytest.raises(ValueError, match="weight"):
        Weights(**kwargs)


def test_weights_normalise_to_one():
    norm = Weights(need_offer=2, certification=0, tools=0, industry_role=0, text=0).normalised()
    assert sum(norm.values()) == pytest.approx(1.0)
    assert norm == {
        "need_offer": 0.5,
        "certification": 0.0,
        "tools": 0.0,
        "industry_role": 0.0,
        "text": 0.0,
        "experience": 0.25,
        "availability": 0.25,
    }
    assert Weights(text=0.0).text == 0.0  # a single zero weight is fine


def fit(gap):
    return float(experience_fit(np.float32(2.0), np.float32(2.0 + gap)))


def test_experience_fit_shape():
    for gap in (-10, -1, 0, 0.5, 0.99):
        assert fit(gap) == 0.0, gap
    assert fit(1) == pytest.approx(0.2)
    assert fit(3) == pytest.approx(0.6)
    for gap in (5, 7, 10, 15):
        assert fit(gap) == pytest.approx(1.0), gap
    assert fit(22.5) == pytest.approx(0.8)
    for gap in (30, 40, 58):
        assert fit(gap) == pytest.approx(0.6), gap
    gaps = np.linspace(1, 5, 41)
    rising = [fit(g) for g in gaps]
    assert all(a < b for a, b in itertools.pairwise(rising))
    gaps = np.linspace(15, 30, 31)
    easing = [fit(g) for g in gaps]
    assert all(a > b for a, b in itertools.pairwise(easing))
    values = [fit(g) for g in np.linspace(-5, 60, 200)]
    assert min(values) >= 0.0 and max(values) <= 1.0


def test_experience_fit_broadcasts():
    out = experience_fit(np.array([[0.0], [10.0]], np.float32), np.array([[0.0, 10.0, 40.0]]))
    assert out.shape == (2, 3)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, 1.0, 0.6], [0.0, 0.0, 0.6]])


def _hours(day: int, start: float, end: float) -> tuple[tuple[int, int], ...]:
    return tuple(weekly_intervals([day * 1440 + round(start * 60)], [day * 1440 + round(end * 60)]))


def test_block_applies_language_employer_and_overlap_constraints():
    mentee = Profile(languages=("en", "pt"), employer="acme", availability=_hours(1, 17, 20))
    ok = Profile(languages=("pt",), employer="other", availability=_hours(1, 17, 20))
    mentors = [
        ok,
        replace(ok, languages=("fr",)),  # no shared language
        replace(ok, employer="acme"),  # same employer: conflict of interest
        replace(ok, availability=_hours(1, 19.5, 22)),  # 30 minutes together, 1 h needed
        replace(ok, availability=_hours(1, 19, 22)),  # exactly 1 h: enough
        replace(ok, availability=_hours(2, 17, 20)),  # another day
        replace(ok, employer=""),  # unknown employer is never a conflict
    ]
    fe, fo = features([mentee, replace(mentee, employer="")], mentors)
    block = everything(fe, fo, Weights(), min_overlap=1.0)
    assert block.allowed.tolist() == [
        [True, False, False, False, True, False, True],
        [True, False, True, False, True, False, True],
    ]
    assert block.shared_language[0].tolist() == [True, False, True, True, True, True, True]
    assert block.same_employer[0].tolist() == [False, False, True, False, False, False, False]
    assert not block.same_employer[1].any()  # the mentee's employer is unknown
    np.testing.assert_allclose(block.overlap_hours[0], [3, 3, 3, 0.5, 1, 0, 3])
    # Disallowed pairs still get meaningful scores (for reasons and what-ifs).
    assert np.all((block.scores >= 0) & (block.scores <= 1))
    looser = everything(fe, fo, Weights(), min_overlap=0.5)
    assert looser.allowed[0, 3] and not looser.allowed[0, 5]
    anything = everything(fe, fo, Weights(), min_overlap=0.0)
    assert anything.allowed[0, 5]


def test_fit_transform_equals_fit_then_transform():
    from bench.population import goal_needs_from_seed, population
    from matching.features import ProfileVectorizer

    mentees, mentors, _ = population(120, 40)
    a_e, a_o = ProfileVectorizer(goal_needs_from_seed()).fit_transform(mentees, mentors)
    vec = ProfileVectorizer(goal_needs_from_seed()).fit(mentees, mentors)
    b_e, b_o = vec.transform(mentees, "mentee"), vec.transform(mentors, "mentor")
    for a, b in ((a_e, b_e), (a_o, b_o)):
        for name in ("tags", "certs", "tools", "industries", "role", "text", "slots"):
            np.testing.assert_allclose(getattr(a, name), getattr(b, name), atol=1e-6)
