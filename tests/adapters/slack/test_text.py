"""Slack text in (tokens and entities to plain words) and out (nothing a member wrote can ping)."""

from __future__ import annotations

import pytest

from adapters.slack.text import escape, mention, split_leading_member, split_member_after, to_plain


@pytest.mark.parametrize(
    ("delivered", "typed"),
    [
        ("my slow postgres query", "my slow postgres query"),
        ("tips &amp; tricks for &lt;select&gt;", "tips & tricks for <select>"),
        ("literally &amp;lt;b&amp;gt;", "literally &lt;b&gt;"),
        ("hey <!channel> and <!here|here> and <!everyone>", "hey @channel and @here and @everyone"),
        ("ask <@U024BE7LH|bob> or <@W0ABC>", "ask @bob or @W0ABC"),
        ("see <#C024BE7LR|general>", "see #general"),
        ("ping <!subteam^S012|@design-team>", "ping @design-team"),
        ("docs at <https://example.com|example.com>", "docs at example.com"),
        ("docs at <https://example.com/a?b=1&amp;c=2>", "docs at https://example.com/a?b=1&c=2"),
        ("mail <mailto:a@example.com|a@example.com>", "mail a@example.com"),
        ("  padded  ", "padded"),
    ],
)
def test_slash_command_text_becomes_what_the_member_typed(delivered: str, typed: str) -> None:
    """Tokens read as words and entities are undone exactly once."""
    assert to_plain(delivered) == typed


def test_escape_defangs_every_ping_and_markup_character() -> None:
    """Repeated text cannot form a mention, a channel link or a broadcast."""
    hostile = "<!channel> <!here> <!everyone> <@U123> <#C123> a & b"
    escaped = escape(hostile)
    assert "<" not in escaped and ">" not in escaped
    assert escaped == (
        "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U123&gt; &lt;#C123&gt; a &amp; b"
    )


def test_plain_then_escaped_is_never_escaped_twice() -> None:
    """What Slack delivered escaped goes out escaped once, not as `&amp;amp;`."""
    assert escape(to_plain("R&amp;D &lt;3")) == "R&amp;D &lt;3"


def test_mention_is_slacks_member_token() -> None:
    """The core's mentions render as names in Slack."""
    assert mention("U024BE7LH") == "<@U024BE7LH>"


def test_leading_member_is_found_with_or_without_a_label() -> None:
    """`/thanks @bob …` arrives as `<@U…|bob> …`; the member and the rest are split."""
    named = split_leading_member("<@U024BE7LH|bob> you saved my week")
    assert named is not None
    assert (named.user_id, named.label, named.rest) == ("U024BE7LH", "bob", " you saved my week")
    bare = split_leading_member(" <@W0ABC>thanks")
    assert bare is not None and (bare.user_id, bare.label, bare.rest) == ("W0ABC", "", "thanks")


@pytest.mark.parametrize("text", ["bob thanks", "@bob thanks", "thanks <@U024BE7LH>", ""])
def test_no_leading_member_when_the_text_does_not_start_with_one(text: str) -> None:
    """Only a real member token at the start names the member."""
    assert split_leading_member(text) is None


def test_refer_finds_the_member_after_the_need_number() -> None:
    """`/refer 12 @bob` arrives as `12 <@U…|bob>`: the member, and the number left as text."""
    named = split_member_after("12 <@U024BE7LH|bob>", 1)
    assert named is not None
    assert (named.user_id, named.label, named.rest.strip()) == ("U024BE7LH", "bob", "12")
    bare = split_member_after("  #7\t<@W0ABC> ", 1)
    assert bare is not None and (bare.user_id, bare.rest.strip()) == ("W0ABC", "#7")


@pytest.mark.parametrize(
    "text",
    [
        "<@U024BE7LH|bob> 12",  # the member first: the number is missing where it belongs
        "12 <!here>",
        "12 <!channel|channel>",
        "12 <#C024BE7LH|general>",
        "12 @bob",
        "12 <@U024BE7LH|b<o>b>",
        "12",
        "",
    ],
)
def test_refer_names_nobody_without_a_real_member_token(text: str) -> None:
    """A channel, a special mention or a plain `@name` is no member: nobody is asked."""
    assert split_member_after(text, 1) is None
