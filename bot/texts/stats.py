"""/helpstats for admins: how the community helps itself, and what stops it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.port import Message
from bot.texts.words import day, plural

if TYPE_CHECKING:
    from bot.usecases.stats import Stats


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def _hours(hours: float | None) -> str:
    if hours is None:
        return "—"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def helpstats(
    stats: Stats, dashboard: str | None = None, valid: timedelta = timedelta(hours=24)
) -> Message:
    """How the community helps itself, for admins; with a private link to see it drawn."""
    topics = (
        ", ".join(f"{t} ({n})" for t, n in stats.unmet_topics)
        or "none — someone here offers what every waiting need asks for"
    )
    longest = ", ".join(
        f"#{w.need_id} {w.topic} ({plural(w.days, 'day')})" for w in stats.longest_waiting
    )
    waiting = f"Needs waiting for someone: {stats.needs_waiting}"
    if longest:
        waiting += f" · waiting longest: {longest}"
    waited = f"Needs that waited, then found a helper: {stats.helped_after_waiting}"
    if stats.median_days_waited is not None:
        waited += f" (median wait {_hours(stats.median_days_waited * 24)})"
    lines = [
        "*How this community helps itself*",
        f"Members with a profile: {stats.members_with_profile}",
        f"Needs posted: {stats.needs_posted} · introduced: {stats.needs_introduced} · "
        f"resolved: {stats.needs_resolved}",
        f"Share matched with a helper: {_pct(stats.share_matched)}",
        f"Median time from need to introduction: {_hours(stats.median_hours_to_intro)}",
        f"Unmet topics (nobody here offers them yet): {topics}",
        waiting,
        waited,
        f"Helpers: {stats.helpers} · share of intros taken by the busiest 10% of helpers: "
        f"{_pct(stats.busiest_tenth_share)}",
        f"Pay-it-forward links (helped, then helped someone): {stats.pay_it_forward}",
        f"Favours returned (helped someone who once helped them): {stats.favours_returned}",
        f"Longest pay-it-forward chain (A helped B, B helped C, …): "
        f"{plural(stats.longest_chain, 'help')} in a row",
        f"Thank-yous delivered: {stats.thanks_given}",
        f"Referrals (a member thought of someone): {stats.referrals_made} · led to help: "
        f"{stats.referrals_helped}",
        f"Check-in answers (/pulse): {stats.pulse_answers}",
    ]
    if stats.messages_given_up:
        lines.append(
            f"Messages I gave up on after many tries: {stats.messages_given_up} (the log says why)"
        )
    if stats.installation_refused:
        lines.append(
            f"The platform refuses me here ({stats.installation_refused}): I send nothing "
            "until the app is installed again"
        )
    if dashboard:
        hours = round(valid.total_seconds() / 3600)
        lines.append(
            f"See it drawn — who helped whom, and how it goes week by week: {dashboard}\n"
            f"(a private link for you: it works for {hours} hour{'s' * (hours != 1)}; "
            "please don't share it)"
        )
    return Message("\n".join(lines))


def helpstats_refused() -> Message:
    """A non-admin asked for /helpstats."""
    return Message(
        "`/helpstats` is for the community's admins. Curious how you're doing? `/profile` "
        "shows your own mirror."
    )


def admins_unknown(reason: str) -> Message:
    """/helpstats, when the platform refuses the bot's own credentials in this community."""
    return Message(
        f"I can't check who the admins are here: the platform refuses my credentials "
        f"(`{reason}`). The app may have been removed or lost a permission — an admin can "
        "reinstall it, and nothing members told me is lost."
    )


def delivery_had_stopped(stats: Message, since: datetime, reason: str, waiting: int) -> Message:
    """/helpstats, headed by what admins must know: delivery had stopped in this community."""
    notice = (
        f"*Heads-up:* since {day(since)} the platform refused my messages here (`{reason}`), "
        f"so {plural(waiting, 'message')} waited. I'm trying again now; if they still don't "
        "go out, the app needs reinstalling or its permissions checked."
    )
    return Message(f"{notice}\n\n{stats.text}", stats.buttons)
