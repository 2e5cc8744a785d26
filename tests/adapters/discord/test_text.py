"""Discord text rules: member words made inert, the core's markdown, the 2000-character limit."""

from __future__ import annotations

from adapters.discord.text import MAX_CONTENT, escape, mention, split, to_discord, trim


def test_a_mention_is_discords_name_syntax() -> None:
    """Discord shows `<@id>` as the member's name."""
    assert mention("81234567890123456") == "<@81234567890123456>"


def test_member_text_cannot_ping_anyone() -> None:
    """@everyone, @here, user and role mentions in member text no longer resolve."""
    text = "@everyone @here <@81234567890123456> <@!81234567890123456> <@&81234567890123456>"
    escaped = escape(text)
    for ping in text.split():
        assert ping not in escaped
    # Still readable: only an invisible joiner was added after each @.
    assert escaped.replace("\u200b", "") == text


def test_member_markdown_cannot_leak_into_the_message() -> None:
    """Unbalanced bold, code fences and masked links from a member stay literal."""
    escaped = escape("**urgent ```sql [click](https://evil.example)")
    assert "\\*\\*urgent" in escaped
    assert "\\`\\`\\`" in escaped
    assert "\\[click](" in escaped


def test_member_lines_cannot_become_headings_or_quotes() -> None:
    """A need cannot shout a heading or fake a quote of the bot's own."""
    assert escape("# Heading\n> quote") == "\\# Heading\n\\> quote"


def test_urls_stay_clickable() -> None:
    """Escaping leaves links alone, underscores and all."""
    assert escape("see https://example.com/a_b_c") == "see https://example.com/a_b_c"


def test_the_cores_bold_becomes_discords_bold() -> None:
    """The core's *bold* is Slack's; Discord needs **bold**; escaped stars are left alone."""
    assert to_discord("*Your profile*\nSkills: x") == "**Your profile**\nSkills: x"
    assert to_discord("*#12* from <@1>") == "**#12** from <@1>"
    assert to_discord(escape("*not bold*")) == escape("*not bold*")
    assert to_discord("**already**") == "**already**"
    assert to_discord("a * b * c") == "a * b * c"


def test_short_text_is_one_message() -> None:
    """Within the limit nothing changes."""
    assert split("hello\n\nworld") == ["hello\n\nworld"]


def test_long_text_splits_at_line_breaks() -> None:
    """Each part fits, and the parts put together are the text."""
    lines = [f"line {i} " + "x" * 90 for i in range(60)]
    parts = split("\n".join(lines))
    assert all(len(p) <= MAX_CONTENT for p in parts)
    assert "\n".join(parts) == "\n".join(lines)
    assert all(p.startswith("line ") for p in parts)


def test_a_split_never_leaves_a_dangling_escape() -> None:
    """A hard cut does not end a part on a backslash that would escape the next part."""
    text = "a" * 1999 + "\\*" + "b" * 100
    parts = split(text)
    assert not parts[0].endswith("\\")
    assert "".join(parts) == text


def test_runaway_text_is_cut_after_a_few_messages() -> None:
    """No DM flood: past five messages the rest is cut, and the cut is marked."""
    parts = split("\n".join("y" * 1500 for _ in range(20)))
    assert len(parts) == 5
    assert parts[-1].endswith("…")
    assert all(len(p) <= MAX_CONTENT for p in parts)


def test_trim_marks_the_cut() -> None:
    """An edit that would be too long is cut with an ellipsis, within the limit."""
    assert trim("short") == "short"
    cut = trim("word " * 1000)
    assert len(cut) <= MAX_CONTENT and cut.endswith("…")
