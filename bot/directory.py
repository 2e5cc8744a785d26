"""Members' skills to and from a spreadsheet: `whuffie import` and `whuffie export`.

The file has a header row and one member per row: who they are (their platform id, or an
email the platform can resolve), their display name, and their skills, comma separated in
one cell. Export writes the same columns, so an export imports again unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Protocol

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.context import MAX_SKILL_CHARS, MAX_SKILLS
from bot.models import Community, Member, Skill
from bot.store import Store
from matching import normalize

HEADER = ("member", "display_name", "skills")
# Header spellings people use in their own sheets, for each of our columns.
MEMBER_COLUMNS = ("member", "id", "user_id", "user", "platform_id", "slack_id", "discord_id")
EMAIL_COLUMNS = ("email", "e-mail", "mail")
NAME_COLUMNS = ("display_name", "name", "display name", "full_name", "real_name")
SKILL_COLUMNS = ("skills", "skill", "offers", "expertise")
# Members written to the database per transaction: long files never hold one huge lock.
BATCH = 500
MAX_ID_CHARS = 200
MAX_NAME_CHARS = 200
# A spreadsheet runs a cell starting with one of these as a formula; export guards such cells
# with a leading apostrophe, and import takes it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_ID = re.compile(r"[^\s<>@,;\"']{1,200}")
# A mention copied from a chat (`<@U0123>`, `<@U0123|ann>`, `<@!123>`) names the id inside.
_MENTION = re.compile(r"<@!?([^\s<>@|]{1,200})(?:\|[^<>]*)?>")


class DirectoryError(ValueError):
    """The file as a whole cannot be read (no header, no member column); says how to fix it."""


class LookupRefused(Exception):
    """The platform will resolve no email at all (a scope or a token missing); says why."""


class EmailLookup(Protocol):
    """Resolves a member's email to their platform id, where the platform allows it."""

    async def lookup(self, email: str) -> tuple[str, str] | None:
        """The member's platform id and display name, or None when nobody has that email.

        Raises `LookupRefused` when the platform refuses to look up emails at all.
        """
        ...


@dataclass
class Row:
    """One usable line of the file."""

    line: int
    user_id: str
    name: str
    skills: list[str]
    email: str = ""


@dataclass
class Report:
    """What an import did (or would do, on a dry run), line by line where it matters."""

    rows: int = 0
    members_added: int = 0
    members_known: int = 0
    skills_added: int = 0
    skills_already: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    dry_run: bool = False

    def summary(self) -> str:
        """The summary printed at the end, with each skipped line and why."""
        would = "would be " if self.dry_run else ""
        lines = [
            f"{'Dry run: nothing was written. ' if self.dry_run else ''}Read {self.rows} row(s).",
            f"Members {would}added: {self.members_added} · already known: {self.members_known}",
            f"Skills {would}added: {self.skills_added} · already there: {self.skills_already}",
        ]
        if self.skipped:
            lines.append(f"Skipped ({len(self.skipped)}):")
            lines += [f"  line {line}: {why}" for line, why in sorted(self.skipped)]
        else:
            lines.append("Skipped: none")
        return "\n".join(lines)

    def add(self, part: Report) -> None:
        """Count a batch's outcome in."""
        self.members_added += part.members_added
        self.members_known += part.members_known
        self.skills_added += part.skills_added
        self.skills_already += part.skills_already
        self.skipped += part.skipped


class _RolledBack(Exception):
    """A dry run's batch: its transaction is rolled back, its counts kept."""

    def __init__(self, added: bool, part: Report) -> None:
        super().__init__("dry run")
        self.added = added
        self.part = part


Progress = Callable[[int], None]


def _clean(cell: str) -> str:
    """A cell as typed, less the apostrophe export put before a formula-like start."""
    cell = cell.strip()
    if cell.startswith("'") and cell[1:2] in FORMULA_STARTS:
        cell = cell[1:]
    return cell


def _unprintable(text: str) -> bool:
    """Control characters (NUL included) have no place in a name, an id or a skill."""
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def _column(header: Sequence[str], names: Iterable[str]) -> int | None:
    folded = [h.strip().lower().lstrip("\ufeff") for h in header]
    for name in names:
        if name in folded:
            return folded.index(name)
    return None


def split_skills(cell: str) -> list[str]:
    """Skills as /offer reads them: comma (or line) separated, blanks dropped."""
    return [s.strip() for s in cell.replace("\n", ",").split(",") if s.strip()]


def parse(text: IO[str], report: Report) -> list[Row]:
    """The usable rows of a file; every other line is in `report.skipped` with its reason."""
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise DirectoryError(
            "the file is empty: it needs a header row, e.g. member,display_name,skills"
        ) from None
    except csv.Error as exc:
        raise DirectoryError(f"line 1 is not CSV: {exc}") from None
    member_at = _column(header, MEMBER_COLUMNS)
    email_at = _column(header, EMAIL_COLUMNS)
    name_at = _column(header, NAME_COLUMNS)
    skills_at = _column(header, SKILL_COLUMNS)
    if (member_at is None and email_at is None) or skills_at is None:
        raise DirectoryError(
            "the first line must name the columns: member (a platform id or an email), "
            f"display_name and skills, e.g. {','.join(HEADER)}"
        )
    rows: list[Row] = []
    line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report.rows += 1
            report.skipped.append((reader.line_num, f"not CSV ({exc})"))
            line = reader.line_num
            continue
        start, line = line + 1, reader.line_num  # a quoted cell may span several lines
        if not any(c.strip() for c in cells):
            continue
        report.rows += 1

        def cell(at: int | None, cells: list[str] = cells) -> str:
            return _clean(cells[at]) if at is not None and at < len(cells) else ""

        who = cell(member_at) or cell(email_at)
        mention = _MENTION.fullmatch(who)
        who = mention.group(1) if mention else who
        name, skills_cell = cell(name_at), cell(skills_at)
        why = _refuse(who, name, skills_cell)
        if why:
            report.skipped.append((start, why))
            continue
        skills = split_skills(skills_cell)
        too_long = [s for s in skills if len(s) > MAX_SKILL_CHARS]
        if too_long:
            report.skipped.append(
                (start, f"a skill longer than {MAX_SKILL_CHARS} characters: {too_long[0][:40]!r}…")
            )
            continue
        email = who.lower() if _EMAIL.fullmatch(who) else ""
        rows.append(Row(start, "" if email else who, name[:MAX_NAME_CHARS], skills, email))
    return rows


def _refuse(who: str, name: str, skills: str) -> str | None:
    """Why a row cannot be imported, or None."""
    if not who:
        return "no member id or email"
    if _unprintable(who) or _unprintable(name) or _unprintable(skills.replace("\n", "")):
        return "control characters in the row"
    if not _EMAIL.fullmatch(who) and not _ID.fullmatch(who):
        return f"{who[:40]!r} is neither a member id nor an email"
    if not split_skills(skills):
        return "no skills"
    return None


async def resolve_emails(
    rows: list[Row], lookup: EmailLookup | None, report: Report, progress: Progress
) -> list[Row]:
    """Rows with emails turned into platform ids; the unresolvable ones go to `skipped`."""
    resolved: list[Row] = []
    refused: str | None = (
        None
        if lookup is not None
        else ("an email, but this community's platform cannot look up emails: use the member's id")
    )
    for row in rows:
        if not row.email:
            resolved.append(row)
            continue
        progress(1)
        if refused is None and lookup is not None:
            try:
                found = await lookup.lookup(row.email)
            except LookupRefused as exc:
                refused = str(exc)
            else:
                if found is None:
                    report.skipped.append((row.line, "no member of the community has that email"))
                    continue
                row.user_id = found[0]
                row.name = row.name or found[1][:MAX_NAME_CHARS]
                resolved.append(row)
                continue
        report.skipped.append((row.line, refused or "email not resolved"))
    return resolved


def merge(rows: list[Row]) -> list[Row]:
    """One row per member, in file order: a member listed twice gets the skills of both."""
    by_id: dict[str, Row] = {}
    for row in rows:
        first = by_id.get(row.user_id)
        if first is None:
            by_id[row.user_id] = Row(row.line, row.user_id, row.name, list(row.skills))
        else:
            first.skills += row.skills
            first.name = first.name or row.name
    return list(by_id.values())


def ensure_community_row(session: Session, community_id: str, now: datetime) -> bool:
    """Create the community if the bot has not met it yet; tell whether it was new."""
    if session.get(Community, community_id) is not None:
        return False
    platform = community_id.split(":", 1)[0][:20]
    session.add(Community(id=community_id, platform=platform, created_at=now))
    session.flush()
    return True


def apply(
    session: Session, community_id: str, rows: Sequence[Row], now: datetime, report: Report
) -> bool:
    """Add these members and their new skills; tell whether any skill was added."""
    ids = [r.user_id for r in rows]
    known = {
        m.user_id: m
        for m in session.exec(
            select(Member).where(Member.community_id == community_id, col(Member.user_id).in_(ids))
        )
    }
    have: dict[int, dict[str, str]] = {}
    if known:
        member_ids = [m.id for m in known.values()]
        for member_id, norm, name in session.exec(
            select(Skill.member_id, Skill.norm, Skill.name).where(
                col(Skill.member_id).in_(member_ids)
            )
        ):
            have.setdefault(member_id, {})[norm] = name
    new_members: list[Member] = []
    for row in rows:
        if row.user_id in known:
            report.members_known += 1
            continue
        member = Member(
            community_id=community_id,
            user_id=row.user_id,
            display_name=row.name or row.user_id,
            created_at=now,
        )
        known[row.user_id] = member
        new_members.append(member)
    session.add_all(new_members)
    session.flush()
    report.members_added += len(new_members)
    skills: list[Skill] = []
    for row in rows:
        member = known[row.user_id]
        mine = have.setdefault(member.id, {})
        adding: dict[str, Skill] = {}
        for name in row.skills:
            norm = normalize(name)[:200]
            if not norm:
                continue
            if norm in mine or norm in adding:
                report.skills_already += 1
                continue
            adding[norm] = Skill(
                member_id=member.id,
                community_id=community_id,
                name=name,
                norm=norm,
                created_at=now,
            )
        if len(mine) + len(adding) > MAX_SKILLS:
            report.skipped.append(
                (
                    row.line,
                    f"more than {MAX_SKILLS} skills for this member: none of this row's new "
                    "skills were added",
                )
            )
            continue
        mine.update((norm, skill.name) for norm, skill in adding.items())
        skills += adding.values()
    session.add_all(skills)
    report.skills_added += len(skills)
    return bool(skills)


def bump_profiles(session: Session, community_id: str) -> None:
    """Tell every running bot process to reload the community's skills."""
    session.execute(
        update(Community)
        .where(col(Community.id) == community_id)
        .values(profile_version=col(Community.profile_version) + 1)
    )


def batches(rows: Sequence[Row], size: int = BATCH) -> Iterator[Sequence[Row]]:
    """The rows in slices of `size`."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def guard_cell(cell: str) -> str:
    """A cell that a spreadsheet would take for a formula, made plain text."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def export_rows(session: Session, community_id: str) -> Iterator[list[str]]:
    """The header, then one row per member with at least one skill, oldest member first."""
    yield list(HEADER)
    member: Member | None = None
    names: list[str] = []
    query = (
        select(Member, Skill.name)
        .join(Skill, col(Skill.member_id) == col(Member.id))
        .where(Member.community_id == community_id)
        .order_by(col(Member.id), col(Skill.id))
    )
    for found, name in session.exec(query):
        if member is not None and found.id != member.id:
            yield [
                guard_cell(member.user_id),
                guard_cell(member.display_name),
                guard_cell(", ".join(names)),
            ]
            names = []
        member = found
        names.append(name)
    if member is not None:
        yield [
            guard_cell(member.user_id),
            guard_cell(member.display_name),
            guard_cell(", ".join(names)),
        ]


def write_csv(rows: Iterable[list[str]], out: IO[str]) -> int:
    """Write rows as CSV; return how many members (rows after the header) were written."""
    writer = csv.writer(out, lineterminator="\n")
    count = -1
    for row in rows:
        writer.writerow(row)
        count += 1
    return max(count, 0)


def read_text(data: bytes) -> io.StringIO:
    """A file's bytes as text: UTF-8 (with or without a byte-order mark), else Latin-1."""
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError:
        return io.StringIO(data.decode("latin-1"), newline="")


class ProgressBar:
    """A progress bar on a terminal; elsewhere (a log, a pipe) a line every tenth of the way."""

    WIDTH = 30

    def __init__(self, total: int, label: str, out: IO[str]) -> None:
        self.total = max(total, 1)
        self.label = label
        self.out = out
        self.done = 0
        self._tty = out.isatty()
        self._shown = -1

    def advance(self, n: int) -> None:
        """Count `n` more rows done and redraw when it shows."""
        self.done = min(self.total, self.done + n)
        tenth = self.done * 10 // self.total
        if self._tty:
            filled = self.done * self.WIDTH // self.total
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.out.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
            if self.done == self.total:
                self.out.write("\n")
        elif tenth != self._shown:
            self._shown = tenth
            self.out.write(f"{self.label}: {self.done}/{self.total} ({tenth * 10}%)\n")
        self.out.flush()


def _quiet(_n: int) -> None:
    """No progress shown (short files)."""


async def run_import(
    store: Store,
    community_id: str,
    data: bytes,
    lookup: EmailLookup | None,
    now: datetime,
    *,
    dry_run: bool = False,
    progress_out: IO[str] | None = None,
) -> Report:
    """Read a file's rows and add what is new; on a dry run, write nothing."""
    report = Report(dry_run=dry_run)
    rows = parse(read_text(data), report)
    long_file = progress_out is not None and report.rows > BATCH
    emails = sum(1 for r in rows if r.email)
    found: Progress = _quiet
    if long_file and emails and progress_out is not None:
        found = ProgressBar(emails, "Looking up emails", progress_out).advance
    rows = merge(await resolve_emails(rows, lookup, report, found))
    written: Progress = _quiet
    if long_file and progress_out is not None:
        written = ProgressBar(len(rows), "Importing", progress_out).advance
    changed = False
    for batch in batches(rows):

        def work(session: Session, batch: Sequence[Row] = batch) -> tuple[bool, Report]:
            # A fresh count per try: a transaction that lost a race runs again from the start.
            part = Report()
            ensure_community_row(session, community_id, now)
            added = apply(session, community_id, batch, now, part)
            if dry_run:
                raise _RolledBack(added, part)
            return added, part

        try:
            added, part = await store.run(work)
        except _RolledBack as dry:
            added, part = dry.added, dry.part
        report.add(part)
        changed = changed or added
        written(len(batch))
    if changed and not dry_run:
        await store.run(lambda session: bump_profiles(session, community_id))
    return report


async def run_export(store: Store, community_id: str, out: IO[str]) -> int:
    """Write the community's members and skills as CSV; return how many members."""

    def work(session: Session) -> list[list[str]]:
        return list(export_rows(session, community_id))

    return write_csv(await store.run(work), out)


def known_community(store: Store, community_id: str) -> list[str] | None:
    """None when the bot knows this community; else the ids it does know, to suggest one."""
    with store.session() as session:
        if session.get(Community, community_id) is not None:
            return None
        return list(session.exec(select(Community.id).order_by(col(Community.id))))
