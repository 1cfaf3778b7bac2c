"""What every chart shares: the colour-blind-safe palette, the chart and figure types, the
common look, and how numbers are written in the tables beside the charts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import altair as alt
from markupsafe import Markup

#: Okabe & Ito's palette ("Color Universal Design", 2008): eight colours told apart with every
#: common colour-vision deficiency. Charts take their colours from here only.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
PALETTE: tuple[str, ...] = tuple(OKABE_ITO.values())
#: Bars of one series; marked bars (a large gap) and the other series.
MAIN, MARKED = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
#: Drawing width of a chart in px (CSS scales it down to the page, never up).
WIDTH = 520


@dataclass(frozen=True)
class Row:
    """A row of a chart's table: its cells as shown (the first names the row), and whether
    the page should highlight it, with why in words."""

    cells: tuple[str, ...]
    flagged: bool = False
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart before rendering: the numbers it shows, and how to draw it."""

    #: Unique among a round's charts: the cache key ("scores", "fairness-country", ...).
    name: str
    title: str
    #: One or two sentences under the chart: what it shows and the headline figures.
    caption: str
    #: The table's column headers; every row has one cell per column.
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    #: Builds the Altair chart (its title and look are added by ``spec``). Called only to
    #: render: Altair takes tens of milliseconds a chart, and a stored chart needs its table only.
    draw: Callable[[], alt.TopLevelMixin] = field(compare=False, repr=False)

    @cached_property
    def spec(self) -> dict[str, Any]:
        """The Vega-Lite specification."""
        return vega_lite(self.draw(), self.title)


@dataclass(frozen=True)
class Figure:
    """A rendered chart: what ``_chart.html``'s ``chart(figure)`` macro shows."""

    name: str
    title: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    #: Our own rendering (text escaped by Vega, checked by ``render.accessible``): inline as is.
    svg: Markup

    @classmethod
    def of(cls, chart: Chart, svg: str) -> Figure:
        """The chart with its rendered SVG."""
        return cls(chart.name, chart.title, chart.caption, chart.columns, chart.rows, Markup(svg))  # noqa: S704 - our own rendering


def inline(values: Sequence[Mapping[str, Any]]) -> alt.InlineData:
    """Data written into the specification itself (nothing is ever fetched)."""
    return alt.InlineData(values=[dict(v) for v in values])


def count_axis(values: Iterable[float]) -> tuple[alt.Axis, alt.Scale]:
    """An axis and scale of counts: whole numbers from zero; 0 to 1 when every count is zero
    (an empty round), where Vega would otherwise put the zero in the middle."""
    if any(values):
        return alt.Axis(format=",d", tickMinStep=1), alt.Scale(domainMin=0, nice=True)
    return alt.Axis(format=",d", values=[0, 1]), alt.Scale(domain=[0, 1])


def vega_lite(chart: alt.TopLevelMixin, title: str) -> dict[str, Any]:
    """The Vega-Lite specification of ``chart`` with its title and the common look."""
    titled = chart.properties(title=alt.Title(title, anchor="start", fontSize=15))
    return dict(
        # No ARIA attributes on every mark: the whole SVG is one image named by its title
        # (render.accessible), and its numbers are in the table beside it.
        titled.configure(aria=False)
        .configure_range(category=list(PALETTE))
        .configure_axis(labelFontSize=11, titleFontSize=12, titleFontWeight="normal")
        .configure_legend(labelFontSize=11, titleFontSize=12, orient="bottom")
        .configure_view(stroke=None)
        .to_dict()
    )


def rows(*cells: tuple[str, ...]) -> tuple[Row, ...]:
    """Plain rows (none highlighted)."""
    return tuple(Row(c) for c in cells)


def percent(fraction: float) -> str:
    """0.7881 -> '78.8 %'."""
    return f"{fraction * 100:.1f} %"


def score(value: float | None) -> str:
    """A score in [0, 1] with two decimals; '–' when there is none."""
    return "–" if value is None else f"{value:.2f}"


def count(n: int) -> str:
    """1234 -> '1,234'."""
    return f"{n:,}"


def signed(value: float, unit: str = "", digits: int = 2) -> str:
    """A difference with its sign, as shown: '+2.5 points', '−0.12' (a true minus sign), '0'."""
    shown = round(value, digits)
    text = "0" if shown == 0 else ("+" if shown > 0 else "−") + f"{abs(shown):,.{digits}f}"
    return f"{text} {unit}" if unit else text
