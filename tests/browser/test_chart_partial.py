"""The chart partial in real Chromium: accessible (axe-core), fits a phone, and prints its
numbers even when they are folded away on screen."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import expect
from starlette.templating import Jinja2Templates

from service.rounds.charts.base import Figure
from service.rounds.charts.render import render_all
from tests.browser.test_accessibility import AXE, BLOCKING, _described
from tests.unit.test_charts import _charts

SERVICE = Path(__file__).resolve().parents[2] / "service"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Charts</title>
<style>{{ css }}</style></head><body><main><h1>Charts</h1>
{% import "_chart.html" as charts %}{% for f in figures %}{{ charts.chart(f) }}{% endfor %}
</main></body></html>"""


async def test_charts_are_accessible_fit_the_page_and_print_their_numbers(browser):
    charts = _charts()
    svgs = render_all(charts, "page")
    html = (
        Jinja2Templates(directory=SERVICE / "templates")
        .env.from_string(PAGE)
        .render(
            css=(SERVICE / "static" / "style.css").read_text(),
            figures=[Figure.of(c, svgs[c.name]) for c in charts],
        )
    )
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.set_content(html)

    results = await AXE.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not bad, _described(bad)

    images = page.get_by_role("img")
    await expect(images).to_have_count(len(charts))
    await expect(page.get_by_role("img", name=charts[0].title)).to_be_visible()
    # Scaled down to a phone's width, never wider than the page.
    widths = await page.eval_on_selector_all(
        "figure.chart svg", "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert max(widths) <= 390
    table = page.get_by_role("table", name=charts[0].title)
    await expect(table).to_be_hidden()
    await page.get_by_text("The numbers").first.click()
    await expect(table).to_be_visible()

    await page.set_content(html)
    await page.emulate_media(media="print")
    for chart in charts:
        await expect(page.get_by_role("table", name=chart.title)).to_be_visible()
