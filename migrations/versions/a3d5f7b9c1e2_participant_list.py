"""participant list: who sees it, per event, and an index that pages it in name order

Events start with no participant list (off); organisers open it to the confirmed
delegates or to everyone. The index serves an event's confirmed delegates who consented,
by family name (or the one name of someone who has no other), a page at a time; on
PostgreSQL only (SQLite cannot reflect an index on an expression), as the model's
``postgresql_expression_index`` makes it.

Revision ID: a3d5f7b9c1e2
Revises: c8e2f4a6b913
Create Date: 2026-12-04 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3d5f7b9c1e2"
down_revision = "c8e2f4a6b913"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "participant_list", sa.String(length=10), server_default="off", nullable=False
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_event_participant_list_known"),
            "participant_list IN ('off', 'delegates', 'public')",
        )
    if op.get_bind().dialect.name == "postgresql":  # see the model: not on SQLite
        op.execute(
            "CREATE INDEX ix_registration_participants ON registration (event_id, status, "
            "list_consent, coalesce(nullif(family_name, ''), given_name), given_name, id)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_registration_participants", table_name="registration")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_event_participant_list_known"), type_="check")
        batch_op.drop_column("participant_list")
