"""The dashboard in a real browser: a signed link opens one community's charts, and only that.

Headless Chromium (the system's) loads the page from the bot's own HTTP server, over a known
history; screenshots at desktop and phone width are left in tests/output/.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from bot.clock import ManualClock
from bot.dashboard.links import link_for, token_for
from bot.settings import Settings
from bot.store import Store
from tests.dashboard.browser import (
    ServedInThread,
    browser_or_skip,
    chrome,
    full_page_screenshot,
    requested_urls,
)
from tests.dashboard.history import COMMUNITY, NOW, OTHER, seed

SECRET = "k" * 40


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Store, Settings, ManualClock]]:
    """Two seeded communities behind the bot's HTTP server, and the settings links use."""
    browser_or_skip()
    store = Store.connect(f"sqlite:///{tmp_path}/whuffie.db")
    store.upgrade()
    with store.session() as session:
        seed(session)
        seed(session, OTHER, {"Ann": "Zara", "Bob": "Yusuf"})
    clock = ManualClock(NOW, frozen=True)
    settings = Settings(dashboard_secret=SECRET)
    with ServedInThread(store, settings, clock) as url:
        yield url, store, replace(settings, public_url=url), clock
    store.dispose()


def _link(store: Store, settings: Settings, community: str, clock: ManualClock) -> str:
    with store.session() as session:
        return link_for(session, settings, community, clock.now())


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_a_signed_link_shows_the_charts_and_the_network(
    served: tuple[str, Store, Settings, ManualClock],
) -> None:
    """The page draws the weeks, the network with its connector, and the pay-it-forward chain
    from the known history, asks for nothing outside the bot, fits a phone, and needs no
    JavaScript."""
    url, store, settings, clock = served
    link = _link(store, settings, COMMUNITY, clock)
    with chrome() as driver:
        driver.get(link)
        assert driver.title == "How fake:T1 helps itself · Whuffie"
        tiles = driver.find_element(By.CSS_SELECTOR, "section.tiles").text
        assert "19\nneeds posted" in tiles and "14\nintroduced to a helper" in tiles
        flow = driver.find_elements(By.CSS_SELECTOR, "figure#flow svg polyline")
        assert len(flow) == 3  # posted, introduced, resolved
        assert driver.find_elements(By.CSS_SELECTOR, "figure#speed svg polyline")
        members = driver.find_elements(By.CSS_SELECTOR, "figure#network circle.member")
        assert len(members) == 12
        connector = driver.find_element(By.CSS_SELECTOR, "figure#network circle.connector")
        assert connector.get_attribute("fill") == "#db2777"
        assert "Ann" in driver.find_element(By.CSS_SELECTOR, "figure#network ul").text
        network = driver.find_element(By.CSS_SELECTOR, "figure#network svg")
        assert network.size["width"] > 600 and network.size["height"] > 300
        assert "Ann → Bob → Cleo → Dev" in driver.find_element(By.ID, "forward").text
        assert "kubernetes" in driver.find_element(By.ID, "unmet").text
        assert "figma" in driver.find_element(By.ID, "waiting").text
        assert "SECRETWORDS" not in driver.page_source
        assert not driver.find_elements(By.TAG_NAME, "script")
        # Nothing outside the bot: every request the page made went to the bot's own server,
        # and nothing in the page points elsewhere.
        asked = requested_urls(driver)
        assert asked and all(u.startswith(url) for u in asked), asked
        for element in driver.find_elements(By.CSS_SELECTOR, "[src], [href]"):
            target = element.get_attribute("src") or element.get_attribute("href") or ""
            assert target.startswith(url), target
        desktop = full_page_screenshot(driver, "dashboard-desktop", 1280)
    with chrome(width=390, height=844) as phone:
        phone.get(link)
        wide = phone.execute_script("return document.documentElement.scrollWidth")
        assert wide <= 390  # nothing sticks out sideways on a phone
        drawn = phone.find_element(By.CSS_SELECTOR, "figure#network svg")
        assert 300 <= drawn.size["width"] <= 390
        phone_shot = full_page_screenshot(phone, "dashboard-phone", 390)
    assert desktop.stat().st_size > 10_000 and phone_shot.stat().st_size > 10_000
    with chrome(scripts=False) as no_script:
        no_script.get(link)
        drawn = no_script.find_elements(By.CSS_SELECTOR, "figure#network circle.member")
        assert len(drawn) == 12 and all(c.size["width"] > 0 for c in drawn)
        assert len(no_script.find_elements(By.CSS_SELECTOR, "figure#flow polyline")) == 3


def test_the_downloads_and_headers(served: tuple[str, Store, Settings, ManualClock]) -> None:
    """The CSV downloads hold the figures; every answer forbids scripts and outside requests."""
    _url, store, settings, clock = served
    link = _link(store, settings, COMMUNITY, clock)
    with urllib.request.urlopen(link + "/weeks.csv", timeout=30) as answer:
        assert answer.headers["Content-Type"].startswith("text/csv")
        assert answer.read().decode().splitlines()[1] == "2026-03-02,2,2,2,1.0000,3.50,5.00"
    with urllib.request.urlopen(link, timeout=30) as answer:
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_expired_forged_and_other_community_links_are_refused(
    served: tuple[str, Store, Settings, ManualClock],
) -> None:
    """403 for a link past its time, one signed with another key, one whose community was
    swapped for another's, and one that was cut short; the other community's own link opens
    its own page, never this one's."""
    url, store, settings, clock = served
    good = _link(store, settings, COMMUNITY, clock)
    other = _link(store, settings, OTHER, clock)
    token = good.rsplit("/", 1)[1]
    other_token = other.rsplit("/", 1)[1]
    swapped = other_token.split(".")[0] + "." + ".".join(token.split(".")[1:])
    foreign = token_for(b"another deployment's key", COMMUNITY, NOW + timedelta(hours=1))
    assert _status(good) == 200
    for bad in (swapped, foreign, token[:-4], "nothing"):
        assert _status(f"{url}/dashboard/{bad}") == 403, bad
        assert _status(f"{url}/dashboard/{bad}/weeks.csv") in (403, 404), bad
    with chrome() as driver:
        driver.get(other)
        assert "Zara" in driver.page_source and "Ann" not in driver.page_source
        clock.advance(settings.dashboard_link_valid + timedelta(seconds=1))
        assert _status(good) == 403
        driver.get(good)
        assert "This link has expired" in driver.find_element(By.TAG_NAME, "h1").text
