"""Pair scores in [0, 1] as a weighted sum of named components, and the hard constraints."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.features import SLOT_MINUTES, SideFeatures
from matching.profiles import Weights

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
#: Weekly overlap at which the availability component is full.
FULL_OVERLAP_HOURS = 3.0
#: Share of the industry/role component from shared industries (the fraction of the mentee's
#: industries the mentor works in); the rest is the similarity of their current roles.
INDUSTRY_SHARE = 0.6
#: Tolerance on the minimum overlap, so "1 hour" of 30-minute slots is never lost to rounding.
OVERLAP_TOLERANCE = np.float32(1e-4)


@dataclass(frozen=True)
class Block:
    """Scores for a block of mentees against all mentors."""

    rows: IntArray
    scores: FloatArray  # (len(rows), n_mentors); meaningful where ``allowed``
    allowed: BoolArray
    overlap_hours: FloatArray
    shared_language: BoolArray
    same_employer: BoolArray


def overlap_threshold(min_overlap_hours: float) -> np.float32:
    """The float32 overlap (hours) a pair needs to meet ``min_overlap_hours``, less the
    tolerance; every check of the minimum overlap compares with this."""
    return np.float32(np.float32(min_overlap_hours) - OVERLAP_TOLERANCE)


def experience_fit(mentee_years: FloatArray, mentor_years: FloatArray) -> FloatArray:
    """Suitability of an experience gap (in whole years): best when the mentor is 5-15 ahead.

    Under 1 year ahead gives 0; from 1 to 5 years it rises from 0.2 to 1; beyond 15 years it
    eases to 0.6 at 30 years (very senior mentors are still good, a little less relatable).
    """
    gap = mentor_years - mentee_years
    rising = 0.2 + 0.8 * (gap - 1.0) / 4.0
    easing = 1.0 - 0.4 * np.clip((gap - 15.0) / 15.0, 0.0, 1.0)
    out = np.where(gap < 1.0, 0.0, np.where(gap < 5.0, rising, easing))
    return np.asarray(out, dtype=np.float32)


#: Whole years of experience the table covers (0-60).
EXPERIENCE_YEARS = 61
_YEARS = np.arange(EXPERIENCE_YEARS, dtype=np.float32)
#: experience_fit for whole years 0-60 (mentee x mentor): a gather beats recomputing per pair.
_EXPERIENCE_TABLE = experience_fit(_YEARS[:, None], _YEARS[None, :])


def _whole_years(years: FloatArray) -> IntArray:
    return np.clip(np.rint(years), 0, 60).astype(np.int64)


@dataclass(frozen=True)
class FusedSides:
    """The linear components stacked side by side, weights folded into the mentee side.

    need/offer, certification, tools and industry/role are all bilinear (``a_i . b_j``), so
    their weighted sum is a single matrix product. Experience is a lookup in a table of whole
    years, read per pair (cheaper than 61 more columns in the product).
    """

    mentee: FloatArray
    mentor: FloatArray
    #: Row of the experience table for each mentee, column for each mentor.
    mentee_years: IntArray
    mentor_years: IntArray
    #: The experience table with its weight folded in, flattened (61 x 61).
    experience: FloatArray


def fuse(mentees: SideFeatures, mentors: SideFeatures, weights: Weights) -> FusedSides:
    """Stack the bilinear components of both sides for :func:`score_block`."""
    w = weights.normalised()
    left = [
        w["need_offer"] * mentees.tags,
        w["certification"] * mentees.certs,
        w["tools"] * mentees.tools,
        w["industry_role"] * INDUSTRY_SHARE * mentees.industries,
        w["industry_role"] * (1 - INDUSTRY_SHARE) * mentees.role,
    ]
    right = [
        mentors.tags,
        mentors.certs,
        mentors.tools,
        mentors.industries,
        mentors.role,
    ]
    return FusedSides(
        np.ascontiguousarray(np.hstack(left), dtype=np.float32),
        np.ascontiguousarray(np.hstack(right).T, dtype=np.float32),
        _whole_years(mentees.years),
        _whole_years(mentors.years),
        (np.float32(w["experience"]) * _EXPERIENCE_TABLE).ravel(),
    )


def score_block(
    mentees: SideFeatures,
    mentors: SideFeatures,
    rows: IntArray,
    weights: Weights,
    min_overlap_hours: float,
    fused: FusedSides | None = None,
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
    fused : FusedSides, optional
        From :func:`fuse` (computed here if not given; pass it when scoring many blocks).

    Returns
    -------
    Block
    """
    w = weights.normalised()
    fused = fused or fuse(mentees, mentors, weights)
    scores = fused.mentee[rows] @ fused.mentor
    scores += fused.experience[
        fused.mentee_years[rows, None] * EXPERIENCE_YEARS + fused.mentor_years[None, :]
    ]
    overlap = (mentees.slots[rows] @ mentors.slots.T) * np.float32(SLOT_MINUTES / 60)
    if w["availability"]:
        scores += np.float32(w["availability"]) * np.minimum(overlap / FULL_OVERLAP_HOURS, 1.0)
    if w["text"]:
        text = mentees.text[rows] @ mentors.text.T
        np.maximum(text, 0.0, out=text)
        scores += np.float32(w["text"]) * text
    np.clip(scores, 0.0, 1.0, out=scores)
    shared = (mentees.language_onehot[rows] @ mentors.language_onehot.T) > 0
    emp = mentees.employer[rows]
    same_employer = (emp[:, None] == mentors.employer[None, :]) & (emp[:, None] != 0)
    enough = overlap >= overlap_threshold(min_overlap_hours)
    allowed = shared & enough & ~same_employer
    return Block(rows, scores, allowed, overlap, shared, same_employer)


def _rowwise(a: FloatArray, b: FloatArray) -> FloatArray:
    out: FloatArray = np.einsum("ij,ij->i", a, b, dtype=np.float32)
    return out


def pair_components(
    mentees: SideFeatures, mentors: SideFeatures, mentee_idx: IntArray, mentor_idx: IntArray
) -> dict[str, FloatArray]:
    """Every component (and ``overlap_hours``) for the given pairs, for storage and reasons.

    Computed pair by pair (row-wise products), so the cost is proportional to the number of
    pairs, not to the number of mentees times mentors.
    """
    e, o = np.asarray(mentee_idx, dtype=np.int64), np.asarray(mentor_idx, dtype=np.int64)
    overlap = _rowwise(mentees.slots[e], mentors.slots[o]) * np.float32(SLOT_MINUTES / 60)
    industry = _rowwise(mentees.industries[e], mentors.industries[o])
    role = _rowwise(mentees.role[e], mentors.role[o])
    comps = {
        "need_offer": _rowwise(mentees.tags[e], mentors.tags[o]),
        "certification": _rowwise(mentees.certs[e], mentors.certs[o]),
        "tools": _rowwise(mentees.tools[e], mentors.tools[o]),
        "industry_role": INDUSTRY_SHARE * industry + (1 - INDUSTRY_SHARE) * role,
        "text": np.clip(_rowwise(mentees.text[e], mentors.text[o]), 0.0, 1.0),
        "experience": _EXPERIENCE_TABLE[
            _whole_years(mentees.years[e]), _whole_years(mentors.years[o])
        ],
        "availability": np.minimum(overlap / FULL_OVERLAP_HOURS, 1.0),
        "overlap_hours": overlap,
    }
    return {k: np.asarray(v, dtype=np.float32) for k, v in comps.items()}
