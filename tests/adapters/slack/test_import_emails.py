"""`whuffie import` on Slack: emails resolved to member ids with `users.lookupByEmail`."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from adapters.slack.emails import SlackEmails
from adapters.slack.settings import SlackSettings
from bot.directory import run_export, run_import
from bot.store import Store
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack

COMMUNITY = f"slack:{TEAM_ID}"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SHEET = b"""email,name,skills
erin@example.org,,"Figma, UX research"
FRANK@example.org,Frank F.,Terraform
nobody@example.org,Nobody,Go
U0GRACE,Grace,Rust
"""


async def test_emails_become_member_ids(
    fake_slack: FakeSlack, slack_settings: SlackSettings, store: Store
) -> None:
    """Emails found in the workspace import as those members; an unknown one is reported."""
    fake_slack.add_user("U0ERIN", "Erin", email="erin@example.org")
    fake_slack.add_user("U0FRANK", "Frank", email="frank@example.org")
    report = await run_import(store, COMMUNITY, SHEET, SlackEmails(slack_settings), NOW)
    assert report.members_added == 3
    assert report.skipped == [(4, "no member of the community has that email")]
    out = io.StringIO()
    await run_export(store, COMMUNITY, out)
    assert out.getvalue().splitlines()[1:] == [
        'U0ERIN,Erin,"Figma, UX research"',  # the name Slack shows, when the sheet has none
        "U0FRANK,Frank F.,Terraform",
        "U0GRACE,Grace,Rust",
    ]


async def test_without_the_email_scope_each_email_row_says_how_to_fix_it(
    fake_slack: FakeSlack, slack_settings: SlackSettings, store: Store
) -> None:
    """A token without users:read.email: the email rows are skipped with the fix, ids still
    import, and Slack is asked once, not once per row."""
    fake_slack.fail("users.lookupByEmail", "missing_scope")
    report = await run_import(store, COMMUNITY, SHEET, SlackEmails(slack_settings), NOW)
    assert report.members_added == 1
    assert [line for line, _ in report.skipped] == [2, 3, 4]
    assert all("users:read.email" in why for _, why in report.skipped)
    assert len(fake_slack.calls_to("users.lookupByEmail")) == 1
