"""What matching knows of a person, and the scoring weights: frozen dataclasses, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

COMPONENTS = (
    "need_offer",
    "certification",
    "tools",
    "industry_role",
    "text",
    "experience",
    "availability",
)
#: Each component's weight when an organiser sets none: the defaults of :class:`Weights` and
#: of a programme's settings (the service reads them from here).
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "need_offer": 3.0,
        "certification": 2.0,
        "tools": 1.0,
        "industry_role": 1.0,
        "text": 1.0,
        "experience": 1.0,
        "availability": 1.0,
    }
)


@dataclass(frozen=True)
class Profile:
    """One mentee or mentor, already normalised by the service (slugs, UTC intervals)."""

    skills: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    certifications_held: tuple[str, ...] = ()
    certifications_target: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    years_experience: float = 0.0
    role: str = ""
    text: str = ""
    employer: str = ""
    country: str = ""
    utc_offset_hours: float = 0.0
    #: Weekly availability as UTC minute-of-week half-open intervals (see matching.availability).
    availability: tuple[tuple[int, int], ...] = field(default=())


@dataclass(frozen=True)
class Weights:
    """Organiser-adjustable weight of each score component (non-negative, not all zero)."""

    need_offer: float = DEFAULT_WEIGHTS["need_offer"]
    certification: float = DEFAULT_WEIGHTS["certification"]
    tools: float = DEFAULT_WEIGHTS["tools"]
    industry_role: float = DEFAULT_WEIGHTS["industry_role"]
    text: float = DEFAULT_WEIGHTS["text"]
    experience: float = DEFAULT_WEIGHTS["experience"]
    availability: float = DEFAULT_WEIGHTS["availability"]

    def __post_init__(self) -> None:
        values = [getattr(self, f.name) for f in fields(self)]
        if any(v < 0 for v in values):
            raise ValueError("weights must be non-negative")
        if sum(values) <= 0:
            raise ValueError("at least one weight must be positive")

    def normalised(self) -> dict[str, float]:
        """Weights scaled to sum to 1, keyed by component."""
        total = sum(getattr(self, c) for c in COMPONENTS)
        return {c: getattr(self, c) / total for c in COMPONENTS}
