"""Why a person has no match from a round, in words they read ("you" is that person).

Matching gives codes and data (:class:`matching.pipeline.Unmatched`); the rounds domain decides
who enters a round (:mod:`service.rounds.entry`). These texts are stored with the round and
shown on the person's My matches and to organisers: plain words, what happens next, and what
the person can do. Scores, codes and the solver's terms stay in the organisers' details.
"""

from __future__ import annotations

from collections.abc import Sequence

from matching.explain import listing

WAITLIST = "You stay on the waitlist for the next round."


def duration(hours: float) -> str:
    """A weekly duration in words, without decimals: "1 hour", "1 hour 30 minutes"."""
    h, m = divmod(round(hours * 60), 60)
    parts = [f"{h} hour" + ("s" if h != 1 else "")] if h else []
    if m or not h:
        parts.append(f"{m} minute" + ("s" if m != 1 else ""))
    return " ".join(parts)


def unmatched_reason(code: str, mentors: Sequence[str], min_overlap_hours: float) -> str:
    """Why an entered mentee has no mentor this round; ``mentors`` names the best blocked ones.

    Every code :func:`matching.pipeline.solve_round` gives, and "no_mentors" (no mentor entered).
    """
    named = listing(mentors)
    if code == "all_suitable_mentors_full":
        if len(mentors) == 1:
            return f"The mentor who fits you best was full this round: {named}. {WAITLIST}"
        if named:
            return f"The mentors who fit you best were full this round: {named}. {WAITLIST}"
        return f"The mentors who fit you were full this round. {WAITLIST}"
    if code == "shortlist_mentors_chose_others":
        if len(mentors) == 1:
            return (
                f"The mentor who fits you best chose another mentee this round: {named}. {WAITLIST}"
            )
        if named:
            return (
                f"The mentors who fit you best chose other mentees this round: {named}. {WAITLIST}"
            )
        return f"The mentors who fit you best chose other mentees this round. {WAITLIST}"
    if code == "no_shared_language":
        return (
            f"No mentor in this programme speaks a language you speak. {WAITLIST} If you speak"
            " another language, adding it to your profile widens your choice of mentors."
        )
    if code == "no_availability_overlap":
        return (
            "No mentor who speaks your language is free at the same times as you for at least"
            f" {duration(min_overlap_hours)} a week. {WAITLIST} Adding more times you are free"
            " each week to your profile gives you more mentors to meet."
        )
    if code == "conflict_of_interest":
        return (
            "The only mentors who could meet you work for the same employer as you, and"
            f" colleagues are not paired. {WAITLIST}"
        )
    if code == "no_eligible_mentor":
        return (
            "The only mentors who could meet you were introduced to you before, or the organisers"
            f" decided against the pairing. {WAITLIST} New mentors join over time."
        )
    if code == "no_mentors":
        return f"No mentor had a free place in this programme this round. {WAITLIST}"
    raise ValueError(f"no words for unmatched code {code!r}")


#: What each fixable cause was, and what the member can do about it.
_PROBLEM = {
    "no_consent": "you had not agreed to be matched",
    "email_not_verified": "your email address was not verified",
    "no_availability": "your profile had no weekly availability, and this programme pairs"
    " people who have time in common",
}
_FIX = {
    "no_consent": 'tick "I agree to be matched" on your profile',
    "email_not_verified": "follow the link we emailed you (your profile can send a new one)",
    "no_availability": "add the times you are free each week to your profile",
}


def not_entered_reason(causes: Sequence[str], role: str, round_size: int | None) -> str:
    """Why a member was not in a round (one role), what happens next, what they can do.

    ``causes`` are codes of :data:`service.rounds.entry.NOT_ENTERED`, the first one binding.
    """
    first = causes[0]
    if first == "has_mentor":
        return (
            "You were not in this round because you already have a mentor in this programme,"
            " or an introduction to one waiting for answers. If it is declined or ends, the"
            " next round includes you again."
        )
    if first == "no_places_left":
        return (
            "You were not in this round because all your mentoring places are taken. When a"
            " place frees up, or if you offer more places on your profile, the next round"
            " includes you again."
        )
    if first == "beyond_round_size":
        who = f"the {round_size} {role}s" if round_size and round_size > 1 else f"the {role}"
        return (
            f"You were not in this round because it took only {who} who joined the programme"
            " first, and you joined after them. You keep your place on the waitlist for the"
            " next round."
        )
    problems = [_PROBLEM[c] for c in causes]
    fixes = [_FIX[c] for c in causes]
    return (
        f"You were not in this round because {listing(problems)}. To be in the next round,"
        f" {listing(fixes)}."
    )
