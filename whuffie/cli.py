"""The `whuffie` command: run the bot, the console, migrations and admin figures."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dotenv import load_dotenv
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings, SettingsError
from bot.store import Store, StoreError, Timeouts, write_revision
from whuffie.logs import configure_logging
from whuffie.registry import RegistryError, platforms

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.directory import EmailLookup

log = logging.getLogger("whuffie")


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable URL)"


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own first line, without SQLAlchemy's long trailer."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}"


def timeouts(settings: Settings) -> Timeouts:
    """How long the bot waits for its database, from the settings."""
    return Timeouts(
        connect=settings.db_connect_timeout,
        statement=settings.db_statement_timeout,
        keepalive=settings.db_keepalive,
    )


def open_store(settings: Settings, *, upgrade_sqlite: bool = True) -> Store:
    """Connect to the database; bring the embedded SQLite file up to date by itself."""
    store = Store.connect(settings.database_url, timeouts(settings))
    try:
        if store.is_sqlite and upgrade_sqlite:
            store.upgrade()
        elif not store.is_current():
            raise CliError(
                f"the database at {_safe_url(settings.database_url)} needs its schema brought "
                "up to date: run `whuffie db upgrade` first"
            )
    except SQLAlchemyError as exc:
        store.dispose()
        reason = _reason(exc)
        if type(getattr(exc, "orig", None)).__name__ == "ConnectionTimeout":
            reason = (
                f"it did not answer within {settings.db_connect_timeout} seconds "
                "(WHUFFIE_DB_CONNECT_TIMEOUT); check that it is running and reachable"
            )
        raise CliError(
            f"cannot use the database at {_safe_url(settings.database_url)}: {reason}"
        ) from None
    return store


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve every platform whose credentials are set; with none, the console chat."""
    installed = platforms()
    builds = [b for p in installed if (b := p.configure(os.environ, settings)) is not None]
    if not builds:
        needs = "; ".join(f"{p.name}: {p.needs}" for p in installed)
        print(
            f"No platform credentials are set ({needs}): starting the console chat on "
            f"{_safe_url(settings.database_url)}.",
            file=sys.stderr,
        )
        return cmd_console(args, settings)
    from whuffie.runtime import serve

    store = open_store(settings)
    try:
        asyncio.run(serve(settings, store, builds))
    except KeyboardInterrupt:
        pass
    except BaseExceptionGroup as group:
        # An adapter that cannot start (a token the platform rejects) is the user's to fix.
        wrong = group.subgroup(lambda e: isinstance(e, SettingsError | CliError))
        if wrong is not None:
            raise CliError(str(wrong.exceptions[0])) from None
        raise
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    """The local chat, reading stdin."""
    from adapters.console import Console, stdin_lines
    from bot.app import Whuffie
    from bot.clock import ManualClock

    store = open_store(settings)
    clock = ManualClock()
    core = Whuffie(settings, store, clock)
    if settings.dashboard and sys.stdin.isatty():
        _serve_dashboard_beside(settings, clock)
    console = Console(core, clock, sys.stdout, getattr(args, "as_name", None) or "me")
    core.attach(console.port)
    # Ctrl-C and a service manager's SIGTERM end the chat at once, even while it waits for a
    # line (asyncio's own Ctrl-C handling would wait for the next line): each command is
    # committed as it runs, so leaving between two loses nothing; the database closes cleanly.
    previous = {signum: signal.signal(signum, _interrupt) for signum in STOP_SIGNALS}
    try:
        asyncio.run(console.run(stdin_lines(), interactive=sys.stdin.isatty()))
    except KeyboardInterrupt:
        print()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        store.dispose()
    return 0


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _interrupt(signum: int, frame: object) -> None:
    """Turn a stop signal into the interruption Ctrl-C gives."""
    raise KeyboardInterrupt


def _serve_dashboard_beside(settings: Settings, clock: Clock) -> None:
    """Serve the dashboard on PORT (this machine only) while the console chat runs.

    The console reads the terminal on its own event loop, so the server has a thread, a
    loop and a connection pool of its own; it ends with the process.
    """
    from bot.dashboard.web import add_dashboard_routes
    from bot.health import add_health_routes
    from bot.web import WebServer

    def serve() -> None:
        store = Store.connect(settings.database_url, timeouts(settings))
        server = WebServer(settings.port, host="127.0.0.1")
        add_health_routes(server, store)
        add_dashboard_routes(server, store, settings, clock)
        asyncio.run(server.run())

    threading.Thread(target=serve, name="dashboard", daemon=True).start()


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Apply schema migrations."""
    store = Store.connect(settings.database_url)
    try:
        store.upgrade()
    except SQLAlchemyError as exc:
        raise CliError(
            f"cannot upgrade the database at {_safe_url(settings.database_url)}: {_reason(exc)}"
        ) from None
    print(f"The database at {_safe_url(settings.database_url)} is up to date.")
    return 0


def cmd_db_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the live SQLite database into FILE (PostgreSQL: pg_dump)."""
    target = Path(args.file)
    store = Store.connect(settings.database_url)
    try:
        store.backup(target)
    except (sqlite3.Error, OSError) as exc:
        raise CliError(f"cannot back up into {target}: {exc}") from None
    finally:
        store.dispose()
    print(f"Backed up {_safe_url(settings.database_url)} into {target}.")
    return 0


def cmd_db_revision(args: argparse.Namespace, settings: Settings) -> int:
    """Write the next migration, for a change to the models."""
    path = write_revision(args.message, autogenerate=not args.empty)
    print(f"Wrote {path}: read it, adjust it, and commit it with the change to the models.")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """The admin figures from the shell, for every community (or one)."""
    from bot import texts
    from bot.usecases.stats import communities, compute

    store = open_store(settings)
    with store.session() as session:
        wanted = [args.community] if args.community else communities(session)
        figures = [compute(session, c) for c in wanted]
    if args.json:
        print(json.dumps([f.as_dict() for f in figures], indent=2, default=str))
    elif not figures:
        print("No community has used the bot yet.")
    else:
        for f in figures:
            print(f"== {f.community} ==\n{texts.helpstats(f).text}\n")
    return 0


def _email_lookup(community_id: str) -> EmailLookup | None:
    """The platform's way to turn emails into member ids, where it has one and is set up."""
    if community_id.startswith("slack:"):
        from adapters.slack.emails import SlackEmails
        from adapters.slack.settings import SlackSettings

        slack = SlackSettings.from_env(os.environ)
        if slack.bot_token:
            return SlackEmails(slack)
    return None


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Members' skills from a CSV file into one community."""
    from bot.clock import SystemClock
    from bot.directory import DirectoryError, run_import

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    store = open_store(settings)
    try:
        report = asyncio.run(
            run_import(
                store,
                args.community,
                data,
                _email_lookup(args.community),
                SystemClock().now(),
                dry_run=args.dry_run,
                progress_out=sys.stderr,
            )
        )
    except DirectoryError as exc:
        raise CliError(f"{path}: {exc}") from None
    finally:
        store.dispose()
    print(report.summary())
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """A community's members and skills as CSV, in the format `whuffie import` reads."""
    from bot.directory import known_community, run_export

    store = open_store(settings)
    try:
        others = known_community(store, args.community)
        if others is not None:
            known = ", ".join(others) or "none yet"
            raise CliError(f"no community {args.community!r} here (known: {known})")
        if args.output in (None, "-"):
            count = asyncio.run(run_export(store, args.community, sys.stdout))
        else:
            try:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    count = asyncio.run(run_export(store, args.community, out))
            except OSError as exc:
                raise CliError(f"cannot write {args.output}: {exc.strerror}") from None
    finally:
        store.dispose()
    where = "" if args.output in (None, "-") else f" into {args.output}"
    print(f"Exported {count} member(s){where}.", file=sys.stderr)
    return 0


def _plugin(parser: argparse.ArgumentParser, module: str) -> None:
    """Let a module add its own arguments and run function (`add_arguments`, `run`)."""
    try:
        mod: Any = importlib.import_module(module)
    except ImportError:
        parser.set_defaults(func=lambda a, s: _missing(module))
        return
    mod.add_arguments(parser)
    parser.set_defaults(func=lambda a, s: mod.run(a))


def _missing(module: str) -> int:
    raise CliError(f"{module} is not available in this installation")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(
        prog="whuffie",
        description="Whuffie matches community members who need help with members who can "
        "give it. Settings come from the environment and a .env file (see .env.example).",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log Whuffie's own debug lines too (logs go to stderr; see WHUFFIE_LOG_LEVEL)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="start every platform whose credentials are set (none: the console chat)",
        description="Serve every platform whose credentials are set (Slack, Discord, any "
        "other installed), in one process and one database; with none set, start the console "
        "chat on the embedded SQLite database.",
    )
    run.add_argument("--as", dest="as_name", metavar="NAME", help="console member to speak as")
    run.set_defaults(func=cmd_run)

    console = sub.add_parser(
        "console",
        help="the local chat, reading stdin (scriptable: whuffie console < script.txt)",
        description="Chat with the bot locally. Each line is `NAME: /command args`, or a bare "
        "command spoken by --as; `!as NAME`, `!wait 25h`, `!admin NAME` control the console.",
    )
    console.add_argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        default="me",
        help="who bare commands are spoken by (default: me)",
    )
    console.set_defaults(func=cmd_console)

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser(
        "upgrade",
        help="apply schema migrations",
        description="Apply every schema migration not yet applied.",
    )
    upgrade.set_defaults(func=cmd_db_upgrade)
    backup = db_sub.add_parser(
        "backup",
        help="copy the live SQLite database into FILE (PostgreSQL: use pg_dump)",
        description="Copy the SQLite database consistently into FILE, even while the bot runs "
        "and writes (SQLite's online backup). For PostgreSQL, use pg_dump.",
    )
    backup.add_argument("file", metavar="FILE", help="where to write the copy")
    backup.set_defaults(func=cmd_db_backup)
    revision = db_sub.add_parser(
        "revision",
        help="write the next migration (for developers changing bot/models.py)",
        description="Write the next migration into bot/migrations/versions: the difference "
        "between the models and what the migrations so far create (found on a scratch SQLite "
        "database; WHUFFIE_DATABASE_URL is not used). Released migrations are never edited.",
    )
    revision.add_argument("-m", "--message", required=True, help="what the migration changes")
    revision.add_argument(
        "--empty", action="store_true", help="write an empty migration, to fill in by hand"
    )
    revision.set_defaults(func=cmd_db_revision)

    stats = sub.add_parser(
        "stats",
        help="how each community helps itself",
        description="The /helpstats figures, from the shell.",
    )
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument("--community", help="one community id (e.g. slack:T0123, console)")
    stats.set_defaults(func=cmd_stats)

    importing = sub.add_parser(
        "import",
        help="add members' skills from a CSV file (member id or email, display name, skills)",
        description="Add members' skills from a spreadsheet saved as CSV. The first line names "
        "the columns: member (the platform id, e.g. U0123ABCD on Slack; or an email, which "
        "Slack resolves when the app has the optional users:read.email scope), display_name, "
        "and skills (comma separated in one cell). Skills already there are left alone, so a "
        "second run adds nothing; bad rows are reported by line number and the others "
        "imported.",
    )
    importing.add_argument("file", metavar="FILE.csv", help="the CSV file to read")
    importing.add_argument(
        "--community", required=True, help="the community id (e.g. slack:T0123, console)"
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="say what would be added, and write nothing"
    )
    importing.set_defaults(func=cmd_import)
    exporting = sub.add_parser(
        "export",
        help="write a community's members and skills as CSV (what import reads)",
        description="Write every member with a skill as CSV: member,display_name,skills.",
    )
    exporting.add_argument(
        "--community", required=True, help="the community id (e.g. slack:T0123, console)"
    )
    exporting.add_argument(
        "-o", "--output", metavar="FILE", help="write into FILE (default: standard output)"
    )
    exporting.set_defaults(func=cmd_export)

    _plugin(
        sub.add_parser(
            "eval",
            help="score the matcher on matchbench data",
            description="Score the matcher on matchbench sites.",
        ),
        "matching.evaluate",
    )
    _plugin(
        sub.add_parser(
            "bench",
            help="measure matching speed and memory",
            description="Measure index build, memory and match latency.",
        ),
        "matching.bench",
    )
    _plugin(
        sub.add_parser(
            "bench-e2e",
            help="measure the whole bot on a database filled with a synthetic community",
            description="Fill a database with a synthetic community of N members (2-6 skills "
            "each, N/5 resolved needs), then measure in a fresh process: start to the first "
            "answered /need, memory, /need, /needs, /helpstats, /offer, an idle tick and "
            "`whuffie stats --json`.",
        ),
        "bot.bench",
    )
    try:
        installed = platforms()
    except RegistryError:
        installed = []  # `whuffie run` says how to repair the installation
    for platform in installed:
        platform.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `whuffie` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    load_dotenv(override=False)
    try:
        configure_logging(os.environ, sys.stderr, verbose=args.verbose)
        settings = Settings.from_env()
        return int(args.func(args, settings))
    except (CliError, SettingsError, StoreError, RegistryError) as exc:
        print(f"whuffie: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
