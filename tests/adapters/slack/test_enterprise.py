"""Enterprise Grid: an org-wide install is one community; a workspace install is its own."""

from __future__ import annotations

from tests.adapters.slack.conftest import ALICE, BOB, Chat
from tests.adapters.slack.fake_slack import FakeSlack

ORG = "E0ORG"
SALES, SUPPORT = "T0SALES", "T0SUPPORT"


async def test_an_org_wide_install_connects_members_across_workspaces(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """Bob offers from one workspace of the org; Alice, in another, is introduced to him."""
    await chat.type(BOB, "/offer", "postgres", team_id=SALES, org_id=ORG)
    reply = await chat.type(ALICE, "/need", "my slow postgres query", team_id=SUPPORT, org_id=ORG)
    assert "privately asked one member" in reply
    [ask] = fake_slack.messages_in(BOB)
    await chat.press(BOB, ask, "I can help", team_id=SALES, org_id=ORG)
    assert len(fake_slack.messages_in(ALICE, BOB)) == 1


async def test_workspace_installs_keep_their_communities_apart(
    chat: Chat, fake_slack: FakeSlack
) -> None:
    """Installed per workspace, a need in one workspace never reaches members of another."""
    await chat.type(BOB, "/offer", "postgres", team_id=SALES)
    reply = await chat.type(ALICE, "/need", "my slow postgres query", team_id=SUPPORT)
    assert "privately asked" not in reply
    assert fake_slack.messages_in(BOB) == []
