"""A real browser for the dashboard's tests: the system's headless Chromium, driven by Selenium."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.dashboard.web import add_dashboard_routes
from bot.health import add_health_routes
from bot.settings import Settings
from bot.store import Store
from bot.web import WebServer

CHROMIUM = ("/usr/bin/chromium", "chromium", "chromium-browser")
CHROMEDRIVER = ("/usr/bin/chromedriver", "chromedriver")
# Screenshots the test run leaves for people to look at (ignored by git).
OUTPUT = Path(__file__).resolve().parents[1] / "output"


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name) or (name if os.path.isfile(name) else None)
        if found:
            return found
    return None


def browser_or_skip() -> tuple[str, str]:
    """The Chromium and ChromeDriver binaries; in CI a missing one fails the test."""
    chromium, driver = _find(CHROMIUM), _find(CHROMEDRIVER)
    try:
        import selenium  # noqa: F401
    except ImportError:
        chromium = None
    if chromium and driver:
        return chromium, driver
    why = (
        "the browser tests need Chromium, ChromeDriver and selenium "
        "(apt-get install chromium chromium-driver; pip install -e '.[test]')"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{why}: in CI they may not be skipped")
    pytest.skip(why)


@contextmanager
def chrome(width: int = 1280, height: int = 900, *, scripts: bool = True) -> Iterator[Any]:
    """A headless Chromium that records every network request its pages make (and, with
    `scripts=False`, runs no page script, as for a reader who turned JavaScript off)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = browser_or_skip()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    if not scripts:
        options.add_argument("--blink-settings=scriptEnabled=false")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    _viewport(driver, width, height)
    try:
        yield driver
    finally:
        driver.quit()


def _viewport(driver: Any, width: int, height: int) -> None:
    """Lay pages out at this size: a window cannot be narrower than 500 px, a phone is."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser asked for since the last call (from Chrome's performance log)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def full_page_screenshot(driver: Any, name: str, width: int) -> Path:
    """Resize the window to the whole page at `width` and save a PNG under tests/output."""
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    _viewport(driver, width, min(max(height, 600), 12000))
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


class ServedInThread:
    """The bot's HTTP server with the dashboard, on a loop of its own, so a blocking browser
    driver can talk to it from the test."""

    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.server = WebServer(0, host="127.0.0.1")
        add_health_routes(self.server, store)
        add_dashboard_routes(self.server, store, settings, clock)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(30)
        assert self.server.url is not None
        return self.server.url

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._loop.close()
