"""A restart loads the matcher kept at the last start and applies the log since, and falls
back to building it whenever the kept one cannot be trusted."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot import directory
from bot.bench import fill
from bot.settings import Settings
from bot.store import Store
from tests.bot.test_index import current, ranking, rebuilt, settled
from tests.fakes import COMMUNITY, Community


def kept(cache: Path) -> list[Path]:
    """The snapshot files in the cache folder (nothing else is left there)."""
    return sorted(cache.iterdir()) if cache.exists() else []


async def started(c: Community) -> None:
    """The core is started as `whuffie run` does, and its matcher is ready."""
    c.core.start_matching()
    await ready(c)


async def ready(c: Community) -> None:
    """The core's matcher is ready (built, or being built since a command asked for it),
    and kept in its file."""
    matchers = c.core.ctx.matchers
    assert await asyncio.to_thread(matchers.wait_ready, c.core.store.engine, COMMUNITY, 120)
    for _ in range(2400):  # written in the background; a bound, not a timing
        if not matchers.busy():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the matcher was never kept")


async def test_a_restart_loads_the_kept_matcher_and_applies_the_changes_since(
    store: Store, tmp_path: Path
) -> None:
    """The restarted process builds nothing, sees what changed after the snapshot, and
    answers exactly as a matcher built from the database would."""
    settings = Settings(cache_dir=tmp_path / "cache")
    first = Community(store, settings)
    for name, skills in [("ann", "terraform, postgres"), ("ben", "postgres, kubernetes")]:
        await first.say(name, "offer", skills)
    await settled(first, ("dan", "postgres vacuum is slow"))
    await ready(first)
    assert first.core.ctx.matchers.builds == 1
    assert len(kept(tmp_path / "cache")) == 1
    await first.say("fay", "offer", "rust, terraform")
    await first.say("ann", "unoffer", "postgres")
    await settled(first, ("gus", "kubernetes pods restarting"))

    restarted = Community(store, settings, clock=first.clock)
    restarted.port = first.port
    restarted.core.attach(first.port)
    await started(restarted)
    reply = await restarted.say("ivy", "need", "rust borrow checker question")

    assert "privately asked" in reply.text
    assert any("rust borrow checker" in m.text for m in first.port.to("fay"))
    assert (restarted.core.ctx.matchers.loads, restarted.core.ctx.matchers.builds) == (1, 0)
    assert ranking(current(restarted)) == ranking(rebuilt(store))


async def test_a_community_made_again_is_not_served_the_old_snapshot(
    store: Store, tmp_path: Path
) -> None:
    """The community's rows replaced by others at the same version: the old matcher, whose
    members are gone, is not loaded."""
    settings = Settings(cache_dir=tmp_path / "cache")
    await asyncio.to_thread(fill, store, 60, seed=1, community=COMMUNITY, platform="fake")
    await started(Community(store, settings))
    await asyncio.to_thread(fill, store, 60, seed=2, community=COMMUNITY, platform="fake")

    restarted = Community(store, settings)
    await started(restarted)

    assert (restarted.core.ctx.matchers.loads, restarted.core.ctx.matchers.builds) == (0, 1)
    assert ranking(current(restarted)) == ranking(rebuilt(store))


async def test_skills_imported_since_the_snapshot_are_not_missed(
    store: Store, tmp_path: Path
) -> None:
    """An import moves the community's version without logging each skill: the restart
    builds from the database instead of serving the snapshot without them."""
    settings = Settings(cache_dir=tmp_path / "cache")
    first = Community(store, settings)
    await first.say("ann", "offer", "terraform")
    await ready(first)
    data = b"member,display_name,skills\nzed,Zed,kubernetes\n"
    await directory.run_import(store, COMMUNITY, data, None, first.clock.now())

    restarted = Community(store, settings, clock=first.clock)
    await started(restarted)
    reply = await restarted.say("bob", "need", "kubernetes pods keep restarting")

    assert "privately asked one member" in reply.text
    assert (restarted.core.ctx.matchers.loads, restarted.core.ctx.matchers.builds) == (0, 1)


@pytest.mark.parametrize("damage", ["cut short", "overwritten"])
async def test_a_damaged_snapshot_is_rebuilt_and_replaced(
    store: Store, tmp_path: Path, damage: str
) -> None:
    """A torn or corrupted file costs a build, never a wrong answer; the next start loads
    the new one."""
    cache = tmp_path / "cache"
    settings = Settings(cache_dir=cache)
    first = Community(store, settings)
    await first.say("ann", "offer", "terraform")
    await ready(first)
    (path,) = kept(cache)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if damage == "cut short" else b"\0" * len(data))

    again = Community(store, settings, clock=first.clock)
    await started(again)
    reply = await again.say("bob", "need", "terraform state is locked")
    third = Community(store, settings, clock=first.clock)
    await started(third)

    assert "privately asked one member" in reply.text
    assert (again.core.ctx.matchers.loads, again.core.ctx.matchers.builds) == (0, 1)
    assert (third.core.ctx.matchers.loads, third.core.ctx.matchers.builds) == (1, 0)


async def test_a_forgotten_member_leaves_the_kept_matcher(store: Store, tmp_path: Path) -> None:
    """After /forgetme their skills and past needs are on disk nowhere, and a restart never
    proposes them."""
    cache = tmp_path / "cache"
    settings = Settings(cache_dir=cache)
    first = Community(store, settings)
    await first.say("ann", "offer", "terraform")
    await first.say("ben", "offer", "zanzibar falconry, terraform")
    await first.say("cat", "offer", "quokka grooming")
    await settled(first, ("ben", "my quokka grooming went wrong"))
    await ready(first)
    assert any(b"zanzibar falconry" in p.read_bytes() for p in kept(cache))

    await first.say("ben", "forgetme")
    await first.say("ben", "forgetme", "confirm")
    on_disk = b"".join(p.read_bytes() for p in kept(cache))
    restarted = Community(store, settings, clock=first.clock)
    restarted.port = first.port
    restarted.core.attach(first.port)
    await started(restarted)
    reply = await restarted.say("dan", "need", "zanzibar falconry and terraform")

    assert b"zanzibar" not in on_disk and b"quokka" not in on_disk
    assert "privately asked one member" in reply.text
    assert not any("zanzibar" in m.text for m in first.port.to("ben"))
    assert restarted.core.ctx.matchers.loads == 0
    assert all(b"zanzibar" not in p.read_bytes() for p in kept(cache))


async def test_no_member_words_reach_the_log(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Saving, loading, refusing and discarding snapshots log no skill or need."""
    caplog.set_level(logging.DEBUG)
    cache = tmp_path / "cache"
    settings = Settings(cache_dir=cache)
    first = Community(store, settings)
    await first.say("ann", "offer", "zanzibar falconry, quokka grooming")
    await settled(first, ("bob", "my quokka grooming went wrong"))
    await ready(first)
    await started(Community(store, settings, clock=first.clock))
    for path in kept(cache):
        path.write_bytes(path.read_bytes()[:-9])
    await started(Community(store, settings, clock=first.clock))
    await first.say("ann", "forgetme")
    await first.say("ann", "forgetme", "confirm")
    await started(Community(store, settings, clock=first.clock))

    assert "matcher of fake:T1 kept" in caplog.text
    assert "snapshot of fake:T1 not used" in caplog.text
    for words in ("zanzibar", "falconry", "quokka", "grooming"):
        assert words not in caplog.text


async def test_a_cache_that_cannot_be_written_only_costs_builds(
    store: Store, tmp_path: Path
) -> None:
    """A cache folder that cannot be made: the bot serves as without one."""
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    c = Community(store, Settings(cache_dir=blocked / "cache"))
    await c.say("ann", "offer", "terraform")
    await started(c)

    reply = await c.say("bob", "need", "terraform state is locked")

    assert "privately asked one member" in reply.text
