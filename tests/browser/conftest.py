"""Real headless Chromium (Playwright) against the app served by uvicorn on a free port.

The browser is the machine's Chromium (``KICKOFF_CHROMIUM``, else ``chromium`` or
``google-chrome`` on PATH) or, failing that, one installed by ``playwright install chromium``;
``make test`` sees that one of them is there before the tests run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright, expect

from service.app import create_app
from service.settings import Settings
from tests.conftest import free_port

# Assertions wait for the page: generously, as a loaded 2-core CI machine is slow, never flaky.
expect.set_options(timeout=15_000)
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_executable() -> str | None:
    """The Chromium to drive: KICKOFF_CHROMIUM, else one on PATH, else Playwright's own."""
    configured = os.environ.get("KICKOFF_CHROMIUM")
    if configured:
        return configured
    return next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)


@dataclass
class Live:
    """The app served over real HTTP: its URL, its settings and the running ASGI app."""

    url: str
    settings: Settings
    app: Any


@pytest.fixture
def live_settings(settings: Settings) -> Settings:
    """This test's settings with BASE_URL on a free local port (links in emails point there)."""
    return settings.model_copy(update={"base_url": f"http://127.0.0.1:{free_port()}"})


@pytest.fixture
async def live(live_settings: Settings) -> AsyncIterator[Live]:
    """uvicorn serving ``create_app(live_settings)`` in this test's event loop."""
    port = int(live_settings.base_url.rsplit(":", 1)[1])
    app = create_app(live_settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surfaces why the server could not start
        await asyncio.sleep(0.02)
    try:
        yield Live(live_settings.base_url, live_settings, app)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium for this test."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()
