"""A round's figures as the organiser pages show them: headline figures, the price of the
other mode, and the words for reason codes (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from matching.metrics import CertificateFigures, RoundMetrics
from service.rounds.schemas import RoundReport

#: Why members were not in the round (service.rounds.entry's codes), as organisers read it.
NOT_ENTERED_WORDS = {
    "has_mentor": "already with a mentor in this programme",
    "no_places_left": "no places left",
    "no_consent": "not agreed to be matched",
    "email_not_verified": "email address not verified",
    "no_availability": "no weekly availability given",
    "beyond_round_size": "beyond the round size",
}
#: Why an entered mentee was left without a mentor (matching's codes), as organisers read it.
UNMATCHED_WORDS = {
    "all_suitable_mentors_full": "every suitable mentor was full",
    "shortlist_mentors_chose_others": "the mentors on their shortlist chose others (stable mode)",
    "no_shared_language": "no mentor speaks one of their languages",
    "no_availability_overlap": "no mentor is free at the same time long enough",
    "conflict_of_interest": "the only possible mentors work at their employer",
    "no_eligible_mentor": "no mentor could take them (forbidden, earlier pairs or none free)",
    "no_mentors": "no mentor entered the round",
}


def pct(value: float | None) -> str:
    """A share as a whole percentage ("87%"), or "–" when there is none."""
    return "–" if value is None else f"{value * 100:.0f}%"


def num(value: float | None, places: int = 2) -> str:
    """A score with ``places`` decimals, or "–" when there is none."""
    return "–" if value is None else f"{value:.{places}f}"


@dataclass(frozen=True)
class Figure:
    """One headline figure: what, its value, and a line saying more."""

    label: str
    value: str
    detail: str = ""


def certificate_words(certificate: CertificateFigures | None, mode: str) -> str:
    """The optimality certificate in a sentence."""
    if certificate is None:
        if mode == "stable":
            return "Stable mode has no optimality proof: it guarantees no blocking pairs instead."
        return "No proof of optimality was recorded for this round."
    proved = (
        "Proven optimal"
        if certificate.gap_bound < 1e-6
        else f"Within {certificate.gap_bound:.2g} of the best possible total score"
    )
    return (
        f"{proved}: checked against all {certificate.allowed_pairs:,} allowed pairs in"
        f" {certificate.rounds} {'pass' if certificate.rounds == 1 else 'passes'}, solving"
        f" over {certificate.candidate_pairs:,} candidate pairs."
    )


def headline(m: RoundReport) -> list[Figure]:
    """The figures at the top of a review."""
    load = m.mentor_load
    return [
        Figure("Coverage", pct(m.coverage), f"{m.matched} of {m.mentees} mentees matched"),
        Figure(
            "Mean score",
            num(m.score.mean),
            f"median {num(m.score.median)}, lowest tenth below {num(m.score.p10)}",
        ),
        Figure(
            "Mentor load",
            f"{load.capacity_used} of {load.capacity_total}",
            f"places used; {load.mentors_at_capacity} of {m.mentors} mentors now full",
        ),
        Figure(
            "Blocking pairs",
            str(m.blocking_pairs),
            "pairs who would both rather have each other than their matches",
        ),
        Figure("Mode", m.mode, certificate_words(m.certificate, m.mode)),
    ]


@dataclass(frozen=True)
class PriceRow:
    """One figure of this round beside the other mode's."""

    label: str
    here: str
    other: str
    difference: str


def _delta(here: float | None, other: float | None, fmt: str) -> str:
    if here is None or other is None:
        return "–"
    d = here - other
    if fmt == "pct":
        return f"{d * 100:+.0f} points" if round(d * 100) else "same"
    if fmt == "int":
        return f"{d:+.0f}" if round(d) else "same"
    return f"{d:+.2f}" if round(d, 2) else "same"


def price_rows(m: RoundMetrics, other: RoundMetrics) -> list[PriceRow]:
    """This round's figures beside the other mode's (the price of stability or optimality)."""
    rows: list[tuple[str, float | None, float | None, str]] = [
        ("Coverage", m.coverage, other.coverage, "pct"),
        ("Mentees matched", m.matched, other.matched, "int"),
        ("Total score", m.total_score, other.total_score, "num"),
        ("Mean score", m.score.mean, other.score.mean, "num"),
        ("Median score", m.score.median, other.score.median, "num"),
        ("Lowest tenth (p10)", m.score.p10, other.score.p10, "num"),
        ("Blocking pairs", m.blocking_pairs, other.blocking_pairs, "int"),
        (
            "Mentors now full",
            m.mentor_load.mentors_at_capacity,
            other.mentor_load.mentors_at_capacity,
            "int",
        ),
    ]

    def shown(value: float | None, fmt: str) -> str:
        if fmt == "pct":
            return pct(value)
        if fmt == "int":
            return "–" if value is None else f"{value:.0f}"
        return num(value)

    return [PriceRow(label, shown(a, f), shown(b, f), _delta(a, b, f)) for label, a, b, f in rows]
