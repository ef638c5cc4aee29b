"""delegates and accounts have a language

Each registration keeps its delegate's language (conference/languages.py): every e-mail to
them is written in it. Registrations made before take English, the only language the site
spoke then. An account keeps the language chosen with the switcher (NULL: none chosen).

Revision ID: a7c1e4d2b9f0
Revises: a3d5f7b9c1e2
Create Date: 2026-12-04 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c1e4d2b9f0"
down_revision = "a3d5f7b9c1e2"
branch_labels = None
depends_on = None

# conference.languages.CODES as they were when this migration was written.
CODES = ("en", "th", "vi", "id", "ms", "fil", "km", "lo", "my", "zh-Hans", "ja", "ko")
KNOWN = f"language IN ({', '.join(repr(code) for code in CODES)})"


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="en", nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_registration_language_known"), KNOWN)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.create_check_constraint(op.f("ck_user_language_known"), KNOWN)


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_language_known"), type_="check")
        batch_op.drop_column("language")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_registration_language_known"), type_="check")
        batch_op.drop_column("language")
