"""Programme settings: one place for the default weights, strict validation, stored round trip."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from matching.profiles import COMPONENTS, Weights
from matching.profiles import DEFAULT_WEIGHTS as ENGINE_WEIGHTS
from service.errors import field_errors
from service.programmes.schemas import DEFAULT_WEIGHTS, ProgrammeSettings, ScoreWeights


def test_weight_names_and_defaults_come_from_one_constant() -> None:
    assert set(ScoreWeights.model_fields) == set(DEFAULT_WEIGHTS)
    assert ScoreWeights().model_dump() == DEFAULT_WEIGHTS
    # Written once, in matching.profiles: the engine's Weights() and the service agree on it.
    assert dict(ENGINE_WEIGHTS) == DEFAULT_WEIGHTS
    assert {c: getattr(Weights(), c) for c in COMPONENTS} == dict(ENGINE_WEIGHTS)
    assert list(ENGINE_WEIGHTS) == list(COMPONENTS)


def test_defaults_and_partial_weights() -> None:
    settings = ProgrammeSettings()
    assert settings.weights == DEFAULT_WEIGHTS
    assert settings.weights is not DEFAULT_WEIGHTS
    assert (settings.min_overlap_hours, settings.mode, settings.round_size) == (
        1.0,
        "optimal",
        None,
    )
    partial = ProgrammeSettings.model_validate({"weights": {"text": 0, "tools": 2.5}})
    assert partial.weights == {**DEFAULT_WEIGHTS, "text": 0.0, "tools": 2.5}


def test_stored_settings_round_trip_through_json() -> None:
    settings = ProgrammeSettings.model_validate(
        {"weights": {"experience": 4}, "min_overlap_hours": 0, "mode": "stable", "round_size": 7}
    )
    stored = json.loads(json.dumps(settings.model_dump(mode="json")))
    assert ProgrammeSettings.model_validate(stored) == settings
    assert ProgrammeSettings.model_validate({}) == ProgrammeSettings()


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"weights": {"speed": 1, "tools": -1}}, {"weights.speed", "weights.tools"}),
        ({"weights": {"tools": 10.5}}, {"weights.tools"}),
        ({"weights": {"tools": True}}, {"weights.tools"}),
        ({"weights": dict.fromkeys(DEFAULT_WEIGHTS, 0.0)}, {"weights"}),
        ({"min_overlap_hours": 40.01}, {"min_overlap_hours"}),
        ({"min_overlap_hours": -0.1}, {"min_overlap_hours"}),
        ({"mode": "greedy"}, {"mode"}),
        ({"round_size": 0}, {"round_size"}),
        ({"round_size": "10"}, {"round_size"}),
        ({"extra": 1}, {"extra"}),
    ],
)
def test_invalid_settings_name_their_field(data: dict[str, object], fields: set[str]) -> None:
    with pytest.raises(ValidationError) as exc:
        ProgrammeSettings.model_validate(data)
    assert {e["field"] for e in field_errors(exc.value)} == fields
