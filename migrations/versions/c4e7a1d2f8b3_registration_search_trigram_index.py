"""registration search: a trigram index on PostgreSQL, an (event_id, id) index, Han
characters and kana as words of their own in search_text

Search words shorter than three characters match the start of a word, which Chinese and
Japanese names, written without spaces, have only once each character stands alone: the
stored search text is rewritten so ("王晓明" -> "王 晓 明").

Revision ID: c4e7a1d2f8b3
Revises: b8d4f2a6c913
Create Date: 2026-12-10 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e7a1d2f8b3"
down_revision = "b8d4f2a6c913"
branch_labels = None
depends_on = None

# As conference/registration/search.py has it on the day of this migration.
STANDALONE = (
    (0x3040, 0x30FF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3FFFF),
)
CHUNK = 5000


def _alone(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in STANDALONE)


def _spaced(text: str) -> str:
    return " ".join("".join(f" {c} " if _alone(c) else c for c in text).split())


def _joined(text: str) -> str:
    """No space between two characters that stand alone, as before (a space the names
    themselves had there goes too, which the old search did not mind)."""
    last = len(text) - 1
    return "".join(
        c
        for i, c in enumerate(text)
        if not (c == " " and 0 < i < last and _alone(text[i - 1]) and _alone(text[i + 1]))
    )


def _rewrite(change) -> None:
    """search_text rewritten by ``change``, a chunk of rows at a time."""
    connection = op.get_bind()
    registration = sa.table(
        "registration", sa.column("id", sa.Integer), sa.column("search_text", sa.Text)
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(registration.c.id, registration.c.search_text)
            .where(registration.c.id > last)
            .order_by(registration.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        changed = [
            {"row_id": rid, "text": change(text)} for rid, text in rows if change(text) != text
        ]
        if changed:
            connection.execute(
                registration.update()
                .where(registration.c.id == sa.bindparam("row_id"))
                .values(search_text=sa.bindparam("text")),
                changed,
            )
        last = rows[-1].id


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index("ix_registration_event_id_id", ["event_id", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_registration_search_text_trgm",
            "registration",
            ["search_text"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
    _rewrite(_spaced)


def downgrade():
    _rewrite(_joined)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_registration_search_text_trgm", table_name="registration")
        # The extension stays: other database objects may use it by now.
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_event_id_id")
