"""`whuffie import` and `whuffie export` from the shell, on a long file."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.test_cli import whuffie


def _long_sheet(path: Path, rows: int) -> None:
    """A directory of `rows` members, with a few bad rows at known lines."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["member", "display_name", "skills"])
        for i in range(rows):
            if i in (99, 4999):  # lines 101 and 5001
                writer.writerow(["", f"Nobody {i}", "Go"])
                continue
            skills = [f"skill {i % 400}", f"topic {i % 37}", "Python" if i % 2 else "Rust"]
            writer.writerow([f"U{i:06d}", f"Member {i}", ", ".join(skills)])


def test_ten_thousand_rows_import_with_a_progress_bar_then_add_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    """A long file shows its progress, reports bad rows by line, and a second run adds nothing."""
    sheet = tmp_path / "directory.csv"
    _long_sheet(sheet, 10_000)
    env = {"WHUFFIE_DATABASE_URL": sqlite_url}
    first = whuffie("import", str(sheet), "--community", "console", env=env)
    assert first.returncode == 0, first.stderr
    assert "Importing: 9998/9998 (100%)" in first.stderr
    assert "Members added: 9998 · already known: 0" in first.stdout
    assert "Skills added: 29994" in first.stdout
    assert "line 101: no member id or email" in first.stdout
    assert "line 5001: no member id or email" in first.stdout
    second = whuffie("import", str(sheet), "--community", "console", env=env)
    assert "Members added: 0 · already known: 9998" in second.stdout
    assert "Skills added: 0 · already there: 29994" in second.stdout
    exported = tmp_path / "export.csv"
    done = whuffie("export", "--community", "console", "-o", str(exported), env=env)
    assert done.returncode == 0, done.stderr
    assert "Exported 9998 member(s)" in done.stderr
    rows = list(csv.reader(exported.open(encoding="utf-8")))
    assert rows[1] == ["U000000", "Member 0", "skill 0, topic 0, Rust"]
    assert len(rows) == 9999


def test_the_console_uses_imported_skills(tmp_path: Path, sqlite_url: str) -> None:
    """Members imported into the console community are asked about a fitting need."""
    sheet = tmp_path / "team.csv"
    sheet.write_text("member,display_name,skills\nann,Ann,PostgreSQL\n", encoding="utf-8")
    env = {"WHUFFIE_DATABASE_URL": sqlite_url}
    assert whuffie("import", str(sheet), "--community", "console", env=env).returncode == 0
    chat = whuffie("console", env=env, stdin="bob: /need a slow postgres query\n")
    assert "[dm ann]" in chat.stdout


def test_a_dry_run_and_clear_errors(tmp_path: Path, sqlite_url: str) -> None:
    """A dry run writes nothing; a missing file, a sheet without a header, or an unknown
    community is a one-line error, not a traceback."""
    env = {"WHUFFIE_DATABASE_URL": sqlite_url}
    sheet = tmp_path / "team.csv"
    sheet.write_text("member,display_name,skills\nann,Ann,Go\n", encoding="utf-8")
    dry = whuffie("import", str(sheet), "--community", "console", "--dry-run", env=env)
    assert "Dry run: nothing was written" in dry.stdout
    assert "Members would be added: 1" in dry.stdout
    nothing = whuffie("export", "--community", "console", env=env)
    assert nothing.returncode == 2
    assert "no community 'console' here" in nothing.stderr
    missing = whuffie("import", str(tmp_path / "nope.csv"), "--community", "console", env=env)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    headless = tmp_path / "headless.csv"
    headless.write_text("ann,Go\n", encoding="utf-8")
    bad = whuffie("import", str(headless), "--community", "console", env=env)
    assert bad.returncode == 2
    assert "the first line must name the columns" in bad.stderr
    assert "Traceback" not in bad.stderr + missing.stderr + nothing.stderr
