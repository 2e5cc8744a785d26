"""`whuffie import` and `whuffie export`: a community's skills to and from a spreadsheet."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from bot.directory import Report, run_export, run_import
from bot.store import Store
from tests.fakes import COMMUNITY, Community

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

SHEET = """member,display_name,skills
ann,Ann,"PostgreSQL, query tuning"
bob,Bob,Kubernetes
,Nobody,Go
cy,Cy,
dee@example.org,Dee,Rust
ann,Ann,"postgres, Pitch decks"
eve,Eve\x00,CSS
"<@fay|fay>",Fay,Figma
gus,Gus,"=HYPERLINK(""x"")"
"""


async def _import(store: Store, text: str, *, dry_run: bool = False, to: str = COMMUNITY) -> Report:
    return await run_import(store, to, text.encode(), None, NOW, dry_run=dry_run)


async def _export(store: Store, community: str = COMMUNITY) -> str:
    out = io.StringIO()
    await run_export(store, community, out)
    return out.getvalue()


async def test_imported_skills_are_matched_and_bad_rows_are_reported_by_line(
    store: Store,
) -> None:
    """Good rows land as profiles the matcher uses; each bad row is named with its reason."""
    report = await _import(store, SHEET)
    assert report.members_added == 4  # ann (her second row merges in), bob, fay, gus
    assert report.skills_added == 6
    assert dict(report.skipped) == {
        4: "no member id or email",
        5: "no skills",
        6: "an email, but this community's platform cannot look up emails: use the member's id",
        8: "control characters in the row",
    }
    assert "line 6: an email" in report.summary()
    community = Community(store)
    await community.say("zed", "need", "my postgres query is slow")
    assert any("postgres query" in m.text for m in community.port.to("ann"))
    profile = await community.say("ann", "profile")
    assert "Pitch decks" in profile.text and "query tuning" in profile.text


async def test_a_second_run_adds_nothing(store: Store) -> None:
    """Importing the same file again finds everything already there."""
    await _import(store, SHEET)
    before = await _export(store)
    again = await _import(store, SHEET)
    assert (again.members_added, again.skills_added) == (0, 0)
    assert again.members_known == 4 and again.skills_already == 7
    assert await _export(store) == before


async def test_a_dry_run_writes_nothing(store: Store) -> None:
    """A dry run counts what would be added, and the community stays empty."""
    report = await _import(store, SHEET, dry_run=True)
    assert (report.members_added, report.skills_added) == (4, 6)
    assert "Dry run: nothing was written" in report.summary()
    real = await _import(store, SHEET)
    assert (real.members_added, real.skills_added) == (4, 6)


async def test_export_then_import_round_trips(store: Store) -> None:
    """An export imported into another community exports the same again, formulas inert."""
    await _import(store, SHEET)
    exported = await _export(store)
    assert exported.splitlines()[0] == "member,display_name,skills"
    assert 'ann,Ann,"PostgreSQL, query tuning, Pitch decks"' in exported
    # A spreadsheet must not run a member's words as a formula.
    assert 'gus,Gus,"\'=HYPERLINK(""x"")"' in exported
    copy = await _import(store, exported, to="fake:T2")
    assert copy.skipped == [] and copy.members_added == 4
    assert await _export(store, "fake:T2") == exported


async def test_a_member_with_too_many_skills_keeps_the_first_fifty(store: Store) -> None:
    """Past the profile limit a row is refused by line number; the rows before it stay."""
    first = ", ".join(f"skill{i}" for i in range(45))
    more = ", ".join(f"other{i}" for i in range(10))
    report = await _import(
        store, f'member,display_name,skills\nann,Ann,"{first}"\nann,Ann,"{more}"\n'
    )
    assert report.skills_added == 0
    assert report.skipped == [
        (2, "more than 50 skills for this member: none of this row's new skills were added")
    ]
    split = await _import(store, f'member,display_name,skills\nann,Ann,"{first}"\n')
    assert split.skills_added == 45
    extra = await _import(store, f'member,display_name,skills\nann,Ann,"{more}"\n')
    assert extra.skills_added == 0 and extra.skipped[0][0] == 2
