"""Rendering charts to SVG on the server (vl-convert: Vega-Lite in an embedded JavaScript
runtime, no browser), made accessible and checked safe to inline in a page.

CPU-bound (about 0.1 s a chart, and half a second more for the runtime's first start in a
process): call it off the event loop, as :mod:`service.rounds.charts.service` does.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import altair as alt
import vl_convert
from markupsafe import escape

from service.rounds.charts.base import Chart

#: The Vega-Lite release Altair writes its specifications for ("v6.4"), which vl-convert bundles.
VL_VERSION = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
#: Elements and attributes that could run or fetch something once inlined in a page.
_UNSAFE_ELEMENTS = {"script", "foreignobject", "iframe", "object", "embed", "image", "use", "a"}
_TAG = re.compile(r"<[^>]+>")
_REFERENCE = re.compile(r'(\sid="|="url\(#|\shref="#|\sxlink:href="#)([^")]+)')
#: What Vega still writes on some groups with ARIA turned off: inside an image they are
#: meaningless, and axe-core wants a name for each.
_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


class UnsafeSvg(ValueError):
    """The renderer produced something that must not be inlined (never expected)."""


def _check(svg: str) -> None:
    """Raise :class:`UnsafeSvg` unless ``svg`` is well-formed and holds nothing that runs."""
    try:
        root = ET.fromstring(svg)  # noqa: S314 - our renderer's output, not a remote document
    except ET.ParseError as exc:
        raise UnsafeSvg(f"the chart is not well-formed SVG: {exc}") from None
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in _UNSAFE_ELEMENTS:
            raise UnsafeSvg(f"the chart holds a <{name}> element")
        for attribute in element.attrib:
            if attribute.rsplit("}", 1)[-1].lower().startswith("on"):
                raise UnsafeSvg(f"the chart holds an {attribute} attribute")


def accessible(svg: str, title: str, prefix: str) -> str:
    """``svg`` named for assistive technology (``role="img"``, ``aria-label`` and ``<title>``),
    with its ids prefixed by ``prefix`` so that several charts inlined in one page keep their
    own gradients and clip paths; raises :class:`UnsafeSvg` when it is not safe to inline."""
    _check(svg)
    if not svg.startswith("<svg "):
        raise UnsafeSvg("the chart does not start with an <svg> element")
    ids = set(re.findall(r'\sid="([^"]+)"', svg))

    def rename(match: re.Match[str]) -> str:
        start, name = match.groups()
        return f"{start}{prefix}-{name}" if name in ids else match.group(0)

    def tag(match: re.Match[str]) -> str:
        # Tags only: text (a group's name) is left as it was.
        return _REFERENCE.sub(rename, _INNER_ARIA.sub("", match.group(0)))

    svg = _TAG.sub(tag, svg)
    name = escape(title)
    head, rest = svg.split(">", 1)
    return f'<svg role="img" aria-label="{name}" {head[5:]}><title>{name}</title>{rest}'


def to_svg(chart: Chart, prefix: str) -> str:
    """The chart as accessible SVG, ready to inline (external data is refused)."""
    svg = vl_convert.vegalite_to_svg(chart.spec, vl_version=VL_VERSION, allowed_base_urls=[])
    return accessible(svg, chart.title, prefix)


def render_all(charts: Sequence[Chart], prefix: str) -> dict[str, str]:
    """Each chart's SVG by name, ids prefixed ``{prefix}-{name}``: one call for a worker thread."""
    return {c.name: to_svg(c, f"{prefix}-{c.name}") for c in charts}
