"""Pair scores in [0, 1] as a weighted sum of named components, and the hard constraints."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.features import SLOT_MINUTES, SideFeatures
from matching.profiles import COMPONENTS, Weights

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
#: Weekly overlap at which the availability component is full.
FULL_OVERLAP_HOURS = 3.0
#: Share of the industry/role component that comes from a shared industry.
INDUSTRY_SHARE = 0.6
EXCLUSIONS = ("language", "availability", "employer")


@dataclass(frozen=True)
class Block:
    """Scores for a block of mentees against all mentors."""

    rows: IntArray
    scores: FloatArray  # (len(rows), n_mentors); meaningful where ``allowed``
    allowed: BoolArray
    overlap_hours: FloatArray
    shared_language: BoolArray
    same_employer: BoolArray


def experience_fit(mentee_years: FloatArray, mentor_years: FloatArray) -> FloatArray:
    """Suitability of an experience gap: best when the mentor is 5-15 years ahead.

    Under 1 year ahead gives 0; from 1 to 5 years it rises from 0.2 to 1; beyond 15 years it
    eases to 0.6 at 30 years (very senior mentors are still good, a little less relatable).
    """
    gap = mentor_years - mentee_years
    rising = 0.2 + 0.8 * (gap - 1.0) / 4.0
    easing = 1.0 - 0.4 * np.clip((gap - 15.0) / 15.0, 0.0, 1.0)
    out = np.where(gap < 1.0, 0.0, np.where(gap < 5.0, rising, easing))
    return np.asarray(out, dtype=np.float32)


def _components(
    mentees: SideFeatures, mentors: SideFeatures, rows: IntArray
) -> tuple[dict[str, FloatArray], FloatArray]:
    overlap = (mentees.slots[rows] @ mentors.slots.T) * np.float32(SLOT_MINUTES / 60)
    shared_industry = (mentees.industries[rows] @ mentors.industries.T) > 0
    role = (mentees.role[rows] @ mentors.role.T).toarray().astype(np.float32)
    comps = {
        "need_offer": mentees.tags[rows] @ mentors.tags.T,
        "certification": mentees.certs[rows] @ mentors.certs.T,
        "tools": mentees.tools[rows] @ mentors.tools.T,
        "industry_role": INDUSTRY_SHARE * shared_industry + (1 - INDUSTRY_SHARE) * role,
        "text": np.clip(mentees.text[rows] @ mentors.text.T, 0.0, 1.0),
        "experience": experience_fit(mentees.years[rows, None], mentors.years[None, :]),
        "availability": np.minimum(overlap / FULL_OVERLAP_HOURS, 1.0),
    }
    return {k: np.asarray(v, dtype=np.float32) for k, v in comps.items()}, overlap


def score_block(
    mentees: SideFeatures,
    mentors: SideFeatures,
    rows: IntArray,
    weights: Weights,
    min_overlap_hours: float,
) -> Block:
    """Scores and hard constraints for mentees ``rows`` against every mentor.

    Parameters
    ----------
    mentees, mentors : SideFeatures
        From :meth:`ProfileVectorizer.transform`.
    rows : ndarray of int
        Mentee indices of the block.
    weights : Weights
        Component weights (normalised here so scores stay in [0, 1]).
    min_overlap_hours : float
        Pairs with less weekly availability in common are not allowed.

    Returns
    -------
    Block
    """
    comps, overlap = _components(mentees, mentors, rows)
    w = weights.normalised()
    scores = np.zeros_like(comps["need_offer"])
    for name in COMPONENTS:
        if w[name]:
            scores += np.float32(w[name]) * comps[name]
    np.clip(scores, 0.0, 1.0, out=scores)
    lang = mentees.languages[rows]
    shared = np.zeros(scores.shape, dtype=bool)
    for word in range(lang.shape[1]):
        shared |= (lang[:, word, None] & mentors.languages[None, :, word]) != 0
    emp = mentees.employer[rows]
    same_employer = (emp[:, None] == mentors.employer[None, :]) & (emp[:, None] != 0)
    # A small tolerance so "1 hour" of 30-minute slots is never lost to float rounding.
    enough = overlap >= np.float32(min_overlap_hours) - np.float32(1e-4)
    allowed = shared & enough & ~same_employer
    return Block(rows, scores, allowed, overlap, shared, same_employer)


def pair_components(
    mentees: SideFeatures, mentors: SideFeatures, mentee_idx: IntArray, mentor_idx: IntArray
) -> dict[str, FloatArray]:
    """Every component (and ``overlap_hours``) for the given pairs, for storage and reasons."""
    out: dict[str, list[float]] = {c: [] for c in (*COMPONENTS, "overlap_hours")}
    if len(mentee_idx) == 0:
        return {k: np.zeros(0, dtype=np.float32) for k in out}
    order = np.argsort(mentee_idx, kind="stable")
    result = {k: np.zeros(len(mentee_idx), dtype=np.float32) for k in out}
    uniq = np.unique(mentee_idx)
    for start in range(0, len(uniq), 1024):
        rows = uniq[start : start + 1024]
        comps, overlap = _components(mentees, mentors, rows)
        pos = {int(r): k for k, r in enumerate(rows)}
        sel = order[np.isin(mentee_idx[order], rows)]
        local = np.array([pos[int(i)] for i in mentee_idx[sel]], dtype=np.int64)
        for name in COMPONENTS:
            result[name][sel] = comps[name][local, mentor_idx[sel]]
        result["overlap_hours"][sel] = overlap[local, mentor_idx[sel]]
    return result
