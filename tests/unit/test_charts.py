"""Chart builders, the fairness gaps, the SVG rendering and the chart partial (no database)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from starlette.templating import Jinja2Templates

from matching.metrics import GroupFigures, MentorLoad, RoundMetrics, ScoreSummary
from service.rounds.charts.base import PALETTE, Chart, Figure
from service.rounds.charts.fairness import fairness_chart, fairness_gaps
from service.rounds.charts.render import UnsafeSvg, accessible, render_all
from service.rounds.charts.service import round_charts
from service.rounds.charts.specs import (
    BINS,
    RoundOutcomes,
    mentor_load,
    modes,
    outcomes,
    score_histogram,
)

HOSTILE = '<script>alert("x")</script> & Co'
TEMPLATES = Path(__file__).resolve().parents[2] / "service" / "templates"


def _metrics(mode: str = "optimal", **fairness: list[GroupFigures]) -> RoundMetrics:
    return RoundMetrics(
        mode=mode,
        mentees=100,
        matched=80,
        coverage=0.8,
        total_score=48.0,
        score=ScoreSummary(mean=0.6, median=0.62, p10=0.4, min=0.2),
        mentor_load=MentorLoad({"0": 3, "1": 10, "3": 20}, 70, 90, 20),
        blocking_pairs=12 if mode == "optimal" else 0,
        fairness=fairness,
    )


def _group(name: str, mentees: int, coverage: float, mean: float | None) -> GroupFigures:
    return GroupFigures(name, mentees, coverage, mean)


FAIRNESS = {
    "country": [
        _group("PT", 40, 0.70, 0.61),  # exactly 10 points below: marked
        _group("ES", 30, 0.71, 0.60),  # 9 points below: not
        _group("BR", 20, 0.90, 0.45),  # mean score 0.15 below: marked
        _group("unknown", 3, 0.0, None),  # far below, but too few mentees to compare
        _group("IN", 7, 1.0, 0.75),
    ]
}
COUNTS = [0] * 10 + [3, 7, 12, 20, 18, 9, 6, 3, 1, 1]


def _charts() -> list[Chart]:
    metrics = _metrics(**FAIRNESS)
    return [
        *round_charts(metrics, _metrics("stable"), COUNTS),
        outcomes(
            [RoundOutcomes("3 Mar 2027", 40, 5, 3, 2), RoundOutcomes("7 Apr 2027", 8, 1, 0, 30)]
        ),
    ]


def _units(spec: dict) -> list[dict]:
    """Every single-view part of a (layered, concatenated) specification."""
    parts = [spec]
    for key in ("layer", "hconcat", "vconcat"):
        for part in spec.get(key, []):
            parts += _units(part)
    return [p for p in parts if "mark" in p]


def _values(spec: dict, unit: dict) -> list[dict]:
    """A part's inline data (Altair moves it to the top-level ``datasets``, by name)."""
    data = unit["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def _colours(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_colours(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_colours(v) for v in value))
    return {value} if isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", value) else set()


def test_every_chart_has_a_title_labelled_axes_and_only_colour_blind_safe_colours():
    charts = _charts()
    assert [c.name for c in charts] == [
        "scores",
        "mentor-load",
        "fairness-country",
        "modes",
        "outcomes",
    ]
    for chart in charts:
        assert chart.title and chart.caption
        assert chart.spec["title"]["text"] == chart.title
        bars = [u for u in _units(chart.spec) if (u["mark"]["type"]) == "bar"]
        assert bars, chart.name
        for unit in bars:
            for channel in ("x", "y"):
                assert unit["encoding"][channel]["title"], (chart.name, channel)
        assert chart.spec["config"]["range"]["category"] == list(PALETTE)
        assert _colours(chart.spec) <= set(PALETTE), chart.name
        assert all(len(row.cells) == len(chart.columns) for row in chart.rows), chart.name


def test_the_tables_hold_the_charted_numbers():
    histogram = score_histogram(COUNTS, ScoreSummary(0.6, 0.62, 0.4, 0.2))
    assert len(histogram.rows) == BINS
    assert [r.cells for r in histogram.rows[10:12]] == [("0.50–0.55", "3"), ("0.55–0.60", "7")]
    data = _values(histogram.spec, histogram.spec["layer"][0])
    assert [d["pairs"] for d in data] == COUNTS
    assert "80 proposed pairs" in histogram.caption and "median 0.62" in histogram.caption

    load = mentor_load(MentorLoad({"0": 3, "1": 10, "3": 20}, 70, 90, 20))
    # The missing count (2 mentees) is a bar of none, not a gap in the axis.
    assert [r.cells for r in load.rows] == [
        ("Mentors taking 0 mentees", "3"),
        ("Mentors taking 1 mentee", "10"),
        ("Mentors taking 2 mentees", "0"),
        ("Mentors taking 3 mentees", "20"),
        ("Places offered", "90"),
        ("Places used", "70"),
        ("Mentors who are full", "20"),
    ]
    assert load.caption == "70 of 90 places used (77.8 %); 20 of 33 mentors are full."

    stable = RoundMetrics(**{**_metrics("stable").__dict__, "matched": 75, "coverage": 0.75})
    side = modes(_metrics(), stable)
    assert side.columns == ("Figure", "Optimal (this round)", "Stable", "Stable minus this round")
    assert [r.cells for r in side.rows] == [
        ("Mentees matched", "80", "75", "−5"),
        ("Coverage", "80.0 %", "75.0 %", "−5.0 points"),
        ("Mean score", "0.60", "0.60", "0"),
        ("Blocking pairs", "12", "0", "−12"),
        ("Total score", "48.00", "48.00", "0"),
    ]

    two = outcomes([RoundOutcomes("3 Mar", 4, 1, 0, 2), RoundOutcomes("3 Mar", 1, 0, 1, 0)])
    # Two rounds published the same day stay two bars.
    assert [r.cells for r in two.rows] == [
        ("3 Mar", "4", "1", "0", "2", "7"),
        ("3 Mar (2)", "1", "0", "1", "0", "2"),
    ]
    assert two.spec["encoding"]["x"]["sort"] == ["3 Mar", "3 Mar (2)"]
    assert outcomes([]).caption.startswith("No introduction has gone out yet")


def test_fairness_gaps_mark_groups_far_below_the_round():
    gaps = fairness_gaps(_metrics(**FAIRNESS))["country"]
    by = {g.group: g for g in gaps}
    # Shown by name, "unknown" as "Not given", in the order people read them.
    assert [g.label for g in gaps] == ["Brazil", "India", "Not given", "Portugal", "Spain"]
    assert (by["PT"].coverage_gap, by["PT"].coverage_marked, by["PT"].score_marked) == (
        -0.1,
        True,
        False,
    )
    assert not by["ES"].marked
    assert (by["BR"].score_gap, by["BR"].score_marked, by["BR"].coverage_marked) == (
        -0.15,
        True,
        False,
    )
    assert not by["unknown"].marked and by["unknown"].score_gap is None
    assert not by["IN"].marked
    assert fairness_gaps(_metrics(**FAIRNESS), gap=0.09)["country"][4].coverage_marked  # Spain

    chart = fairness_chart("country", gaps, _metrics(**FAIRNESS))
    rows = {r.cells[0]: r for r in chart.rows}
    assert rows["Portugal"].flagged and "coverage 10.0 points below" in rows["Portugal"].note
    assert rows["Brazil"].flagged and "mean score 0.15 below" in rows["Brazil"].note
    assert not rows["Not given"].flagged and "too few to compare" in rows["Not given"].note
    assert rows["Portugal"].cells == ("Portugal", "40", "70.0 %", "−10.0 points", "0.61", "+0.01")
    assert "Marked here: Brazil, Portugal." in chart.caption


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    """Every chart rendered once for the module (vl-convert's runtime starts once a process)."""
    return render_all(_charts(), "test")


def test_rendered_svg_is_named_for_assistive_technology(rendered):
    assert set(rendered) == {c.name for c in _charts()}
    for name, svg in rendered.items():
        root = ET.fromstring(svg)  # noqa: S314 - our own rendering
        assert root.get("role") == "img"
        title = root.find("{http://www.w3.org/2000/svg}title")
        assert title is not None and title.text == root.get("aria-label"), name
        # Every id carries the chart's prefix: charts inlined in one page keep theirs apart.
        assert all(i.startswith(f"test-{name}-") for i in re.findall(r'\sid="([^"]+)"', svg))


def test_hostile_group_names_are_escaped_in_the_svg_and_the_table():
    metrics = _metrics(country=[_group(HOSTILE, 10, 0.5, 0.5), _group("PT", 10, 0.9, 0.6)])
    chart = fairness_chart("country", fairness_gaps(metrics)["country"], metrics)
    svg = render_all([chart], "x")[chart.name]
    assert "<script" not in svg.lower()
    assert "&lt;script&gt;" in svg and "&amp; Co" in svg
    ET.fromstring(svg)  # noqa: S314 - well-formed: nothing broke out of its text node

    env = Jinja2Templates(directory=TEMPLATES).env
    html = env.from_string('{% import "_chart.html" as c %}{{ c.chart(figure) }}').render(
        figure=Figure.of(chart, svg)
    )
    assert "<script" not in html.lower()
    assert '<th scope="row">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co</th>' in html
    assert html.count("<svg ") == 1 and '<th scope="col">Country</th>' in html
    assert '<tr class="flagged">' in html and "<strong>Marked:</strong>" in html
    assert "<summary>The numbers" in html and '<details class="chart-numbers">' in html


def test_accessible_prefixes_ids_and_refuses_anything_that_runs():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2">'
        '<defs><linearGradient id="g0"/></defs><rect fill="url(#g0)"/><text>url(#g1)</text></svg>'
    )
    out = accessible(svg, 'Fit "A" & B', "r1-scores")
    assert out.startswith('<svg role="img" aria-label="Fit &#34;A&#34; &amp; B" xmlns=')
    assert "<title>Fit &#34;A&#34; &amp; B</title>" in out
    assert 'id="r1-scores-g0"' in out and 'fill="url(#r1-scores-g0)"' in out
    assert "<text>url(#g1)</text>" in out  # text is not an id reference
    for bad in (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><text>',
    ):
        with pytest.raises(UnsafeSvg):
            accessible(bad, "t", "p")
