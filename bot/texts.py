"""Every word the bot says, in one place, so the voice stays one voice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.commands import COMMANDS
from bot.port import Button, Message
from matching import Reason

if TYPE_CHECKING:
    from bot.usecases.stats import Stats


NUDGE = (
    "Pay it forward: when you see someone stuck on something you know, lend a hand. "
    "Help first, and the circle keeps turning — I know you'd do the same for the next person."
)


def quote(safe_text: str) -> str:
    """A member's words (already escaped for the platform) as a quote block."""
    return "\n".join(f"> {line}" for line in safe_text.splitlines() or [""])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _day(when: datetime) -> str:
    return when.strftime("%a %d %b %Y")


# -- help and errors ---------------------------------------------------------------------


def help_text() -> Message:
    """What the bot can do, one command a line."""
    lines = ["Here's what I can do — help first, and ask when you need it:"]
    lines += [f"• `{c.usage}` — {c.description}" for c in COMMANDS]
    return Message("\n".join(lines))


def unknown_command(name: str) -> Message:
    """A command the bot does not know."""
    return Message(f"I don't know the command `/{name}`. Type `/help` to see what I can do.")


def oops() -> Message:
    """Something broke inside; nothing the member did wrong."""
    return Message(
        "Sorry — something went wrong on my side and nothing was changed. Please try again in "
        "a moment."
    )


def busy() -> Message:
    """Too much is in hand right now: nothing was stored, ask again shortly."""
    return Message(
        "Sorry — I'm swamped right now and couldn't take that on, so nothing was changed. "
        "Please try again in a minute."
    )


def database_away() -> Message:
    """The database does not answer right now: nothing the member did, nothing changed."""
    return Message(
        "Sorry — I can't reach my records right now, so nothing was changed. Please try again "
        "in a minute."
    )


def warming_up() -> Message:
    """The bot has just started and is still getting to know who offers what."""
    return Message(
        "I've only just woken up and I'm still reading who offers what — give me a few "
        "seconds and try again, please. Nothing was changed."
    )


def not_found(what: str, number: str) -> Message:
    """An id that does not exist (or is not theirs to see)."""
    return Message(f"I can't find {what} #{number}. It may have been removed.")


def unusable_id() -> Message:
    """An account or workspace id the bot cannot store (no chat platform sends such ids)."""
    return Message(
        "Sorry — I can't work with this account: its id is longer than any chat platform "
        "uses, or holds characters I can't store. Nothing was changed."
    )


def bad_number(command: str, arg: str) -> Message:
    """A button command typed with something that is not an id."""
    return Message(f"`/{command}` needs a number, like `/{command} 7` — not `{arg}`.")


# -- buttons, and where commands work ----------------------------------------------------


def button_unknown() -> Message:
    """A press of something that is not one of the bot's buttons (or no longer means anything)."""
    return Message("That button doesn't do anything (any more), so I left everything as it was.")


def button_not_yours() -> Message:
    """A press of a button the bot put on someone else's message."""
    return Message("That button was meant for someone else, so I left it alone.")


def button_not_member() -> Message:
    """A press from someone who has left the community the button belongs to."""
    return Message(
        "You're no longer a member of the community this came from, so I left it alone and "
        "nobody was told anything. If you join again, it works again."
    )


def use_in_server(command: str) -> Message:
    """A command sent from a direct message, where no community is known."""
    return Message(
        f"Use this in your server: type `/{command}` in any of its channels (only you will "
        "see my answer). In a direct message I can't tell which community you mean."
    )


# -- profile -----------------------------------------------------------------------------


def offer_usage() -> Message:
    """`/offer` with nothing after it."""
    return Message(
        "Tell me what you can help with, comma separated — for example "
        "`/offer postgres, pitch decks, figma`."
    )


def offer_done(
    added: Sequence[str], already: Sequence[str], total: int, waiting_asked: int = 0
) -> Message:
    """Skills added to a profile (and waiting needs they fit, sent to them at once)."""
    parts = []
    if added:
        parts.append("Thank you! Added to your profile: " + ", ".join(added) + ".")
    if already:
        parts.append("Already there: " + ", ".join(already) + ".")
    parts.append(
        f"You now offer {_plural(total, 'skill')}. I'll ask you privately when someone needs "
        "one of them — you can always say no."
    )
    if waiting_asked:
        parts.append(_waiting_for_you(waiting_asked))
    return Message(" ".join(parts))


def _waiting_for_you(count: int) -> str:
    """Waiting needs a member was just asked about."""
    which = "a need that was waiting" if count == 1 else f"{count} needs that were waiting"
    return f"There's {which} for someone like you — I've sent it to you privately."


def skill_too_long(skill: str, limit: int) -> Message:
    """A skill longer than the limit."""
    return Message(
        f"That skill is a bit long ({len(skill)} characters; the limit is {limit}). "
        "Try a short name, like `postgres` or `pitch decks`."
    )


def too_many_skills(limit: int) -> Message:
    """A profile would grow past the limit."""
    return Message(
        f"A profile holds up to {limit} skills, and that would go over. "
        "Remove one with `/unoffer <skill>` first, or pick your strongest ones."
    )


def unoffer_usage() -> Message:
    """`/unoffer` with nothing after it."""
    return Message("Which skill should I remove? For example `/unoffer figma`.")


def unoffer_done(skill: str) -> Message:
    """A skill removed."""
    return Message(f"Removed '{skill}' from your profile.")


def unoffer_missing(skill: str, skills: Sequence[str]) -> Message:
    """Removing a skill the member does not have."""
    have = ", ".join(skills) if skills else "none yet"
    return Message(f"'{skill}' isn't on your profile. Your skills: {have}.")


def profile(
    skills: Sequence[str],
    paused_until: datetime | None,
    paused: bool,
    helped: int,
    was_helped: int,
    thanks_received: int,
    favour_lines: bool = True,
    *,
    referred: int = 0,
    referrals_helped: int = 0,
) -> Message:
    """A member's profile, their private give/receive mirror, and the favour-notes setting."""
    lines = ["*Your profile*"]
    lines.append("Skills: " + (", ".join(skills) if skills else "none yet — try `/offer`"))
    if paused and paused_until:
        lines.append(f"Availability: paused until {_day(paused_until)} (`/resume` to come back)")
    elif paused:
        lines.append("Availability: paused (`/resume` to come back)")
    else:
        lines.append("Availability: happy to be asked")
    lines.append(
        f"Your mirror (only you see it): you helped {_plural(helped, 'member')}, "
        f"were helped {_plural(was_helped, 'time')}, and received "
        f"{_plural(thanks_received, 'thank-you')}."
    )
    if referred:
        people = "1 person" if referred == 1 else f"{referred} people"
        lines.append(
            f"You thought of {people} for others' needs, and {referrals_helped} of them went "
            "on to help: introductions count too."
        )
    if favour_lines:
        lines.append(
            "Favour notes: on — when someone who once helped you needs a hand, your ask mentions it"
        )
        button = Button("Turn favour notes off", "profile", "favours off")
    else:
        lines.append("Favour notes: off — asks never mention past favours")
        button = Button("Turn favour notes on", "profile", "favours on")
    return Message("\n".join(lines), (button,))


def profile_empty() -> Message:
    """/profile from someone who has told the bot nothing yet."""
    return Message(
        "*Your profile*\nSkills: none yet — try `/offer`\nAvailability: happy to be asked\n"
        "I hold nothing else about you."
    )


def paused(until: datetime | None) -> Message:
    """The member paused themselves."""
    when = f" until {_day(until)}" if until else ""
    return Message(
        f"You're paused{when}: I won't ask you for help. Type `/resume` whenever you're ready."
    )


def pause_usage() -> Message:
    """`/pause` with something that is not a number of days."""
    return Message(
        "`/pause` takes a number of days, like `/pause 7`, or nothing to pause until you `/resume`."
    )


def resumed(waiting_asked: int = 0) -> Message:
    """The member is available again (and asked about waiting needs they fit)."""
    text = "Welcome back! I'll ask you again when someone needs what you offer."
    return Message(f"{text} {_waiting_for_you(waiting_asked)}" if waiting_asked else text)


def paused_after_silence(limit: int) -> Message:
    """Told (kindly) after several asks went unanswered."""
    return Message(
        f"I've asked you {limit} times lately without hearing back — no worries, life gets busy. "
        "I've paused your asks so they don't pile up. Whenever you're ready to help again, "
        "type `/resume`."
    )


# -- needs -------------------------------------------------------------------------------


def need_usage() -> Message:
    """`/need` with nothing after it."""
    return Message(
        "What do you need help with? Say it in a sentence — for example "
        "`/need a second pair of eyes on my slow postgres query`."
    )


def need_too_long(length: int, limit: int) -> Message:
    """A need over the length limit."""
    return Message(
        f"That's {length} characters — please keep a need under {limit}, so the people I ask "
        "can take it in at a glance. The details can follow once you're introduced."
    )


def need_posted(need_id: int, asked: int) -> Message:
    """The requester's private answer after posting a need."""
    people = "one member who knows" if asked == 1 else f"{asked} members who know"
    return Message(
        f"Got it (need #{need_id}). I've privately asked {people} about this. "
        "I'll introduce you as soon as someone says yes."
    )


def need_unmet(need_id: int, topic: str, checkin_days: int, connectors: int = 0) -> Message:
    """Nobody to ask, said honestly: the need waits."""
    about = f" with '{topic}'" if topic else " with this"
    also = connectors_asked(connectors) if connectors else ""
    return Message(
        f"I have to be honest: nobody who can help{about} is available right now, so I couldn't "
        f"ask anyone yet (need #{need_id}).{also} Your need waits: members who could help see "
        "it in `/needs`, and I'll ask the moment someone who fits offers it or is free again. "
        f"If it's still waiting in {_plural(checkin_days, 'day')}, I'll check in with you."
    )


def nobody_left(need_id: int, text_quote: str, connectors: int = 0) -> Message:
    """Everyone asked said no or did not answer: the need waits."""
    also = connectors_asked(connectors) if connectors else ""
    return Message(
        f"An update on your need #{need_id}:\n{text_quote}\n"
        f"Everyone I could ask is busy this time. I'm sorry.{also} Your need waits in "
        "`/needs`, and I'll ask again as soon as someone who fits is free or offers this skill."
    )


def needs_none() -> Message:
    """Nothing open that fits the member's skills."""
    return Message(
        "No open needs match your skills right now. Thanks for looking — giving first is what "
        "makes this community work. Add skills with `/offer` to see more."
    )


def needs_list(items: Sequence[tuple[int, str, str, str, timedelta | None]]) -> Message:
    """Open needs the member could help with: (need id, who, quoted text, why, waited)."""
    lines = ["Open needs you could help with:"]
    buttons = []
    for need_id, who, quoted, why, waited in items:
        note = f" — {_waited(waited)}" if waited is not None else ""
        lines.append(f"\n*#{need_id}* from {who}{note} — {why}\n{quoted}")
        buttons.append(Button(f"I can help with #{need_id}", "give", str(need_id), "primary"))
    return Message("\n".join(lines), tuple(buttons))


def _waited(waited: timedelta) -> str:
    """How long a need has waited, as a note in `/needs`."""
    if waited >= timedelta(days=2):
        return f"waiting {waited.days} days for someone"
    return "waiting for someone"


# -- waiting needs -----------------------------------------------------------------------


def waiting_checkin(need_id: int, quoted: str, waited: timedelta, nobody_offers: bool) -> Message:
    """A need has waited a while: how it stands, honestly, and the requester's choice."""
    why = (
        "nobody here offers this yet"
        if nobody_offers
        else "the members who could help haven't been free"
    )
    return Message(
        f"Your need #{need_id} has been waiting {_plural(max(1, waited.days), 'day')}:\n"
        f"{quoted}\nI'll be straight with you: {why}. I haven't forgotten it. Shall I keep it "
        "open and go on looking, or close it?",
        (
            Button("Keep it open", "keep", str(need_id), "primary"),
            Button("Close it", "close", str(need_id)),
        ),
    )


def waiting_kept(need_id: int, days: int) -> Message:
    """'Keep it open' on a check-in."""
    return Message(
        f"Need #{need_id} stays open. I'll keep looking, ask the moment someone who fits is "
        f"free, and check in again in {_plural(days, 'day')}."
    )


def waiting_asked_again(need_id: int) -> Message:
    """'Keep it open' on a need that someone is being asked about already."""
    return Message(f"Good news: I'm asking someone about need #{need_id} right now. It stays open.")


def waiting_closed(need_id: int) -> Message:
    """'Close it': the need no longer waits."""
    return Message(
        f"Closed need #{need_id} — nobody will be asked about it any more. I hope it worked "
        "out; `/need` is here whenever you could use a hand."
    )


def close_introduced(need_id: int) -> Message:
    """'Close it' on a need someone is already helping with."""
    return Message(
        f"Someone is already helping you with need #{need_id}. When it's sorted, `/done` "
        "closes it and passes on your thanks."
    )


def need_usage_number() -> Message:
    """`/give` without a need number."""
    return Message("Which need? For example `/give 12` (see `/needs`).")


def give_own() -> Message:
    """Offering to help with one's own need."""
    return Message("That's your own need — I can't introduce you to yourself!")


def already_handled(need_id: int) -> Message:
    """A need that somebody else already took."""
    return Message(f"Need #{need_id} is already taken care of — thank you for offering!")


# -- asks --------------------------------------------------------------------------------


def why_you(reasons: Sequence[Reason]) -> str:
    """Why a member fits a need, in their words: skills named, meaning, then past help."""
    named = [r.skill_phrase() for r in reasons if r.kind not in ("semantic", "history")]
    parts = [f"you offered {_and(named)}"] if named else []
    for r in reasons:
        if r.kind == "semantic":
            about = f" about '{r.matched}'" if r.matched else ""
            parts.append(f"the need{about} sounds like your '{r.skill}'")
    for r in reasons:
        if r.kind == "history":
            shared = f" ({r.matched})" if r.matched else ""
            parts.append(f"you helped with a similar need before{shared}")
    return _and(parts) if parts else "you are one of the most active helpers here"


def _and(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def ask(ask_id: int, requester: str, quoted: str, why: str, favour: str | None = None) -> Message:
    """The private ask: the need, why them (and a favour to return), and two buttons."""
    return Message(
        f"Hi! {requester} could use a hand:\n{quoted}\n"
        f"I thought of you because {why}. Could you help? No pressure — saying no is fine."
        + (f"\n{favour}" if favour else ""),
        (
            Button("I can help", "accept", str(ask_id), "primary"),
            Button("Not this time", "decline", str(ask_id)),
        ),
    )


def favour_line(requester: str, what: str, when: datetime, now: datetime) -> str:
    """One gentle line in an ask: the requester once helped this member."""
    month = when.strftime("%B") if when.year == now.year else when.strftime("%B %Y")
    return (
        f"{requester} helped you with '{what}' in {month} — here's a chance to return the "
        "favour, if you'd like to."
    )


def favour_lines_set(on: bool) -> Message:
    """`/profile favours on|off` done."""
    if on:
        return Message(
            "Done — when someone who once helped you needs a hand, your ask will say so, gently."
        )
    return Message(
        "Done — your asks won't mention past favours any more. `/profile favours on` brings "
        "the notes back."
    )


def ask_closed(quoted: str, outcome: str) -> Message:
    """What an ask message becomes once it is no longer open."""
    return Message(f"{quoted}\n{outcome}")


ASK_TAKEN = "Already taken care of by someone else — thank you for being there."
ASK_ACCEPTED = "You said yes — thank you! Your introduction is in a separate message."
ASK_DECLINED = "You passed on this one. Thanks for letting me know."
ASK_EXPIRED = "This ask has closed without an answer — no worries, life gets busy."
ASK_RESOLVED = "This need has been resolved — thank you."
ASK_CLOSED = "The member who asked has closed this need — thank you for being there."


def accept_thanks() -> Message:
    """Reply to the member who said yes."""
    return Message("Thank you for helping! I've introduced you both in a direct message.")


def accept_twice() -> Message:
    """A second click on 'I can help'."""
    return Message("You already said yes to this one — your introduction is on its way or sent.")


def ask_not_yours() -> Message:
    """A button from someone else's ask."""
    return Message("That ask was meant for someone else, so I can't answer it for you.")


def decline_thanks() -> Message:
    """Reply to 'Not this time'."""
    return Message("No problem — thanks for saying so. I'll ask someone else.")


def decline_after_accept() -> Message:
    """'Not this time' after 'I can help'."""
    return Message(
        "You already said yes and the introduction is out, so I've left it as it is. If you "
        "can't help after all, just tell them in your DM — that's kinder than silence."
    )


def decline_twice() -> Message:
    """A second click on 'Not this time'."""
    return Message("Already noted — you passed on this one.")


def ask_gone() -> Message:
    """An answer to an ask that expired or was superseded."""
    return Message("This ask has closed — it's been taken care of or moved on. Thank you!")


def _as_them(why: str) -> str:
    """A reason told to the helper, retold to both sides."""
    for you, them in (
        ("you offered", "they offered"),
        ("sounds like your", "sounds like their"),
        ("you helped", "they helped"),
        ("you are one", "they are one"),
    ):
        why = why.replace(you, them)
    return why


def intro(
    requester: str,
    helper: str,
    quoted: str,
    why: str,
    pass_on: tuple[int, str, str] | None,
) -> Message:
    """The introduction of both sides, with the pay-it-forward nudge."""
    lines = [
        f"{requester}, meet {helper}! {helper} said yes to your need:",
        quoted,
        f"Why {helper}: {_as_them(why)}.",
        "Take it from here — a quick hello and a time to talk is a great start.",
        "",
        NUDGE,
    ]
    buttons: tuple[Button, ...] = ()
    if pass_on is not None:
        need_id, who, pass_quote = pass_on
        lines += ["", f"{requester}, one you could pass it on with — {who} needs:", pass_quote]
        buttons = (Button(f"I can help with #{need_id}", "give", str(need_id), "primary"),)
    return Message("\n".join(lines), buttons)


# -- follow-up, done, thanks -------------------------------------------------------------


def _ago(elapsed: timedelta) -> str:
    if elapsed >= timedelta(days=2):
        return f"{elapsed.days} days ago"
    if elapsed >= timedelta(hours=2):
        return f"{int(elapsed.total_seconds() // 3600)} hours ago"
    return "a little while ago"


def followup(need_id: int, helper: str, quoted: str, elapsed: timedelta) -> Message:
    """The check-in some days after an introduction."""
    return Message(
        f"{_ago(elapsed).capitalize()} I introduced you to {helper} about:\n{quoted}\nDid it help?",
        (
            Button("It helped", "helped", str(need_id), "primary"),
            Button("Not yet", "notyet", str(need_id)),
        ),
    )


def notyet(again: bool) -> Message:
    """'Not yet' on a follow-up."""
    later = "I'll check in again in a few days; " if again else ""
    return Message(f"Thanks for telling me. {later}Type `/done` whenever it's sorted.")


def notyet_not_introduced(need_id: int) -> Message:
    """'Not yet' on a need nobody was introduced for."""
    return Message(
        f"Nobody has been introduced for need #{need_id} yet — I'll tell you as soon as "
        "someone says yes."
    )


def need_not_open(need_id: int) -> Message:
    """A need number that is not one of the member's open needs (e.g. a second click)."""
    return Message(f"Need #{need_id} isn't one of your open needs — it may be resolved already.")


def done_none() -> Message:
    """`/done` with no open need."""
    return Message("You have no open needs. When you need help, `/need` is here.")


def done_which(items: Sequence[tuple[int, str]]) -> Message:
    """Several open needs: which one is done?"""
    lines = ["Which need is done?"] + [f"• #{i}: {t}" for i, t in items]
    buttons = tuple(Button(f"#{i} is done", "done", str(i), "primary") for i, _ in items)
    return Message("\n".join(lines), buttons)


def done(
    helper: str | None, pass_on: tuple[int, str, str] | None, had_words: bool = False
) -> Message:
    """The requester's reply on resolving a need, with one need to pass it on."""
    if helper:
        first = f"Wonderful — marked as resolved, and I've passed your thanks to {helper}."
    elif had_words:
        first = (
            "Marked as resolved. Glad it's sorted! Nobody was introduced for it, so your "
            "thank-you had no one to go to — `/thanks @member` sends one to anyone."
        )
    else:
        first = "Marked as resolved. Glad it's sorted!"
    lines = [first]
    buttons: tuple[Button, ...] = ()
    if pass_on is not None:
        need_id, who, quoted = pass_on
        lines += ["", f"Pass it on? {who} needs something you offered:", quoted]
        buttons = (Button(f"I can help with #{need_id}", "give", str(need_id), "primary"),)
    else:
        lines.append("When you see someone you could help, `/needs` shows open needs.")
    return Message("\n".join(lines), buttons)


def thanks_for_help(requester: str, quoted_need: str, message_quote: str | None) -> Message:
    """Delivered to the helper when their help resolved a need."""
    said = f"\nThey said:\n{message_quote}" if message_quote else ""
    return Message(
        f"{requester} marked their need as resolved thanks to you:\n{quoted_need}{said}\n"
        "Thank you for giving your time — that's what this community is made of."
    )


def thanks_usage() -> Message:
    """`/thanks` without a member or a message."""
    return Message("Who and what for? For example `/thanks @sam your review saved my launch`.")


def thanks_self() -> Message:
    """Thanking oneself."""
    return Message("Self-appreciation is healthy — but I can only deliver thanks to others!")


def thanks_sent(target: str) -> Message:
    """The sender's confirmation."""
    return Message(f"Delivered privately to {target}. Thank you for saying it.")


def thanks_dm(sender: str, quoted: str) -> Message:
    """A thank-you delivered to its recipient."""
    return Message(f"{sender} wanted to thank you:\n{quoted}")


def text_too_long(length: int, limit: int) -> Message:
    """A thank-you (or other text) over the limit."""
    return Message(f"That's {length} characters; please keep it under {limit}.")


# -- admin and privacy -------------------------------------------------------------------


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
        f"*Heads-up:* since {_day(since)} the platform refused my messages here (`{reason}`), "
        f"so {_plural(waiting, 'message')} waited. I'm trying again now; if they still don't "
        "go out, the app needs reinstalling or its permissions checked."
    )
    return Message(f"{notice}\n\n{stats.text}", stats.buttons)


def forget_confirm(minutes: int, *, again: bool = False) -> Message:
    """Asked before deleting everything; the button only works for a few minutes."""
    first = (
        "That confirmation has expired (or I never asked), so nothing was deleted. "
        if again
        else ""
    )
    return Message(
        f"{first}This deletes everything I hold about you: your skills, needs, asks and "
        f"thank-yous. It can't be undone. Are you sure? The button works for {minutes} minutes.",
        (Button("Yes, forget me", "forgetme", "confirm", "danger"),),
    )


# How a member who used /forgetme is named in what others still see.
FORMER_MEMBER = "a former member"
# What stands where a forgotten member's need was quoted.
NEED_WITHDRAWN = "> (a need that was withdrawn)"


def ask_withdrawn() -> Message:
    """An ask whose requester left: the helper's DM loses its buttons and the need's words."""
    return Message(
        "This ask has closed: the member who asked has left, and their need went with them. "
        "Thank you for being there."
    )


def helper_left(need_id: int, quoted: str) -> Message:
    """The requester's helper used /forgetme before the need was resolved."""
    return Message(
        f"The member I introduced you to about need #{need_id} has left, so I've reopened it "
        f"and I'm looking for someone else:\n{quoted}"
    )


def forgotten() -> Message:
    """Confirmation after deleting a member."""
    return Message("Done — I've forgotten everything about you. You're welcome back any time.")


def forget_nothing() -> Message:
    """Nothing to delete."""
    return Message("I hold nothing about you — there's nothing to forget.")


def too_many_needs(limit: int) -> Message:
    """A member with too many open needs at once."""
    return Message(
        f"You have {limit} open needs already. Close one with `/done` first, so the people "
        "helping you can focus."
    )


# -- fair limits -------------------------------------------------------------------------


def _in_about(wait: timedelta) -> str:
    minutes = max(1, round(wait.total_seconds() / 60))
    if minutes < 90:
        return f"in about {_plural(minutes, 'minute')}"
    return f"in about {_plural(round(minutes / 60), 'hour')}"


def too_many_gives(limit: int) -> Message:
    """/give by a member who already holds as many asks and gives as anyone may."""
    return Message(
        f"You're already helping with (or have been asked about) {limit} needs — thank you! "
        "Let those settle first: once one is resolved or answered, `/give` again."
    )


def needs_too_fast(limit: int, wait: timedelta) -> Message:
    """A member posting needs faster than the community can answer them."""
    return Message(
        f"You've posted {_plural(limit, 'need')} in the last hour — let's give people a moment "
        f"to answer those. You can post your next one {_in_about(wait)}."
    )


def thanks_too_fast(limit: int, wait: timedelta) -> Message:
    """A member sending many thank-yous in a short time."""
    return Message(
        f"That's {_plural(limit, 'thank-you')} in the last hour — lovely to see! Let's keep "
        f"each one special: you can send the next {_in_about(wait)}."
    )


def thanks_same_member_again(target: str, limit: int, wait: timedelta) -> Message:
    """A member thanking the same member again and again."""
    return Message(
        f"You've thanked {target} {_plural(limit, 'time')} today — they've got the message, "
        f"and it surely made their day. You can thank them again {_in_about(wait)}."
    )


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
        f"#{w.need_id} {w.topic} ({_plural(w.days, 'day')})" for w in stats.longest_waiting
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
        f"{_plural(stats.longest_chain, 'help')} in a row",
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


# -- connectors and referrals ------------------------------------------------------------


def connector_ask(need_id: int, requester: str, quoted: str) -> Message:
    """A well-connected member asked whether they know someone who could help."""
    return Message(
        f"Hi! {requester} needs a hand and nobody I could ask fits (need #{need_id}):\n"
        f"{quoted}\nYou've helped and introduced many people here. Do you know someone who "
        "could help with this? No pressure at all.",
        (
            Button("I'll suggest someone", "suggest", str(need_id), "primary"),
            Button("I don't know anyone", "nobody", str(need_id)),
        ),
    )


def connectors_asked(count: int) -> str:
    """The line telling a requester that well-connected members were asked whom they know."""
    who = "a member who knows many people" if count == 1 else f"{count} members who know many"
    return f" I've also asked {who} whether they know someone who could help."


def suggest_how(need_id: int) -> Message:
    """'I'll suggest someone': how to name them."""
    return Message(
        f"Wonderful, thank you! Type `/refer {need_id} @member` with the person you have in "
        "mind. I'll ask them privately and say you thought of them."
    )


def nobody_thanks() -> Message:
    """'I don't know anyone'."""
    return Message("No problem at all — thanks for thinking about it.")


def connector_ask_not_yours() -> Message:
    """A suggest/nobody press or command on a need the member was not asked about."""
    return Message("I didn't ask you about that need, so there's nothing to answer.")


def refer_usage() -> Message:
    """`/refer` without a need number or a member."""
    return Message(
        "Who and for which need? For example `/refer 12 @sam` — I'll ask sam privately and "
        "say you thought of them."
    )


def referred_ask(ask_id: int, connector: str, requester: str, quoted: str) -> Message:
    """The ask a referred member gets: who thought of them, the need, and the two buttons."""
    return Message(
        f"Hi! {connector} thought of you: {requester} could use a hand with this:\n{quoted}\n"
        "Could you help? No pressure — saying no is fine, and you don't need a profile here "
        "to lend a hand.",
        (
            Button("I can help", "accept", str(ask_id), "primary"),
            Button("Not this time", "decline", str(ask_id)),
        ),
    )


def refer_sent(target: str, need_id: int) -> Message:
    """The connector's confirmation."""
    return Message(
        f"Thank you for thinking of {target}! I've asked them privately about need #{need_id} "
        "and said you thought of them. An audience of people with audiences — that's you."
    )


def refer_self() -> Message:
    """Referring oneself."""
    return Message("That's you! If you can help, the buttons on the ask (or `/give`) do it.")


def refer_requester() -> Message:
    """Referring the member who needs the help."""
    return Message("That's the member who needs the help — think of someone else who could?")


def refer_already(target: str) -> Message:
    """The member has been asked about this need already."""
    return Message(f"{target} has already been asked about this need — thank you for the thought!")


def refer_paused(target: str) -> Message:
    """The referred member paused their asks."""
    return Message(
        f"{target} has paused their asks for now, so I haven't bothered them. Anyone else "
        "come to mind?"
    )


def refer_busy(target: str) -> Message:
    """The referred member has as many asks as anyone should get right now."""
    return Message(
        f"{target} has plenty of asks right now, so I'll let them be this time. Anyone else "
        "come to mind?"
    )


def refer_not_member() -> Message:
    """The member named is not (or no longer) in the community."""
    return Message("I can't find that person in this community, so I asked nobody.")


def refers_too_fast(limit: int, wait: timedelta) -> Message:
    """A member referring more people than is kind in an hour."""
    return Message(
        f"You've thought of {_plural(limit, 'person')} in the last hour — thank you! Let's give "
        f"them a moment to answer: you can refer the next {_in_about(wait)}."
    )


# -- the community pulse -----------------------------------------------------------------


def pulse_dm(pulse_id: int) -> Message:
    """The check-in every member gets once: two questions, each button opens a text field."""
    return Message(
        "Hi! A quick check-in from your community: what could you use help with this month? "
        "And what could you offer others? A line or two is plenty — I'll look for who can help, "
        "and add what you offer to your profile. No pressure.",
        (
            Button("Something I need", "pulseneed", str(pulse_id), "primary"),
            Button("Something I can offer", "pulseoffer", str(pulse_id), "primary"),
            Button("No more check-ins", "pulsestop", str(pulse_id)),
        ),
    )


def pulse_started(recipients: int, summary_on: datetime) -> Message:
    """The admin's confirmation that the pulse is on its way."""
    return Message(
        f"The check-in is on its way to {_plural(recipients, 'member')} (everyone I know who "
        f"isn't paused and hasn't opted out). I'll send you a summary on {_day(summary_on)}."
    )


def pulse_too_soon(last: datetime, next_on: datetime) -> Message:
    """A second /pulse within the quiet period."""
    return Message(
        f"The last check-in went out on {_day(last)} — let's give people room to breathe. "
        f"The next one can go out on {_day(next_on)}."
    )


def pulse_refused() -> Message:
    """A member who is not an admin typed `/pulse`."""
    return Message(
        "`/pulse` sends a check-in to the whole community, so it's for admins. You can still "
        "say what you need with `/need`, and `/pulse off` or `/pulse on` chooses whether you "
        "get the check-ins."
    )


def pulse_usage() -> Message:
    """`/pulse` with something unexpected after it."""
    return Message(
        "`/pulse` (admins) sends the check-in; `/pulse off` and `/pulse on` choose whether "
        "you get it."
    )


def pulse_off() -> Message:
    """The member asked for no more check-ins."""
    return Message("Done — no more community check-ins for you. `/pulse on` brings them back.")


def pulse_on() -> Message:
    """The member wants the check-ins again."""
    return Message("Lovely — you'll get the next community check-in.")


def pulse_answer_usage(command: str, pulse_id: str) -> Message:
    """A pulse answer with no words."""
    example = "a review of my pitch deck" if command == "pulseneed" else "postgres, figma"
    return Message(f"Tell me in a line, for example `/{command} {pulse_id} {example}`.")


def pulse_not_yours() -> Message:
    """A pulse answer from someone the pulse never reached."""
    return Message("That check-in wasn't sent to you, so there's nothing to answer.")


def pulse_thanks(reply: Message) -> Message:
    """A pulse answer went through the normal flow: thanks, then what the flow said."""
    return Message(f"Thank you for answering the check-in!\n{reply.text}", reply.buttons)


def pulse_summary(
    recipients: int,
    answered: int,
    needs: int,
    skills: int,
    top_topics: Sequence[tuple[str, int]],
    nobody_offers: Sequence[str],
) -> Message:
    """What came back from a pulse, for the admin who sent it."""
    asked = ", ".join(f"{t} ({n})" for t, n in top_topics) or "none yet"
    gaps = ", ".join(nobody_offers) or "none — someone offers every one of them"
    return Message(
        "\n".join(
            [
                "*Your community check-in, three days on*",
                f"Answered: {answered} of {_plural(recipients, 'member')}",
                f"New needs: {needs} · new skills on profiles: {skills}",
                f"Most asked for: {asked}",
                f"Asked for, but nobody offers: {gaps}",
            ]
        )
    )


def text_field_failed() -> Message:
    """A button that opens a text field could not open it (the platform took too long)."""
    return Message("Sorry — that took me too long to open. Please press the button again.")
