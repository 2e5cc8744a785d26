"""ids are never reused on SQLite

Buttons and typed commands name asks and needs by id. SQLite hands out the highest id + 1,
so once the newest rows were deleted (/forgetme) an old button named someone else's new
row. AUTOINCREMENT makes SQLite remember every id it gave. SQLite cannot change this on a
table in place: each table is rebuilt with its rows copied over. PostgreSQL's sequences
never repeat an id, so it has nothing to do.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("member", "skill", "need", "ask", "thanks", "outbox")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
