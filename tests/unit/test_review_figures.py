"""A round's figures as the organiser pages word them: fairness gaps marked by the stated
thresholds, the other mode's figures beside this round's, the certificate in a sentence."""

from __future__ import annotations

from matching.metrics import (
    CertificateFigures,
    GroupFigures,
    MentorLoad,
    RoundMetrics,
    ScoreSummary,
    timezone_band,
)
from service.pages.review import certificate_words, price_rows


def metrics(coverage: float, mean: float, groups: list[GroupFigures], **kw) -> RoundMetrics:
    values = {
        "mode": "optimal",
        "mentees": 20,
        "matched": round(20 * coverage),
        "coverage": coverage,
        "total_score": 10.0,
        "score": ScoreSummary(mean, mean, mean / 2, 0.1),
        "mentor_load": MentorLoad({}, 10, 12, 3),
        "blocking_pairs": 2,
        "fairness": {"country": groups},
    }
    values.update(kw)
    return RoundMetrics(**values)


def test_this_round_beside_the_other_mode():
    here = metrics(0.80, 0.50, [], blocking_pairs=3)
    other = metrics(0.70, 0.55, [], mode="stable", blocking_pairs=0)
    rows = {r.label: r for r in price_rows(here, other)}
    assert (rows["Coverage"].here, rows["Coverage"].other) == ("80%", "70%")
    assert rows["Coverage"].difference == "+10 points"
    assert rows["Mean score"].difference == "-0.05"
    assert rows["Blocking pairs"].difference == "+3"
    assert rows["Total score"].difference == "same"


def test_the_certificate_in_a_sentence():
    proof = CertificateFigures(rounds=2, candidate_pairs=1200, allowed_pairs=45000, gap_bound=0)
    assert certificate_words(proof, "optimal") == (
        "Proven optimal: checked against all 45,000 allowed pairs in 2 passes, solving over"
        " 1,200 candidate pairs."
    )
    assert "no blocking pairs instead" in certificate_words(None, "stable")


def test_timezone_bands_split_at_utc_minus_and_plus_three():
    assert [timezone_band(h) for h in (-5, -3, -2.5, 0, 2.5, 3, 9)] == [
        "americas",
        "americas",
        "europe_africa",
        "europe_africa",
        "europe_africa",
        "asia_pacific",
        "asia_pacific",
    ]
