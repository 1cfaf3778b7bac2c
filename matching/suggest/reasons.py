"""Reasons in words, from the components that earned a suggestion.

Reasons name people by first name only (:attr:`Person.first_name`); nothing else about them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from matching.explain import DAYS, listing
from matching.suggest.content import goals_covered
from matching.suggest.feasibility import distances_km, place_key
from matching.suggest.model import Association, Edge, Event, Person

if TYPE_CHECKING:
    from matching.suggest.recommender import Recommender

FloatArray = npt.NDArray[np.float64]


def label(labels: Mapping[str, str], slug: str) -> str:
    """A slug's display label (the slug in words when the service gave none)."""
    return labels.get(slug, slug.replace("-", " "))


def local_time(moment: datetime, timezone: str) -> str:
    """'Tuesday 19:00' in ``timezone`` (UTC when it is unknown)."""
    try:
        zone: ZoneInfo | None = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = None
    local = moment.astimezone(zone or UTC)
    return f"{DAYS[local.weekday()]} {local:%H:%M}"


def where(item: Event | Association, km: float, same_city: bool) -> str:
    """'online', 'in your city' or 'in Porto, 12 km away'."""
    if item.online:
        return "online"
    if same_city:
        return "in your city"
    place = f"in {item.city}" if item.city else "nearby"
    return f"{place}, {round(km)} km away" if km == km else place  # NaN: distance unknown


def when_and_where(
    item: Event | Association, timezone: str, km: float, same_city: bool, zone_known: bool
) -> str:
    """'online, Tuesday 19:00 your time' for an event; where it is for an association."""
    place = where(item, km, same_city)
    if isinstance(item, Event):
        suffix = " your time" if zone_known else " UTC"
        return f"{place}, {local_time(item.starts_at, timezone)}{suffix}"
    if item.online:
        return "an online community you can join from anywhere"
    return f"meets {place}" if place != "nearby" else "meets near you"


def people_words(names: Sequence[str], role: str, verb: str) -> str:
    """'your mentor Ana is going', 'your mentees Bo and Cy are members'."""
    names = [n for n in names if n]
    many = len(names) > 1
    who = f"your {role}{'s' if many else ''}"
    if names:
        who = f"{who} {listing(names)}"
    if verb == "member":
        return f"{who} {'are members' if many else 'is a member'}"
    return f"{who} {'are going' if many else 'is going'}"


def peers_words(count: int, is_event: bool) -> str:
    """'12 people with your goals have joined' / 'are going'."""
    noun = "person" if count == 1 else "people"
    if is_event:
        return f"{count} {noun} with your goals {'is' if count == 1 else 'are'} going"
    return f"{count} {noun} with your goals {'has' if count == 1 else 'have'} joined"


class Wording:
    """One person's reasons, worded from the components that earned each suggestion."""

    def __init__(
        self,
        model: Recommender,
        row: int | None,
        person: Person,
        person_edges: Sequence[Edge],
        similarity: npt.NDArray[np.float32],
        network: FloatArray,
    ) -> None:
        self.model = model
        self.person = person
        self.similarity = similarity
        self.network = network
        self.labels = model.labels or {}
        mentors = [model._target(e) for e in person_edges if e.kind == "mentor"]
        self.mentors = [m for m in mentors if m is not None and m != row]
        self.mentees = [] if row is None else model.mentees_.get(row, [])
        self.joined = {model._target(e) for e in person_edges if e.kind == "member"}
        self.distances = distances_km(person, model.table_)
        self.here = place_key(person.city, person.country)
        goals = [model.goal_index_[g] for g in person.profile.goals if g in model.goal_index_]
        self.peers: FloatArray | None = None
        if goals:
            has_goal = np.asarray(model.people_goals_[:, goals].sum(axis=1)).ravel() > 0
            if row is not None:
                has_goal[row] = False
            self.peers = np.asarray(model.item_people_ @ has_goal.astype(np.float32)).ravel()
        try:
            ZoneInfo(person.timezone)
            self.zone_known = True
        except (KeyError, ValueError):
            self.zone_known = False

    def reasons(self, i: int) -> tuple[str, ...]:
        """The item's reasons for this person, strongest first."""
        model, item = self.model, self.model.items_[i]
        is_event = isinstance(item, Event)
        found: list[tuple[float, str]] = []
        members = set(model.item_people_[[i], :].indices.tolist())
        verb = "going" if is_event else "member"
        for role, rows in (("mentor", self.mentors), ("mentee", self.mentees)):
            names = [model.people_[r].first_name for r in rows if r in members]
            if names:
                found.append((3.0, people_words(names, role, verb)))
        if isinstance(item, Event) and item.host is not None:
            host = model.association_index_.get(item.host)
            if host is not None and host in self.joined:
                name = model.items_[host]
                assert isinstance(name, Association)
                found.append((2.0, f"hosted by {name.name}, which you are a member of"))
        needs = model.goal_needs or {}
        for share, goal in goals_covered(self.person.profile.goals, item.tags, needs, 0.25)[:2]:
            found.append((1.0 + share, f"covers your goal: {label(self.labels, goal)}"))
        for cert in self.person.profile.certifications_target:
            if cert in item.tags:
                cert_label = label(self.labels, cert)
                found.append((1.5, f"prepares for {cert_label}, which you are aiming for"))
        if self.peers is not None and self.peers[i] >= model.min_peers:
            found.append((0.5 + self.network[i], peers_words(int(self.peers[i]), is_event)))
        if self.similarity[i] >= 0.5:
            found.append((0.4 + float(self.similarity[i]) / 10, "close to what your profile says"))
        same_city = bool(self.here) and place_key(item.city, item.country) == self.here
        found.append(
            (
                0.1,
                when_and_where(
                    item,
                    self.person.timezone,
                    float(self.distances[i]),
                    same_city,
                    self.zone_known,
                ),
            )
        )
        found.sort(key=lambda x: -x[0])
        return tuple(dict.fromkeys(text for _, text in found))
