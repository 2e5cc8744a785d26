"""/helpstats hands an admin a private, signed dashboard link that expires."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
import pytest

from bot.dashboard.links import signing_key, verify
from bot.dashboard.web import add_dashboard_routes
from bot.health import add_health_routes
from bot.settings import Settings, SettingsError
from bot.store import Store
from bot.web import WebServer
from tests.fakes import COMMUNITY, Community, two_processes

LINK = re.compile(r"http://localhost:3000/dashboard/(\S+)")


async def _link(community: Community) -> str:
    community.port.admins.add("ann")
    text = (await community.say("ann", "helpstats")).text
    found = LINK.search(text)
    assert found, text
    return found.group(1)


@asynccontextmanager
async def _served(community: Community) -> AsyncIterator[str]:
    core = community.core
    server = WebServer(0, host="127.0.0.1")
    add_health_routes(server, core.store)
    add_dashboard_routes(server, core.store, core.settings, core.clock)
    await server.start()
    assert server.url is not None
    try:
        yield server.url
    finally:
        await server.stop()


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as answer:
        return answer.status, await answer.text()


async def test_helpstats_links_to_the_dashboard_until_it_expires(store: Store) -> None:
    """The link opens this community's page, says how long it works, and stops after that."""
    community = Community(store, Settings.from_env({"WHUFFIE_DASHBOARD_LINK_HOURS": "2"}))
    await community.say("bob", "offer", "python")
    community.port.admins.add("ann")
    text = (await community.say("ann", "helpstats")).text
    assert "See it drawn" in text and "it works for 2 hours" in text
    token = await _link(community)
    async with _served(community) as url:
        status, page = await _get(f"{url}/dashboard/{token}")
        assert status == 200 and "How this community helps itself" in page
        community.clock.advance(timedelta(hours=2, seconds=1))
        status, page = await _get(f"{url}/dashboard/{token}")
        assert status == 403 and "This link has expired" in page
    assert "See it drawn" not in (await community.say("bob", "helpstats")).text


async def test_the_key_is_made_once_and_shared_by_every_process(database_url: str) -> None:
    """Without WHUFFIE_DASHBOARD_SECRET, the key kept in the database signs for every process:
    a link from one process opens the dashboard served by another."""
    with two_processes(database_url) as (a, b):
        token = await _link(a)
        async with _served(b) as url:
            status, _ = await _get(f"{url}/dashboard/{token}")
        assert status == 200
        with a.core.store.session() as session:
            key = signing_key(session, a.core.settings, a.clock.now())
        assert verify(key, token, a.clock.now()).community == COMMUNITY
        assert verify(b"k" * 40, token, a.clock.now()).community is None


async def test_a_configured_secret_signs_the_links(store: Store) -> None:
    """WHUFFIE_DASHBOARD_SECRET signs instead of the kept key, and never shows in settings."""
    secret = "s3cret-" * 6
    settings = Settings.from_env({"WHUFFIE_DASHBOARD_SECRET": secret})
    assert secret not in repr(settings)
    community = Community(store, settings)
    token = await _link(community)
    assert verify(secret.encode(), token, community.clock.now()).community == COMMUNITY


async def test_with_the_dashboard_off_there_is_no_link_and_no_page(store: Store) -> None:
    """WHUFFIE_DASHBOARD=off: /helpstats has no link, and the server has no dashboard."""
    community = Community(store, Settings.from_env({"WHUFFIE_DASHBOARD": "off"}))
    community.port.admins.add("ann")
    text = (await community.say("ann", "helpstats")).text
    assert "How this community helps itself" in text and "dashboard" not in text
    async with _served(community) as url:
        assert (await _get(f"{url}/dashboard/anything"))[0] == 404
        assert (await _get(f"{url}/healthz"))[0] == 200


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"WHUFFIE_DASHBOARD": "maybe"}, "WHUFFIE_DASHBOARD must be on or off"),
        ({"WHUFFIE_DASHBOARD_SECRET": "short"}, "at least 32 characters"),
        ({"WHUFFIE_DASHBOARD_LINK_HOURS": "0"}, "WHUFFIE_DASHBOARD_LINK_HOURS must be positive"),
        ({"WHUFFIE_PUBLIC_URL": "whuffie.example.org"}, "must start with https://"),
    ],
)
def test_dashboard_settings_are_checked(env: dict[str, str], words: str) -> None:
    """A dashboard setting that cannot work is named, with how to fix it."""
    with pytest.raises(SettingsError, match=words):
        Settings.from_env(env)


def test_links_start_with_the_public_url() -> None:
    """Behind a proxy, links start with WHUFFIE_PUBLIC_URL; by default, localhost and PORT."""
    assert Settings.from_env({"PORT": "8080"}).dashboard_base_url == "http://localhost:8080"
    public = Settings.from_env({"WHUFFIE_PUBLIC_URL": "https://whuffie.example.org/"})
    assert public.dashboard_base_url == "https://whuffie.example.org"
