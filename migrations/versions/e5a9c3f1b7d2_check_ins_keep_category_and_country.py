"""check-ins keep their person's category and country

The live arrivals screen counts check-ins by category and country every few seconds: with
a copy on each check-in (kept in step by the application) a poll reads check-ins alone
instead of joining every registration. The VIPs still expected are found through an
index that holds their category.

Revision ID: e5a9c3f1b7d2
Revises: e5a9c3f17b42
Create Date: 2026-12-04 20:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a9c3f1b7d2"
down_revision = "e5a9c3f17b42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("country", sa.String(length=2), nullable=True))
    op.execute(
        "UPDATE check_in SET"
        " category_id = (SELECT category_id FROM registration"
        " WHERE registration.id = check_in.registration_id),"
        " country = (SELECT country FROM registration"
        " WHERE registration.id = check_in.registration_id)"
    )
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.alter_column("category_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("country", existing_type=sa.String(length=2), nullable=False)
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registration_event_status_category_family",
            ["event_id", "status", "category_id", "family_name"],
        )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_event_status_category_family")
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_column("country")
        batch_op.drop_column("category_id")
