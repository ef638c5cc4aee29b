"""registration name order

How each person writes their name: given or family name first (conference/names.py).
Registrations made before take the usual order of their country.

Revision ID: e5a9c3f17b42
Revises: de928afa5dd2
Create Date: 2026-12-05 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a9c3f17b42"
down_revision = "de928afa5dd2"
branch_labels = None
depends_on = None

# conference.names.FAMILY_FIRST_COUNTRIES as it was when this migration was written.
FAMILY_FIRST_COUNTRIES = ("CN", "HK", "MO", "TW", "JP", "KR", "KP", "VN", "KH", "HU")


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "name_order", sa.String(length=12), server_default="given_first", nullable=False
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_registration_name_order_known"),
            "name_order IN ('given_first', 'family_first')",
        )
    registration = sa.table(
        "registration", sa.column("country", sa.String), sa.column("name_order", sa.String)
    )
    op.execute(
        registration.update()
        .where(registration.c.country.in_(FAMILY_FIRST_COUNTRIES))
        .values(name_order="family_first")
    )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_registration_name_order_known"), type_="check")
        batch_op.drop_column("name_order")
