"""registration activity: the history of each registration; the dashboard's index

Who did what to a registration and when (registering, edits, status changes, visa
decisions and letters, check-ins, badges printed, e-mails sent again), read newest first
per registration and per event. The organisers' dashboard counts an event's registrations
by day, status and category from one index.

Revision ID: a8d4e2f6c1b3
Revises: a7c1e4d2b9f0
Create Date: 2026-12-04 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import conference.dbtypes

# revision identifiers, used by Alembic.
revision = "a8d4e2f6c1b3"
down_revision = "a7c1e4d2b9f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "registration_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("at", conference.dbtypes.UTCDateTime(), nullable=False),
        sa.Column("actor_kind", sa.String(length=10), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "actor_kind IN ('user', 'delegate', 'head', 'door', 'api', 'system')",
            name=op.f("ck_registration_activity_actor_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user.id"],
            name=op.f("fk_registration_activity_actor_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_registration_activity_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_registration_activity_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_activity")),
    )
    with op.batch_alter_table("registration_activity", schema=None) as batch_op:
        batch_op.create_index("ix_registration_activity_event_at", ["event_id", "at"], unique=False)
        batch_op.create_index(
            "ix_registration_activity_registration_at", ["registration_id", "at"], unique=False
        )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registration_event_created",
            ["event_id", "created_at", "status", "category_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_event_created")
    with op.batch_alter_table("registration_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_activity_registration_at")
        batch_op.drop_index("ix_registration_activity_event_at")
    op.drop_table("registration_activity")
