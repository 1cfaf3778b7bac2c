"""The profile form's parsing and lists, without a database: the availability grid and the
typed windows together, languages from the multi-select, the lists the forms offer."""

from __future__ import annotations

import zoneinfo
from itertools import pairwise

import pytest
from pydantic import ValidationError
from starlette.datastructures import FormData

from service.demo.generator import CITIES
from service.pages.forms import PERIODS, availability_grid, form_data, window_text
from service.people.schemas import DAYS, ProfilePatch, minutes
from service.taxonomy.codes import COUNTRIES, LANGUAGES, timezone_aliases, timezone_groups

FIELDS = {"languages", "availability", "meeting_modes", "roles", "skills"}


def _form(*items: tuple[str, str]) -> FormData:
    return FormData(list(items))


def test_ticked_cells_and_typed_windows_are_one_list_merged_by_the_schema():
    data = form_data(
        _form(
            ("availability", "Tue 18:00-22:00"),
            ("availability", "Sat 08:00-12:00"),
            ("availability", "Tue 20:00-23:00\r\n\r\nSun 10:00-11:30\n"),
        ),
        FIELDS,
    )
    assert data["availability"] == [
        "Tue 18:00-22:00",
        "Sat 08:00-12:00",
        "Tue 20:00-23:00",
        "Sun 10:00-11:30",
    ]
    windows = ProfilePatch.model_validate({"availability": data["availability"]}).availability
    assert [window_text(w.day, w.start, w.end) for w in windows or []] == [
        "Tue 18:00-23:00",
        "Sat 08:00-12:00",
        "Sun 10:00-11:30",
    ]


def test_a_cell_typed_and_ticked_is_one_window():
    data = form_data(
        _form(("availability", "Mon 08:00-12:00"), ("availability", "mon 08:00-12:00")), FIELDS
    )
    windows = ProfilePatch.model_validate({"availability": data["availability"]}).availability
    assert [(w.day, w.start, w.end) for w in windows or []] == [("mon", "08:00", "12:00")]


def test_nothing_ticked_or_typed_clears_availability_and_a_form_without_it_keeps_it():
    assert form_data(_form(("availability", "")), FIELDS)["availability"] == []
    assert "availability" not in form_data(_form(("skills", "Scrum")), FIELDS)


def test_languages_come_from_the_multi_select_or_typed_codes():
    chosen = _form(("languages", ""), ("languages", "pt"), ("languages", "en"))
    assert form_data(chosen, FIELDS)["languages"] == ["pt", "en"]
    assert form_data(_form(("languages", "pt, en")), FIELDS)["languages"] == ["pt", "en"]
    # Only the hidden empty value: none chosen, which validation refuses.
    assert form_data(_form(("languages", "")), FIELDS)["languages"] == []
    assert "languages" not in form_data(_form(("skills", "x")), FIELDS)


def test_windows_equal_to_a_cell_are_ticked_and_the_others_stay_text():
    rows, other = availability_grid(["Tue 18:00-22:00", "Tue 18:00-21:00", "Sat 08:00-12:00"])
    ticked = {cell["label"] for row in rows for cell in row["cells"] if cell["checked"]}
    assert ticked == {"Tuesday evening", "Saturday morning"}
    assert other == ["Tue 18:00-21:00"]
    assert [row["day"] for row in rows] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]


def test_grid_periods_never_touch_so_ticked_cells_stay_separate_windows():
    spans = [(minutes(s), minutes(e)) for _, s, e in PERIODS]
    assert all(end < next_start for (_, end), (next_start, _) in pairwise(spans))
    cells = [window_text(d, s, e) for d in DAYS for _, s, e in PERIODS]
    windows = ProfilePatch.model_validate({"availability": cells}).availability or []
    assert len(windows) == len(cells) == 21


def test_timezones_offered_are_area_city_names_grouped_and_sorted():
    groups = timezone_groups()
    areas = [area for area, _ in groups]
    assert areas == sorted(areas)
    known = zoneinfo.available_timezones()
    listed = []
    for area, cities in groups:
        names = [city for _, city in cities]
        assert names == sorted(names, key=str.casefold), area
        for zone, _ in cities:
            assert zone.startswith(area + "/") and zone in known
            listed.append(zone)
    assert len(listed) == len(set(listed)) > 300
    assert {"Europe/Lisbon", "Europe/Amsterdam", "Asia/Kolkata", "America/New_York"} <= set(listed)
    assert not {"UTC", "US/Eastern", "Etc/GMT+3", "Asia/Calcutta"} & set(listed)
    # Old names a browser may report lead to the listed one.
    assert timezone_aliases()["Asia/Calcutta"] == "Asia/Kolkata"
    assert set(timezone_aliases().values()) <= set(listed)


def test_the_demo_people_s_places_are_in_the_lists():
    listed = {zone for _, cities in timezone_groups() for zone, _ in cities}
    for country, city, timezone, *_ in CITIES:
        assert timezone in listed, city
        assert country in COUNTRIES, city


def test_countries_and_languages_are_named_and_the_api_accepts_exactly_them():
    assert COUNTRIES["PT"] == "Portugal" and COUNTRIES["NL"] == "Netherlands"
    assert LANGUAGES["pt"] == "Portuguese" and LANGUAGES["hi"] == "Hindi"
    assert list(COUNTRIES.values()) == sorted(COUNTRIES.values(), key=str.casefold)
    for code in COUNTRIES:
        assert ProfilePatch.model_validate({"country": code.lower()}).country == code
    ProfilePatch.model_validate({"languages": list(LANGUAGES)[:20]})
    for code in LANGUAGES:
        ProfilePatch.model_validate({"languages": [code]})
    # Withdrawn codes the libraries still list are not offered, so not accepted either.
    for field, value in (("country", "AN"), ("country", "CS"), ("languages", ["sh"])):
        with pytest.raises(ValidationError):
            ProfilePatch.model_validate({field: value})
